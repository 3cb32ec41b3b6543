// Installs (or repairs) the pool agent on one machine over an SSH connection, as its admin:
// picks the agent's Node.js (the app's pinned runtime for the machine's arch, see agent-node.ts),
// uploads the bundle, agent.json (and the runtime when the machine lacks it) by SFTP into a private
// temp folder in the login user's home, checks and unpacks the runtime and runs the bundle's
// `install` under `sudo -n` with the storage key on stdin (never on a command line), removes the
// folder, then runs one `apply` and reads `status --json`.
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import {
  AgentConfigSchema,
  AgentHeartbeatSchema,
  formatSchemaIssues,
  type AgentConfig,
  type AgentConfigInput,
  type AgentHeartbeat,
} from '../../common/agent-protocol';
import { ErrorCode, RpcError } from '../../common/errors';
import { AGENT_RUNTIME_DIR } from '../agent-runtime';
import type { ExecResult } from '../ssh/ssh-connection';
import {
  planAgentNode,
  runtimeInstallCommand,
  shq,
  uploadRuntime,
  type AgentNode,
  type RuntimeLookup,
} from './agent-node';
import { sudoProblem } from './sudo-problem';

export { MIN_NODE_MAJOR, shq } from './agent-node';

/** What the installer needs from a connection (SshConnection; tests wrap one to watch it). */
export interface InstallerConnection {
  /** `host:port`, for messages. */
  readonly where: string;
  exec(
    command: string,
    options?: { signal?: AbortSignal; input?: string | Buffer },
  ): Promise<ExecResult>;
  sftp(): Promise<SFTPWrapper>;
}

export interface InstallAgentOptions {
  /** agent.json to install (validated with the agent's own schema first). */
  config: AgentConfigInput;
  /** The storage account key of an SMB share: handed to `install` on stdin, never in argv. */
  storageKey?: string;
  /** The agent bundle's text (readAgentBundle()). */
  bundle: string;
  /**
   * Repair: keep a valid /etc/dsvm-pool/agent.json the machine already has (it may have been
   * tuned, e.g. NFS or mount options) and install `config` only when there is none, it is bad, or
   * it is SMB to another share (which `storageKey` is not the key of).
   */
  keepExistingConfig?: boolean;
  /** The login user, for messages about sudo (default: asked with `id -un`). */
  user?: string;
  /** The app's runtime for an arch (default: out/agent/runtime, checked against its pin). */
  runtime?: RuntimeLookup;
  signal?: AbortSignal;
  /** One line per step, for the UI. Never carries the key. */
  onProgress?: (text: string) => void;
}

export interface AgentInstallResult {
  where: string;
  /** The Node.js that runs the agent: the app's own runtime, or the machine's (no runtime for its arch). */
  node: AgentNode;
  /** The agent.json now on the machine (no secret in it). */
  config: AgentConfig;
  /** `kept`: the machine's own valid agent.json was kept (keepExistingConfig). */
  configSource: 'given' | 'kept';
  /** What `install` reported (its log lines). */
  installLog: string;
  /** The first apply after the install: ok, or what it said went wrong. */
  apply: { ok: boolean; code: number | null; output: string };
  /** `status --json` after the apply, when it parsed. */
  status?: AgentHeartbeat;
  statusError?: string;
}

/** Where `install` puts things (src/agent/paths.ts; core cannot import the agent). */
export const AGENT_INSTALL_PATHS = {
  config: '/etc/dsvm-pool/agent.json',
  wrapper: '/usr/local/bin/dsvm-pool-agent',
  bundle: '/usr/local/lib/dsvm-pool/dsvm-pool-agent.js',
} as const;

/** What the agent accepts as a storage key (src/agent/install.ts), checked here to say so early. */
const STORAGE_KEY = /^[A-Za-z0-9+/]{20,200}={0,2}$/;

