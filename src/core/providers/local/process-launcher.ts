// Runs sandbox commands on SSH channels: piped, or in a pty from node-pty (lazy) or script(1).
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import type { PseudoTtyInfo, ServerChannel } from 'ssh2';
import type { spawn as spawnNodePty } from 'node-pty';

/** The part of node-pty the sandbox uses; a loader can be injected to test the fallback. */
export interface NodePtyModule {
  spawn: typeof spawnNodePty;
}

export type PtyBackend = 'node-pty' | 'script';

/** A command running for one SSH session channel, whatever runs it. */
export interface SessionProcess {
  /** Settles once the process has exited and its output went to the channel. */
  readonly exited: Promise<void>;
  resize(cols: number, rows: number): void;
  /** Forwards a client's signal request; false when it cannot. */
  signal(name: string): boolean;
  /** Ends it for good: the client hung up a pty, or the instance is stopping. */
  kill(): void;
}

export interface LaunchOptions {
  cwd: string;
  env: Record<string, string>;
  channel: ServerChannel;
  /** The terminal the client asked for; none runs the command on plain pipes. */
  pty?: PseudoTtyInfo;
}

const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;
/** Signals a client may send to its command (RFC 4254 §6.9 names, without `SIG`). */
const FORWARDED_SIGNALS = new Set(['HUP', 'INT', 'QUIT', 'TERM', 'KILL', 'USR1', 'USR2']);

/** Starts session commands, loading node-pty the first time one needs a pty. */
export class ProcessLauncher {
  private loading?: Promise<void>;
  private spawnPty?: NodePtyModule['spawn'];
  private loaded?: PtyBackend;

  constructor(
    private readonly log: (line: string) => void,
    private readonly loadNodePty: () => Promise<NodePtyModule> = () =>
      import('node-pty') as Promise<NodePtyModule>,
  ) {}

  /** Which pty implementation terminals use; undefined until the first terminal needs one. */
  get backend(): PtyBackend | undefined {
    return this.loaded;
  }

  /** Settles (never rejects) once pty commands can start, in node-pty or else in `script`. */
  loadPty(): Promise<void> {
    // Loaded on first need only: it is native, and the app must start even where it is broken.
    this.loading ??= this.loadNodePty()
      .then((mod) => {
        const spawn =
          typeof mod.spawn === 'function'
            ? mod.spawn
            : (mod as { default?: NodePtyModule }).default?.spawn;
        if (typeof spawn !== 'function') throw new Error('node-pty has no spawn()');
        this.spawnPty = spawn;
        this.loaded = 'node-pty';
      })
      .catch((err: unknown) => {
        const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
        this.log(
          `local sandbox: node-pty could not be loaded (${reason}); terminals use the ` +
            `"script" command instead, which cannot follow window resizes.`,
        );
        this.loaded = 'script';
      });
    return this.loading;
  }

  /** Starts `file args` on the channel; with a pty, only after `loadPty()` has settled. Throws
   *  when it cannot start at all. */
  start(file: string, args: string[], options: LaunchOptions): SessionProcess {
    const { pty, ...piped } = options;
    if (!pty) return runPiped(file, args, piped);
    if (this.spawnPty) return runNodePty(this.spawnPty, file, args, piped, pty);
    return runScript(file, args, piped, pty);
  }
}

/** Reports how a process ended on the channel (status or signal), then closes the channel. */
export function finishChannel(
  channel: ServerChannel,
  code: number | null,
  signal: string | null,
): void {
  try {
    if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
    else channel.exit(code ?? 0);
  } catch {
    // A signal SSH has no name for: report it the way shells do.
    channel.exit(128 + ((signal && os.constants.signals[signal as NodeJS.Signals]) || 0));
  }
  if (!channel.destroyed && !channel.writableEnded) channel.end();
}

/** The window size a pty starts at: the client's, or 80x24 where it gave none. */
export function ptySize(pty: PseudoTtyInfo): { cols: number; rows: number } {
  return { cols: pty.cols || DEFAULT_COLS, rows: pty.rows || DEFAULT_ROWS };
}

type PipedOptions = Omit<LaunchOptions, 'pty'>;

