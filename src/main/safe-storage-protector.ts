// Encrypts the Azure token cache with Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet),
// or says there is no OS keyring to do it with, so the core falls back to owner-only files.
import type { TokenCacheProtector } from '../core/azure/identity/index';

/** The part of Electron's `safeStorage` used here (checked against electron.d.ts by index.ts). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which secret store backs the key. */
  getSelectedStorageBackend?(): string;
}

/**
 * The protector to hand the core, or undefined when safeStorage cannot protect anything: not
 * available, or (Linux) its `basic_text` backend, which encrypts with a password hard-coded in
 * Chromium when no keyring runs, so it protects nothing (https://www.electronjs.org/docs/latest/api/safe-storage).
 * Call it once the app is ready: before that safeStorage reports no keyring on Linux and Windows.
 */
export function safeStorageProtector(
  safeStorage: SafeStorageLike,
  options: { platform?: NodeJS.Platform; log?: (line: string) => void } = {},
): TokenCacheProtector | undefined {
  const platform = options.platform ?? process.platform;
  if (!safeStorage.isEncryptionAvailable()) {
    options.log?.('safeStorage: no OS keyring is available');
    return undefined;
  }
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') {
      options.log?.(`safeStorage: no OS keyring (backend "${backend}")`);
      return undefined;
    }
  }
  return {
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}
