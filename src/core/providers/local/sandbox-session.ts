// What a signed-in client may do on a sandbox instance: shell/exec sessions and loopback tunnels.
import net from 'node:net';
import type { Connection, PseudoTtyInfo, ServerChannel, Session, TcpipRequestInfo } from 'ssh2';
import {
  finishChannel,
  ptySize,
  type ProcessLauncher,
  type SessionProcess,
} from './process-launcher';

/** What sessions need from the instance they run on. */
export interface SessionHost {
  /** Where commands start: the instance's home. */
  readonly home: string;
  /** The login shell a `shell` request runs. */
  readonly shell: string;
  readonly launcher: ProcessLauncher;
  /** The environment of a command; `term` is the client's terminal type, if it asked for a pty. */
  environment(term: string | undefined): Record<string, string>;
  /** Keeps a running command until it exits, so stopping the instance can end it. */
  addProcess(proc: SessionProcess): void;
  /** Keeps a socket until it closes, so stopping the instance can destroy it. */
  addSocket(socket: net.Socket): void;
  /** A diagnostic line about the instance (never secrets). */
  log(message: string): void;
}

/** Serves a signed-in client's session channels and direct-tcpip tunnels, as a VM's sshd would. */
export function serveSessions(client: Connection, host: SessionHost): void {
  client.on('session', (accept) => onSession(host, accept()));
  client.on('tcpip', (accept, reject, info) => onDirectTcpip(host, accept, reject, info));
}

function onSession(host: SessionHost, session: Session | undefined): void {
  if (!session) return;
  let pty: PseudoTtyInfo | undefined;
  let proc: SessionProcess | undefined;
  let started = false;

  session.on('pty', (accept, reject, info) => {
    if (started) return reject?.();
    pty = { ...info };
    accept?.();
  });
  session.on('window-change', (accept, _reject, info) => {
    // Kept even before the process runs, so a shell still loading starts at the right size.
    if (pty) {
      pty.cols = info.cols;
      pty.rows = info.rows;
    }
    proc?.resize(info.cols, info.rows);
    accept?.();
  });
  // Client-chosen variables (LD_PRELOAD, PATH…) must not reach the shell: refuse them all.
  session.on('env', (_accept, reject) => reject?.());
  session.on('signal', (accept, reject, info) => {
    if (proc?.signal(info.name)) accept?.();
    else reject?.();
  });
  const run = (
    accept: () => ServerChannel | undefined,
    reject: (() => void) | undefined,
    command: string | undefined,
  ) => {
    if (started) return reject?.();
    started = true;
    runCommand(host, accept, command, pty).then(
      (running) => {
        proc = running;
        if (proc && pty) {
          const { cols, rows } = ptySize(pty);
          proc.resize(cols, rows);
        }
      },
      (err: Error) => {
        host.log(`session failed: ${err.message}`);
        reject?.();
      },
    );
  };
  session.on('shell', (accept, reject) => run(accept, reject, undefined));
  session.on('exec', (accept, reject, info) => run(accept, reject, info.command));
}

/** Runs a login shell (no command) or `sh -c command`, in a pty when the client asked for one. */
async function runCommand(
  host: SessionHost,
  accept: () => ServerChannel | undefined,
  command: string | undefined,
  pty: PseudoTtyInfo | undefined,
): Promise<SessionProcess | undefined> {
  const file = command === undefined ? host.shell : '/bin/sh';
  const args = command === undefined ? ['-l'] : ['-c', command];
  const env = host.environment(pty?.term);
  if (pty) await host.launcher.loadPty();
  // accept() gives nothing when the client closed the session while node-pty was loading.
  const channel = accept();
  if (!channel) return undefined;
  channel.on('error', () => {});
  let proc: SessionProcess;
  try {
    proc = host.launcher.start(file, args, { cwd: host.home, env, channel, pty });
  } catch (err) {
    // Already accepted, so the client learns it on the channel, as sshd would tell it.
    const message = err instanceof Error ? err.message : String(err);
    host.log(`cannot start ${file}: ${message}`);
    channel.stderr.write(`dsvm-pool sandbox: cannot start ${file}: ${message}\r\n`);
    finishChannel(channel, 127, null);
    return undefined;
  }
  host.addProcess(proc);
  return proc;
}

function onDirectTcpip(
  host: SessionHost,
  accept: () => ServerChannel | undefined,
  reject: () => void,
  info: TcpipRequestInfo,
): void {
  // Like a VM's sshd with forwarding limited to localhost: tunnels reach the instance's own
  // services (Jupyter), never the user's network through the sandbox.
  if (!isLoopback(info.destIP)) {
    host.log(`refused a tunnel to ${JSON.stringify(info.destIP)}:${info.destPort} (only loopback)`);
    return reject();
  }
  const upstream = net.connect({ host: info.destIP, port: info.destPort });
  host.addSocket(upstream);
  upstream.once('error', () => reject());
  upstream.once('connect', () => {
    const channel = accept();
    if (!channel) return void upstream.destroy();
    upstream.setNoDelay(true);
    upstream.removeAllListeners('error');
    // Normal ends travel through the pipes (so buffered data still arrives); only a broken
    // side tears the other down.
    upstream.on('error', () => channel.destroy());
    channel.on('error', () => upstream.destroy());
    channel.once('close', () => upstream.destroy());
    channel.pipe(upstream).pipe(channel);
  });
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return net.isIPv4(v4) && v4.startsWith('127.');
}
