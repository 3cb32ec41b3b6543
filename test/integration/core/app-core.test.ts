// The whole Node side as the UI sees it: the composition root served over the in-memory
// transport, with the real local sandbox pool behind it.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, RpcError } from '../../../src/common/errors';
import type { InstanceInfo, Prompt } from '../../../src/common/models';
import { RpcClient } from '../../../src/common/rpc';
import { createMemoryTransportPair } from '../../../src/common/transports/memory';
import { createAppCore, type AppCore } from '../../../src/core/app-core';
import { until } from '../../helpers/until';

describe('app core over RPC', () => {
  let dataDir: string;
  let core: AppCore;
  const clients: RpcClient[] = [];

  function client(): RpcClient {
    const [a, b] = createMemoryTransportPair();
    core.rpc.connect(b);
    const ui = new RpcClient(a);
    clients.push(ui);
    return ui;
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'app-core-'));
    core = await createAppCore({
      dataDir,
      shell: 'headless',
      version: '9.9.9',
      log: () => {},
      orphanGraceMs: 200,
    });
  });

  after(async () => {
    await core.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the local sandbox pool with its running instances', async () => {
    const pools = await client().call('pools.list', {});
    assert.equal(pools.length, 1);
    const [pool] = pools;
    assert.equal(pool!.kind, 'local');
    assert.match(pool!.description, /sandbox/i);
    assert.deepEqual(
      pool!.instances.map((i) => [i.name, i.state, i.host]),
      [
        ['local-0', 'running', '127.0.0.1'],
        ['local-1', 'running', '127.0.0.1'],
      ],
    );
  });

  it('connects after the user trusts the host key, and opens a working terminal', async () => {
    const ui = client();
    const prompts: Prompt[] = [];
    ui.on('prompts.onDidOpen', (p) => {
      prompts.push(p);
      // Several test clients listen; the first answer wins, later ones find the question closed.
      ui.call('prompts.answer', { promptId: p.id, accept: true }).catch(() => {});
    });
    const output: string[] = [];
    ui.on('terminals.onData', (e) => {
      output.push(e.data);
      void ui.call('terminals.ack', { terminalId: e.terminalId, chars: e.data.length });
    });
    const connection = await ui.call('connections.connect', { poolId: 'local' });
    assert.equal(connection.state, 'connected');
    assert.equal(prompts.length, 1);
    const prompt = prompts[0]!;
    assert.equal(prompt.kind, 'host-key');
    assert.match(prompt.kind === 'host-key' ? prompt.fingerprint : '', /^SHA256:/);
    // The trust is remembered on disk, owner-only.
    const known = await readFile(join(dataDir, 'known-hosts.json'), 'utf8');
    assert.match(known, /local/);

    const terminal = await ui.call('terminals.open', {
      connectionId: connection.id,
      cols: 90,
      rows: 30,
    });
    await ui.call('terminals.write', { terminalId: terminal.id, data: 'echo core-$((40+2))\n' });
    await until('the shell answer', () => /core-42/.test(output.join('')));

    // A second connection to the same instance needs no question (trusted) and goes by affinity.
    const again = await ui.call('connections.connect', { poolId: 'local' });
    assert.equal(prompts.length, 1);
    assert.equal(again.instanceId, connection.instanceId);
    await ui.call('connections.close', { connectionId: again.id });
  });

  it('answers bad input and unknown ids with clear coded errors', async () => {
    const ui = client();
    await assert.rejects(
      ui.call('connections.connect', { poolId: 42 } as unknown as { poolId: string }),
      (e: unknown) =>
        e instanceof RpcError &&
        e.code === ErrorCode.BadInput &&
        /pool: must be text/.test(e.message) &&
        !/poolId/.test(e.message),
    );
    // A forward leads only to a host name or an IP address, said in the UI's words.
    for (const remoteHost of [' ', 'a b;c', '300.1.1.1', '[nope]']) {
      await assert.rejects(
        ui.call('forwards.add', { connectionId: 'conn-1', remotePort: 80, remoteHost }),
        (e: unknown) =>
          e instanceof RpcError &&
          e.code === ErrorCode.BadInput &&
          /remote host: /.test(e.message) &&
          !/remoteHost/.test(e.message),
        remoteHost,
      );
    }
    // A pool name with a right-to-left override is refused, naming the character, never echoing it.
    await assert.rejects(
      ui.call('pools.saveSshHosts', {
        name: 'lab\u202Egpu',
        hosts: [{ name: 'a', address: '127.0.0.1', user: 'me' }],
      } as never),
      (e: unknown) =>
        e instanceof RpcError &&
        e.code === ErrorCode.BadInput &&
        /name: must not contain a text direction override \(U\+202E\)/.test(e.message) &&
        !e.message.includes('\u202E'),
    );
    await assert.rejects(
      ui.call('connections.connect', { poolId: 'nope' }),
      (e: unknown) =>
        e instanceof RpcError && e.code === ErrorCode.NotFound && /nope/.test(e.message),
    );
    await assert.rejects(
      ui.call('terminals.open', { connectionId: 'conn-999', cols: 80, rows: 24 }),
      (e: unknown) => e instanceof RpcError && e.code === ErrorCode.NotFound,
    );
  });

  it('an SSH host that refuses connections is said to refuse them, not to be stopped', async () => {
    const ui = client();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const pool = await ui.call('pools.saveSshHosts', {
      name: 'Refusing lab',
      hosts: [{ name: 'gpu1', address: '127.0.0.1', port, user: 'me', useAgent: false }],
    });
    try {
      // The first probe runs as the pool starts; its answer comes with the pool list.
      let instance: InstanceInfo | undefined;
      for (let i = 0; i < 500 && !instance; i++) {
        instance = (await ui.call('pools.list', {}))
          .find((p) => p.id === pool.id)
          ?.instances.find((x) => x.state !== 'running');
        if (!instance) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(instance, 'the probe of gpu1 answered');
      assert.equal(instance.state, 'failed');
      assert.match(instance.detail ?? '', new RegExp(`refuses connections on port ${port}`));
      await assert.rejects(
        ui.call('connections.connect', { poolId: pool.id }),
        (e: unknown) =>
          e instanceof RpcError &&
          e.code === ErrorCode.NoInstance &&
          new RegExp(`gpu1 refuses connections on port ${port}`).test(e.message) &&
          !/No instance of this pool is running/.test(e.message),
      );
    } finally {
      await ui.call('pools.remove', { poolId: pool.id });
    }
  });

  it("a removed pool's terminal ends saying so, with the pool's name kept from when it opened", async () => {
    const ui = client();
    ui.on('prompts.onDidOpen', (p) => {
      ui.call('prompts.answer', { promptId: p.id, accept: true }).catch(() => {});
    });
    // An ssh-hosts pool whose one host is the sandbox's first instance (same key, same user).
    const local = (await ui.call('pools.list', {})).find((p) => p.id === 'local')!;
    const vm = local.instances[0]!;
    const pool = await ui.call('pools.saveSshHosts', {
      name: 'Borrowed box',
      hosts: [{ name: 'box', address: vm.host, port: vm.port, user: local.user, useAgent: false }],
    });
    const connection = await ui.call('connections.connect', { poolId: pool.id });
    const terminal = await ui.call('terminals.open', {
      connectionId: connection.id,
      cols: 80,
      rows: 24,
    });
    assert.equal(terminal.poolName, 'Borrowed box');
    const exits: string[] = [];
    ui.on('terminals.onDidExit', (e) => e.terminalId === terminal.id && exits.push(e.reason));
    await ui.call('pools.remove', { poolId: pool.id });
    await until('the terminal to end', () => exits.length > 0);
    assert.equal(
      exits[0],
      'The pool Borrowed box was removed from the app: this terminal cannot reconnect. Close the tab.',
    );
    assert.ok((await ui.call('connections.list', {})).every((c) => c.poolId !== pool.id));
    assert.ok((await ui.call('terminals.list', {})).every((t) => t.id !== terminal.id));
  });

  it('forwards Jupyter to the same local port on every connect, and to another only when taken', async () => {
    const ui = client();
    ui.on('prompts.onDidOpen', (p) => {
      ui.call('prompts.answer', { promptId: p.id, accept: true }).catch(() => {});
    });
    const first = await ui.call('connections.connect', { poolId: 'local', instanceId: 'local-0' });
    const opened = await ui.call('jupyter.open', { connectionId: first.id });
    assert.match(opened.url, new RegExp(`^http://127\\.0\\.0\\.1:${opened.localPort}/.*token=`));
    const status = await fetch(new URL(`api/status${new URL(opened.url).search}`, opened.url));
    assert.equal(status.status, 200);
    await ui.call('connections.close', { connectionId: first.id });

    // Another day, another connection: the same port.
    const second = await ui.call('connections.connect', { poolId: 'local', instanceId: 'local-0' });
    const again = await ui.call('jupyter.open', { connectionId: second.id });
    assert.equal(again.localPort, opened.localPort);
    assert.equal(again.started, false, 'the running server is found, not started twice');
    await ui.call('connections.close', { connectionId: second.id });

    // Someone else holds the port now: the next free one, remembered from then on.
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(opened.localPort, '127.0.0.1', resolve));
    try {
      const third = await ui.call('connections.connect', {
        poolId: 'local',
        instanceId: 'local-0',
      });
      const moved = await ui.call('jupyter.open', { connectionId: third.id });
      assert.notEqual(moved.localPort, opened.localPort);
      const settings = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'));
      assert.ok(Object.values(settings.jupyterPorts).includes(moved.localPort));
      await ui.call('connections.close', { connectionId: third.id });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('closes connections nobody can see once the last UI has been gone for the grace period', async () => {
    const ui = client();
    await ui.call('connections.connect', { poolId: 'local', instanceId: 'local-1' });
    assert.ok(core.connectedCount() >= 1);
    // Every UI goes away (the earlier tests' clients too), as when the last browser tab closes.
    for (const ui of clients) ui.dispose();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(core.connectedCount() >= 1, 'connections survive within the grace period');
    await until('connections to close', () => core.connectedCount() === 0, 3000);
  });
});
