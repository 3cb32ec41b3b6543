// Makes the current test process trust the emulator's certificate: Node reads NODE_EXTRA_CA_CERTS
// only at start, so a process that does not trust it yet runs itself again with it set.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import tls from 'node:tls';
import {
  loadEmulatorCertificate,
  writeAtomically,
  type EmulatorCertificate,
} from './emulator-certificate';

/** Set in the re-run process, so a trust that still fails is an error, not an endless loop. */
const RERUN_MARK = 'DSVM_POOL_AZURE_EMULATOR_TRUST';

/**
 * Call at the top of a test file, before any test is declared:
 *
 *     await trustEmulatorCertificate();
 *
 * If the process already trusts the certificate (its NODE_EXTRA_CA_CERTS holds it), this returns.
 * Otherwise it starts the same command again (same node flags, same file, same arguments,
 * stdout/stderr shared: under `node --test` the runner reads the re-run's report unchanged) with
 * NODE_EXTRA_CA_CERTS pointing at a bundle of the certificate plus whatever NODE_EXTRA_CA_CERTS
 * already held, waits for it, and exits with its exit code. Nothing needs setting in npm scripts
 * or CI; setting NODE_EXTRA_CA_CERTS=test/emulators/azure/.cache/emulator-ca.pem beforehand (after
 * a first run made it) just skips the re-run.
 */
export async function trustEmulatorCertificate(): Promise<EmulatorCertificate> {
  const certificate = await loadEmulatorCertificate();
  if (await isTrusted(certificate)) return certificate;
  if (process.env[RERUN_MARK]) {
    throw new Error(
      `This process was started with NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS ?? ''} ` +
        `and still does not trust the Azure emulator's certificate ${certificate.certPath}.`,
    );
  }
  const bundle = await trustBundle(certificate);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: bundle, [RERUN_MARK]: '1' },
  });
  // The runner may stop us (timeout, Ctrl-C): the re-run must stop too, not linger.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, forward(signal));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  process.exit(code ?? (signal ? 1 : 0));
}

/** Whether a TLS client with Node's default trust store accepts the certificate. */
async function isTrusted(certificate: EmulatorCertificate): Promise<boolean> {
  const server = tls.createServer({ cert: certificate.cert, key: certificate.key }, (socket) =>
    socket.end(),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as { port: number };
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    socket.on('error', () => {});
    await once(socket, 'secureConnect');
    const trusted = socket.authorized;
    socket.destroy();
    return trusted;
  } finally {
    server.close();
  }
}

/** The certificate plus the CAs NODE_EXTRA_CA_CERTS already named (a corporate proxy's, say). */
async function trustBundle(certificate: EmulatorCertificate): Promise<string> {
  let extra = '';
  const existing = process.env.NODE_EXTRA_CA_CERTS;
  if (existing && resolve(existing) !== resolve(certificate.certPath)) {
    extra = await readFile(existing, 'utf8').catch(() => '');
  }
  if (!extra) return certificate.certPath;
  const text = `${certificate.cert}${extra.endsWith('\n') ? extra : `${extra}\n`}`;
  const name = `trust-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.pem`;
  const path = join(certificate.certPath, '..', name);
  await writeAtomically(path, text);
  return path;
}
