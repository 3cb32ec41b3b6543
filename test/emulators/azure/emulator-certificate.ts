// The emulator's TLS certificate, made once and kept in test/emulators/azure/.cache so that a
// test process can trust it through NODE_EXTRA_CA_CERTS, which Node reads only at start.
import { X509Certificate } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSelfSignedCertificate } from './self-signed-certificate';

export interface EmulatorCertificate {
  cert: string;
  key: string;
  /** A PEM file with the certificate alone: what NODE_EXTRA_CA_CERTS (or `ca`) takes. */
  certPath: string;
}

/** Git-ignored (see the .gitignore next to this file). */
export const EMULATOR_CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '.cache');

/** Renewed this long before it expires, so a long test run never sees it expire. */
const RENEW_BEFORE_MS = 14 * 24 * 3600_000;

/**
 * Loads the cached certificate, or makes it. Several test processes may start at once: the
 * key+certificate file is created exclusively, so they all end up with the same one.
 */
export async function loadEmulatorCertificate(
  cacheDir = EMULATOR_CACHE_DIR,
): Promise<EmulatorCertificate> {
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const identityPath = join(cacheDir, 'emulator-tls.pem');
  let pair = await readPair(identityPath);
  if (pair && !usable(pair.cert)) {
    // Expiring: move it aside (one process wins the rename), then make a new one below.
    await rename(identityPath, `${identityPath}.expired-${process.pid}`).catch(() => {});
    await unlink(`${identityPath}.expired-${process.pid}`).catch(() => {});
    pair = undefined;
  }
  if (!pair) {
    const made = createSelfSignedCertificate();
    await createExclusive(identityPath, `${made.key}${made.cert}`);
    pair = await readPair(identityPath);
    if (!pair) throw new Error(`${identityPath} could not be read back`);
  }
  const certPath = join(cacheDir, 'emulator-ca.pem');
  const current = await readFile(certPath, 'utf8').catch(() => '');
  if (current !== pair.cert) await writeAtomically(certPath, pair.cert);
  return { ...pair, certPath };
}

async function readPair(path: string): Promise<{ cert: string; key: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(text)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0];
  if (!key || !cert) return undefined;
  try {
    new X509Certificate(cert);
  } catch {
    return undefined;
  }
  return { cert: cert.endsWith('\n') ? cert : `${cert}\n`, key };
}

function usable(cert: string): boolean {
  const x509 = new X509Certificate(cert);
  const now = Date.now();
  return (
    new Date(x509.validFrom).getTime() <= now &&
    new Date(x509.validTo).getTime() - RENEW_BEFORE_MS > now
  );
}

/** Writes a 0600 file only if absent (another process's file wins). */
async function createExclusive(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

export async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}
