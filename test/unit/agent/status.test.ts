// `status`: SSH sessions from sshd process titles and utmp, Jupyter servers and busy kernels
// through a real loopback HTTP server, the JSON and the human form.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { appendFile, lchown, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentHeartbeatSchema } from '../../../src/common/agent-protocol';
import { isJupyterServer } from '../../../src/agent/jupyter';
import { runCli } from '../../../src/agent/run-cli';
import { UTMP_RECORD_SIZE, parseUtmp, sshSessionsFromProcesses } from '../../../src/agent/sessions';
import type { TestMachine } from './fake-system';
import { makeMachine } from './fake-system';

async function fakeProcess(machine: TestMachine, pid: number, argv: string[], uid: number) {
  const dir = join(machine.root, 'proc', String(pid));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'cmdline'), `${argv.join('\0')}\0`);
  await writeFile(join(dir, 'status'), `Name:\t${argv[0]}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  await writeFile(join(dir, 'stat'), `${pid} (x) S 1`);
}

/**
 * Jupyter writes its runtime files as the user; as root the agent reads only those, so the test's
 * files (made by root) are given to the user, from the home down.
 */
async function ownedBy(runtime: string, uid: number) {
  if (process.getuid?.() !== 0) return;
  const home = runtime.slice(0, runtime.indexOf('/.local/'));
  for (const path of [
    `${home}/.local`,
    `${home}/.local/share`,
    `${home}/.local/share/jupyter`,
    runtime,
  ]) {
    await lchown(path, uid, uid);
  }
  for (const name of await readdir(runtime)) await lchown(join(runtime, name), uid, uid);
}

function utmpRecord(type: number, pid: number, line: string, user: string, host: string): Buffer {
  const record = Buffer.alloc(UTMP_RECORD_SIZE);
  record.writeInt16LE(type, 0);
  record.writeInt32LE(pid, 4);
  record.write(line, 8, 'utf8');
  record.write(user, 44, 'utf8');
  record.write(host, 76, 'utf8');
  return record;
}

it('counts sshd connections per user from process titles (old and new OpenSSH)', () => {
  const sessions = sshSessionsFromProcesses(
    [
      ['sshd: alice@pts/0'],
      ['sshd: alice@notty'],
      ['sshd-session: bob@pts/3'],
      ['sshd: alice [priv]'],
      ['sshd: carol [preauth]'],
      ['/usr/sbin/sshd', '-D'],
      ['bash'],
    ].map((argv, i) => ({ pid: i + 10, argv })),
  );
  assert.deepEqual(sessions, { alice: 2, bob: 1 });
});

it('parses utmp login records', () => {
  const data = Buffer.concat([
    utmpRecord(2, 0, '~', 'reboot', '6.1.0'),
    utmpRecord(7, 4242, 'pts/0', 'alice', '203.0.113.9'),
    utmpRecord(8, 4243, 'pts/1', '', ''),
  ]);
  assert.deepEqual(parseUtmp(data), [
    { pid: 4242, line: 'pts/0', user: 'alice', host: '203.0.113.9' },
  ]);
});

it('recognizes Jupyter servers, not kernels', () => {
  assert.ok(isJupyterServer(['/usr/bin/python3', '/usr/bin/jupyter-lab', '--no-browser']));
  assert.ok(isJupyterServer(['/usr/bin/python3', '/usr/bin/jupyter-notebook']));
  assert.ok(isJupyterServer(['python3', '-m', 'jupyterlab']));
  assert.ok(isJupyterServer(['/opt/conda/bin/python', '/opt/conda/bin/jupyter', 'lab']));
  assert.ok(isJupyterServer(['/usr/bin/python3', '/usr/local/bin/jupyterhub-singleuser']));
  assert.ok(
    !isJupyterServer(['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', 'kernel.json']),
  );
  assert.ok(!isJupyterServer(['vim', 'jupyter-notes.txt']));
});

describe('status command', () => {
  let machine: TestMachine;
  let server: ReturnType<typeof createServer>;
  let seenAuth: string | undefined;
  beforeEach(async () => {
    machine = await makeMachine();
    server = createServer((request, response) => {
      seenAuth = request.headers.authorization;
      if (
        request.url !== '/lab/api/kernels' ||
        request.headers.authorization !== 'token secret-token'
      ) {
        response.writeHead(403).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify([
          { id: 'k1', execution_state: 'busy' },
          { id: 'k2', execution_state: 'idle' },
          { id: 'k3', execution_state: 'busy' },
        ]),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await machine.cleanup();
  });

  it('reports sessions, Jupyter kernels, load and the last apply as JSON and as text', async () => {
    await appendFile(
      join(machine.root, 'etc/passwd'),
      'alice:x:20001:20001::/home/alice:/bin/bash\n',
    );
    await fakeProcess(machine, 500, ['sshd: alice@pts/0'], 20001);
    await fakeProcess(machine, 501, ['sshd-session: alice@notty'], 20001);
    await fakeProcess(
      machine,
      600,
      ['/usr/bin/python3', '/usr/bin/jupyter-lab', '--no-browser'],
      20001,
    );
    await fakeProcess(machine, 601, ['/usr/bin/python3', '-m', 'ipykernel_launcher'], 20001);
    // utmp: bob logged in from far away with a live process, with a second pty on the same
    // connection (sshd writes a record per pty, all with the connection's pid: one connection);
    // a dead login is ignored.
    await fakeProcess(machine, 700, ['-bash'], 20002);
    await mkdir(join(machine.root, 'run'), { recursive: true });
    await writeFile(
      join(machine.root, 'run/utmp'),
      Buffer.concat([
        utmpRecord(7, 700, 'pts/1', 'bob', '198.51.100.7'),
        utmpRecord(7, 700, 'pts/3', 'bob', '198.51.100.7'),
        utmpRecord(7, 999999, 'pts/2', 'carol', 'x'),
      ]),
    );
    const runtime = join(machine.root, 'home/alice/.local/share/jupyter/runtime');
    await mkdir(runtime, { recursive: true });
    const port = (server.address() as AddressInfo).port;
    await writeFile(
      join(runtime, 'jpserver-600.json'),
      JSON.stringify({
        port,
        token: 'secret-token',
        base_url: '/lab/',
        pid: 600,
        url: `http://localhost:${port}/lab/`,
      }),
    );
    // A stale runtime file of a server that is gone.
    await writeFile(
      join(runtime, 'jpserver-42.json'),
      JSON.stringify({ port: 1, token: 't', pid: 42 }),
    );
    await ownedBy(runtime, 20001);

    const out: string[] = [];
    const code = await runCli(['status', '--json'], {
      system: machine.system,
      write: (t) => out.push(t),
    });
    assert.equal(code, 0, machine.system.logs.join('\n'));
    const status = AgentHeartbeatSchema.parse(JSON.parse(out.join('')));
    assert.deepEqual(status.sessions, { alice: 2, bob: 1 });
    assert.deepEqual(status.jupyter, { alice: { servers: 1, kernels: 3, busyKernels: 2 } });
    assert.equal(seenAuth, 'token secret-token');
    assert.deepEqual(status.load, { avg1: 0.5, avg5: 0.25, avg15: 0.125, cpus: 4 });
    assert.equal(status.computerName, 'vm-test-0');
    assert.equal(status.mount?.mounted, false);
    assert.equal(status.lastApply, null);

    out.length = 0;
    assert.equal(
      await runCli(['status'], { system: machine.system, write: (t) => out.push(t) }),
      0,
    );
    const text = out.join('');
    assert.match(text, /^share: {4}\/mnt\/pool \(bind\) NOT MOUNTED, NOT HEALTHY — not mounted$/m);
    assert.match(text, /^ssh: {6}alice 2, bob 1$/m);
    assert.match(text, /^jupyter: {2}alice 1 server, 3 kernels \(2 busy\)$/m);
    assert.match(text, /^apply: {4}never ran$/m);
  });

  it(
    'FIFO, socket, symlink and huge runtime files in a member home: status still answers at once',
    { timeout: 15_000 },
    async () => {
      await appendFile(
        join(machine.root, 'etc/passwd'),
        'mallory:x:20003:20003::/home/mallory:/bin/bash\n',
      );
      await fakeProcess(machine, 800, ['/usr/bin/python3', '/usr/bin/jupyter-lab'], 20003);
      const runtime = join(machine.root, 'home/mallory/.local/share/jupyter/runtime');
      await mkdir(runtime, { recursive: true });
      // A FIFO named like a runtime file: a blocking open() would wait for a writer forever.
      execFileSync('mkfifo', [join(runtime, 'jpserver-800.json')]);
      await symlink('/etc/shadow', join(runtime, 'jpserver-801.json'));
      await writeFile(join(runtime, 'jpserver-802.json'), Buffer.alloc(2 * 1024 * 1024, 0x20));
      const socketServer = createNetServer();
      await new Promise<void>((resolve) =>
        socketServer.listen(join(runtime, 'jpserver-803.json'), resolve),
      );
      try {
        const out: string[] = [];
        const started = Date.now();
        const code = await runCli(['status', '--json'], {
          system: machine.system,
          write: (t) => out.push(t),
        });
        assert.equal(code, 0, machine.system.logs.join('\n'));
        assert.ok(Date.now() - started < 5000, `status took ${Date.now() - started} ms`);
        const status = AgentHeartbeatSchema.parse(JSON.parse(out.join('')));
        // The server counts; none of the planted files was taken for its runtime.
        assert.deepEqual(status.jupyter, { mallory: { servers: 1, kernels: 0, busyKernels: 0 } });
      } finally {
        socketServer.close();
      }
    },
  );

  it('fuzz finding: a CR/LF in a runtime token or a space in its base URL does not stop status', async () => {
    seenAuth = undefined;
    await appendFile(
      join(machine.root, 'etc/passwd'),
      'erin:x:20005:20005::/home/erin:/bin/bash\n',
    );
    const runtime = join(machine.root, 'home/erin/.local/share/jupyter/runtime');
    await mkdir(runtime, { recursive: true });
    const port = (server.address() as AddressInfo).port;
    const hostile = [
      { token: 'a\r\nX-Injected: 1', base_url: '/lab/' },
      { token: 'secret-token', base_url: '/a b/' },
      { token: 'secret-token', base_url: '/\u202e/' },
    ];
    for (const [i, fields] of hostile.entries()) {
      await fakeProcess(machine, 1000 + i, ['/usr/bin/python3', '/usr/bin/jupyter-lab'], 20005);
      await writeFile(
        join(runtime, `jpserver-${1000 + i}.json`),
        JSON.stringify({ port, pid: 1000 + i, ...fields }),
      );
    }
    await ownedBy(runtime, 20005);
    const out: string[] = [];
    const code = await runCli(['status', '--json'], {
      system: machine.system,
      write: (t) => out.push(t),
    });
    assert.equal(code, 0, machine.system.logs.join('\n'));
    const status = AgentHeartbeatSchema.parse(JSON.parse(out.join('')));
    // The servers count; none was asked with what the member wrote.
    assert.deepEqual(status.jupyter, { erin: { servers: 3, kernels: 0, busyKernels: 0 } });
    assert.equal(seenAuth, undefined);
  });

  it("fuzz finding: a member's ~/.local linked to another user's runtime folder is not followed", async () => {
    seenAuth = undefined;
    await appendFile(
      join(machine.root, 'etc/passwd'),
      'frank:x:20006:20006::/home/frank:/bin/bash\n',
    );
    await fakeProcess(machine, 1100, ['/usr/bin/python3', '/usr/bin/jupyter-lab'], 20006);
    // Someone else's runtime file, naming frank's server pid, with their token.
    const secret = join(machine.root, 'var/lib/other/.local');
    await mkdir(join(secret, 'share/jupyter/runtime'), { recursive: true });
    await writeFile(
      join(secret, 'share/jupyter/runtime/jpserver-1100.json'),
      JSON.stringify({
        port: (server.address() as AddressInfo).port,
        token: 'secret-token',
        base_url: '/lab/',
        pid: 1100,
      }),
    );
    await mkdir(join(machine.root, 'home/frank'), { recursive: true });
    await symlink(secret, join(machine.root, 'home/frank/.local'));
    const out: string[] = [];
    const code = await runCli(['status', '--json'], {
      system: machine.system,
      write: (t) => out.push(t),
    });
    assert.equal(code, 0, machine.system.logs.join('\n'));
    const status = AgentHeartbeatSchema.parse(JSON.parse(out.join('')));
    assert.deepEqual(status.jupyter, { frank: { servers: 1, kernels: 0, busyKernels: 0 } });
    assert.equal(seenAuth, undefined, "the other user's token was sent");
  });

  it('every run has a deadline: a Jupyter server that never answers cannot hold status', async () => {
    await appendFile(
      join(machine.root, 'etc/passwd'),
      'dave:x:20004:20004::/home/dave:/bin/bash\n',
    );
    await fakeProcess(machine, 900, ['/usr/bin/python3', '/usr/bin/jupyter-lab'], 20004);
    // Accepts the connection and never answers.
    const silent = createNetServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const runtime = join(machine.root, 'home/dave/.local/share/jupyter/runtime');
    await mkdir(runtime, { recursive: true });
    await writeFile(
      join(runtime, 'jpserver-900.json'),
      JSON.stringify({ port: (silent.address() as AddressInfo).port, token: 't', pid: 900 }),
    );
    await ownedBy(runtime, 20004);
    try {
      const code = await runCli(['status', '--json'], {
        system: machine.system,
        write: () => {},
        deadlineMs: 300,
      });
      assert.equal(code, 1);
      assert.match(
        machine.system.logs.join('\n'),
        /status did not finish within 0.3 s and was stopped/,
      );
    } finally {
      silent.close();
    }
  });

  it('after an apply: mounted, healthy, members and the last result', async () => {
    const { runApply } = await import('../../../src/agent/apply');
    await runApply(machine.system, { waitMs: 0 });
    const out: string[] = [];
    assert.equal(
      await runCli(['status', '--json'], { system: machine.system, write: (t) => out.push(t) }),
      0,
    );
    const status = AgentHeartbeatSchema.parse(JSON.parse(out.join('')));
    assert.equal(status.mount?.mounted, true);
    assert.equal(status.mount?.healthy, true);
    assert.equal(status.lastApply?.ok, true);
  });

  it('rejects unknown commands and options with exit 2', async () => {
    const errors: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (
      errors.push(String(chunk)),
      true
    )) as typeof process.stderr.write;
    try {
      assert.equal(
        await runCli(['frobnicate'], { system: machine.system, write: () => undefined }),
        2,
      );
      assert.equal(
        await runCli(['status', '--wait', '3'], { system: machine.system, write: () => undefined }),
        2,
      );
      assert.equal(
        await runCli(['apply', '--wait', 'soon'], {
          system: machine.system,
          write: () => undefined,
        }),
        2,
      );
    } finally {
      process.stderr.write = original;
    }
    assert.match(errors.join(''), /unknown command "frobnicate"/);
    assert.match(errors.join(''), /status does not take --wait/);
    assert.match(machine.system.logs.join('\n'), /--wait takes seconds/);
  });
});