export async function installAgent(
  conn: InstallerConnection,
  options: InstallAgentOptions,
): Promise<AgentInstallResult> {
  const { signal } = options;
  const progress = options.onProgress ?? (() => {});
  const key = options.storageKey?.trim() || undefined;
  /** Every text that leaves this function goes through here: the key never does. */
  const scrub = (text: string) => (key ? text.split(key).join('…') : text);
  const where = conn.where;

  const given = AgentConfigSchema.safeParse(options.config);
  if (!given.success) {
    throw new RpcError(
      ErrorCode.BadInput,
      `The agent configuration for ${where} is not valid: ${formatSchemaIssues(given.error).join('; ')}`,
    );
  }
  if (key !== undefined && !STORAGE_KEY.test(key)) {
    throw new RpcError(
      ErrorCode.BadInput,
      'That does not look like a storage account key (base64, as the portal shows under Access keys).',
    );
  }

  const user = options.user ?? ((await conn.exec('id -un', { signal })).stdout.trim() || 'you');
  const sudo = (purpose: string, result: ExecResult) =>
    sudoProblem(result.code, `${result.stderr}\n${result.stdout}`, { user, where, purpose });

  progress("Checking the machine's architecture and the agent's Node.js runtime…");
  const plan = await planAgentNode(conn, { runtime: options.runtime, signal, progress });

  let config = given.data;
  let configSource: AgentInstallResult['configSource'] = 'given';
  if (options.keepExistingConfig) {
    const existing = await readExistingConfig(conn, signal);
    // An SMB config of another share would get this share's key: then the given one wins.
    const otherSmb =
      existing?.share.protocol === 'smb' &&
      (given.data.share.protocol !== 'smb' || existing.share.source !== given.data.share.source);
    if (existing && !otherSmb) {
      config = existing;
      configSource = 'kept';
      progress(`Keeping this machine's agent.json (${describeShare(existing)}).`);
    }
  }
  const smb = config.share.protocol === 'smb';

  // A private folder of the login user (mktemp -d makes it 0700): root reads the files from it.
  const made = await conn.exec(`umask 077 && mktemp -d "$HOME/.dsvm-pool-install.XXXXXXXX"`, {
    signal,
  });
  const tmp = made.stdout.trim();
  if (made.code !== 0 || !tmp.startsWith('/') || tmp.includes('\n')) {
    throw new RpcError(
      ErrorCode.Internal,
      `Could not make a private temp folder in the home of "${user}" on ${where}: ${scrub(made.stderr.trim()) || `exit ${made.code}`}.`,
    );
  }
  const bundlePath = posix.join(tmp, 'dsvm-pool-agent.js');
  const configPath = posix.join(tmp, 'agent.json');
  let installLog: string;
  try {
    progress(`Uploading the agent (${formatSize(Buffer.byteLength(options.bundle))}) by SFTP…`);
    const sftp = await conn.sftp();
    let runtimePath: string | undefined;
    try {
      await upload(sftp, bundlePath, options.bundle);
      await upload(sftp, configPath, `${JSON.stringify(config, null, 2)}\n`);
      if (plan.upload) {
        progress(
          `Uploading the agent's Node.js ${plan.upload.version} for ${plan.upload.arch} (${formatSize(plan.upload.size)}) by SFTP…`,
        );
        runtimePath = await uploadRuntime(sftp, tmp, plan.upload);
      }
    } finally {
      sftp.end();
    }
    if (plan.upload && runtimePath) {
      progress(`Checking its sha512 and unpacking it to ${AGENT_RUNTIME_DIR} (sudo)…`);
      const unpacked = await conn.exec(runtimeInstallCommand(runtimePath, plan.upload), {
        signal,
        input: '',
      });
      const refusedRuntime = sudo('install the agent', unpacked);
      if (refusedRuntime) throw refusedRuntime;
      if (unpacked.code !== 0) {
        throw new RpcError(
          ErrorCode.Internal,
          `Installing the agent's Node.js runtime on ${where} failed (exit ${unpacked.code ?? unpacked.signal}): ${lastLines(unpacked.stderr || unpacked.stdout, 4) || 'no output'}`,
        );
      }
    }
    progress(
      smb && key
        ? 'Installing (sudo); the storage key goes to the agent on stdin…'
        : 'Installing (sudo)…',
    );
    const argv = [
      'sudo',
      '-n',
      shq(plan.node.path),
      shq(bundlePath),
      'install',
      '--config',
      shq(configPath),
    ];
    if (smb && key) argv.push('--storage-key-stdin');
    // stdin: the key, or an immediate EOF (nothing else may wait on it).
    const install = await conn.exec(argv.join(' '), {
      signal,
      input: smb && key ? `${key}\n` : '',
    });
    const refused = sudo('install the agent', install);
    if (refused) throw refused;
    installLog = scrub(install.stderr.trim());
    if (install.code !== 0) {
      const said = lastLines(installLog || install.stdout, 6);
      throw new RpcError(
        install.code === 2 ? ErrorCode.BadInput : ErrorCode.Internal,
        `The agent's install on ${where} failed (exit ${install.code ?? install.signal}): ${scrub(said) || 'no output'}`,
      );
    }
  } finally {
    // Always, even after a failure or a cancel (so without the signal).
    await conn.exec(`rm -rf -- ${shq(tmp)}`).catch(() => undefined);
  }
  progress('Installed. Applying (mount the share, sync the team, heartbeat)…');

  const applied = await conn.exec(`sudo -n ${AGENT_INSTALL_PATHS.wrapper} apply`, {
    signal,
    input: '',
  });
  const applyRefused = sudo('run the agent', applied);
  if (applyRefused) throw applyRefused;
  const applyOutput = scrub(`${applied.stderr}${applied.stdout}`.trim());
  const apply = { ok: applied.code === 0, code: applied.code, output: applyOutput };
  progress(
    apply.ok
      ? 'Applied.'
      : `The first apply failed: ${applyProblem(applyOutput) || `exit ${applied.code}`}`,
  );

  const result: AgentInstallResult = {
    where,
    node: plan.node,
    config,
    configSource,
    installLog,
    apply,
  };
  const status = await conn.exec(`sudo -n ${AGENT_INSTALL_PATHS.wrapper} status --json`, {
    signal,
    input: '',
  });
  const parsed =
    status.code === 0 ? AgentHeartbeatSchema.safeParse(safeJson(status.stdout)) : undefined;
  if (parsed?.success) {
    result.status = parsed.data;
    progress(describeStatus(parsed.data));
  } else {
    result.statusError = scrub(
      parsed
        ? `status --json did not give a heartbeat: ${formatSchemaIssues(parsed.error).join('; ')}`
        : `status --json failed (exit ${status.code}): ${lastLines(status.stderr, 3)}`,
    );
  }
  return result;
}

