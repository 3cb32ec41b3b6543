// A pool's own key: made once in <dataDir>/keys/pools with private modes, then always the same.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import { ensureAppKey } from '../../../../src/core/keys/app-key';
import { ensurePoolKey, generatePoolKey, readPoolKey } from '../../../../src/core/keys/pool-key';

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('pool keys', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dsvm-pool-pool-key-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test('none until generated; then an ed25519 key in keys/pools, 0600 in a 0700 folder', async () => {
    assert.equal(await readPoolKey(dataDir, 'ssh-abc'), undefined);
    const key = await ensurePoolKey(dataDir, 'ssh-abc');
    assert.equal(key.path, join(dataDir, 'keys', 'pools', 'ssh-abc_ed25519'));
    assert.match(key.publicKey, /^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ dsvm-pool:ssh-abc$/);
    assert.equal(await mode(join(dataDir, 'keys')), 0o700);
    assert.equal(await mode(join(dataDir, 'keys', 'pools')), 0o700);
    assert.equal(await mode(key.path), 0o600);
    assert.equal((await readFile(`${key.path}.pub`, 'utf8')).trim(), key.publicKey);
    const parsed = ssh2.utils.parseKey(key.privateKey);
    assert.ok(!(parsed instanceof Error) && !Array.isArray(parsed) && parsed.isPrivateKey());
    assert.deepEqual(await readPoolKey(dataDir, 'ssh-abc'), key);
  });

  test('generating again returns the existing key, also when asked concurrently', async () => {
    const first = await ensurePoolKey(dataDir, 'ssh-again');
    const again = await Promise.all([1, 2, 3].map(() => ensurePoolKey(dataDir, 'ssh-again')));
    for (const key of again) assert.deepEqual(key, first);
    const fresh = await Promise.all([1, 2, 3].map(() => ensurePoolKey(dataDir, 'ssh-race')));
    for (const key of fresh) assert.deepEqual(key, fresh[0]);
  });

  test('generatePoolKey (keys.generate) returns the public line and path, never the private key', async () => {
    const made = await generatePoolKey(dataDir, 'ssh-ui');
    const key = await ensurePoolKey(dataDir, 'ssh-ui');
    assert.deepEqual(made, { publicKey: key.publicKey, path: key.path });
    assert.deepEqual(await generatePoolKey(dataDir, 'ssh-ui'), made);
  });

  test('each pool has its own key, apart from the app key', async () => {
    const a = await ensurePoolKey(dataDir, 'pool-a');
    const b = await ensurePoolKey(dataDir, 'pool-b');
    const app = await ensureAppKey(dataDir);
    assert.equal(
      new Set([a.publicKey, b.publicKey, app.publicKey].map((k) => k.split(' ')[1])).size,
      3,
    );
  });

  test('pool ids that could leave the folder are refused', async () => {
    for (const id of ['../evil', 'a/b', '', '.hidden', 'x'.repeat(65)]) {
      await assert.rejects(ensurePoolKey(dataDir, id), (err: unknown) =>
        isRpcError(err, ErrorCode.BadInput),
      );
    }
  });
});
