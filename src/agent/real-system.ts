// The AgentSystem of a real VM: execFile (no shell), lchown, the user's own privileges for home
// changes, journald-friendly logs on stderr. Kept thin: the logic lives elsewhere and is tested.
import { spawn } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { lchown } from 'node:fs/promises';
import { cpus, hostname, loadavg } from 'node:os';
import type { AgentSystem, CommandResult, Logger, PasswdEntry, RunOptions } from './agent-system';
import type { HomeOp, HomeOpsResult } from './home-ops';
import { runHomeOps, timestampSuffix } from './home-ops';

/** The PATH commands run with: the system's own tools, never a user's. */
export const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Logs on stderr. Under systemd (JOURNAL_STREAM set) each line starts with its syslog priority
 * (`<3>` error, `<4>` warning, `<6>` info) so journald files it at the right level.
 */
export function stderrLogger(): Logger {
  const journal = process.env.JOURNAL_STREAM !== undefined;
  const line = (priority: number, label: string, message: string) =>
    process.stderr.write(
      journal ? `<${priority}>${message}\n` : `dsvm-pool-agent: ${label}${message}\n`,
    );
  return {
    info: (message) => line(6, '', message),
    warn: (message) => line(4, 'warning: ', message),
    error: (message) => line(3, 'error: ', message),
  };
}

/** Runs argv with a clean environment; resolves with the exit code, never rejects. */
export function runCommand(
  argv: readonly string[],
  options: RunOptions & { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    const child = spawn(file, args, {
      cwd: '/',
      env: options.env ?? { PATH: SAFE_PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      stdio: ['pipe', 'pipe', 'pipe'],
      uid: options.uid,
      gid: options.gid,
      timeout: options.timeoutMs ?? 120_000,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    let spawnError: Error | undefined;
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: spawnError
          ? `${file}: ${spawnError.message}`
          : signal
            ? `${stderr}${file} was killed (${signal})`
            : stderr,
      });
    });
  });
}

let asUserBusy = false;

/**
 * Runs home operations with the user's privileges, the way OpenSSH reads authorized_keys
 * (temporarily_use_uid): supplementary groups, effective gid and effective uid become the
 * user's, so the kernel checks every path as the user; the saved uid stays 0 to come back.
 * glibc applies set*id to every thread, libuv's fs threads included. While the euid is not 0 the
 * process is not dumpable and the user cannot signal it (real and saved uid are 0). Nothing
 * else may run meanwhile: apply does its steps one after the other, and a second call throws.
 */
async function asUserTemporarily(
  root: string,
  user: PasswdEntry,
  ops: HomeOp[],
  log: Logger,
): Promise<HomeOpsResult> {
  const request = {
    home: root === '/' ? user.home : `${root}${user.home}`,
    stamp: timestampSuffix(new Date()),
    ops,
  };
  if (process.geteuid?.() !== 0) return runHomeOps(request);
  if (asUserBusy) throw new Error('asUser calls must not overlap');
  asUserBusy = true;
  const groups = process.getgroups?.() ?? [0];
  try {
    process.setgroups?.([user.gid]);
    process.setegid?.(user.gid);
    process.seteuid?.(user.uid);
    return await runHomeOps(request);
  } finally {
    try {
      process.seteuid?.(0);
      process.setegid?.(0);
      process.setgroups?.(groups);
    } catch (error) {
      // Never go on with someone else's identity.
      log.error(`could not return to root after acting as ${user.name}: ${String(error)}`);
      process.exit(70);
    }
    asUserBusy = false;
  }
}

/** The running script, when it is the bundle (`…/dsvm-pool-agent.js`). */
function runningScript(): string | undefined {
  const script = process.argv[1];
  if (!script) return undefined;
  try {
    return realpathSync(script);
  } catch {
    return undefined;
  }
}

export function realSystem(options: { root?: string; log?: Logger } = {}): AgentSystem {
  const log = options.log ?? stderrLogger();
  const isRoot = process.getuid?.() === 0;
  return {
    root: options.root ?? '/',
    log,
    run: (argv, runOptions) =>
      runCommand(
        argv,
        runOptions?.as
          ? {
              ...runOptions,
              uid: runOptions.as.uid,
              gid: runOptions.as.gid,
              env: {
                PATH: SAFE_PATH,
                LANG: 'C.UTF-8',
                LC_ALL: 'C.UTF-8',
                HOME: runOptions.as.home,
              },
            }
          : runOptions,
      ),
    lchown: (path, uid, gid) => lchown(path, uid, gid),
    ownershipEnforced: isRoot,
    asUser: (user, ops) => asUserTemporarily(options.root ?? '/', user, ops, log),
    now: () => new Date(),
    hostname: () => hostname(),
    loadavg: () => loadavg() as [number, number, number],
    cpuCount: () => cpus().length,
    pid: process.pid,
    processStartTime: (pid) => processStartTime(pid),
    selfPath: () => {
      const script = runningScript();
      return script?.endsWith('.js') ? script : undefined;
    },
    nodePath: process.execPath,
    nodeVersion: process.versions.node,
    uid: () => process.getuid?.() ?? -1,
  };
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); undefined when not running. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
