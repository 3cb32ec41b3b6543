// The SSH layer against a real OpenSSH server on loopback: host key trust, login failures,
// commands, and interactive terminals with batching and flow control.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { ErrorCode, isRpcError, type RpcError } from '../../../../src/common/errors';
import type { Prompt } from '../../../../src/common/models';
import type { ConnectTarget } from '../../../../src/core/providers/pool-provider';
import { PromptService } from '../../../../src/core/prompts/prompt-service';
import { fingerprintOf } from '../../../../src/core/ssh/host-key';
import { createHostKeyVerifier } from '../../../../src/core/ssh/host-key-verifier';
import { KnownHostsStore } from '../../../../src/core/ssh/known-hosts-store';
import { SshConnection } from '../../../../src/core/ssh/ssh-connection';
import {
  BATCH_MAX_CHARS,
  HIGH_WATERMARK,
  TerminalService,
} from '../../../../src/core/ssh/terminal-service';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';
import { ssh2Ed25519 } from '../../../helpers/ssh-keys';

const acceptAnyKey = async () => {};

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rpcError(code: RpcError['code'], ...mustMention: string[]) {
  return (err: unknown) => {
    assert.ok(isRpcError(err), `expected an RpcError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const part of mustMention)
      assert.ok(err.message.includes(part), `"${err.message}" mentions ${part}`);
    return true;
  };
}

/** A TCP server that accepts and never speaks: an SSH port behind a black hole. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A TCP relay to `port` that can go silent: it then drops every byte but closes nothing, like a
 * flow that Azure's load balancer dropped after idling.
 */
async function blackHoleRelay(port: number) {
  let silent = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (data) => silent || upstream.write(data));
    upstream.on('data', (data) => silent || client.write(data));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    goSilent: () => {
      silent = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('SSH against a real OpenSSH server', () => {
  let server: OpenSshServer;
  let dir: string;
  let target: ConnectTarget;

  before(async () => {
    server = await startOpenSshServer();
    dir = await mkdtemp(join(tmpdir(), 'openssh-test-'));
    target = {
      host: server.host,
      port: server.port,
      username: server.username,
      privateKey: server.privateKey,
    };
  });
  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('host keys', () => {
    let store: KnownHostsStore;
    let prompts: PromptService;
    let asked: Prompt[];
    let accept: boolean;
    const open: SshConnection[] = [];

    before(() => {
      store = new KnownHostsStore(join(dir, 'known-hosts.json'));
      prompts = new PromptService();
      asked = [];
      // Answer the way the UI does: after the question opened, through the service.
      prompts.onDidOpen((prompt) => {
        asked.push(prompt);
        setTimeout(() => prompts.answer(prompt.id, accept), 10);
      });
    });
    beforeEach(() => {
      asked.length = 0;
      accept = true;
    });
    after(() => {
      for (const connection of open) connection.dispose();
      prompts.dispose();
    });

    const connect = async (poolId: string) => {
      const connection = await SshConnection.open({
        target,
        verifyHostKey: createHostKeyVerifier({
          store,
          prompts,
          poolId,
          instanceName: 'vm-1',
          host: server.host,
          port: server.port,
        }),
      });
      open.push(connection);
      return connection;
    };

    it('asks about the key on first use; accepting connects and stores it', async () => {
      const connection = await connect('pool-a');
      assert.equal(connection.closed, false);
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.kind, 'host-key');
      assert.equal(asked[0]!.algorithm, 'ssh-ed25519');
      assert.equal(asked[0]!.fingerprint, fingerprintOf(server.hostKeyPublic));
      assert.equal(asked[0]!.port, server.port);
      assert.equal(
        store.check('pool-a', server.host, server.port, server.hostKeyPublic).status,
        'trusted',
      );
    });

    it('connects without asking once the key is trusted', async () => {
      await connect('pool-a');
      assert.equal(asked.length, 0);
    });

    it('refuses the connection when the user declines the key', async () => {
      accept = false;
      await assert.rejects(connect('pool-b'), rpcError(ErrorCode.HostKeyRejected, 'vm-1'));
      assert.equal(asked.length, 1);
      assert.equal(
        store.check('pool-b', server.host, server.port, server.hostKeyPublic).status,
        'unknown',
      );
    });

    it('refuses a changed host key without asking', async () => {
      const oldKey = server.hostKeyPublic;
      await server.restartWithNewHostKey();
      await assert.rejects(
        connect('pool-a'),
        rpcError(
          ErrorCode.HostKeyMismatch,
          fingerprintOf(oldKey),
          fingerprintOf(server.hostKeyPublic),
          store.filePath,
        ),
      );
      assert.equal(asked.length, 0);
    });
  });

  describe('connecting', () => {
    it('reports a key the server does not accept as AuthFailed, naming user and host', async () => {
      const other = ssh2Ed25519();
      await assert.rejects(
        SshConnection.open({
          target: { ...target, privateKey: other.private },
          verifyHostKey: acceptAnyKey,
        }),
        (err) => {
          rpcError(ErrorCode.AuthFailed, server.username, `${server.host}:${server.port}`)(err);
          // Secrets never travel in messages.
          assert.ok(!(err as Error).message.includes(other.private.split('\n')[1]!));
          return true;
        },
      );
    });

    it('says when an encrypted key has no passphrase, without showing the key', async () => {
      const encrypted = ssh2Ed25519({
        passphrase: 'correct horse',
        cipher: 'aes256-ctr',
        rounds: 1,
      });
      await assert.rejects(
        SshConnection.open({
          target: { ...target, privateKey: encrypted.private },
          verifyHostKey: acceptAnyKey,
        }),
        rpcError(ErrorCode.AuthFailed, 'passphrase'),
      );
      await assert.rejects(
        SshConnection.open({
          target: { ...target, privateKey: encrypted.private, passphrase: 'wrong horse' },
          verifyHostKey: acceptAnyKey,
        }),
        (err) => {
          rpcError(ErrorCode.AuthFailed, 'passphrase is wrong')(err);
          assert.ok(!(err as Error).message.includes('wrong horse'));
          return true;
        },
      );
    });

    it('reports a closed port as Unreachable', async () => {
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as net.AddressInfo;
      await new Promise((resolve) => probe.close(resolve));
      await assert.rejects(
        SshConnection.open({ target: { ...target, port }, verifyHostKey: acceptAnyKey }),
        rpcError(
          ErrorCode.Unreachable,
          `127.0.0.1:${port}`,
          'connection refused',
          'Is the instance running?',
        ),
      );
    });

    it('gives up on a server that never answers after the ready timeout', async () => {
      const silent = await silentServer();
      try {
        const started = Date.now();
        await assert.rejects(
          SshConnection.open({
            target: { ...target, port: silent.port },
            verifyHostKey: acceptAnyKey,
            readyTimeoutMs: 300,
          }),
          rpcError(ErrorCode.Unreachable, 'no answer'),
        );
        assert.ok(Date.now() - started < 3_000);
      } finally {
        await silent.close();
      }
    });

    it('stops connecting when the signal aborts', async () => {
      const silent = await silentServer();
      try {
        await assert.rejects(
          SshConnection.open({
            target: { ...target, port: silent.port },
            verifyHostKey: acceptAnyKey,
            signal: AbortSignal.timeout(100),
          }),
          rpcError(ErrorCode.Cancelled),
        );
        const aborted = new AbortController();
        aborted.abort();
        await assert.rejects(
          SshConnection.open({ target, verifyHostKey: acceptAnyKey, signal: aborted.signal }),
          rpcError(ErrorCode.Cancelled),
        );
      } finally {
        await silent.close();
      }
    });

    it('runs a command and returns its output and exit code', async () => {
      const connection = await SshConnection.open({ target, verifyHostKey: acceptAnyKey });
      try {
        const result = await connection.exec(
          'echo hi; echo oops >&2; printf "\\xe2\\x82\\xac"; exit 3',
        );
        assert.deepEqual(result, { code: 3, stdout: 'hi\n€', stderr: 'oops\n' });
        const killed = await connection.exec('kill -TERM $$');
        assert.equal(killed.code, null);
        assert.equal(killed.signal, 'SIGTERM');
      } finally {
        connection.dispose();
      }
    });

    it('cancels a running command when its signal aborts', async () => {
      const connection = await SshConnection.open({ target, verifyHostKey: acceptAnyKey });
      try {
        const started = Date.now();
        await assert.rejects(
          connection.exec('sleep 30', { signal: AbortSignal.timeout(100) }),
          rpcError(ErrorCode.Cancelled),
        );
        assert.ok(Date.now() - started < 2_000);
        assert.equal((await connection.exec('echo still-usable')).stdout, 'still-usable\n');
      } finally {
        connection.dispose();
      }
    });

    it('closes once, with a reason, and refuses work afterwards', async () => {
      const connection = await SshConnection.open({ target, verifyHostKey: acceptAnyKey });
      const reasons: string[] = [];
      connection.onDidClose(({ reason }) => reasons.push(reason));
      connection.dispose();
      connection.dispose();
      assert.equal(connection.closed, true);
      assert.deepEqual(reasons, [`The connection to ${server.host}:${server.port} was closed.`]);
      await assert.rejects(connection.exec('true'), rpcError(ErrorCode.Closed));
    });
  });

  describe('terminals', () => {
    let connection: SshConnection;
    let terminals: TerminalService;
    let output: Map<string, string>;
    let events: Map<string, number[]>;

    beforeEach(async () => {
      connection = await SshConnection.open({ target, verifyHostKey: acceptAnyKey });
      terminals = new TerminalService();
      output = new Map();
      events = new Map();
      terminals.onData(({ terminalId, data }) => {
        output.set(terminalId, (output.get(terminalId) ?? '') + data);
        events.set(terminalId, [...(events.get(terminalId) ?? []), data.length]);
      });
    });
    afterEach(() => {
      terminals.dispose();
      connection.dispose();
    });

    const owner = {
      connectionId: 'conn-1',
      poolId: 'pool-a',
      instanceId: 'local-0',
      instanceName: 'vm-1',
    };
    const openTerminal = () => terminals.open(connection, owner, { cols: 80, rows: 24 });
    const delivered = (id: string) => output.get(id)?.length ?? 0;

    it('runs a shell: typed input reaches it and its output comes back', async () => {
      const info = await openTerminal();
      assert.match(info.id, /^term-\d+$/);
      assert.deepEqual(terminals.list(), [info]);
      terminals.write(info.id, 'echo marker-$((6*7))\n');
      await waitFor('marker-42', () => output.get(info.id)?.includes('marker-42') ?? false);
    });

    it('keeps UTF-8 characters intact across chunks', async () => {
      const info = await openTerminal();
      // The marker is computed by the shell: the pty echoes typed text, which must not count.
      terminals.write(
        info.id,
        "printf '\\xe2\\x82\\xac%.0s' {1..30000}; echo; echo utf8-$((1+1))-done\n",
      );
      await waitFor('the end marker', () => output.get(info.id)?.includes('utf8-2-done') ?? false);
      const text = output.get(info.id)!;
      assert.equal(text.match(/€/g)?.length, 30_000);
      assert.ok(!text.includes('\ufffd'), 'no replacement characters');
    });

    it('resizes the pty', async () => {
      const info = await openTerminal();
      const resized: unknown[] = [];
      terminals.onDidResize((e) => resized.push(e));
      terminals.resize(info.id, 100, 30);
      assert.deepEqual(resized, [{ terminalId: info.id, cols: 100, rows: 30 }]);
      assert.equal(terminals.list()[0]!.cols, 100);
      terminals.write(info.id, 'stty size\n');
      await waitFor('stty size to print 30 100', () =>
        /[\r\n]30 100\r?\n/.test(output.get(info.id) ?? ''),
      );
    });

    it('pauses a flood at the high watermark until the UI acknowledges, in few large events', async () => {
      const info = await openTerminal();
      terminals.write(info.id, 'yes flood-line-of-text\n');
      await waitFor('the first 100k characters', () => delivered(info.id) > HIGH_WATERMARK);
      // Let whatever was in flight arrive, then check that nothing more does while unacknowledged.
      await sleep(400);
      const held = delivered(info.id);
      await sleep(400);
      assert.equal(delivered(info.id), held, 'no output while the UI is behind');
      assert.ok(
        held < HIGH_WATERMARK + 2 * BATCH_MAX_CHARS,
        `delivered ${held} characters unacknowledged`,
      );
      // Batching: no single SSH packet carries more than 32 KiB, so a bigger event was coalesced.
      assert.ok(
        Math.max(...events.get(info.id)!) > 32 * 1024,
        `event sizes ${events.get(info.id)}`,
      );

      terminals.ack(info.id, held);
      await waitFor(
        'more output after the acknowledgement',
        () => delivered(info.id) > held + 10_000,
      );
    });

    it('a UI that reloads takes a paused terminal over: its backlog, and output flows again', async () => {
      const info = await openTerminal();
      terminals.write(info.id, 'echo before-$((6*7)); yes flood-line-of-text\n');
      await waitFor('the flood to pause', () => delivered(info.id) > HIGH_WATERMARK);
      await sleep(300);
      const held = delivered(info.id);
      // The old page is gone and never acks; the new one attaches.
      const attachment = terminals.attachView(info.id);
      assert.equal(attachment.terminal.id, info.id);
      assert.equal(attachment.link, 'live');
      assert.ok(attachment.backlog.includes('before-42'), 'the earlier output is in the backlog');
      assert.ok(attachment.backlog.endsWith(output.get(info.id)!.slice(-1000)));
      await waitFor('output after the takeover', () => delivered(info.id) > held + 10_000);
      terminals.write(info.id, '\x03');
    });

    it('closing the terminal ends the shell', async () => {
      const info = await openTerminal();
      terminals.write(info.id, 'echo pid-$$-end\n');
      await waitFor('the shell pid', () => /pid-\d+-end/.test(output.get(info.id) ?? ''));
      const pid = /pid-(\d+)-end/.exec(output.get(info.id)!)![1]!;
      const exits: unknown[] = [];
      terminals.onDidExit((e) => exits.push(e));

      terminals.close(info.id);
      assert.deepEqual(exits, [{ terminalId: info.id, reason: 'The terminal was closed.' }]);
      assert.deepEqual(terminals.list(), []);
      assert.throws(() => terminals.write(info.id, 'x'), rpcError(ErrorCode.NotFound, info.id));
      let alive = true;
      for (const deadline = Date.now() + 5_000; alive && Date.now() < deadline; await sleep(50)) {
        alive = (await connection.exec(`kill -0 ${pid} 2>/dev/null && echo alive`)).stdout.includes(
          'alive',
        );
      }
      assert.equal(alive, false, `shell ${pid} still running`);
    });

    it('reports the exit code when the shell exits', async () => {
      const info = await openTerminal();
      const exits: unknown[] = [];
      terminals.onDidExit((e) => exits.push(e));
      terminals.write(info.id, 'exit 7\n');
      await waitFor('the exit', () => exits.length > 0);
      assert.deepEqual(exits, [
        { terminalId: info.id, exitCode: 7, reason: 'The shell exited with code 7.' },
      ]);
    });

    it('ends every terminal of a connection with the connection’s reason when it closes', async () => {
      const first = await openTerminal();
      const second = await openTerminal();
      const exits: { terminalId: string; reason: string }[] = [];
      terminals.onDidExit((e) => exits.push(e));
      connection.dispose();
      const reason = `The connection to ${server.host}:${server.port} was closed.`;
      assert.deepEqual(
        exits.sort((a, b) => a.terminalId.localeCompare(b.terminalId)),
        [
          { terminalId: first.id, reason },
          { terminalId: second.id, reason },
        ],
      );
    });

    it('notices a silently dropped link by keepalive and ends its terminals with that reason', async () => {
      const relay = await blackHoleRelay(server.port);
      const viaRelay = await SshConnection.open({
        target: { ...target, port: relay.port },
        verifyHostKey: acceptAnyKey,
        keepaliveIntervalMs: 100,
        keepaliveCountMax: 2,
      });
      try {
        const info = await terminals.open(
          viaRelay,
          { ...owner, connectionId: 'conn-relay' },
          { cols: 80, rows: 24 },
        );
        const closes: string[] = [];
        const exits: { terminalId: string; reason: string }[] = [];
        viaRelay.onDidClose(({ reason }) => closes.push(reason));
        terminals.onDidExit((e) => exits.push(e));
        relay.goSilent();
        await waitFor('the keepalive timeout', () => exits.length > 0, 3_000);
        const reason = `The connection to 127.0.0.1:${relay.port} was lost (keepalive timeout).`;
        assert.deepEqual(closes, [reason]);
        assert.equal(viaRelay.closed, true);
        assert.deepEqual(exits, [{ terminalId: info.id, reason }]);
      } finally {
        viaRelay.dispose();
        await relay.close();
      }
    });

    it('answers NotFound for unknown terminal ids, but lets a late ack pass quietly', () => {
      for (const call of [
        () => terminals.write('term-999', 'x'),
        () => terminals.resize('term-999', 80, 24),
        () => terminals.close('term-999'),
      ]) {
        assert.throws(call, rpcError(ErrorCode.NotFound, 'term-999'));
      }
      // The UI acks what it rendered; an ack can cross the shell's exit on the wire.
      assert.doesNotThrow(() => terminals.ack('term-999', 1));
    });
  });
});
