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

  describe('per machine identity', () => {
    const sandbox = (port: number) => ({
      poolId: 'local',
      identity: 'instance/local-0',
      host: '127.0.0.1',
      port,
      instanceName: 'local-0',
    });

    it('migrates a version 1 key: still trusted (at any port of the pool), then kept under the machine', async () => {
      const key = fakeKey();
      await mkdir(join(dir, 'data'));
      const v1 = {
        version: 1,
        pools: {
          local: {
            '127.0.0.1:40001': {
              algorithm: 'ssh-ed25519',
              key: key.toString('base64'),
              fingerprint: fingerprintOf(key),
              addedAt: '2026-01-01T00:00:00.000Z',
            },
          },
        },
      };
      await writeFile(file, JSON.stringify(v1));
      // The sandbox instance came back on another port: its key, trusted before, still is.
      assert.deepEqual(store.checkMachine(sandbox(40007), key), { status: 'trusted' });
      const json = JSON.parse(await readFile(file, 'utf8'));
      assert.equal(json.version, 2);
      assert.deepEqual(Object.keys(json.pools.local), ['instance/local-0']);
      assert.equal(json.pools.local['instance/local-0'].address, '127.0.0.1:40007');
      assert.equal(json.pools.local['instance/local-0'].key, key.toString('base64'));
      assert.deepEqual(store.checkMachine(sandbox(40001), key), { status: 'trusted' });
    });

    it('keeps refusing a different key at a version 1 address instead of asking', async () => {
      const key = fakeKey();
      store.trust('local', '127.0.0.1', 40001, key);
      const other = fakeKey();
      assert.equal(store.checkMachine(sandbox(40001), other).status, 'mismatch');
    });

    it('reads version 1 host:port keys of SSH hosts as they were', async () => {
      const key = fakeKey();
      await mkdir(join(dir, 'data'));
      const entry = {
        algorithm: 'ssh-ed25519',
        key: key.toString('base64'),
        fingerprint: fingerprintOf(key),
        addedAt: '2026-01-01T00:00:00.000Z',
      };
      await writeFile(file, JSON.stringify({ version: 1, pools: { lab: { 'gpu1:22': entry } } }));
      assert.equal(store.check('lab', 'gpu1', 22, key).status, 'trusted');
      assert.equal(store.check('lab', 'gpu1', 22, fakeKey()).status, 'mismatch');
    });

    it('tells a recreated VM at a known address from a changed key, and looks keys up for known_hosts', () => {
      const vm = (identity: string) => ({
        poolId: 'azure:team',
        identity,
        host: '20.0.0.1',
        port: 50003,
        instanceName: 'teampool_3',
      });
      const first = fakeKey();
      store.trustMachine(vm('vm/aaa'), first);
      const second = fakeKey();
      const check = store.checkMachine(vm('vm/bbb'), second);
      assert.equal(check.status, 'unknown');
      assert.ok(check.status === 'unknown' && check.replaces);
      assert.equal(check.replaces.instanceName, 'teampool_3');
      assert.equal(check.replaces.fingerprint, fingerprintOf(first));
      assert.equal(store.checkMachine(vm('vm/aaa'), second).status, 'mismatch');
      assert.equal(store.lookup(vm('vm/aaa'))?.key, first.toString('base64'));
      assert.equal(store.lookup(vm('vm/bbb')), undefined);
      // An SSH host whose name looks like an identity prefix is still just an address.
      store.trust('lab', 'vm', 22, first);
      assert.equal(store.check('lab', 'vm', 22, first).status, 'trusted');
    });

    it('announces each write (the OpenSSH known_hosts follows it)', () => {
      let writes = 0;
      store.onDidChange(() => writes++);
      store.trust('lab', 'gpu1', 22, fakeKey());
      store.forget('lab', 'gpu1', 22);
      assert.equal(writes, 2);
    });
  });

  for (const [what, content] of [
    ['not JSON', '{"version": 1, "pools": {'],
    [
      'the wrong shape',
      JSON.stringify({ version: 1, pools: { 'pool-a': { 'vm:22': { key: 5 } } } }),
    ],
    ['an unknown version', JSON.stringify({ version: 3, pools: {} })],
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