async function readExistingConfig(
  conn: InstallerConnection,
  signal?: AbortSignal,
): Promise<AgentConfig | undefined> {
  const answer = await conn.exec(`cat ${AGENT_INSTALL_PATHS.config} 2>/dev/null`, { signal });
  if (answer.code !== 0 || !answer.stdout.trim()) return undefined;
  const parsed = AgentConfigSchema.safeParse(safeJson(answer.stdout));
  return parsed.success ? parsed.data : undefined;
}

function upload(sftp: SFTPWrapper, path: string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    sftp.writeFile(path, Buffer.from(text, 'utf8'), { mode: 0o600 }, (err) => {
      if (err) {
        reject(new RpcError(ErrorCode.Internal, `Could not upload ${path}: ${err.message}`));
        return;
      }
      // The server's umask cannot widen it, but say it explicitly: the files are the user's alone.
      sftp.chmod(path, 0o600, (chmodErr) =>
        chmodErr
          ? reject(new RpcError(ErrorCode.Internal, `Could not chmod ${path}: ${chmodErr.message}`))
          : resolve(),
      );
    });
  });
}

export function describeShare(config: AgentConfig): string {
  const { share } = config;
  return `${share.protocol} ${share.source} on ${share.mountPoint}`;
}

/** One line from a heartbeat: version, mount health, members. */
export function describeStatus(status: AgentHeartbeat): string {
  const m = status.mount;
  const mount = !m
    ? 'no share configured'
    : m.healthy
      ? `share mounted on ${m.mountPoint}`
      : `share NOT healthy on ${m.mountPoint}${m.detail ? ` (${m.detail})` : ''}`;
  const members = status.users.applied.length;
  return `Agent ${status.agentVersion} on ${status.computerName}: ${mount}, ${members} ${members === 1 ? 'member' : 'members'}.`;
}

/** What an apply's output says went wrong: its error lines (else its last lines), on one line. */
export function applyProblem(output: string): string {
  const lines = output.trim().split('\n');
  const errors = lines.filter(
    (l) => /\berror\b/i.test(l) && !/apply failed with \d+ error/.test(l),
  );
  return (errors.length ? errors : lines).slice(-3).join(' ').trim();
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' ').trim();
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MB`
    : `${Math.ceil(bytes / 1024)} KB`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
