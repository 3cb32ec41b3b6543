// The ssh-hosts pool registry: what `pools.saveSshHosts` accepts, how providers follow the settings,
// `pools.remove`, and session counts fed from the connection list.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ErrorCode, isRpcError } from '../../../../../src/common/errors';
import type { ConnectionInfo, SshHostEntry } from '../../../../../src/common/models';
import { PrivateKeyLoader } from '../../../../../src/core/keys/private-key-loader';
import type { PoolProvider } from '../../../../../src/core/providers/pool-provider';
import { hostIds, hostSlug } from '../../../../../src/core/providers/ssh-hosts/host-slug';
import { SshHostsPools } from '../../../../../src/core/providers/ssh-hosts/ssh-hosts-pools';
import { PromptService } from '../../../../../src/core/prompts/prompt-service';
import { SettingsStore } from '../../../../../src/core/settings/settings-store';

/** A port nothing listens on (bound, read, closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const host = (name: string, port: number, extra: Partial<SshHostEntry> = {}): SshHostEntry => ({
  name,
  address: '127.0.0.1',
  port,
  user: 'ana',
  useAgent: false,
  ...extra,
});

describe('host slugs', () => {
  test('stable, readable ids from names', () => {
    assert.equal(hostSlug('GPU box #1'), 'gpu-box-1');
    assert.equal(hostSlug('  Ünïcode Ök '), 'unicode-ok');
    assert.equal(hostSlug('Café-02'), 'cafe-02');
    assert.equal(hostSlug('***'), 'host');
    assert.deepEqual(hostIds(['a', 'A', 'b', 'a!']), ['a', 'a-2', 'b', 'a-3']);
  });
});

describe('SshHostsPools', () => {
  let dataDir: string;
  let settings: SettingsStore;
  let providers: Map<string, PoolProvider>;
  let pools: SshHostsPools;
  let port: number;
  const local = { id: 'local', kind: 'local', name: 'Local sandbox' } as unknown as PoolProvider;

  const makePools = () =>
    new SshHostsPools({
      settings,
      providers,
      keys: new PrivateKeyLoader(new PromptService()),
      dataDir,
      agent: () => undefined,
      probeIntervalMs: 60_000,
      probeTimeoutMs: 500,
      newPoolId: (() => {
        let n = 0;
        return () => `ssh-test${++n}`;
      })(),
    });

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dsvm-pool-sshpools-'));
    settings = await SettingsStore.open(dataDir);
    providers = new Map([['local', local]]);
    pools = makePools();
    await pools.start();
    port = await closedPort();
  });
  afterEach(async () => {
    pools.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('save creates a pool: in the settings, in the provider map, with slug ids', async () => {
    let changes = 0;
    pools.onDidChange(() => changes++);
    const provider = await pools.save({
      name: '  Lab  ',
      hosts: [host('GPU 1', port), host('cpu box', port, { port: port, user: 'bob' })],
    });
    assert.equal(provider.id, 'ssh-test1');
    assert.equal(providers.get('ssh-test1'), provider);
    const info = provider.info();
    assert.equal(info.name, 'Lab');
    assert.equal(info.kind, 'ssh-hosts');
    assert.equal(info.description, 'SSH hosts: 2 machines you reach over SSH');
    assert.deepEqual(
      info.instances.map((i) => i.id),
      ['gpu-1', 'cpu-box'],
    );
    assert.ok(changes > 0);
    const file = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'));
    assert.deepEqual(file.sshHostPools, [
      {
        id: 'ssh-test1',
        name: 'Lab',
        hosts: [host('GPU 1', port), host('cpu box', port, { user: 'bob' })],
      },
    ]);
  });

  test('saving refuses duplicate and too-alike names, and key files that do not exist', async () => {
    await assert.rejects(
      pools.save({
        name: 'x',
        hosts: [host('gpu', port), host('GPU', port), host('a b', port), host('a-b', port)],
      }),
      (err: unknown) => {
        assert.ok(isRpcError(err, ErrorCode.BadInput));
        assert.match(err.message, /two hosts are named "GPU"/);
        assert.match(err.message, /"a b" and "a-b" are too alike/);
        return true;
      },
    );
    await assert.rejects(
      pools.save({
        name: 'x',
        hosts: [host('k', port, { keyPath: join(dataDir, 'no-such-key') })],
      }),
      (err: unknown) =>
        isRpcError(err, ErrorCode.BadInput) && /no key file at .*no-such-key/.test(err.message),
    );
    await assert.rejects(pools.save({ name: 'x', hosts: [] }), (err: unknown) =>
      isRpcError(err, ErrorCode.BadInput),
    );
    assert.deepEqual(settings.get().sshHostPools, []);
    assert.deepEqual([...providers.keys()], ['local']);
  });

  test('a key path with ~ is stored expanded', async () => {
    const keyFile = join(dataDir, 'my_key');
    await writeFile(keyFile, 'x');
    const tilde = keyFile.startsWith(homedir()) ? `~${keyFile.slice(homedir().length)}` : keyFile;
    const provider = await pools.save({ name: 'k', hosts: [host('k', port, { keyPath: tilde })] });
    assert.equal(provider.settings().hosts[0].keyPath, keyFile);
  });

  test('saving an existing pool updates the same provider in place and keeps its place', async () => {
    const first = await pools.save({ name: 'one', hosts: [host('a', port)] });
    await pools.save({ name: 'two', hosts: [host('b', port)] });
    const updated = await pools.save({
      poolId: first.id,
      name: 'one, renamed',
      hosts: [host('a', port), host('c', port)],
    });
    assert.equal(updated, first);
    assert.equal(first.name, 'one, renamed');
    assert.equal(first.description, 'SSH hosts: 2 machines you reach over SSH');
    assert.deepEqual(
      settings.get().sshHostPools.map((p) => p.name),
      ['one, renamed', 'two'],
    );
  });

  test('the local sandbox and unknown pools cannot be saved over or removed', async () => {
    for (const attempt of [
      () => pools.save({ poolId: 'local', name: 'x', hosts: [host('a', port)] }),
      () => pools.remove('local'),
    ]) {
      await assert.rejects(
        attempt(),
        (err: unknown) =>
          isRpcError(err, ErrorCode.BadInput) &&
          /built-in local sandbox; it cannot be/.test(err.message),
      );
    }
    await assert.rejects(pools.remove('ssh-nope'), (err: unknown) =>
      isRpcError(err, ErrorCode.NotFound),
    );
    await assert.rejects(
      pools.save({ poolId: 'ssh-nope', name: 'x', hosts: [host('a', port)] }),
      (err: unknown) => isRpcError(err, ErrorCode.NotFound),
    );
    assert.equal(providers.get('local'), local);
  });

  test('remove drops the pool from the settings and the map, and disposes its provider', async () => {
    const provider = await pools.save({ name: 'gone', hosts: [host('a', port)] });
    await provider.refresh();
    let fired = 0;
    provider.onDidChangeInstances(() => fired++);
    await pools.remove(provider.id);
    assert.equal(providers.has(provider.id), false);
    assert.equal(pools.get(provider.id), undefined);
    assert.deepEqual(settings.get().sshHostPools, []);
    provider.setSessionCounts('a', { ana: 1 });
    assert.equal(fired, 0, 'a disposed provider announces nothing');
  });

  test('after a restart the pools come back from the settings', async () => {
    await pools.save({ name: 'kept', hosts: [host('a', port), host('b', port)] });
    pools.dispose();
    assert.deepEqual([...providers.keys()], ['local']);
    settings = await SettingsStore.open(dataDir);
    pools = makePools();
    await pools.start();
    const again = pools.get('ssh-test1');
    assert.ok(again);
    assert.equal(providers.get('ssh-test1'), again);
    assert.deepEqual(
      again.listInstances().map((i) => i.id),
      ['a', 'b'],
    );
  });

  test('session counts come from connected and reconnecting connections, by login', async () => {
    const provider = await pools.save({ name: 's', hosts: [host('a', port), host('b', port)] });
    const conn = (
      instanceId: string,
      user: string,
      state: ConnectionInfo['state'],
    ): ConnectionInfo => ({
      id: `c-${Math.random()}`,
      poolId: provider.id,
      instanceId,
      instanceName: instanceId,
      host: '127.0.0.1',
      port,
      user,
      state,
    });
    let changes = 0;
    pools.onDidChange(() => changes++);
    pools.updateSessions([
      conn('a', 'ana', 'connected'),
      conn('a', 'ana', 'reconnecting'),
      conn('a', 'bob', 'connected'),
      conn('b', 'ana', 'failed'),
      conn('b', 'ana', 'connecting'),
      { ...conn('b', 'ana', 'connected'), poolId: 'local' },
    ]);
    const sessions = () =>
      Object.fromEntries(provider.listInstances().map((i) => [i.id, i.sessions]));
    assert.deepEqual(sessions(), { a: { ana: 2, bob: 1 }, b: {} });
    assert.equal(changes, 1);
    pools.updateSessions([]);
    assert.deepEqual(sessions(), { a: {}, b: {} });
    assert.equal(changes, 2);
    pools.updateSessions([]);
    assert.equal(changes, 2, 'no change, no event');
  });
});
