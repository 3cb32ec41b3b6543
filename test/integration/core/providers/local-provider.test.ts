// The local sandbox against a real ssh2 client on loopback: keys, auth, pty shell, share, exec,
// tunnels, stop/start, dispose, and the `script` fallback when node-pty cannot load.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2, { type ClientChannel, type ParsedKey } from 'ssh2';
import { ensureAppKey, type AppKey } from '../../../../src/core/keys/app-key';
import { LocalSandboxProvider } from '../../../../src/core/providers/local/local-provider';
import { until } from '../../../helpers/until';
import { ssh2Ed25519 } from '../../../helpers/ssh-keys';

const { Client, BaseAgent, utils } = ssh2;

interface Connected {
  client: InstanceType<typeof Client>;
  hostKey: Buffer;
}

function connect(
  port: number,
  auth: { username: string; privateKey?: string; agent?: InstanceType<typeof BaseAgent> },
): Promise<Connected> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKey: Buffer = Buffer.alloc(0);
    client.once('ready', () => resolve({ client, hostKey }));
    // Kept for the client's whole life: a later drop (stop, dispose) must not throw.
    client.on('error', (err) => {
      client.end();
      reject(err);
    });
    client.connect({
      host: '127.0.0.1',
      port,
      ...auth,
      readyTimeout: 5000,
      hostVerifier: (key: Buffer) => {
        hostKey = key;
        return true;
      },
    });
  });
}

function exec(client: Connected['client'], command: string) {
  return new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      stream.on('data', (d: Buffer) => (stdout += d));
      stream.stderr.on('data', (d: Buffer) => (stderr += d));
      stream.on('exit', (c: number | null) => (code = c));
      stream.on('close', () => resolve({ stdout, stderr, code }));
    });
  });
}

/** An interactive pty shell whose output can be awaited. */
class Shell {
  private output = '';
  private readonly waiters = new Set<() => void>();
  private constructor(readonly stream: ClientChannel) {
    stream.on('data', (d: Buffer) => {
      this.output += d.toString();
      for (const wake of this.waiters) wake();
    });
  }

  static open(client: Connected['client'], cols = 80, rows = 24): Promise<Shell> {
    return new Promise((resolve, reject) => {
      client.shell({ term: 'xterm-256color', cols, rows }, (err, stream) =>
        err ? reject(err) : resolve(new Shell(stream)),
      );
    });
  }

  /**
   * Runs `echo "<tag>$((1+1))<tag> <expr>"`: the echoed command line shows `$((1+1))`, only real
   * output shows `<tag>2<tag>`, so prompt and echo never match by accident.
   */
  async eval(tag: string, expr: string, timeoutMs = 5000): Promise<string> {
    this.stream.write(`echo "${tag}$((1+1))${tag} ${expr}"\n`);
    const pattern = new RegExp(`${tag}2${tag} ([^\\r\\n]*)\\r?\\n`);
    return (await this.waitFor(pattern, timeoutMs))[1];
  }

