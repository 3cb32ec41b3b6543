// Parses the command line and runs a command; returns the exit code (tests call it directly).
// The commands' modules are imported lazily: `version` and `help` need no zod.
import { parseArgs } from 'node:util';
import type { AgentSystem } from './agent-system';
import { AgentError, messageOf } from './errors';
import type { AgentState } from './state';
import { AGENT_VERSION, MIN_NODE_MAJOR } from './version';

export const USAGE = `dsvm-pool-agent ${AGENT_VERSION} — the dsvm-pool agent on a pool VM (runs as root)

Usage:
  dsvm-pool-agent apply [--config <file>] [--wait <seconds>]
      Mount the share (and keep it in /etc/fstab), sync team members from
      <share>/.pool/users.json, write the heartbeat. Idempotent; one at a time: a second
      apply waits for the running one (30 s by default, --wait), then stops with exit 0.
  dsvm-pool-agent status [--json] [--config <file>]
      Mount health, members, SSH sessions and Jupyter kernels per user, load, last apply.
  dsvm-pool-agent install [--config <file>] [--storage-key-file <file> | --storage-key-stdin]
      Install the agent, its config, the SMB credentials file and the systemd timer.
      The config comes from --config or stdin; the storage key from a root-only file or
      stdin, never from the command line.
  dsvm-pool-agent watch [--once] [--config <file>]
      Decide busy or idle every minute, keep this instance's scale-in protection in line,
      run idle stop, and tell everyone about Azure's scheduled events (its own service).
  dsvm-pool-agent keep <duration> [--reason <text>] | keep --cancel
      Run as yourself: count this VM busy for 30m, 4h… (at most 24h), so scale-in and idle
      stop leave it alone; --cancel ends it.
  dsvm-pool-agent version

Exit codes: 0 ok (or another apply was running), 1 apply failed, 2 bad input or
configuration, 3 Node.js too old.
`;

export interface CliDeps {
  /** The machine; by default the real one (with --root as its root). */
  system?: AgentSystem;
  readStdin?: () => Promise<string>;
  write?: (text: string) => void;
  /** Overrides COMMAND_DEADLINE_MS (tests). */
  deadlineMs?: number;
}

/**
 * How long each command may take. Every run ends by then, whatever hangs on the machine (a dead
 * SMB server, a file planted in a member's home, a Jupyter server that never answers): the
 * timer runs every minute and the app waits for `status`, so a hung run must not linger.
 */
export const COMMAND_DEADLINE_MS: Record<string, number> = {
  apply: 240_000,
  status: 60_000,
  install: 600_000,
  keep: 30_000,
  // One cycle and one poll; the long-running watch has no deadline (each call has its own).
  watch: 120_000,
};

/** Thrown when a command passes its deadline; cli.ts then ends the process. */
export class DeadlineExceeded extends AgentError {
  constructor(command: string, ms: number) {
    super(
      `${command} did not finish within ${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s and was stopped; ` +
        'something on this machine is not answering (see the lines above)',
      1,
    );
  }
}

