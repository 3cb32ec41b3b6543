// A persistent MSAL token cache through @azure/identity's plugin seam, without
// @azure/identity-cache-persistence (whose msal-node-extensions needs native modules): the shell
// supplies the encryption (Electron's safeStorage) and this file stores the ciphertext; where no
// OS keyring exists (the headless host) it stores the cache in owner-only (0600) files instead.
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TokenCachePersistenceOptions, useIdentityPlugin } from '@azure/identity';

/**
 * Encrypts the token cache at rest. In Electron: `safeStorage.encryptString` / `decryptString`
 * (Keychain, DPAPI, libsecret/kwallet). Without one the cache is clear text in files only the
 * user can read: a refresh token is a long-lived credential, so the UI says so.
 */
export interface TokenCacheProtector {
  encrypt(plain: string): Buffer | Promise<Buffer>;
  decrypt(data: Buffer): string | Promise<string>;
}

export interface PersistentTokenCacheOptions {
  /** The folder of the cache files (created 0700). */
  dir: string;
  /** Encrypts the cache; without it, owner-only files in clear text. */
  protector?: TokenCacheProtector;
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

/**
 * The two caches @azure/identity keeps (tokens with and without continuous access evaluation),
 * encrypted and in clear text: apart, so the desktop app and the headless host on one data folder
 * never read each other's file as theirs (and clobber it).
 */
const CACHE_FILES = {
  encrypted: ['token-cache.nocae.bin', 'token-cache.cae.bin'],
  ownerOnly: ['token-cache.nocae.json', 'token-cache.cae.json'],
} as const;

/** The cache files in `dir`, without and with CAE, encrypted or owner-only. */
export function tokenCacheFiles(dir: string, encrypted: boolean): string[] {
  return CACHE_FILES[encrypted ? 'encrypted' : 'ownerOnly'].map((f) => join(dir, f));
}

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
        const files = tokenCacheFiles(registered.dir, registered.protector !== undefined);
        const file = files[/\.cae$/.test(persistence?.name ?? '') ? 1 : 0]!;
        return Promise.resolve(cachePlugin(registered, file));
      });
    });
  }
  return { enabled: true };
}

/** Deletes the cache files, encrypted and owner-only (sign-out). */
export async function clearPersistentTokenCache(dir: string): Promise<void> {
  const files = [...tokenCacheFiles(dir, true), ...tokenCacheFiles(dir, false)];
  await Promise.all(files.map((file) => rm(file, { force: true })));
}

/** The owner-only files' "protector": clear text. */
const CLEAR_TEXT: TokenCacheProtector = {
  encrypt: (plain) => Buffer.from(plain, 'utf8'),
  decrypt: (data) => data.toString('utf8'),
};

function cachePlugin(options: PersistentTokenCacheOptions, file: string): CachePlugin {
  const protector = options.protector ?? CLEAR_TEXT;
  return {
    async beforeCacheAccess(context) {
      let data: Buffer;
      try {
        if (!options.protector) await keepOwnerOnly(file, options.log);
        data = await readFile(file);
      } catch {
        return; // no cache yet
      }
      try {
        context.tokenCache.deserialize(await protector.decrypt(data));
      } catch {
        // Another OS account, a reset keyring or a damaged file: start without the cache
        // rather than fail every request.
        options.log?.(`azure: the token cache ${file} could not be decrypted; starting afresh`);
      }
    },
    async afterCacheAccess(context) {
      if (!context.cacheHasChanged) return;
      const data = await protector.encrypt(context.tokenCache.serialize());
      await mkdir(options.dir, { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, data, { mode: 0o600 });
      await rename(temp, file);
    },
  };
}

/** A clear-text cache readable by others (copied, restored from a backup) is made 0600 again. */
async function keepOwnerOnly(file: string, log?: (line: string) => void): Promise<void> {
  const { mode } = await stat(file);
  if ((mode & 0o077) === 0) return;
  await chmod(file, 0o600);
  log?.(`azure: the token cache ${file} was readable by others; it is owner-only (0600) again`);
}