/** A command without a pty: stdout, stderr and the exit status go to the channel. */
function runPiped(
  file: string,
  args: string[],
  { cwd, env, channel }: PipedOptions,
  { hangUp }: { hangUp?: NodeJS.Signals } = {},
): SessionProcess {
  // Its own process group, so stopping the instance can end its background jobs too.
  const child = spawn(file, args, { cwd, env, stdio: 'pipe', detached: true });
  let done = false;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      channel.stderr.write(`dsvm-pool sandbox: cannot run ${file}: ${err.message}\n`);
      if (!done) finishChannel(channel, 127, null);
      done = true;
      resolve();
    });
    child.once('close', (code, signal) => {
      if (!done) finishChannel(channel, code, signal);
      done = true;
      resolve();
    });
  });
  child.stdin.on('error', () => {});
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  channel.pipe(child.stdin);
  channel.once('close', () => {
    done = true;
    // A terminal hangs up when its client goes. Without one, OpenSSH does not kill the
    // command, its pipes just close (so `nohup jupyter … &` outlives the exec that started it).
    if (hangUp) killGroup(child, hangUp);
    child.stdout.destroy();
    child.stderr.destroy();
    child.stdin.destroy();
  });
  return {
    exited,
    resize: () => {},
    signal: (name) => {
      const sig = signalName(name);
      return sig !== undefined && child.exitCode === null && child.kill(sig);
    },
    kill: () => killGroup(child, hangUp ?? 'SIGTERM'),
  };
}

function runNodePty(
  spawnPty: NodePtyModule['spawn'],
  file: string,
  args: string[],
  { cwd, env, channel }: PipedOptions,
  pty: PseudoTtyInfo,
): SessionProcess {
  const term = spawnPty(file, args, {
    name: pty.term || 'xterm-256color',
    ...ptySize(pty),
    cwd,
    env,
    // Bytes, not strings: output is passed on untouched, whatever its encoding.
    encoding: null,
  });
  let open = true;
  let paused = false;
  let alive = true;
  term.onData((data: string | Buffer) => {
    if (!open) return;
    // Flow control: a slow client pauses the pty instead of buffering without limit.
    if (!channel.write(data) && !paused) {
      paused = true;
      term.pause();
      channel.once('drain', () => {
        paused = false;
        term.resume();
      });
    }
  });
  channel.on('data', (data: Buffer) => {
    if (alive) term.write(data);
  });
  const kill = () => {
    if (!alive) return;
    try {
      // SIGHUP, as a dropped SSH connection gives a shell.
      term.kill('SIGHUP');
    } catch {
      // Already gone.
    }
  };
  channel.once('close', () => {
    open = false;
    kill();
  });
  const exited = new Promise<void>((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      alive = false;
      const name = signal ? signalNameOf(signal) : null;
      if (open) finishChannel(channel, exitCode, name);
      resolve();
    });
  });
  return {
    exited,
    resize: (cols, rows) => {
      if (alive && cols > 0 && rows > 0) term.resize(cols, rows);
    },
    signal: (name) => {
      const sig = signalName(name);
      if (!sig || !alive) return false;
      term.kill(sig);
      return true;
    },
    kill,
  };
}

/** The fallback pty: util-linux/BSD `script` runs the command in a pty it owns. */
function runScript(
  file: string,
  args: string[],
  { cwd, env, channel }: PipedOptions,
  pty: PseudoTtyInfo,
): SessionProcess {
  // script's pty starts at 0x0 when its input is not a terminal; set the requested size first.
  const { cols, rows } = ptySize(pty);
  const inner =
    `stty cols ${cols} rows ${rows} 2>/dev/null; export SHELL=${shQuote(env.SHELL)}; ` +
    `exec ${[file, ...args].map(shQuote).join(' ')}`;
  const scriptArgs =
    process.platform === 'darwin'
      ? ['-q', '/dev/null', '/bin/sh', '-c', inner]
      : ['-qfec', inner, '/dev/null'];
  // util-linux script runs `-c` through $SHELL, which must be a POSIX shell for `inner`.
  const scriptEnv = { ...env, TERM: pty.term || 'xterm-256color', SHELL: '/bin/sh' };
  // script passes SIGHUP and SIGTERM on to the shell, which ignores them while interactive,
  // so a hang-up would leave both running. Killing script closes the pty master instead: the
  // kernel then hangs up the shell's terminal, exactly what sshd's closing of a pty does.
  return runPiped('script', scriptArgs, { cwd, env: scriptEnv, channel }, { hangUp: 'SIGKILL' });
}

function signalName(name: string): NodeJS.Signals | undefined {
  const bare = name.toUpperCase().replace(/^SIG/, '');
  return FORWARDED_SIGNALS.has(bare) ? (`SIG${bare}` as NodeJS.Signals) : undefined;
}

function signalNameOf(signal: number): string | null {
  const entry = Object.entries(os.constants.signals).find(([, value]) => value === signal);
  return entry ? entry[0] : null;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
