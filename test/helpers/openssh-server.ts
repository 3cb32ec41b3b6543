// Starts a real OpenSSH server (Debian's /usr/sbin/sshd) on loopback for tests, with throwaway keys
// and its own config in a temp folder; never the system sshd or its config.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';
/** Who logs in when the tests run as root (sshd refuses nothing to root, but tests should not be root on the "VM"). */
export const TEST_USER = 'dsvmpool-test';

export interface OpenSshServerOptions {
  /** Extra sshd_config lines, appended last. */
  extraConfig?: string[];
  /** How long to wait for the SSH banner (default 10 s). */
  startTimeoutMs?: number;
}

export interface OpenSshServer {
  host: '127.0.0.1';
  port: number;
  username: string;
  /** OpenSSH text of the ed25519 client key that is in authorized_keys. */
  privateKey: string;
  /** The server's current host key as a raw blob (what ssh2's hostVerifier receives). */
  readonly hostKeyPublic: Buffer;
  /** Stops sshd, makes a new host key, and starts again on the same port (a "rebuilt VM"). */
  restartWithNewHostKey(): Promise<void>;
  /** Kills sshd and removes the temp folder. */
  stop(): Promise<void>;
}

export async function startOpenSshServer(
  options: OpenSshServerOptions = {},
): Promise<OpenSshServer> {
  const isRoot = process.getuid?.() === 0;
  const username = isRoot ? await ensureTestUser() : userInfo().username;
  if (isRoot) {
    // sshd's privilege separation needs this folder when it runs as root.
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  }

  const dir = await mkdtemp(join(tmpdir(), 'dsvmpool-sshd-'));
  try {
    // The test user's session must read authorized_keys inside this root-owned folder.
    if (isRoot) await chmod(dir, 0o755);
    const hostKeyFile = join(dir, 'host_ed25519_key');
    const clientKeyFile = join(dir, 'client_ed25519_key');
    const authorizedKeys = join(dir, 'authorized_keys');
    const configFile = join(dir, 'sshd_config');
    await keygen(hostKeyFile, 'dsvmpool-test-host');
    await keygen(clientKeyFile, 'dsvmpool-test-client');
    await writeFile(authorizedKeys, await readFile(`${clientKeyFile}.pub`));
    await chmod(authorizedKeys, 0o644);
    const privateKey = await readFile(clientKeyFile, 'utf8');
    let hostKeyPublic = await readPublicBlob(`${hostKeyFile}.pub`);

    const port = await freePort();
    const config = [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKeyFile}`,
      'PidFile none',
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PermitRootLogin prohibit-password',
      'LogLevel ERROR',
      'Subsystem sftp internal-sftp',
      ...(options.extraConfig ?? []),
    ];
    await writeFile(configFile, `${config.join('\n')}\n`);

    const timeoutMs = options.startTimeoutMs ?? 10_000;
    let sshd = await startSshd(configFile, port, timeoutMs);

    return {
      host: '127.0.0.1',
      port,
      username,
      privateKey,
      get hostKeyPublic() {
        return hostKeyPublic;
      },
      async restartWithNewHostKey() {
        await stopProcess(sshd);
        await rm(hostKeyFile, { force: true });
        await rm(`${hostKeyFile}.pub`, { force: true });
        await keygen(hostKeyFile, 'dsvmpool-test-host-rebuilt');
        hostKeyPublic = await readPublicBlob(`${hostKeyFile}.pub`);
        sshd = await startSshd(configFile, port, timeoutMs);
      },
      async stop() {
        await stopProcess(sshd);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Creates the test user once. Test files run in parallel processes, so tolerate a race. */
async function ensureTestUser(): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      if (!(await userExists(TEST_USER))) {
        // `-p '*'`: no usable password but not "locked" ('!'), which sshd without PAM refuses
        // even for key logins.
        await run('useradd', ['-m', '-s', '/bin/bash', '-p', '*', TEST_USER]);
      } else if ((await run('passwd', ['-S', TEST_USER])).stdout.split(' ')[1] === 'L') {
        await run('usermod', ['-p', '*', TEST_USER]);
      }
      return TEST_USER;
    } catch (err) {
      // Another test process may hold /etc/passwd's lock or have just created the user.
      if (attempt >= 10)
        throw new Error(`Cannot set up the test user ${TEST_USER}: ${String(err)}`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function userExists(name: string): Promise<boolean> {
  try {
    await run('id', ['-u', name]);
    return true;
  } catch {
    return false;
  }
}

async function keygen(file: string, comment: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** `ssh-ed25519 AAAA… comment` → the decoded blob. */
async function readPublicBlob(file: string): Promise<Buffer> {
  const [, base64] = (await readFile(file, 'utf8')).trim().split(/\s+/);
  if (!base64) throw new Error(`Unexpected public key file ${file}`);
  return Buffer.from(base64, 'base64');
}

/** A port that was free a moment ago (bind to 0, read it, close). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startSshd(
  configFile: string,
  port: number,
  timeoutMs: number,
): Promise<ChildProcess> {
  const child = spawn(SSHD, ['-D', '-e', '-f', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `code ${code}`;
  });
  child.once('error', (err) => {
    exited = err.message;
  });

  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no attempt yet';
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    try {
      await readBanner(port);
      return child;
    } catch (err) {
      lastProblem = (err as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await stopProcess(child);
  const why =
    exited !== undefined
      ? `sshd exited (${exited})`
      : `no SSH banner within ${timeoutMs} ms (${lastProblem})`;
  throw new Error(
    `The test sshd on 127.0.0.1:${port} did not start: ${why}. sshd said:\n${stderr || '(nothing)'}`,
  );
}

/** Connects and resolves once the server's `SSH-2.0-…` line arrives. */
function readBanner(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => done(new Error('connected, but no banner')), 1_000);
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.startsWith('SSH-')) done();
    });
    socket.once('error', (err) => done(err));
    socket.once('close', () => done(new Error('closed before the banner')));
  });
}

/** Ends sshd by its pid and waits for it; SIGKILL if it lingers. */
async function stopProcess(child: ChildProcess): Promise<void> {
  // No pid: spawn itself failed, so there is nothing to end.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
