// The trusted host keys file: trust on first use per pool and host:port, safe writes, and a
// damaged file that is reported rather than read as "nothing known".
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import { fingerprintOf } from '../../../../src/core/ssh/host-key';
import { KnownHostsStore } from '../../../../src/core/ssh/known-hosts-store';

/** A well-formed key blob: ssh-string algorithm name, then key bytes. */
function fakeKey(algorithm = 'ssh-ed25519'): Buffer {
  const name = Buffer.from(algorithm);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, randomBytes(36)]);
}

describe('KnownHostsStore', () => {
  let dir: string;
  let file: string;
  let store: KnownHostsStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'known-hosts-test-'));
    // A parent that does not exist yet, so the store has to create it.
    file = join(dir, 'data', 'known-hosts.json');
    store = new KnownHostsStore(file);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('knows nothing before a key is trusted, and does not create the file by checking', async () => {
    assert.deepEqual(store.check('pool-a', '10.0.0.4', 22, fakeKey()), { status: 'unknown' });
    await assert.rejects(stat(file), { code: 'ENOENT' });
  });

  it('trusts a key once stored, and only that key', () => {
    const key = fakeKey();
    store.trust('pool-a', '10.0.0.4', 50001, key);
    assert.deepEqual(store.check('pool-a', '10.0.0.4', 50001, key), { status: 'trusted' });
    assert.deepEqual(store.check('pool-a', '10.0.0.4', 50001, fakeKey('ecdsa-sha2-nistp256')), {
      status: 'mismatch',
      knownAlgorithm: 'ssh-ed25519',
      knownFingerprint: fingerprintOf(key),
    });
  });

  it('keeps keys apart per pool, host and port', () => {
    const key = fakeKey();
    store.trust('pool-a', '10.0.0.4', 22, key);
    assert.equal(store.check('pool-b', '10.0.0.4', 22, key).status, 'unknown');
    assert.equal(store.check('pool-a', '10.0.0.5', 22, key).status, 'unknown');
    assert.equal(store.check('pool-a', '10.0.0.4', 2222, key).status, 'unknown');
    // Pool ids are data, not code paths: names of Object.prototype members are just ids.
    assert.equal(store.check('constructor', '10.0.0.4', 22, key).status, 'unknown');
  });

  it('persists across instances, as 0600 JSON in a 0700 folder, without leftover temp files', async () => {
    const key = fakeKey();
    store.trust('pool-a', '::1', 22, key);
    assert.equal(new KnownHostsStore(file).check('pool-a', '::1', 22, key).status, 'trusted');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'data'))).mode & 0o777, 0o700);
    assert.deepEqual(await readdir(join(dir, 'data')), ['known-hosts.json']);
    const json = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(json.pools['pool-a']['[::1]:22'].fingerprint, fingerprintOf(key));
  });

  it('replaces a key on trust, and forgets it', () => {
    const oldKey = fakeKey();
    const newKey = fakeKey();
    store.trust('pool-a', 'vm', 22, oldKey);
    store.trust('pool-a', 'vm', 22, newKey);
    assert.equal(store.check('pool-a', 'vm', 22, newKey).status, 'trusted');
    assert.equal(store.check('pool-a', 'vm', 22, oldKey).status, 'mismatch');
    store.forget('pool-a', 'vm', 22);
    assert.equal(store.check('pool-a', 'vm', 22, newKey).status, 'unknown');
    // Forgetting what is not there is fine.
    store.forget('pool-a', 'vm', 22);
    store.forget('pool-z', 'vm', 22);
  });

  it('sees edits made to the file by hand without a restart', async () => {
    const key = fakeKey();
    store.trust('pool-a', 'vm', 22, key);
    const json = JSON.parse(await readFile(file, 'utf8'));
    delete json.pools['pool-a']['vm:22'];
    await writeFile(file, JSON.stringify(json));
    assert.equal(store.check('pool-a', 'vm', 22, key).status, 'unknown');
  });

  for (const [what, content] of [
    ['not JSON', '{"version": 1, "pools": {'],
    [
      'the wrong shape',
      JSON.stringify({ version: 1, pools: { 'pool-a': { 'vm:22': { key: 5 } } } }),
    ],
    ['an unknown version', JSON.stringify({ version: 2, pools: {} })],
  ]) {
    it(`reports a damaged file (${what}) with its path instead of trusting anything`, async () => {
      await mkdir(join(dir, 'data'));
      await writeFile(file, content!);
      const damaged = (err: unknown) =>
        isRpcError(err, ErrorCode.Internal) &&
        err.message.includes(file) &&
        /damaged/.test(err.message) &&
        /move it aside/.test(err.message);
      assert.throws(() => store.check('pool-a', 'vm', 22, fakeKey()), damaged);
      assert.throws(() => store.trust('pool-a', 'vm', 22, fakeKey()), damaged);
      assert.throws(() => store.forget('pool-a', 'vm', 22), damaged);
      // The damaged file is left as it was, for the user to inspect.
      assert.equal(await readFile(file, 'utf8'), content);
    });
  }
});