function withDeadline<T>(promise: Promise<T>, command: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(command, ms)), ms);
    timer.unref();
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runCli(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const readStdin = deps.readStdin ?? readAllStdin;
  const [command, ...rest] = argv;
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_NODE_MAJOR) {
    process.stderr.write(
      `dsvm-pool-agent: needs Node.js >= ${MIN_NODE_MAJOR} (this is ${process.versions.node})\n`,
    );
    return 3;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'version' || command === '--version') {
    write(`${AGENT_VERSION}\n`);
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: command === 'keep',
      options: {
        once: { type: 'boolean' },
        reason: { type: 'string' },
        cancel: { type: 'boolean' },
        config: { type: 'string' },
        wait: { type: 'string' },
        json: { type: 'boolean' },
        'storage-key-file': { type: 'string' },
        'storage-key-stdin': { type: 'boolean' },
        // Testing aid: every host path under this folder.
        root: { type: 'string' },
      },
    }));
  } catch (error) {
    process.stderr.write(`dsvm-pool-agent: ${messageOf(error)}\n\n${USAGE}`);
    return 2;
  }
  const allowed: Record<string, string[]> = {
    apply: ['config', 'wait', 'root'],
    status: ['config', 'json', 'root'],
    install: ['config', 'storage-key-file', 'storage-key-stdin', 'root'],
    watch: ['config', 'once', 'root'],
    keep: ['reason', 'cancel'],
  };
  if (!(command in allowed)) {
    process.stderr.write(`dsvm-pool-agent: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const extra = Object.keys(values).filter((name) => !allowed[command].includes(name));
  if (extra.length) {
    process.stderr.write(`dsvm-pool-agent: ${command} does not take --${extra.join(', --')}\n`);
    return 2;
  }
  if (positionals.length > 1) {
    process.stderr.write(`dsvm-pool-agent: keep takes one duration, e.g. 4h\n`);
    return 2;
  }
  if (command === 'keep') {
    // Run by a member, not root: no machine, no config, no lock.
    try {
      const { runKeep } = await import('./keep');
      return await runKeep({
        duration: positionals[0],
        reason: values.reason as string | undefined,
        cancel: values.cancel === true,
        now: new Date(),
        write,
      });
    } catch (error) {
      process.stderr.write(`dsvm-pool-agent: ${messageOf(error)}\n`);
      return error instanceof AgentError ? error.exitCode : 1;
    }
  }
  const system =
    deps.system ??
    (await import('./real-system')).realSystem({ root: values.root as string | undefined });
  const configPath = values.config as string | undefined;
  const deadline = deps.deadlineMs ?? COMMAND_DEADLINE_MS[command]!;
  if (command === 'watch' && values.once !== true) {
    if (system.root === '/' && system.uid() !== 0) {
      system.log.error("watch must run as root (it reads every member's activity)");
      return 2;
    }
    const stop = new AbortController();
    process.once('SIGTERM', () => stop.abort());
    process.once('SIGINT', () => stop.abort());
    try {
      const { runWatch } = await import('./watch-command');
      return await runWatch(system, { configPath, once: false, signal: stop.signal, write });
    } catch (error) {
      system.log.error(messageOf(error));
      return error instanceof AgentError ? error.exitCode : 1;
    }
  }
  try {
    return await withDeadline(run(), command, deadline);
  } catch (error) {
    system.log.error(messageOf(error));
    return error instanceof AgentError ? error.exitCode : 1;
  }

  async function run(): Promise<number> {
    if (command === 'watch') {
      const { runWatch } = await import('./watch-command');
      return await runWatch(system, { configPath, once: true, write });
    }
    if (command === 'apply') {
      let waitMs: number | undefined;
      if (values.wait !== undefined) {
        const seconds = Number(values.wait);
        if (!Number.isFinite(seconds) || seconds < 0)
          throw new AgentError('--wait takes seconds (a number ≥ 0)', 2);
        waitMs = seconds * 1000;
      }
      if (system.root === '/' && system.uid() !== 0) {
        throw new AgentError(
          'apply must run as root (it mounts the share and manages accounts)',
          2,
        );
      }
      const { runApply } = await import('./apply');
      return (await runApply(system, { configPath, waitMs })).exitCode;
    }
    if (command === 'status') {
      const { emptyState, loadState } = await import('./state');
      const { computerNameOf, loadConfig } = await import('./config');
      const { collectStatus, formatStatus } = await import('./status');
      let state: AgentState = emptyState();
      const problems: string[] = [];
      try {
        state = await loadState(system);
      } catch (error) {
        problems.push(messageOf(error));
      }
      let config;
      let computerName = system.hostname().split('.')[0];
      try {
        config = await loadConfig(system, configPath);
        computerName = computerNameOf(system, config);
      } catch (error) {
        problems.push(messageOf(error));
      }
      const status = await collectStatus(system, { config, state, computerName });
      write(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      for (const problem of problems) system.log.error(problem);
      return problems.length ? 2 : 0;
    }
    const { runInstall } = await import('./install');
    return await runInstall(system, {
      configFile: configPath,
      storageKeyFile: values['storage-key-file'] as string | undefined,
      storageKeyStdin: values['storage-key-stdin'] === true,
      readStdin,
    });
  }
}
