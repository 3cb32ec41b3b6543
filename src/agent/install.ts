// `install`: puts the bundle in /usr/local/lib/dsvm-pool with a /usr/local/bin wrapper, writes
// agent.json and the SMB credentials file (key from stdin or a root-only file, never argv), and
// enables a oneshot service at boot plus a one-minute timer, and the long-running activity watch.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AgentConfig } from '../common/agent-protocol';
import { smbAccount } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { parseConfig } from './config';
import { AgentError, messageOf } from './errors';
import { AGENT_PATHS, credentialsFile } from './paths';
import { ensureRootDir, lstatOrUndefined, readSmallFile, writeFileAtomic } from './safe-fs';
import { MIN_NODE_MAJOR } from './version';

export interface InstallOptions {
  /** agent.json to install; without it the config comes on stdin. */
  configFile?: string;
  /** A root-only file holding the storage account key. */
  storageKeyFile?: string;
  /** Read the storage account key from stdin (then the config must come from --config). */
  storageKeyStdin?: boolean;
  /** Reads all of stdin. */
  readStdin: () => Promise<string>;
}

export const SERVICE_UNIT = `[Unit]
Description=dsvm-pool agent: mount the pool share, sync team members, write the heartbeat
Wants=network-online.target
After=network-online.target remote-fs.target

[Service]
Type=oneshot
ExecStart=${AGENT_PATHS.wrapper} apply
# A hung network mount must not keep the unit (and so the timer) busy forever.
TimeoutStartSec=5min

[Install]
WantedBy=multi-user.target
`;

export const TIMER_UNIT = `[Unit]
Description=Run the dsvm-pool agent every minute

[Timer]
OnBootSec=30s
OnUnitActiveSec=1min
AccuracySec=5s

[Install]
WantedBy=timers.target
`;

/**
 * The activity watch (busy/idle, scale-in protection, idle stop, scheduled events): long-running,
 * restarted if it dies.
 */
export const WATCH_UNIT = `[Unit]
Description=dsvm-pool agent: busy or idle, scale-in protection, idle stop, scheduled events
Wants=network-online.target
After=network-online.target remote-fs.target

[Service]
Type=simple
ExecStart=${AGENT_PATHS.wrapper} watch
Restart=always
RestartSec=10s

[Install]
WantedBy=multi-user.target
`;

/** The wrapper checks Node's version with `node --version` (no second V8 start) and runs the bundle. */
export function wrapperScript(nodePath: string): string {
  return `#!/bin/sh
# dsvm-pool-agent: written by \`dsvm-pool-agent install\`; runs the bundled agent on Node >= ${MIN_NODE_MAJOR}.
NODE=${nodePath}
version=$("$NODE" --version 2>/dev/null)
major=\${version#v}
major=\${major%%.*}
case "$major" in ''|*[!0-9]*) major=0 ;; esac
if [ "$major" -lt ${MIN_NODE_MAJOR} ]; then
  echo "dsvm-pool-agent: needs Node.js >= ${MIN_NODE_MAJOR} at $NODE (found \${version:-none}); reinstall the agent (Repair agent in the app) to give it its own Node.js runtime" >&2
  exit 3
fi
exec "$NODE" ${AGENT_PATHS.bundle} "$@"
`;
}

const STORAGE_KEY = /^[A-Za-z0-9+/]{20,200}={0,2}$/;

function checkKey(key: string, where: string): string {
  const trimmed = key.trim();
  if (!STORAGE_KEY.test(trimmed)) {
    // Never echo the key itself.
    throw new AgentError(
      `the storage key from ${where} does not look like an account key (base64)`,
      2,
    );
  }
  return trimmed;
}

/** A key file must be a regular file owned by the installer (root) and private to it. */
async function readKeyFile(system: AgentSystem, file: string): Promise<string> {
  const path = resolve(file);
  const info = await stat(path).catch((error: unknown) => {
    throw new AgentError(`cannot read the storage key file ${file}: ${messageOf(error)}`, 2);
  });
  if (!info.isFile()) throw new AgentError(`${file} is not a regular file`, 2);
  if (info.uid !== system.uid() || (info.mode & 0o077) !== 0) {
    throw new AgentError(
      `${file} must be owned by root and readable by root only (chmod 600 ${file}): a storage key is full control of the storage account`,
      2,
    );
  }
  return checkKey(await readFile(path, 'utf8'), file);
}

