// The app's own SSH client key (ed25519), made once per data folder and reused ever after.
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// ssh2 is CommonJS whose `utils` Node's ESM loader cannot see as a named export.
import ssh2 from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';

export interface AppKey {
  /** OpenSSH private key text. Never logged. */
  privateKey: string;
  /** One `authorized_keys` line: `ssh-ed25519 AAAA… dsvm-pool`. */
  publicKey: string;
  /** Where the private key lives (`<dataDir>/keys/id_ed25519`). */
  path: string;
}

const { utils } = ssh2;
const COMMENT = 'dsvm-pool';

/** Loads `<dataDir>/keys/id_ed25519` (+ `.pub`), or makes and stores a new key the first time. */
export async function ensureAppKey(dataDir: string): Promise<AppKey> {
  const dir = join(dataDir, 'keys');
  const path = join(dir, 'id_ed25519');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode only applies to folders it creates, and the umask trims it: make it exact.
  await chmod(dir, 0o700);

  let privateKey = await readIfExists(path);
  if (privateKey === undefined) {
    const made = utils.generateKeyPairSync('ed25519', { comment: COMMENT });
    // Create-if-absent through a hard link, so two processes starting together cannot each
    // hand out a different key: the loser reads the winner's file.
    if (await createExclusive(path, made.private, 0o600)) privateKey = made.private;
    else privateKey = await readFile(path, 'utf8');
  }
  await chmod(path, 0o600);

  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error || !parsed.isPrivateKey()) {
    // Never overwrite: the file may be someone's real key that was put there on purpose.
    throw new RpcError(
      ErrorCode.Internal,
      `The app's SSH key at ${path} cannot be read as an unencrypted private key. ` +
        'Move that file away (the app then makes a new key) or replace it with a valid key.',
    );
  }

  // The private key is the truth; the .pub file is derived and rewritten if missing or stale.
  const publicKey = `${parsed.type} ${parsed.getPublicSSH().toString('base64')} ${COMMENT}`;
  const pubPath = `${path}.pub`;
  if (!sameKeyLine(await readIfExists(pubPath), publicKey)) {
    await replaceFile(pubPath, `${publicKey}\n`, 0o644);
  }
  await chmod(pubPath, 0o644);
  return { privateKey, publicKey, path };
}

/** Two `authorized_keys` lines name the same key when type and base64 match (comments aside). */
function sameKeyLine(existing: string | undefined, wanted: string): boolean {
  if (existing === undefined) return false;
  const [type, data] = existing.trim().split(/\s+/);
  const [wantedType, wantedData] = wanted.split(' ');
  return type === wantedType && data === wantedData;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Writes `path` only if it does not exist yet; false when another writer got there first. */
async function createExclusive(path: string, text: string, mode: number): Promise<boolean> {
  const tmp = tempName(path);
  await writeFile(tmp, text, { mode, flag: 'wx' });
  try {
    await chmod(tmp, mode);
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Replaces `path` atomically, so a reader never sees half a file. */
async function replaceFile(path: string, text: string, mode: number): Promise<void> {
  const tmp = tempName(path);
  await writeFile(tmp, text, { mode, flag: 'wx' });
  try {
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
