// A pool's own ed25519 key ("Generate a key for this pool"): kept in `<dataDir>/keys/pools/`, so
// the user can hand one public key to one pool's admin without sharing the app key.
import { join } from 'node:path';
import { ErrorCode, RpcError } from '../../common/errors';
import { ensurePrivateDir } from './key-files';
import { ensureKeyPairFile, type KeyPairFile } from './key-pair-file';

export type PoolKey = KeyPairFile;

/** Pool ids become file names: plain ASCII only, so no id can point outside the folder. */
const SAFE_POOL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function poolKeyPath(dataDir: string, poolId: string): string {
  if (!SAFE_POOL_ID.test(poolId)) {
    throw new RpcError(
      ErrorCode.BadInput,
      `A key cannot be made for pool id "${poolId}": pool ids for keys are 1–64 letters, digits, ` +
        "'-' or '_'.",
    );
  }
  return join(dataDir, 'keys', 'pools', `${poolId}_ed25519`);
}

/** poolKeyPath, or undefined for a pool id that cannot name a key file (it has none then). */
export function poolKeyPathIfValid(dataDir: string, poolId: string): string | undefined {
  return SAFE_POOL_ID.test(poolId) ? poolKeyPath(dataDir, poolId) : undefined;
}

/** Returns the pool's key, making it the first time; never replaces an existing one. */
export async function ensurePoolKey(dataDir: string, poolId: string): Promise<PoolKey> {
  const path = poolKeyPath(dataDir, poolId);
  await ensurePrivateDir(join(dataDir, 'keys'));
  await ensurePrivateDir(join(dataDir, 'keys', 'pools'));
  return ensureKeyPairFile(path, {
    comment: `dsvm-pool:${poolId}`,
    label: `The key of pool "${poolId}"`,
  });
}

/** The pool's key if one was generated, else undefined (nothing is created). */
export function readPoolKey(dataDir: string, poolId: string): Promise<PoolKey | undefined> {
  return ensureKeyPairFile(poolKeyPath(dataDir, poolId), {
    comment: `dsvm-pool:${poolId}`,
    label: `The key of pool "${poolId}"`,
    create: false,
  });
}

/**
 * `keys.generate`: the pool's key (made once, never replaced) as the UI may see it: the public
 * line to hand to the pool's admin and where the key lives, never the private key.
 */
export async function generatePoolKey(
  dataDir: string,
  poolId: string,
): Promise<{ publicKey: string; path: string }> {
  const { publicKey, path } = await ensurePoolKey(dataDir, poolId);
  return { publicKey, path };
}
