// A persistent, encrypted MSAL token cache through @azure/identity's plugin seam, without
// @azure/identity-cache-persistence (whose msal-node-extensions needs native modules): the shell
// supplies the encryption (Electron's safeStorage), this file only stores the ciphertext.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TokenCachePersistenceOptions, useIdentityPlugin } from '@azure/identity';

/**
 * Encrypts the token cache at rest. In Electron: `safeStorage.encryptString` / `decryptString`
 * (Keychain, DPAPI, libsecret/kwallet). Without one the app keeps tokens in memory only: a
 * refresh token on disk in clear text would be a long-lived credential anyone could copy.
 */
export interface TokenCacheProtector {
  encrypt(plain: string): Buffer | Promise<Buffer>;
  decrypt(data: Buffer): string | Promise<string>;
}

export interface PersistentTokenCacheOptions {
  /** The folder of the cache files (created 0700). */
  dir: string;
  protector: TokenCacheProtector;
  log?: (line: string) => void;
}

/** What MSAL hands a cache plugin (msal-node's TokenCacheContext, structurally). */
interface CacheContext {
  cacheHasChanged: boolean;
  tokenCache: { serialize(): string; deserialize(cache: string): void };
}

interface CachePlugin {
  beforeCacheAccess(context: CacheContext): Promise<void>;
  afterCacheAccess(context: CacheContext): Promise<void>;
}

/** @azure/identity's plugin context (documented for plugin authors, typed `unknown`). */
interface PluginContext {
  cachePluginControl: {
    setPersistence(factory: (options?: TokenCachePersistenceOptions) => Promise<CachePlugin>): void;
  };
}

/** The two caches @azure/identity keeps: tokens with and without continuous access evaluation. */
const CACHE_FILES = ['token-cache.nocae.bin', 'token-cache.cae.bin'];

// @azure/identity holds one persistence factory per process and calls it synchronously while a
// credential is constructed, with the names `msal.nocae` and `msal.cae` (a custom `name` would
// overwrite both suffixes and make the two caches share, and clobber, one file). So the folder
// is taken from the registration current at construction time.
let current: PersistentTokenCacheOptions | undefined;
let installed = false;

/**
 * Makes the next credential constructed use this cache; returns the
 * `tokenCachePersistenceOptions` to construct it with. Call it right before each construction.
 */
export function persistentTokenCache(
  options: PersistentTokenCacheOptions,
): TokenCachePersistenceOptions {
  current = options;
  if (!installed) {
    installed = true;
    useIdentityPlugin((context) => {
      (context as PluginContext).cachePluginControl.setPersistence((persistence) => {
        const registered = current;
        if (!registered) return Promise.reject(new Error('No token cache is registered.'));
        const file = CACHE_FILES[/\.cae$/.test(persistence?.name ?? '') ? 1 : 0];
        return Promise.resolve(cachePlugin(registered, join(registered.dir, file)));
      });
    });
  }
  return { enabled: true };
}

/** Deletes the cache files (sign-out). */
export async function clearPersistentTokenCache(dir: string): Promise<void> {
  await Promise.all(CACHE_FILES.map((file) => rm(join(dir, file), { force: true })));
}

function cachePlugin(options: PersistentTokenCacheOptions, file: string): CachePlugin {
  return {
    async beforeCacheAccess(context) {
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch {
        return; // no cache yet
      }
      try {
        context.tokenCache.deserialize(await options.protector.decrypt(data));
      } catch {
        // Another OS account, a reset keyring or a damaged file: start without the cache
        // rather than fail every request.
        options.log?.(`azure: the token cache ${file} could not be decrypted; starting afresh`);
      }
    },
    async afterCacheAccess(context) {
      if (!context.cacheHasChanged) return;
      const data = await options.protector.encrypt(context.tokenCache.serialize());
      await mkdir(options.dir, { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, data, { mode: 0o600 });
      await rename(temp, file);
    },
  };
}
