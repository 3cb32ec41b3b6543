// The desktop app's token cache protector: safeStorage when an OS keyring backs it, nothing (so the
// core keeps owner-only files and says so) when it cannot protect anything.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  safeStorageProtector,
  type SafeStorageLike,
} from '../../../src/main/safe-storage-protector';

/** A stand-in safeStorage: "encrypts" by reversing, so a round trip and its use are visible. */
function standIn(available: boolean, backend?: string): SafeStorageLike & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    isEncryptionAvailable: () => available,
    encryptString: (plain) => {
      calls.push('encrypt');
      return Buffer.from([...plain].reverse().join(''), 'utf8');
    },
    decryptString: (data) => {
      calls.push('decrypt');
      return [...data.toString('utf8')].reverse().join('');
    },
    ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
  };
}

describe('safeStorageProtector', () => {
  test('a keyring (libsecret on Linux, Keychain, DPAPI): the cache goes through safeStorage', async () => {
    for (const [platform, backend] of [
      ['linux', 'gnome_libsecret'],
      ['linux', 'kwallet6'],
      ['darwin', undefined],
      ['win32', undefined],
    ] as const) {
      const storage = standIn(true, backend);
      const protector = safeStorageProtector(storage, { platform });
      assert.ok(protector, `${platform} ${backend ?? ''}`);
      const sealed = await protector.encrypt('{"AccessToken":{}}');
      assert.notEqual(sealed.toString('utf8'), '{"AccessToken":{}}');
      assert.equal(await protector.decrypt(sealed), '{"AccessToken":{}}');
      assert.deepEqual(storage.calls, ['encrypt', 'decrypt']);
    }
  });

  test('no keyring: unavailable, or Linux basic_text (a password built into Chromium) gives none, and says why', () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    assert.equal(safeStorageProtector(standIn(false), { platform: 'darwin', log }), undefined);
    assert.equal(
      safeStorageProtector(standIn(true, 'basic_text'), { platform: 'linux', log }),
      undefined,
    );
    assert.equal(
      safeStorageProtector(standIn(true, 'unknown'), { platform: 'linux', log }),
      undefined,
    );
    assert.deepEqual(lines, [
      'safeStorage: no OS keyring is available',
      'safeStorage: no OS keyring (backend "basic_text")',
      'safeStorage: no OS keyring (backend "unknown")',
    ]);
  });
});