  waitFor(pattern: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.output.match(pattern);
        if (!match) return;
        done();
        resolve(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${pattern}; output so far:\n${this.output}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

function refused(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Running, i.e. neither gone nor a zombie waiting for a parent that does not reap. */
async function running(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Closes a busy pty shell's channel, as a dropped terminal tab does; the shell must go. */
async function hangUpEndsShell(client: Connected['client']): Promise<void> {
  const shell = await Shell.open(client);
  const pid = Number(await shell.eval('P', '$$'));
  assert.ok(await running(pid), 'the shell runs');
  // Busy in the foreground, so neither an EOF nor a polite signal would end it.
  shell.stream.write('sleep 30\n');
  await shell.waitFor(/sleep 30\r?\n/);
  await new Promise((resolve) => setTimeout(resolve, 200));
  shell.stream.close();
  const deadline = Date.now() + 3000;
  while (await running(pid)) {
    assert.ok(Date.now() < deadline, `the hung-up shell ${pid} is still running`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An agent that offers the authorized public key but cannot sign with it. */
class ForgingAgent extends BaseAgent<ParsedKey> {
  constructor(private readonly key: ParsedKey) {
    super();
  }
  getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
    cb(undefined, [this.key]);
  }
  sign(_key: ParsedKey, _data: Buffer, ...rest: unknown[]): void {
    const cb = rest[rest.length - 1] as (err: Error | undefined, signature?: Buffer) => void;
    cb(undefined, Buffer.alloc(64, 7));
  }
}

describe('LocalSandboxProvider', () => {
  let dataDir: string;
  let appKey: AppKey;
  let provider: LocalSandboxProvider;
  const logs: string[] = [];
  const hostKeys = new Map<string, Buffer>();
  const open: Connected[] = [];
  const leftovers: number[] = [];

  const port = (id: string) => {
    const instance = provider.listInstances().find((i) => i.id === id);
    assert.ok(instance, `instance ${id}`);
    return instance.port;
  };
  const sessionsOf = (id: string) =>
    provider.listInstances().find((i) => i.id === id)?.sessions[provider.user] ?? 0;
  const signIn = async (id: string) => {
    const connected = await connect(port(id), {
      username: provider.user,
      privateKey: appKey.privateKey,
    });
    open.push(connected);
    return connected;
  };

  before(async () => {
    dataDir = await mkdtemp(join(os.tmpdir(), 'dsvm-pool-local-'));
    appKey = await ensureAppKey(dataDir);
    provider = new LocalSandboxProvider({
      dataDir,
      authorizedKey: appKey.publicKey,
      privateKey: appKey.privateKey,
      log: (line) => logs.push(line),
    });
    await provider.start();
  });

  after(async () => {
    for (const { client } of open) client.end();
    await provider.dispose();
    for (const pid of leftovers) if (await running(pid)) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  test('starts two running instances on loopback, each with its own persisted host key', async () => {
    const instances = provider.listInstances();
    assert.deepEqual(
      instances.map(({ id, name, state, host }) => ({ id, name, state, host })),
      [
        { id: 'local-0', name: 'local-0', state: 'running', host: '127.0.0.1' },
        { id: 'local-1', name: 'local-1', state: 'running', host: '127.0.0.1' },
      ],
    );
    assert.notEqual(instances[0].port, instances[1].port);
    assert.equal(provider.kind, 'local');
    assert.match(provider.description, /^Local sandbox/);
    assert.equal(provider.user, os.userInfo().username);

    for (const { id } of instances) {
      const { hostKey } = await signIn(id);
      hostKeys.set(id, hostKey);
      const keyPath = join(dataDir, 'local-pool', 'instances', id, 'ssh_host_ed25519_key');
      assert.equal((await stat(keyPath)).mode & 0o777, 0o600);
      const parsed = utils.parseKey(await readFile(keyPath, 'utf8'));
      assert.ok(!(parsed instanceof Error));
      assert.ok(parsed.getPublicSSH().equals(hostKey), `${id} serves its stored key`);
      assert.equal(parsed.type, 'ssh-ed25519');
    }
    assert.ok(!hostKeys.get('local-0')!.equals(hostKeys.get('local-1')!), 'distinct host keys');

    const target = await provider.connectTarget('local-1');
    assert.deepEqual(target, {
      host: '127.0.0.1',
      port: instances[1].port,
      username: provider.user,
      // Trust follows the instance (its key is kept across starts), not its port.
      hostKeyId: 'instance/local-1',
      privateKey: appKey.privateKey,
    });
    await assert.rejects(provider.connectTarget('local-9'), { code: 'E_NOT_FOUND' });
  });

  test('listens on 127.0.0.1 only, not on the computer’s other addresses', async (t) => {
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!lan) return t.diagnostic('no non-loopback IPv4 address here to check against');
    assert.equal(await refused(port('local-0'), lan.address), true);
  });

  test('accepts only the app key, only for the configured user, only with a valid signature', async () => {
    const other = ssh2Ed25519({ comment: 'intruder' });
    await assert.rejects(
      connect(port('local-0'), { username: provider.user, privateKey: other.private }),
      { level: 'client-authentication' },
    );
    await assert.rejects(
      connect(port('local-0'), { username: `not-${provider.user}`, privateKey: appKey.privateKey }),
      { level: 'client-authentication' },
    );
    const publicOnly = utils.parseKey(appKey.publicKey);
    assert.ok(!(publicOnly instanceof Error));
    await assert.rejects(
      connect(port('local-0'), { username: provider.user, agent: new ForgingAgent(publicOnly) }),
      { level: 'client-authentication' },
    );
    // And the right key still works (on the other instance too).
    const ok = await connect(port('local-1'), {
      username: provider.user,
      privateKey: appKey.privateKey,
    });
    ok.client.end();
  });

  test('a pty shell: tty, home, the share link seen from both instances, resize, session count', async () => {
    await until('no sessions are left from earlier tests', () => {
      for (const c of open.splice(0)) c.client.end();
      return sessionsOf('local-0') === 0 && sessionsOf('local-1') === 0;
    });
    const a = await signIn('local-0');
    await until('local-0 counts the session', () => sessionsOf('local-0') === 1);
    assert.equal(sessionsOf('local-1'), 0);

    const shell = await Shell.open(a.client, 100, 30);
    assert.match(await shell.eval('T', '$(tty)'), /^\/dev\/pts\/\d+$/);
    const home = join(dataDir, 'local-pool', 'instances', 'local-0', 'home');
    assert.equal(await shell.eval('H', '$HOME'), home);
    assert.equal(await shell.eval('P', '$PWD'), home);
    assert.equal(
      await shell.eval('I', '$DSVM_POOL_INSTANCE $USER $TERM'),
      `local-0 ${provider.user} xterm-256color`,
    );
    const share = join(dataDir, 'local-pool', 'share', 'notebooks', provider.user);
    assert.equal(await shell.eval('L', '$(readlink ~/notebooks/remote)'), share);
    assert.equal(provider.ptyBackend, 'node-pty');

    assert.equal(await shell.eval('S', '$(stty size)'), '30 100');
    shell.stream.setWindow(40, 120, 0, 0);
    assert.equal(await shell.eval('R', '$(stty size)'), '40 120');

    shell.stream.write('echo written-on-local-0 > ~/notebooks/remote/probe.txt\n');
    assert.equal(
      await shell.eval('W', '$(cat ~/notebooks/remote/probe.txt)'),
      'written-on-local-0',
    );
    const b = await signIn('local-1');
    const seen = await exec(b.client, 'cat ~/notebooks/remote/probe.txt; echo "$HOME"');
    assert.equal(
      seen.stdout,
      `written-on-local-0\n${join(dataDir, 'local-pool', 'instances', 'local-1', 'home')}\n`,
    );
    await until('local-1 counts its session', () => sessionsOf('local-1') === 1);

    // Leaving the shell closes the channel with its exit status.
    const closed = new Promise<number>((resolve) => shell.stream.on('exit', resolve));
    shell.stream.write('exit 7\n');
    assert.equal(await closed, 7);
    // Closing the channel instead hangs the shell up.
    await hangUpEndsShell(a.client);

    a.client.end();
    b.client.end();
    await until(
      'the sessions are counted down',
      () => sessionsOf('local-0') + sessionsOf('local-1') === 0,
    );
  });

  test('exec: stdout, stderr and exit status, in the home folder, without a pty', async () => {
    const { client } = await signIn('local-0');
    assert.deepEqual(await exec(client, 'echo hi; exit 4'), {
      stdout: 'hi\n',
      stderr: '',
      code: 4,
    });
    const where = await exec(client, 'pwd; echo oops >&2; tty');
    assert.equal(where.code, 1, 'no pty: `tty` fails');
    assert.equal(
      where.stdout,
      `${join(dataDir, 'local-pool', 'instances', 'local-0', 'home')}\nnot a tty\n`,
    );
    assert.equal(where.stderr, 'oops\n');
    client.end();
  });

  test('direct-tcpip reaches loopback services only', async () => {
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoPort = (echo.address() as net.AddressInfo).port;
    try {
      const { client } = await signIn('local-1');
      const stream = await new Promise<ClientChannel>((resolve, reject) =>
        client.forwardOut('127.0.0.1', 0, '127.0.0.1', echoPort, (err, s) =>
          err ? reject(err) : resolve(s),
        ),
      );
      const back = new Promise<string>((resolve) =>
        stream.once('data', (d: Buffer) => resolve(d.toString())),
      );
      stream.write('ping through the tunnel');
      assert.equal(await back, 'ping through the tunnel');
      stream.end();

      for (const host of ['192.0.2.1', '10.0.0.1', 'example.com']) {
        await assert.rejects(
          new Promise((resolve, reject) =>
            client.forwardOut('127.0.0.1', 0, host, 80, (err, s) =>
              err ? reject(err) : resolve(s),
            ),
          ),
          /open failure|rejected|prohibited/i,
          host,
        );
      }
      assert.ok(logs.some((line) => line.includes('refused a tunnel to "192.0.2.1"')));
      client.end();
    } finally {
      echo.close();
    }
  });

  test('stopInstance closes the server and its connections; startInstance brings it back', async () => {
    const before = port('local-1');
    const { client } = await signIn('local-1');
    const dropped = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const states: string[] = [];
    const sub = provider.onDidChangeInstances(() => {
      const state = provider.listInstances()[1].state;
      if (states.at(-1) !== state) states.push(state);
    });
    await provider.stopInstance('local-1');
    await dropped;
    assert.equal(provider.listInstances()[1].state, 'stopped');
    assert.equal(provider.listInstances()[0].state, 'running');
    assert.equal(await refused(before), true);
    await assert.rejects(provider.connectTarget('local-1'), { code: 'E_NO_INSTANCE' });

    await provider.startInstance('local-1');
    sub.dispose();
    assert.deepEqual(states, ['stopping', 'stopped', 'starting', 'running']);
    assert.equal(port('local-1'), before, 'the same port, as it was still free');
    const again = await signIn('local-1');
    assert.ok(again.hostKey.equals(hostKeys.get('local-1')!), 'the same host key');
    again.client.end();
  });

  test('startInstance takes a new port when the old one was taken meanwhile', async () => {
    const old = port('local-1');
    await provider.stopInstance('local-1');
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(old, '127.0.0.1', resolve));
    try {
      await provider.startInstance('local-1');
      assert.equal(provider.listInstances()[1].state, 'running');
      assert.notEqual(port('local-1'), old);
      const again = await signIn('local-1');
      assert.ok(again.hostKey.equals(hostKeys.get('local-1')!), 'the same host key');
      again.client.end();
    } finally {
      squatter.close();
    }
  });

  test('dispose stops every server, connection and process', async () => {
    const ports = provider.listInstances().map((i) => i.port);
    const { client } = await signIn('local-0');
    const shell = await Shell.open(client);
    const shellPid = Number(await shell.eval('D', '$$'));
    const job = await exec(client, 'nohup sleep 300 >/dev/null 2>&1 & echo $!');
    const jobPid = Number(job.stdout.trim());
    leftovers.push(shellPid, jobPid);
    assert.ok(await running(shellPid), 'the shell runs');
    assert.ok(await running(jobPid), 'the background job runs');
    const tmux = await exec(
      client,
      'command -v tmux && tmux new -d -s t sleep 300 && tmux display -p "#{pid} $TMUX_TMPDIR"',
    );
    const [tmuxPid, tmuxDir] = tmux.code === 0 ? tmux.stdout.trim().split('\n')[1].split(' ') : [];
    if (tmuxPid) {
      leftovers.push(Number(tmuxPid));
      assert.ok(await running(Number(tmuxPid)), 'the tmux server runs');
      const other = await signIn('local-1');
      const ls = await exec(other.client, 'tmux ls');
      assert.notEqual(ls.code, 0, `local-1 does not see local-0's tmux: ${ls.stdout}`);
    }

    await provider.dispose();
    for (const p of ports) assert.equal(await refused(p), true, `port ${p} is closed`);
    assert.equal(await running(shellPid), false, 'the pty shell is gone');
    assert.equal(await running(jobPid), false, 'the background job is gone');
    if (tmuxPid) {
      assert.equal(await running(Number(tmuxPid)), false, 'the tmux server is gone');
      await assert.rejects(stat(tmuxDir), { code: 'ENOENT' }, 'its socket folder is gone');
    }
    assert.ok(provider.listInstances().every((i) => i.state === 'stopped'));
    await provider.dispose(); // idempotent
  });

  test('a new provider on the same data folder keeps host keys and repairs the share link', async () => {
    const home0 = join(dataDir, 'local-pool', 'instances', 'local-0', 'home');
    const home1 = join(dataDir, 'local-pool', 'instances', 'local-1', 'home');
    const share = join(dataDir, 'local-pool', 'share', 'notebooks', provider.user);
    // local-0: a wrong link; local-1: a real folder with someone's work in the way.
    await rm(join(home0, 'notebooks', 'remote'));
    await symlink('/nonexistent', join(home0, 'notebooks', 'remote'));
    await rm(join(home1, 'notebooks', 'remote'));
    await mkdir(join(home1, 'notebooks', 'remote'));
    await writeFile(join(home1, 'notebooks', 'remote', 'work.ipynb'), '{}');
    await writeFile(join(share, 'kept.txt'), 'shared work');

    const second = new LocalSandboxProvider({
      dataDir,
      authorizedKey: appKey.publicKey,
      log: (line) => logs.push(line),
    });
    try {
      await second.start();
      for (const instance of second.listInstances()) {
        const { client, hostKey } = await connect(instance.port, {
          username: second.user,
          privateKey: appKey.privateKey,
        });
        client.end();
        assert.ok(hostKey.equals(hostKeys.get(instance.id)!), `${instance.id} kept its host key`);
      }
      assert.equal(await readlink(join(home0, 'notebooks', 'remote')), share);
      assert.equal(await readlink(join(home1, 'notebooks', 'remote')), share);
      assert.equal(
        await readFile(join(home0, 'notebooks', 'remote', 'kept.txt'), 'utf8'),
        'shared work',
        'no nested link: the share is reached directly and intact',
      );
      const moved = logs.find((line) => line.includes('moved') && line.includes(home1));
      assert.ok(moved, 'the folder in the way was moved aside');
      const aside = moved.match(/aside to (\S+) /)![1];
      assert.equal(await readFile(join(aside, 'work.ipynb'), 'utf8'), '{}');
      assert.deepEqual(await second.connectTarget('local-0').then((t) => t.privateKey), undefined);
    } finally {
      await second.dispose();
    }
  });
});

describe('LocalSandboxProvider without node-pty', () => {
  test('falls back once, with a warning, to `script` for a real pty', async () => {
    const dataDir = await mkdtemp(join(os.tmpdir(), 'dsvm-pool-local-script-'));
    const key = await ensureAppKey(dataDir);
    const logs: string[] = [];
    let loads = 0;
    const provider = new LocalSandboxProvider({
      dataDir,
      instanceCount: 1,
      authorizedKey: key.publicKey,
      log: (line) => logs.push(line),
      loadNodePty: () => {
        loads++;
        return Promise.reject(new Error('was compiled against a different Node.js version'));
      },
    });
    try {
      await provider.start();
      assert.equal(provider.ptyBackend, undefined, 'nothing loaded before a terminal needs it');
      const { client } = await connect(provider.listInstances()[0].port, {
        username: provider.user,
        privateKey: key.privateKey,
      });
      for (let i = 0; i < 2; i++) {
        const shell = await Shell.open(client, 90, 20);
        assert.match(await shell.eval('T', '$(tty)'), /^\/dev\/pts\/\d+$/);
        assert.equal(await shell.eval('S', '$(stty size)'), '20 90');
        assert.equal(
          await shell.eval('H', '$HOME $SHELL'),
          `${join(dataDir, 'local-pool', 'instances', 'local-0', 'home')} ${process.env.SHELL || '/bin/bash'}`,
        );
        const exited = new Promise<number>((resolve) => shell.stream.on('exit', resolve));
        shell.stream.write('exit 3\n');
        assert.equal(await exited, 3);
      }
      await hangUpEndsShell(client);
      client.end();
      assert.equal(provider.ptyBackend, 'script');
      assert.equal(loads, 1);
      const warnings = logs.filter((line) => line.includes('node-pty could not be loaded'));
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0],
        /different Node\.js version.*"script".*cannot follow window resizes/,
      );
    } finally {
      await provider.dispose();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
