// The app's own SSH client key (ed25519), made once per data folder and reused ever after.
import { join } from 'node:path';
import { ensurePrivateDir } from './key-files';
import { ensureKeyPairFile } from './key-pair-file';

export interface AppKey {
  /** OpenSSH private key text. Never logged. */
  privateKey: string;
  /** One `authorized_keys` line: `ssh-ed25519 AAAA… dsvm-pool`. */
  publicKey: string;
  /** Where the private key lives (`<dataDir>/keys/id_ed25519`). */
  path: string;
}

const COMMENT = 'dsvm-pool';

/** Loads `<dataDir>/keys/id_ed25519` (+ `.pub`), or makes and stores a new key the first time. */
export async function ensureAppKey(dataDir: string): Promise<AppKey> {
  const dir = join(dataDir, 'keys');
  await ensurePrivateDir(dir);
  return ensureKeyPairFile(join(dir, 'id_ed25519'), {
    comment: COMMENT,
    label: "The app's SSH key",
  });
}