async function writeIfChanged(
  path: string,
  content: string | Uint8Array,
  mode: number,
): Promise<boolean> {
  const current = await readFile(path).catch(() => undefined);
  const next = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  const info = await lstatOrUndefined(path);
  if (current?.equals(next) && info && (info.mode & 0o7777) === mode) return false;
  await writeFileAtomic(path, next, { mode });
  return true;
}

export async function runInstall(system: AgentSystem, options: InstallOptions): Promise<number> {
  const log = system.log;
  if (system.root === '/' && system.uid() !== 0) {
    throw new AgentError('install must run as root (sudo dsvm-pool-agent install …)', 2);
  }
  const major = Number(system.nodeVersion.split('.')[0]);
  if (!(major >= MIN_NODE_MAJOR)) {
    throw new AgentError(
      `Node.js ${system.nodeVersion} is too old: the agent needs Node.js >= ${MIN_NODE_MAJOR}`,
      3,
    );
  }
  if (options.storageKeyFile && options.storageKeyStdin) {
    throw new AgentError('give --storage-key-file or --storage-key-stdin, not both', 2);
  }
  if (options.storageKeyStdin && !options.configFile) {
    throw new AgentError(
      'with --storage-key-stdin, stdin carries the key: give the configuration with --config <file>',
      2,
    );
  }

  // Configuration and key.
  let config: AgentConfig;
  let key: string | undefined;
  if (options.configFile) {
    const text = await readSmallFile(resolve(options.configFile), 256 * 1024).catch(
      (error: unknown) => {
        throw new AgentError(`cannot read ${options.configFile}: ${messageOf(error)}`, 2);
      },
    );
    if (text === undefined) throw new AgentError(`${options.configFile} does not exist`, 2);
    config = parseConfig(text, options.configFile);
    if (options.storageKeyStdin) key = checkKey(await options.readStdin(), 'stdin');
  } else {
    const text = await options.readStdin();
    if (text.trim() === '') {
      throw new AgentError('no configuration: give --config <file> or pipe agent.json on stdin', 2);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new AgentError(`stdin is not valid JSON: ${messageOf(error)}`, 2);
    }
    // stdin may carry `{ "config": {…}, "storageKey": "…" }` (e.g. from an extension's protected settings).
    const bundle = json as { config?: unknown; storageKey?: unknown };
    if (typeof json === 'object' && json !== null && 'config' in bundle) {
      config = parseConfig(JSON.stringify(bundle.config), 'stdin (config)');
      if (bundle.storageKey !== undefined) {
        if (typeof bundle.storageKey !== 'string')
          throw new AgentError('stdin: storageKey must be a string', 2);
        key = checkKey(bundle.storageKey, 'stdin (storageKey)');
      }
    } else {
      config = parseConfig(text, 'stdin');
    }
  }
  if (options.storageKeyFile) key = await readKeyFile(system, options.storageKeyFile);

  const share = config.share;
  if (share.protocol === 'smb') {
    const file = credentialsFile(smbAccount(share));
    const path = hostPath(system, file);
    await ensureRootDir(hostPath(system, AGENT_PATHS.credentialsDir), 0o700);
    if (key !== undefined) {
      const content = `username=${smbAccount(share)}\npassword=${key}\n`;
      if (await writeIfChanged(path, content, 0o600)) log.info(`wrote ${file} (root only, 0600)`);
    } else if (!(await lstatOrUndefined(path))) {
      throw new AgentError(
        `an SMB share needs the storage account key: give --storage-key-file <root-only file> or --storage-key-stdin (never on the command line)`,
        2,
      );
    }
  } else if (key !== undefined) {
    log.warn(`a storage key is not used with ${share.protocol} shares; not written anywhere`);
  }

  await ensureRootDir(hostPath(system, '/etc/dsvm-pool'), 0o755);
  if (
    await writeIfChanged(
      hostPath(system, AGENT_PATHS.config),
      `${JSON.stringify(config, null, 2)}\n`,
      0o644,
    )
  ) {
    log.info(`wrote ${AGENT_PATHS.config}`);
  }
  await ensureRootDir(hostPath(system, AGENT_PATHS.stateDir), 0o755);

  // The bundle, its wrapper and the units.
  const self = system.selfPath();
  if (!self) {
    throw new AgentError(
      'install must run from the bundled agent: node out/agent/dsvm-pool-agent.js install …',
      2,
    );
  }
  await ensureRootDir(hostPath(system, AGENT_PATHS.libDir), 0o755);
  const bundle = await readFile(self);
  if (hostPath(system, AGENT_PATHS.bundle) !== self) {
    if (await writeIfChanged(hostPath(system, AGENT_PATHS.bundle), bundle, 0o755)) {
      log.info(`installed ${AGENT_PATHS.bundle}`);
    }
  }
  await ensureRootDir(hostPath(system, '/usr/local/bin'), 0o755);
  const node = await wrapperNode(system);
  if (await writeIfChanged(hostPath(system, AGENT_PATHS.wrapper), wrapperScript(node), 0o755)) {
    log.info(`wrote ${AGENT_PATHS.wrapper} (runs the agent on ${node})`);
  }
  if (node !== AGENT_PATHS.runtimeNode) {
    log.warn(
      `no agent runtime in ${AGENT_PATHS.runtimeDir}: the agent runs on this machine's Node.js ${system.nodeVersion} (${node})`,
    );
  }
  // `apply` is idempotent and is what the timer runs every minute anyway: any user may ask for it
  // now (the app's one-click fix), with exactly that argument and no other.
  if (await lstatOrUndefined(hostPath(system, '/etc/sudoers.d'))) {
    if (await writeIfChanged(hostPath(system, AGENT_PATHS.sudoers), SUDOERS_RULE, 0o440)) {
      log.info(`wrote ${AGENT_PATHS.sudoers} (any user may run: sudo dsvm-pool-agent apply)`);
    }
  }
  await ensureRootDir(hostPath(system, AGENT_PATHS.systemdDir), 0o755);
  const serviceChanged = await writeIfChanged(
    hostPath(system, AGENT_PATHS.service),
    SERVICE_UNIT,
    0o644,
  );
  const timerChanged = await writeIfChanged(hostPath(system, AGENT_PATHS.timer), TIMER_UNIT, 0o644);
  if (serviceChanged || timerChanged)
    log.info('wrote dsvm-pool-agent.service and dsvm-pool-agent.timer');
  const watchChanged = await writeIfChanged(
    hostPath(system, AGENT_PATHS.watchService),
    WATCH_UNIT,
    0o644,
  );
  if (watchChanged) log.info('wrote dsvm-pool-agent-watch.service');

  const systemctl = async (...args: string[]) => {
    const argv = ['systemctl', ...args];
    const answer = await system.run(argv);
    if (answer.code !== 0) {
      throw new AgentError(
        `${argv.join(' ')} failed (exit ${answer.code}): ${answer.stderr.trim()}`,
        1,
      );
    }
  };
  const booted =
    (await lstatOrUndefined(hostPath(system, AGENT_PATHS.systemdRunning))) !== undefined;
  if (booted) {
    await systemctl('daemon-reload');
    await systemctl('enable', 'dsvm-pool-agent.service');
    await systemctl('enable', '--now', 'dsvm-pool-agent.timer');
    // The first apply right away rather than at the timer's next tick.
    await systemctl('start', '--no-block', 'dsvm-pool-agent.service');
    await systemctl('enable', 'dsvm-pool-agent-watch.service');
    // A new bundle must run: restart (which also starts it) rather than start.
    await systemctl('restart', '--no-block', 'dsvm-pool-agent-watch.service');
    log.info(
      'enabled dsvm-pool-agent.service (at boot), dsvm-pool-agent.timer (every minute) and dsvm-pool-agent-watch.service; first apply started',
    );
  } else {
    // Offline: systemctl only makes the [Install] symlinks (under --root for a test root).
    await systemctl(
      ...(system.root === '/' ? [] : [`--root=${system.root}`]),
      'enable',
      'dsvm-pool-agent.service',
      'dsvm-pool-agent.timer',
      'dsvm-pool-agent-watch.service',
    );
    log.warn(
      'systemd is not running here: the units are enabled for the next boot; run `dsvm-pool-agent apply` to apply now',
    );
  }
  return 0;
}

/**
 * The Node.js the wrapper (and so the systemd units) runs the agent on: the agent's own runtime
 * when an installer unpacked it, else the one running this install (a machine's own Node.js, for
 * an arch the app brings no runtime for).
 */
async function wrapperNode(system: AgentSystem): Promise<string> {
  const runtime = await lstatOrUndefined(hostPath(system, AGENT_PATHS.runtimeNode));
  return runtime?.isFile() && (runtime.mode & 0o111) !== 0
    ? AGENT_PATHS.runtimeNode
    : system.nodePath;
}

/** sudoers(5): every user, as root, without a password, only `dsvm-pool-agent apply`. */
export const SUDOERS_RULE = `# dsvm-pool: anyone may ask the agent to re-apply now (what its timer does every minute).
ALL ALL=(root) NOPASSWD: ${AGENT_PATHS.wrapper} apply
`;
