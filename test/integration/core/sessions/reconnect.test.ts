// Sessions that survive the network, against a real OpenSSH server behind a fault-injecting TCP
// proxy: reconnects under the same id, forwards that keep their port, tmux terminals that keep
// their shell, and the cases that must end in `lost` or `closed` instead.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { ErrorCode, RpcError, isRpcError } from '../../../../src/common/errors';
import { Emitter } from '../../../../src/common/event';
import type { ConnectionInfo, InstanceInfo, Prompt } from '../../../../src/common/models';
import type { ConnectTarget, PoolProvider } from '../../../../src/core/providers/pool-provider';
import { PromptService } from '../../../../src/core/prompts/prompt-service';
import { ConnectionService } from '../../../../src/core/sessions/connection-service';
import type { ConnectionTimings } from '../../../../src/core/sessions/connection-timings';
import { backoffDelay } from '../../../../src/core/sessions/reconnect-backoff';
import { ForwardService } from '../../../../src/core/ssh/forward-service';
import { KnownHostsStore } from '../../../../src/core/ssh/known-hosts-store';
import {
  TerminalService,
  type TerminalStateChange,
} from '../../../../src/core/ssh/terminal-service';
import { TMUX } from '../../../../src/core/ssh/tmux';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';
import { startTcpProxy, type TcpProxy } from '../../../helpers/tcp-proxy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Fast timings: keepalive notices a black hole in well under a second, retries start at 50 ms. */
const TIMINGS: Partial<ConnectionTimings> = {
  keepaliveIntervalMs: 200,
  keepaliveCountMax: 3,
  readyTimeoutMs: 1_000,
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  giveUpAfterMs: 10_000,
};

/** A one-instance pool whose instance is reached through the proxy; it can "delete" the VM. */
class ProxiedPool implements PoolProvider {
  readonly id = 'test-pool';
  readonly kind = 'ssh-hosts' as const;
  readonly name = 'Test pool';
  readonly description = 'OpenSSH on 127.0.0.1 behind a fault-injecting proxy';
  private readonly changed = new Emitter<void>();
  readonly onDidChangeInstances = this.changed.event;
  private instances: InstanceInfo[];

  constructor(
    private readonly server: OpenSshServer,
    private readonly proxy: TcpProxy,
  ) {
    this.instances = [
      {
        id: 'vm-0',
        name: 'vm-0',
        state: 'running',
        host: '127.0.0.1',
        port: proxy.port,
        sessions: {},
      },
    ];
  }

  get user(): string {
    return this.server.username;
  }

  async start(): Promise<void> {}

  listInstances(): InstanceInfo[] {
    return this.instances.map((i) => ({ ...i }));
  }

  /** The VM was stopped (deallocated) and said so in the pool's list. */
  stopInstance(detail: string): void {
    this.instances = this.instances.map((i) => ({ ...i, state: 'stopped', detail }));
    this.changed.fire();
  }

  /** The VM was deleted from the pool. */
  removeInstance(): void {
    this.instances = [];
    this.changed.fire();
  }

