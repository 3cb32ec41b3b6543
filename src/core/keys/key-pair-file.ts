// An ed25519 key pair kept as `<path>` (0600) + `<path>.pub` (0644): made once, then the same key
// on every later call; an unreadable file is reported, never replaced.
import { chmod, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
// ssh2 is CommonJS whose `utils` Node's ESM loader cannot see as a named export.
import ssh2 from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';
import {
  createExclusive,
  ensurePrivateDir,
  readIfExists,
  replaceFile,
  sameKeyLine,
} from './key-files';

const { utils } = ssh2;

export interface KeyPairFile {
  /** OpenSSH private key text. Never logged. */
  privateKey: string;
  /** One `authorized_keys` line: `ssh-ed25519 AAAA… <comment>`. */
  publicKey: string;
  path: string;
}

export interface KeyPairFileOptions {
  /** The public key's comment, e.g. `dsvm-pool`. */
  comment: string;
  /** What the key is, for the error message: "The app's SSH key". */
  label: string;
  /** Create the key when the file is missing (default true); false only reads. */
  create?: boolean;
}

/** Loads the key at `path` (making it the first time), or undefined when `create` is false and there is none. */
export async function ensureKeyPairFile(
  path: string,
  options: KeyPairFileOptions & { create?: true },
): Promise<KeyPairFile>;
export async function ensureKeyPairFile(
  path: string,
  options: KeyPairFileOptions,
): Promise<KeyPairFile | undefined>;
export async function ensureKeyPairFile(
  path: string,
  options: KeyPairFileOptions,
): Promise<KeyPairFile | undefined> {
  const { comment, label, create = true } = options;
  let privateKey = await readIfExists(path);
  if (privateKey === undefined) {
    if (!create) return undefined;
    await ensurePrivateDir(dirname(path));
    const made = generateEd25519(comment);
    if (await createExclusive(path, made, 0o600)) privateKey = made;
    // Another caller made it first: everyone hands out the winner's key.
    else privateKey = await readFile(path, 'utf8');
  }
  await chmod(path, 0o600);

  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error || !parsed.isPrivateKey()) {
    // Never overwrite: the file may be someone's real key that was put there on purpose.
    throw new RpcError(
      ErrorCode.Internal,
      `${label} at ${path} cannot be read as an unencrypted private key. ` +
        'Move that file away (the app then makes a new key) or replace it with a valid key.',
    );
  }

  // The private key is the truth; the .pub file is derived and rewritten if missing or stale.
  const publicKey = `${parsed.type} ${parsed.getPublicSSH().toString('base64')} ${comment}`;
  const pubPath = `${path}.pub`;
  if (!sameKeyLine(await readIfExists(pubPath), publicKey)) {
    await replaceFile(pubPath, `${publicKey}\n`, 0o644);
  }
  await chmod(pubPath, 0o644);
  return { privateKey, publicKey, path };
}

/**
 * ssh2's generator strips every leading zero byte of the public key, so about one key in 256
 * (those whose public key starts with 0x00) comes out malformed and unreadable ever after. Only
 * a key that parses back is kept.
 */
export function generateEd25519(comment: string): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const made = utils.generateKeyPairSync('ed25519', { comment });
    const parsed = utils.parseKey(made.private);
    if (!(parsed instanceof Error) && !Array.isArray(parsed) && parsed.isPrivateKey()) {
      return made.private;
    }
  }
  throw new RpcError(ErrorCode.Internal, 'Could not make a valid ed25519 key; try again.');
}
