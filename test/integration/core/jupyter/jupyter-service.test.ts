// JupyterService against a real OpenSSH server and Debian's real jupyter-notebook: start, find
// again, token kept out of `ps`, HTTP and a kernel's WebSocket through a tunnel, clear failures.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import {
  JupyterService,
  type JupyterConnection,
  type RemoteJupyter,
} from '../../../../src/core/jupyter/jupyter-service';
import { jupyterUrl } from '../../../../src/core/jupyter/jupyter-url';
import { shQuote } from '../../../../src/core/jupyter/remote-scripts';
import { parseServerList } from '../../../../src/core/jupyter/server-list';
import { SshConnection } from '../../../../src/core/ssh/ssh-connection';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The real connection with a prefix before every command (run by the user's login shell): a
 * throwaway HOME keeps each test's servers, runtime files and logs apart from any other run.
 */
function withPrefix(connection: SshConnection, prefix: string): JupyterConnection {
  return {
    where: connection.where,
    exec: (command, options) => connection.exec(prefix + command, options),
    shell: (options) =>
      connection.shell({
        ...options,
        ...(options.command !== undefined ? { command: prefix + options.command } : {}),
      }),
    forwardOut: (...args) => connection.forwardOut(...args),
  };
}

/** 127.0.0.1:<port> on this machine, piped over the SSH connection to 127.0.0.1:<remotePort>. */
async function localForward(
  connection: SshConnection,
  remotePort: number,
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    connection.forwardOut('127.0.0.1', 0, '127.0.0.1', remotePort).then(
      (channel) => {
        channel.on('error', () => socket.destroy());
        socket.on('close', () => channel.close());
        socket.pipe(channel).pipe(socket);
      },
      () => socket.destroy(),
    );
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

function rpcError(code: ErrorCode, ...mustMention: string[]) {
  return (err: unknown) => {
    assert.ok(isRpcError(err), `expected an RpcError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const part of mustMention)
      assert.ok(err.message.includes(part), `"${err.message}" should mention ${part}`);
    return true;
  };
}

/** Sends `code` to the kernel over its channels WebSocket; resolves with the stdout it printed. */
function executeOverWebSocket(url: string, token: string, code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `token ${token}` } });
    const msgId = randomUUID();
    const timer = setTimeout(() => done(new Error('no stream output within 20 s')), 20_000);
    let printed = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      ws.terminate();
      if (err) reject(err);
      else resolve(printed);
    };
    ws.on('error', (err) => done(err));
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          header: {
            msg_id: msgId,
            msg_type: 'execute_request',
            username: 'dsvm-pool-test',
            session: randomUUID(),
            date: new Date().toISOString(),
            version: '5.3',
          },
          parent_header: {},
          metadata: {},
          content: {
            code,
            silent: false,
            store_history: false,
            user_expressions: {},
            allow_stdin: false,
            stop_on_error: true,
          },
          channel: 'shell',
          buffers: [],
        }),
      );
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as {
        channel: string;
        msg_type: string;
        parent_header: { msg_id?: string };
        content: { name?: string; text?: string; execution_state?: string };
      };
      if (msg.parent_header.msg_id !== msgId || msg.channel !== 'iopub') return;
      if (msg.msg_type === 'stream' && msg.content.name === 'stdout') printed += msg.content.text;
      // `idle` after our request: everything it printed has arrived.
      if (msg.msg_type === 'status' && msg.content.execution_state === 'idle') done();
    });
  });
}

describe('JupyterService (real OpenSSH, real jupyter-notebook)', () => {
  let sshd: OpenSshServer;
  let connection: SshConnection;
  /** Throwaway homes on the "VM"; every server started in one is killed by pid in after(). */
  const homes: string[] = [];
  const jupyter = new JupyterService({ startTimeoutMs: 20_000 });

  async function freshHome(): Promise<string> {
    const { stdout } = await connection.exec('mktemp -d /tmp/dsvmpool-jupyter-XXXXXX');
    const home = stdout.trim();
    assert.match(home, /^\/tmp\/dsvmpool-jupyter-/);
    homes.push(home);
    return home;
  }

  const inHome = (home: string, extra = '') =>
    withPrefix(connection, `HOME=${shQuote(home)}; export HOME; ${extra}`);

  before(async () => {
    sshd = await startOpenSshServer();
    connection = await SshConnection.open({
      target: {
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        privateKey: sshd.privateKey,
      },
      verifyHostKey: async () => {},
    });
  });

  after(async () => {
    // Every server of our homes, by pid from Jupyter's own server files (what `jupyter notebook
    // list` reads, without its two seconds of Python imports), then the homes themselves.
    for (const home of homes) {
      const listed = await connection.exec(
        `for f in ${shQuote(home)}/.local/share/jupyter/runtime/*server-*.json; do ` +
          `[ -f "$f" ] && tr -d '\\n' < "$f"; echo; done`,
      );
      const pids = parseServerList(listed.stdout).flatMap((e) => (e.pid ? [e.pid] : []));
      for (const pid of pids) await connection.exec(`kill ${pid}`);
      for (const pid of pids) {
        for (let i = 0; i < 50; i++) {
          if ((await connection.exec(`kill -0 ${pid} 2>/dev/null`)).code !== 0) break;
          if (i === 49) await connection.exec(`kill -9 ${pid}`);
          await sleep(100);
        }
      }
      await connection.exec(`rm -rf ${shQuote(home)}`);
    }
    connection?.dispose();
    await sshd?.stop();
  });

  describe('notebook mode', () => {
    let home: string;
    let remote: RemoteJupyter;
    let forward: { port: number; close: () => Promise<void> } | undefined;

    before(async () => {
      home = await freshHome();
    });
    after(async () => {
      await forward?.close();
    });

    it('starts a server on the first of two calls at once; the second finds that one', async () => {
      const target = inHome(home);
      const both = await Promise.all([
        jupyter.discoverOrStart(target, { mode: 'notebook', instanceName: 'vm-1' }),
        jupyter.discoverOrStart(target, { mode: 'notebook', instanceName: 'vm-1' }),
      ]);
      const first = both.find((r) => r.started);
      assert.ok(first, 'one of the calls started a server');
      assert.equal(both.filter((r) => r.started).length, 1, 'only one started a server');
      remote = first;
      assert.equal(remote.mode, 'notebook');
      assert.equal(remote.remoteHost, '127.0.0.1');
      assert.equal(remote.scheme, 'http');
      assert.equal(remote.baseUrl, '/');
      assert.equal(remote.notebookDir, `${home}/notebooks`);
      assert.match(remote.token ?? '', /^[0-9a-f]{48}$/, 'the app-made token');
      assert.ok(remote.pid && remote.pid > 1);

      // The calls ran one after the other: the second found the first one's server.
      const again = both.find((r) => !r.started)!;
      assert.equal(again.remotePort, remote.remotePort);
      assert.equal(again.token, remote.token);
      assert.equal(again.pid, remote.pid);
      assert.equal(again.notebookDir, remote.notebookDir);
    });

    it('listens on 127.0.0.1 only and keeps its log private', async () => {
      const { stdout } = await run('ss', ['-Hltn']);
      const locals = stdout
        .split('\n')
        .map((line) => line.trim().split(/\s+/)[3] ?? '')
        .filter((local) => local.endsWith(`:${remote.remotePort}`));
      assert.deepEqual(locals, [`127.0.0.1:${remote.remotePort}`]);
      const mode = await connection.exec(
        `stat -c %a ${shQuote(`${home}/.local/state/dsvm-pool/jupyter.log`)}`,
      );
      assert.equal(mode.stdout.trim(), '600');
    });

    it('never shows the token in any command line on the machine', async () => {
      const { stdout } = await run('ps', ['-eo', 'args']);
      assert.ok(
        stdout.includes(`--notebook-dir=${home}/notebooks`),
        'ps sees the server (so it would see a token)',
      );
      assert.ok(!stdout.includes(remote.token!), 'the token is in no process arguments');
      // It came in through the environment (private to its user), from the app.
      const environ = await connection.exec(`tr '\\0' '\\n' < /proc/${remote.pid}/environ`);
      assert.ok(environ.stdout.split('\n').includes(`JUPYTER_TOKEN=${remote.token}`));
    });

    it('answers through a tunnel over the same connection, only with the token', async () => {
      forward = await localForward(connection, remote.remotePort);
      const base = `http://127.0.0.1:${forward.port}`;
      const ok = await fetch(`${base}/api/status?token=${remote.token}`);
      assert.equal(ok.status, 200);
      assert.ok('started' in ((await ok.json()) as object));

      const denied = await fetch(`${base}/api/status`);
      assert.equal(denied.status, 403);
      await denied.body?.cancel();
      const login = await fetch(`${base}/tree`, { redirect: 'manual' });
      assert.equal(login.status, 302);
      assert.match(login.headers.get('location') ?? '', /\/login/);

      const url = jupyterUrl(remote, forward.port);
      assert.equal(url, `http://127.0.0.1:${forward.port}/?token=${remote.token}`);
      const opened = await fetch(url, { redirect: 'manual' });
      assert.equal(opened.status, 302);
      assert.doesNotMatch(opened.headers.get('location') ?? '', /login/);
    });

    it('runs a kernel through the tunnel: execute_request → stream "42\\n"', async () => {
      assert.ok(forward);
      const base = `http://127.0.0.1:${forward.port}`;
      const auth = { Authorization: `token ${remote.token}` };
      const created = await fetch(`${base}/api/kernels`, { method: 'POST', headers: auth });
      assert.equal(created.status, 201);
      const { id } = (await created.json()) as { id: string };
      try {
        const printed = await executeOverWebSocket(
          `ws://127.0.0.1:${forward.port}/api/kernels/${id}/channels`,
          remote.token!,
          'print(6*7)',
        );
        assert.equal(printed, '42\n');
      } finally {
        const gone = await fetch(`${base}/api/kernels/${id}`, { method: 'DELETE', headers: auth });
        assert.equal(gone.status, 204);
      }
    });

    it('says Jupyter is not installed, and how to install it, when there is none', async () => {
      const noJupyter = inHome(home, 'PATH=/nonexistent; export PATH; ');
      await assert.rejects(
        jupyter.discoverOrStart(noJupyter, { mode: 'notebook', instanceName: 'vm-bare' }),
        rpcError(
          ErrorCode.NotFound,
          'Jupyter is not installed on vm-bare',
          'pip install --user notebook',
          'sudo apt install jupyter-notebook',
        ),
      );
    });

    it('is cancelled by its signal', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(
        jupyter.discoverOrStart(inHome(home), { mode: 'notebook', signal: controller.signal }),
        rpcError(ErrorCode.Cancelled),
      );
    });
  });

  it('quotes the log of a server that dies on start, with tokens blanked', async () => {
    const home = await freshHome();
    // A `jupyter` in ~/.local/bin (first on the PATH the service sets) that fails like a real one.
    const fake = [
      '#!/bin/sh',
      'case "$1" in',
      '  --runtime-dir) echo "$HOME/runtime" ;;',
      '  notebook|lab|server)',
      '    if [ "$2" = list ]; then exit 0; fi',
      '    echo "[I] serving at http://127.0.0.1:8888/?token=$JUPYTER_TOKEN"',
      '    echo "[C] fatal: the port trouble of the test"',
      '    exit 1 ;;',
      'esac',
    ].join('\n');
    const bin = `${home}/.local/bin`;
    const made = await connection.exec(
      `mkdir -p ${shQuote(bin)} && printf '%s\\n' ${shQuote(fake)} > ${shQuote(`${bin}/jupyter`)} && chmod +x ${shQuote(`${bin}/jupyter`)}`,
    );
    assert.equal(made.code, 0, made.stderr);
    const startedAt = Date.now();
    await assert.rejects(
      jupyter.discoverOrStart(inHome(home), { mode: 'notebook', instanceName: 'vm-2' }),
      (err) => {
        rpcError(
          ErrorCode.Internal,
          'Jupyter on vm-2 stopped right after starting',
          'fatal: the port trouble of the test',
          '.local/state/dsvm-pool/jupyter.log',
          'token=…',
        )(err);
        assert.doesNotMatch((err as Error).message, /[0-9a-f]{48}/, 'no token in the message');
        return true;
      },
    );
    assert.ok(Date.now() - startedAt < 10_000, 'a dead server is noticed without waiting it out');
  });

  it('stops a server its config leaves without authentication, and says why', async () => {
    const home = await freshHome();
    const config = `${home}/.jupyter/jupyter_notebook_config.py`;
    await connection.exec(
      `mkdir -p ${shQuote(`${home}/.jupyter`)} && echo "c.NotebookApp.token = ''" > ${shQuote(config)}`,
    );
    await assert.rejects(
      jupyter.discoverOrStart(inHome(home), { mode: 'notebook', instanceName: 'vm-3' }),
      rpcError(ErrorCode.Internal, 'turns authentication off', 'stopped the server'),
    );
    for (let i = 0; ; i++) {
      const { stdout } = await run('ps', ['-eo', 'args']);
      if (!stdout.includes(`--notebook-dir=${home}/notebooks`)) break;
      assert.ok(i < 50, 'the open server was stopped');
      await sleep(100);
    }
  });

  describe('hub mode', () => {
    const servers: net.Server[] = [];
    after(async () => {
      for (const server of servers) await new Promise((resolve) => server.close(resolve));
    });

    async function listen(server: net.Server): Promise<number> {
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as net.AddressInfo).port;
    }

    it('says clearly that no Hub answers', async () => {
      const port = await listen(net.createServer());
      await new Promise((resolve) => servers.pop()!.close(resolve));
      const service = new JupyterService({ hubPort: port });
      await assert.rejects(
        service.discoverOrStart(connection, { mode: 'hub', instanceName: 'vm-4' }),
        rpcError(
          ErrorCode.NotFound,
          `No JupyterHub answers on port ${port} of vm-4`,
          'systemctl start jupyterhub',
          'notebook mode',
        ),
      );
    });

    it('finds an https Hub with a self-signed certificate and hands on its fingerprint', async () => {
      // A stand-in for JupyterHub (not installed here): a real TLS server answering /hub/api.
      const dir = await mkdtemp(join(tmpdir(), 'dsvmpool-hub-'));
      try {
        await run('openssl', [
          'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
          '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
        ]); // prettier-ignore
        const cert = await readFile(join(dir, 'cert.pem'));
        const key = await readFile(join(dir, 'key.pem'));
        const port = await listen(
          https.createServer({ cert, key }, (req, res) => {
            res.writeHead(req.url === '/hub/api' ? 200 : 404, {
              'content-type': 'application/json',
            });
            res.end('{"version":"4.1.5"}');
          }),
        );
        const service = new JupyterService({ hubPort: port });
        const hub = await service.discoverOrStart(connection, { mode: 'hub' });
        assert.deepEqual(hub, {
          mode: 'hub',
          remoteHost: '127.0.0.1',
          remotePort: port,
          baseUrl: '/',
          started: false,
          scheme: 'https',
          certificateFingerprint256: new X509Certificate(cert).fingerprint256,
        });
        assert.equal(jupyterUrl(hub, 18000), 'https://127.0.0.1:18000/');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('says so when the port answers but not like a Hub', async () => {
      const port = await listen(
        http.createServer((_req, res) => {
          res.writeHead(404);
          res.end();
        }),
      );
      const service = new JupyterService({ hubPort: port });
      await assert.rejects(
        service.discoverOrStart(connection, { mode: 'hub', instanceName: 'vm-5' }),
        rpcError(
          ErrorCode.NotFound,
          `Port ${port} of vm-5 answers, but not like JupyterHub`,
          'HTTP 404',
        ),
      );
    });
  });
});