  async connectTarget(instanceId: string): Promise<ConnectTarget> {
    if (!this.instances.some((i) => i.id === instanceId)) {
      throw new RpcError(ErrorCode.NotFound, `No instance ${instanceId} in the test pool.`);
    }
    return {
      host: '127.0.0.1',
      port: this.proxy.port,
      username: this.server.username,
      privateKey: this.server.privateKey,
    };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

interface Rig {
  server: OpenSshServer;
  proxy: TcpProxy;
  pool: ProxiedPool;
  prompts: PromptService;
  asked: Prompt[];
  connections: ConnectionService;
  states: ConnectionInfo[];
  dispose(): Promise<void>;
}

/** A ConnectionService over the proxy; the first host key is accepted through a real prompt. */
async function makeRig(dir: string, server: OpenSshServer): Promise<Rig> {
  const proxy = await startTcpProxy(server.port);
  const pool = new ProxiedPool(server, proxy);
  const prompts = new PromptService();
  const asked: Prompt[] = [];
  prompts.onDidOpen((prompt) => {
    asked.push(prompt);
    setTimeout(() => prompts.answer(prompt.id, true), 1);
  });
  const connections = new ConnectionService({
    providers: new Map([[pool.id, pool]]),
    knownHosts: new KnownHostsStore(
      join(dir, `known-hosts-${randomBytes(4).toString('hex')}.json`),
    ),
    prompts,
    log: () => {},
    timings: TIMINGS,
  });
  const states: ConnectionInfo[] = [];
  connections.onDidChange((info) => states.push(info));
  return {
    server,
    proxy,
    pool,
    prompts,
    asked,
    connections,
    states,
    async dispose() {
      connections.dispose();
      prompts.dispose();
      pool.dispose();
      await proxy.close();
    },
  };
}

/** A small HTTP server on 127.0.0.1 for sshd to forward to; answers with a marker. */
async function startHttpServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`hello from ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function get(port: number, path: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

/** Resolves with the error code of listening on the port, or 'free'. */
function tryListen(port: number): Promise<string> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve('free')));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const statesOf = (rig: Rig, id: string) =>
  rig.states.filter((s) => s.id === id).map((s) => s.state);

describe('reconnect backoff', () => {
  it('doubles from the initial delay up to the cap, within the jitter', () => {
    const options = { initialMs: 500, maxMs: 30_000, jitter: 0.2 };
    const mid = () => 0.5;
    assert.deepEqual(
      [1, 2, 3, 4, 7, 8, 20].map((n) => backoffDelay(n, options, mid)),
      [500, 1_000, 2_000, 4_000, 30_000, 30_000, 30_000],
    );
    assert.equal(
      backoffDelay(1, options, () => 0),
      400,
    );
    assert.equal(
      backoffDelay(1, options, () => 1),
      600,
    );
    assert.equal(
      backoffDelay(9, options, () => 1),
      36_000,
    );
  });
});

describe('sessions that survive the network (real OpenSSH behind a proxy)', () => {
  let dir: string;
  let server: OpenSshServer;
  let web: { port: number; close: () => Promise<void> };
  let rig: Rig;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reconnect-test-'));
    [server, web] = await Promise.all([startOpenSshServer(), startHttpServer()]);
  });
  after(async () => {
    await server?.stop();
    await web?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    rig = await makeRig(dir, server);
  });
  afterEach(async () => {
    await rig.dispose();
  });

  const connect = () => rig.connections.connect('test-pool', undefined);

  it('reconnects after a cut under the same id, announcing the attempt, without asking again', async () => {
    const info = await connect();
    assert.equal(rig.asked.length, 1, 'first use asks about the host key');
    rig.states.length = 0;

    rig.proxy.cut();
    await waitFor('connected again', () => statesOf(rig, info.id).includes('connected'));
    const reconnecting = rig.states.find((s) => s.state === 'reconnecting')!;
    assert.equal(reconnecting.id, info.id);
    assert.equal(reconnecting.attempt, 1);
    assert.ok(reconnecting.nextAttemptAt! > Date.now() - 5_000);
    assert.match(reconnecting.detail!, /was lost|closed the connection/);
    assert.deepEqual(statesOf(rig, info.id), ['reconnecting', 'connected']);
    const back = rig.connections.info(info.id);
    assert.equal(back.attempt, undefined);
    assert.equal(back.detail, undefined);
    assert.equal(rig.asked.length, 1, 'no question on reconnect');
    assert.equal((await rig.connections.get(info.id).connection.exec('echo ok')).stdout, 'ok\n');
  });

  it('notices a black-holed link by keepalive and heals it', async () => {
    const info = await connect();
    rig.proxy.pause();
    await waitFor('reconnecting', () => statesOf(rig, info.id).includes('reconnecting'), 3_000);
    const reconnecting = rig.states.find((s) => s.state === 'reconnecting')!;
    assert.match(reconnecting.detail!, /keepalive timeout/);
    rig.proxy.resume();
    await waitFor('connected again', () => rig.connections.state(info.id) === 'connected', 8_000);
    assert.equal(rig.connections.list().length, 1);
  });

  it('keeps a forward’s port bound through an outage and serves it again on the same port', async () => {
    const info = await connect();
    const forwards = new ForwardService({ links: rig.connections, coalesceMs: 10 });
    try {
      const forward = await forwards.add({
        connectionId: info.id,
        poolId: info.poolId,
        instanceName: info.instanceName,
        remoteHost: '127.0.0.1',
        remotePort: web.port,
        label: 'Web',
        kind: 'custom',
      });
      // Omitted: the remote port's own number, which is taken here by the web server itself.
      assert.notEqual(forward.localPort, web.port);
      assert.equal(forward.localHost, '127.0.0.1');
      assert.equal(
        forward.description,
        `127.0.0.1:${forward.localPort} → vm-0 127.0.0.1:${web.port} (Web)`,
      );
      assert.equal(await get(forward.localPort, '/before'), 'hello from /before');

      // An outage that lasts: the link is cut and new attempts vanish into a black hole.
      rig.proxy.pause();
      rig.proxy.cut();
      await waitFor('waiting', () => forwards.list()[0]?.state === 'waiting');
      assert.equal(await tryListen(forward.localPort), 'EADDRINUSE');
      // A request made during the outage waits for the link instead of failing.
      const during = get(forward.localPort, '/during', 10_000);
      await sleep(300);
      assert.equal(await tryListen(forward.localPort), 'EADDRINUSE');
      assert.equal(rig.connections.state(info.id), 'reconnecting');

      rig.proxy.resume();
      assert.equal(await during, 'hello from /during');
      assert.equal(rig.connections.state(info.id), 'connected');
      assert.equal(await get(forward.localPort, '/after'), 'hello from /after');
      await waitFor('active', () => forwards.list()[0]?.state === 'active');
      assert.equal(forwards.list()[0]!.localPort, forward.localPort);
    } finally {
      forwards.dispose();
    }
  });

  it('uses the remote port number when free, refuses a taken requested port, and closes sockets on remove', async () => {
    const info = await connect();
    const forwards = new ForwardService({ links: rig.connections, coalesceMs: 10 });
    const blocker = net.createServer();
    try {
      const spec = {
        connectionId: info.id,
        poolId: info.poolId,
        instanceName: info.instanceName,
        remoteHost: '127.0.0.1',
        remotePort: web.port,
        label: 'Web',
        kind: 'custom' as const,
      };
      const wanted = await freePort();
      const same = await forwards.add({ ...spec, remotePort: wanted });
      assert.equal(same.localPort, wanted, 'the remote port number when it is free');
      forwards.remove(same.id);

      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const taken = (blocker.address() as net.AddressInfo).port;
      await assert.rejects(forwards.add({ ...spec, localPort: taken }), (err: unknown) => {
        assert.ok(isRpcError(err, ErrorCode.BadInput));
        assert.match(err.message, new RegExp(`Local port ${taken} is already in use`));
        assert.match(err.message, /Choose another local port/);
        return true;
      });

      const forward = await forwards.add({ ...spec, localPort: await freePort() });
      // A kept-alive HTTP connection through the forward, as a browser holds one.
      const socket = net.connect({ host: '127.0.0.1', port: forward.localPort });
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write('GET /kept HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
      await waitFor('the response', () => received.includes('hello from /kept'));
      await waitFor('one socket counted', () => forwards.list()[0]?.sockets === 1);

      const events: number[] = [];
      forwards.onDidChange((list) => events.push(list.length));
      forwards.remove(forward.id);
      await closed;
      assert.deepEqual(forwards.list(), []);
      assert.equal(events[0], 0);
      assert.equal(await tryListen(forward.localPort), 'free');
      assert.throws(
        () => forwards.remove(forward.id),
        (err: unknown) => isRpcError(err, ErrorCode.NotFound),
      );
    } finally {
      blocker.close();
      forwards.dispose();
    }
  });

  it('reattaches a tmux terminal after a cut: variables and jobs survive, same id', async () => {
    const info = await connect();
    const terminals = new TerminalService({ links: rig.connections });
    const changes: TerminalStateChange[] = [];
    let output = '';
    terminals.onData(({ terminalId, data }) => {
      output += data;
      terminals.ack(terminalId, data.length);
    });
    terminals.onDidChangeState((e) => changes.push(e));
    const owner = {
      connectionId: info.id,
      poolId: info.poolId,
      instanceId: info.instanceId,
      instanceName: info.instanceName,
    };
    try {
      const term = await terminals.open(rig.connections.get(info.id).connection, owner, {
        cols: 100,
        rows: 30,
      });
      assert.equal(term.persistence, 'tmux');
      const mark = randomBytes(6).toString('hex');
      terminals.write(term.id, `export MARK=${mark}; sleep 300 & echo pid=$!\n`);
      await waitFor('the job pid', () => /pid=\d+/.test(output));
      const pid = /pid=(\d+)/.exec(output)![1]!;

      rig.proxy.cut();
      await waitFor('live again', () => changes.some((c) => c.state === 'live'), 8_000);
      assert.deepEqual(changes, [
        { terminalId: term.id, state: 'reconnecting' },
        { terminalId: term.id, state: 'live' },
      ]);
      assert.deepEqual(
        terminals.list().map((t) => t.id),
        [term.id],
      );
      // The shell computes the markers, so the typed text (echoed back) cannot match them.
      terminals.write(term.id, 'echo mark-$((1+1))-$MARK\n');
      await waitFor('the variable', () => output.includes(`mark-2-${mark}`));
      terminals.write(term.id, `kill -0 ${pid} && echo alive-$((2+3))\n`);
      await waitFor('the job alive', () => output.includes('alive-5'));
    } finally {
      // Closing the connection ends its tmux sessions (and the job with the shell).
      await rig.connections.close(info.id).catch(() => {});
      terminals.dispose();
    }
  });

  it('ends tmux sessions when their tab or their connection is closed', async () => {
    const info = await connect();
    const terminals = new TerminalService({ links: rig.connections });
    const exits: string[] = [];
    terminals.onDidExit((e) => exits.push(e.reason));
    const owner = {
      connectionId: info.id,
      poolId: info.poolId,
      instanceId: info.instanceId,
      instanceName: info.instanceName,
    };
    const sessions = async () => {
      const result = await rig.connections
        .get(info.id)
        .connection.exec(`${TMUX} list-sessions -F '#{session_name}' 2>/dev/null`);
      return result.stdout.split('\n').filter(Boolean);
    };
    try {
      const size = { cols: 80, rows: 24 };
      const link = rig.connections.get(info.id).connection;
      const before = await sessions();
      const first = await terminals.open(link, owner, size);
      const second = await terminals.open(link, owner, size);
      /** Polls the session list until it has `count` entries (tmux starts them just after the pty opens). */
      const settle = async (count: number) => {
        let now = await sessions();
        for (let i = 0; i < 100 && now.length !== count; i++) {
          await sleep(20);
          now = await sessions();
        }
        return now.length;
      };
      assert.equal(await settle(before.length + 2), before.length + 2, 'two tabs, two sessions');

      terminals.close(first.id);
      assert.equal(await settle(before.length + 1), before.length + 1, 'a closed tab’s ends');

      await rig.connections.close(info.id);
      await waitFor('the second tab to end', () => exits.length === 2);
      assert.deepEqual(terminals.list(), []);
      assert.equal(exits[1], `The connection to 127.0.0.1:${rig.proxy.port} was closed.`);
      assert.ok(!terminals.list().some((t) => t.id === second.id));
      // Check from a fresh connection that no session of ours is left.
      const check = await connect();
      const left = await rig.connections
        .get(check.id)
        .connection.exec(`${TMUX} list-sessions -F '#{session_name}' 2>/dev/null`);
      assert.equal(left.stdout.split('\n').filter(Boolean).length, before.length);
    } finally {
      terminals.dispose();
    }
  });

  it('never reconnects a connection the user closed', async () => {
    const info = await connect();
    await rig.connections.close(info.id);
    await sleep(300);
    assert.deepEqual(statesOf(rig, info.id), ['connecting', 'connected', 'closed']);
    assert.deepEqual(rig.connections.list(), []);
    await waitFor('the proxy to be idle', () => rig.proxy.connections === 0);
    await assert.rejects(rig.connections.waitForLink(info.id), (err: unknown) =>
      isRpcError(err, ErrorCode.NotFound),
    );
  });

  it('closes a user-closed connection while it is reconnecting, and its waiters let go', async () => {
    const info = await connect();
    rig.proxy.pause();
    rig.proxy.cut();
    await waitFor('reconnecting', () => rig.connections.state(info.id) === 'reconnecting');
    const waiting = rig.connections.waitForLink(info.id);
    await rig.connections.close(info.id);
    await assert.rejects(waiting, (err: unknown) => isRpcError(err, ErrorCode.Closed));
    rig.proxy.resume();
    await sleep(500);
    assert.equal(statesOf(rig, info.id).at(-1), 'closed');
    assert.ok(!statesOf(rig, info.id).slice(-2).includes('connected'));
  });

  it('gives up (lost) when the instance left the pool; its forwards free their ports', async () => {
    const info = await connect();
    const forwards = new ForwardService({ links: rig.connections, coalesceMs: 10 });
    try {
      const forward = await forwards.add({
        connectionId: info.id,
        poolId: info.poolId,
        instanceName: info.instanceName,
        remoteHost: '127.0.0.1',
        remotePort: web.port,
        localPort: await freePort(),
        label: 'Web',
        kind: 'custom',
      });
      rig.proxy.pause();
      rig.proxy.cut();
      await waitFor('reconnecting', () => rig.connections.state(info.id) === 'reconnecting');
      // Settled at once so the failure is not an unhandled rejection while the test waits.
      const during = get(forward.localPort, '/lost', 10_000).then(
        () => 'answered',
        (err: Error) => err.message,
      );
      await sleep(100);
      rig.pool.removeInstance();
      await waitFor('lost', () => statesOf(rig, info.id).includes('lost'), 5_000);
      const lost = rig.states.find((s) => s.state === 'lost')!;
      assert.match(lost.detail!, /no longer part of pool/);
      // Closed cleanly (FIN, no reset): the client sees the server hang up.
      assert.equal(await during, 'socket hang up');
      assert.deepEqual(forwards.list(), []);
      assert.equal(await tryListen(forward.localPort), 'free');
    } finally {
      forwards.dispose();
    }
  });

  it('gives up (lost) at once when the instance was stopped, and says why', async () => {
    const info = await connect();
    rig.proxy.pause();
    rig.proxy.cut();
    await waitFor('reconnecting', () => rig.connections.state(info.id) === 'reconnecting');
    const before = rig.states.length;
    rig.pool.stopInstance('Deallocated: no compute charges');
    // The next attempt (backoff starts at well under a second) sees the state and stops.
    await waitFor('lost', () => rig.connections.state(info.id) === 'lost', 5_000);
    const lost = rig.states.slice(before).find((s) => s.state === 'lost')!;
    assert.match(
      lost.detail!,
      /^vm-0 was stopped \(Deallocated: no compute charges\), which ended its shell and jobs, so the app stopped reconnecting\. Connect again/,
    );
    rig.proxy.resume();
  });
});

describe('reconnect edge cases with their own sshd', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reconnect-edge-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ends in lost, without a question, when the host key changed during the outage', async () => {
    const server = await startOpenSshServer();
    const rig = await makeRig(dir, server);
    try {
      const info = await rig.connections.connect('test-pool', undefined);
      // Plain: a tmux session here could not be ended once the connection is lost.
      const terminals = new TerminalService({ links: rig.connections, tmux: false });
      const exits: string[] = [];
      terminals.onDidExit((e) => exits.push(e.reason));
      await terminals.open(
        rig.connections.get(info.id).connection,
        { connectionId: info.id, poolId: info.poolId, instanceId: 'vm-0', instanceName: 'vm-0' },
        { cols: 80, rows: 24 },
      );
      // The running session survives sshd's restart; the cut makes the app reconnect to it.
      await server.restartWithNewHostKey();
      rig.proxy.cut();
      await waitFor('lost', () => statesOf(rig, info.id).includes('lost'), 5_000);
      const lost = rig.states.find((s) => s.state === 'lost')!;
      assert.match(lost.detail!, /host key of vm-0 .* changed while reconnecting/);
      assert.match(lost.detail!, /known-hosts-/);
      assert.equal(rig.asked.length, 1, 'only the first use asked');
      // Lost stays listed (a window opened later still sees it) until the user closes it.
      assert.deepEqual(
        rig.connections.list().map((c) => [c.id, c.state]),
        [[info.id, 'lost']],
      );
      await assert.rejects(rig.connections.waitForLink(info.id), (err: unknown) =>
        isRpcError(err, ErrorCode.Closed),
      );
      await waitFor('the terminal to end', () => exits.length === 1);
      assert.match(exits[0]!, /was lost: The host key/);
      await rig.connections.close(info.id);
      assert.deepEqual(rig.connections.list(), []);
      assert.equal(statesOf(rig, info.id).at(-1), 'closed');
      terminals.dispose();
    } finally {
      await rig.dispose();
      await server.stop();
    }
  });

  it('starts a new shell, and says so, when the instance has no tmux', async () => {
    // sshd hands commands this PATH: `command -v tmux` fails as on a VM without tmux, while the
    // login shell sets its usual PATH and works.
    const server = await startOpenSshServer({ extraConfig: ['SetEnv PATH=/nonexistent'] });
    const rig = await makeRig(dir, server);
    const terminals = new TerminalService({ links: rig.connections });
    try {
      const info = await rig.connections.connect('test-pool', undefined);
      const changes: TerminalStateChange[] = [];
      let output = '';
      terminals.onData(({ data }) => (output += data));
      terminals.onDidChangeState((e) => changes.push(e));
      const term = await terminals.open(
        rig.connections.get(info.id).connection,
        { connectionId: info.id, poolId: info.poolId, instanceId: 'vm-0', instanceName: 'vm-0' },
        { cols: 80, rows: 24 },
      );
      assert.equal(term.persistence, 'plain');
      rig.proxy.cut();
      await waitFor('live again', () => changes.some((c) => c.state === 'live'), 5_000);
      assert.deepEqual(changes, [
        { terminalId: term.id, state: 'reconnecting' },
        {
          terminalId: term.id,
          state: 'live',
          replaced: true,
          detail: 'The old shell ended with the connection; this is a new one.',
        },
      ]);
      terminals.write(term.id, 'echo new-$((20+1))\n');
      await waitFor('the new shell answers', () => output.includes('new-21'));
    } finally {
      terminals.dispose();
      await rig.dispose();
      await server.stop();
    }
  });
});
