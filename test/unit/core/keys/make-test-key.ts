// Test keys made by the real ssh-keygen, so the loader is tested against what users actually have.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type KeyType = 'ed25519' | 'rsa' | 'ecdsa';
/** `openssh`: ssh-keygen's default; `pem`: PKCS#1/SEC1 (`-m PEM`); `pkcs8`: `-m PKCS8`. */
export type KeyFormat = 'openssh' | 'pem' | 'pkcs8';

export interface TestKey {
  path: string;
  /** The `.pub` line. */
  publicKey: string;
}

/** Writes `<dir>/<name>` (+ `.pub`) with ssh-keygen; `passphrase` '' for none. */
export async function makeTestKey(
  dir: string,
  name: string,
  type: KeyType,
  passphrase: string,
  format: KeyFormat = 'openssh',
): Promise<TestKey> {
  const path = join(dir, name);
  const args = ['-q', '-t', type, '-N', passphrase, '-C', `test-${name}`, '-f', path];
  if (type === 'rsa') args.push('-b', '2048');
  if (format === 'pem') args.push('-m', 'PEM');
  if (format === 'pkcs8') args.push('-m', 'PKCS8');
  // One bcrypt round instead of 16: the same format, a sixteenth of the time in every decrypt.
  if (format === 'openssh') args.push('-a', '1');
  await run('ssh-keygen', args);
  return { path, publicKey: (await readFile(`${path}.pub`, 'utf8')).trim() };
}
