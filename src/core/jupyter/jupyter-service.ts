// Finds the user's Jupyter server on an instance or starts one, or checks the instance's JupyterHub,
// all over the instance's SSH connection; the caller then forwards a local port to what it returns.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, isRpcError, RpcError } from '../../common/errors';
import type { Disposable } from '../../common/event';
import type { ExecResult, SshConnection } from '../ssh/ssh-connection';
import { execWithSecret } from './exec-with-secret';
import { probeHttp, type ProbeAnswer } from './http-probe';
import { logExcerpt } from './log-excerpt';
import { LOG_FILE, MARK, parseMarkers, remoteScripts, STATE_DIR } from './remote-scripts';
import { parseServerList, type JupyterServerEntry } from './server-list';

export type JupyterMode = 'notebook' | 'hub';

/** What the service needs of a connection (an SshConnection, or a test's wrapper around one). */
export type JupyterConnection = Pick<SshConnection, 'where' | 'exec' | 'forwardOut' | 'shell'>;

/** A Jupyter on the instance, ready to be forwarded to. */
export interface RemoteJupyter {
  mode: JupyterMode;
  /** Where it listens as seen from the instance (127.0.0.1 unless bound elsewhere only). */
  remoteHost: string;
  remotePort: number;
  /** The server's token: a secret, never to be logged. None for a Hub or a password server. */
  token?: string;
  /** Starts and ends with `/`. */
  baseUrl: string;
  notebookDir?: string;
  /** This call started the server (else it was running already). */
  started: boolean;
  scheme: 'http' | 'https';
  /** The server's process on the instance (notebook mode). */
  pid?: number;
  /** https: SHA-256 of its (self-signed) certificate, `AB:CD:…`, for the window to pin. */
  certificateFingerprint256?: string;
}

export interface DiscoverOptions {
  mode: JupyterMode;
  signal?: AbortSignal;
  /** The instance's name for messages; the connection's host:port otherwise. */
  instanceName?: string;
}

export interface JupyterServiceOptions {
  /** JupyterHub's port on a Data Science VM (default 8000). */
  hubPort?: number;
  /** How long a started server may take to answer (default 30 s). */
  startTimeoutMs?: number;
  /** Between checks of a starting server (default 250 ms). */
  pollIntervalMs?: number;
  /** Per HTTP check through the tunnel (default 5 s). */
  probeTimeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const WILDCARD = new Set(['', '0.0.0.0', '*', '::']);

export class JupyterService implements Disposable {
  private readonly hubPort: number;
  private readonly startTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly probeTimeoutMs: number;
  /** The notebook-mode call in flight per instance address. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: JupyterServiceOptions = {}) {
    this.hubPort = options.hubPort ?? 8000;
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  }

  /**
   * notebook: the user's running server (one bound to loopback first) that answers with its
   * token, else a new one in ~/notebooks on 127.0.0.1. hub: the JupyterHub on the hub port.
   */
  discoverOrStart(connection: JupyterConnection, options: DiscoverOptions): Promise<RemoteJupyter> {
    const name = options.instanceName ?? connection.where;
    const { signal } = options;
    if (options.mode === 'hub') return this.findHub(connection, name, signal);
    // One after the other per instance: two quick clicks must not start two servers; the second
    // call then finds the first one's server.
    return this.serialize(connection.where, () => this.findOrStart(connection, name, signal));
  }

  dispose(): void {
    this.queues.clear();
  }

  /**
   * The user's running server that answers through the tunnel, without starting one (connection
   * diagnostics); undefined when none runs. Rejects (NotFound) when Jupyter is not installed.
   */
  async findRunning(
    connection: JupyterConnection,
    options: { signal?: AbortSignal; instanceName?: string } = {},
  ): Promise<RemoteJupyter | undefined> {
    const name = options.instanceName ?? connection.where;
    const listed = await this.run(connection, remoteScripts.list(), name, options.signal);
    if (parseMarkers(listed.stdout).has('no-jupyter')) throw notInstalled(name);
    for (const entry of rankServers(parseServerList(listed.stdout))) {
      const host = reachableHost(entry.hostname);
      const answer = await this.check(connection, entry, host, options.signal);
      if (answer) return toRemote(entry, host, false, answer);
    }
    return undefined;
  }

  private async findOrStart(
    connection: JupyterConnection,
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<RemoteJupyter> {
    const running = await this.findRunning(connection, { signal, instanceName: name });
    return running ?? this.start(connection, name, signal);
  }

  private async start(
    connection: JupyterConnection,
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<RemoteJupyter> {
    const token = randomBytes(24).toString('hex');
    const saved = await execWithSecret(connection, remoteScripts.saveToken(), token, {
      signal,
      timeoutMs: this.startTimeoutMs,
    });
    if (!parseMarkers(saved.stdout).has('saved')) {
      const said = logExcerpt(withoutMarks(saved.stdout), [token]);
      throw new RpcError(
        ErrorCode.Internal,
        `Could not prepare Jupyter on ${name}${said ? `: ${said}` : '.'} ` +
          'Check that your home folder on the instance is writable and not full.',
      );
    }
    const result = await this.run(connection, remoteScripts.start(), name, signal);
    const marks = parseMarkers(result.stdout);
    if (marks.has('no-jupyter')) throw notInstalled(name);
    if (marks.has('no-app')) throw noServerApp(name);
    if (marks.has('no-token')) {
      throw new RpcError(
        ErrorCode.Internal,
        `Could not start Jupyter on ${name}: the token the app saved under ~/${STATE_DIR} was gone. ` +
          'Is another copy of the app opening Jupyter there right now? Try again.',
      );
    }
    const pid = Number(marks.get('pid'));
    if (result.code !== 0 || !Number.isSafeInteger(pid) || pid <= 1) {
      const said = logExcerpt(withoutMarks(result.stdout), [token]);
      throw new RpcError(
        ErrorCode.Internal,
        `Could not start Jupyter on ${name}${said ? `: ${said}` : '.'} ` +
          'Check that your home folder on the instance is writable and not full.',
      );
    }
    // sshd starts commands in the home folder, so the relative path is a fine fallback.
    const logPath = marks.get('log') || LOG_FILE;
    const runtimeDir = marks.get('runtime') || undefined;
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      const polled = await this.run(connection, remoteScripts.poll(pid, runtimeDir), name, signal);
      if (parseMarkers(polled.stdout).has('dead')) {
        throw await this.startFailure(
          connection,
          name,
          logPath,
          token,
          'stopped right after starting.',
        );
      }
      const entry = parseServerList(polled.stdout).find((e) => e.pid === pid);
      if (entry) {
        if (!entry.token && !entry.password) {
          // Its config turned authentication off: on a shared VM every other user could open it.
          await connection.exec(remoteScripts.kill(pid)).catch(() => undefined);
          throw openServer(name);
        }
        const host = reachableHost(entry.hostname);
        const answer = await this.check(connection, entry, host, signal);
        if (answer) return toRemote(entry, host, true, answer, marks.get('dir'));
      }
      if (Date.now() >= deadline) {
        throw await this.startFailure(
          connection,
          name,
          logPath,
          token,
          `did not answer within ${Math.round(this.startTimeoutMs / 1000)} s. It may still be ` +
            'starting: open Jupyter again in a moment to use it once it is up.',
        );
      }
      await this.sleep(this.pollIntervalMs, name, signal);
    }
  }

  /** The probe's answer when the server serves its API with its token (or shows its login). */
  private async check(
    connection: JupyterConnection,
    entry: JupyterServerEntry,
    host: string,
    signal: AbortSignal | undefined,
  ): Promise<ProbeAnswer | undefined> {
    try {
      const answer = await probeHttp(
        connection,
        {
          host,
          port: entry.port,
          scheme: entry.secure ? 'https' : 'http',
          path: `${entry.baseUrl}api/status`,
          ...(entry.token ? { token: entry.token } : {}),
        },
        { timeoutMs: this.probeTimeoutMs, signal },
      );
      if (answer.status === 200) return answer;
      // A password server answers 403 without a login; the user logs in on its page.
      if (!entry.token && entry.password && (answer.status === 401 || answer.status === 403)) {
        return answer;
      }
      return undefined;
    } catch (err) {
      if (isFatal(err)) throw err;
      // A stale entry, a server bound elsewhere, a Hub's single-user server: not ours to use.
      return undefined;
    }
  }

  private async findHub(
    connection: JupyterConnection,
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<RemoteJupyter> {
    const port = this.hubPort;
    let hosts = ['127.0.0.1'];
    let notHub: number | undefined;
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[i]!;
      // https first: a Data Science VM's Hub serves its self-signed certificate.
      for (const scheme of ['https', 'http'] as const) {
        let answer: ProbeAnswer;
        try {
          answer = await probeHttp(
            connection,
            { host, port, scheme, path: '/hub/api' },
            { timeoutMs: this.probeTimeoutMs, signal },
          );
        } catch (err) {
          if (isFatal(err)) throw err;
          // The instance refused the tunnel: nothing listens there, the other scheme won't help.
          if (err instanceof RpcError) break;
          continue;
        }
        if (answer.status === 200) {
          return {
            mode: 'hub',
            remoteHost: host,
            remotePort: port,
            baseUrl: '/',
            started: false,
            scheme,
            ...(answer.fingerprint256 ? { certificateFingerprint256: answer.fingerprint256 } : {}),
          };
        }
        notHub = answer.status;
        break;
      }
      // A Hub may listen on the VM's own address only (bind_url with its IP).
      if (i === 0) hosts = [...hosts, ...(await this.ownAddresses(connection, name, signal))];
    }
    if (notHub !== undefined) {
      throw new RpcError(
        ErrorCode.NotFound,
        `Port ${port} of ${name} answers, but not like JupyterHub (GET /hub/api gave HTTP ${notHub}). ` +
          'Open Jupyter in notebook mode to use your own server, or ask the pool admin which port the Hub uses.',
      );
    }
    throw new RpcError(
      ErrorCode.NotFound,
      `No JupyterHub answers on port ${port} of ${name}. Start it on the instance ` +
        '("sudo systemctl start jupyterhub" on a Data Science VM), or open Jupyter in notebook mode ' +
        'to use your own server.',
    );
  }

  private async ownAddresses(
    connection: JupyterConnection,
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<string[]> {
    const { stdout } = await this.run(connection, remoteScripts.addresses(), name, signal);
    return stdout
      .split(/\s+/)
      .filter((a) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a) && !a.startsWith('127.'))
      .slice(0, 4);
  }

  private async startFailure(
    connection: JupyterConnection,
    name: string,
    logPath: string,
    token: string,
    what: string,
  ): Promise<RpcError> {
    const tail = await connection
      .exec(remoteScripts.tail(logPath))
      .then((r) => r.stdout)
      .catch(() => '');
    // The log prints the server's URL with its token; the message may end up anywhere.
    const excerpt = logExcerpt(tail, [token]);
    return new RpcError(
      ErrorCode.Internal,
      `Jupyter on ${name} ${what} The end of its log (~/${LOG_FILE}):\n${excerpt || '(empty)'}`,
    );
  }

  private async run(
    connection: JupyterConnection,
    command: string,
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<ExecResult> {
    const result = await connection.exec(command, { signal });
    if (result.code !== 0) {
      const said = logExcerpt(result.stderr || result.stdout, [], 4);
      throw new RpcError(
        ErrorCode.Internal,
        `A command for Jupyter failed on ${name} (${result.signal ?? `exit ${result.code}`})` +
          `${said ? `: ${said}` : '.'}`,
      );
    }
    return result;
  }

  private async sleep(ms: number, name: string, signal: AbortSignal | undefined): Promise<void> {
    try {
      await delay(ms, undefined, { signal });
    } catch {
      throw new RpcError(ErrorCode.Cancelled, `Opening Jupyter on ${name} was cancelled.`);
    }
  }

  private serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.queues.set(key, next);
    void next
      .finally(() => {
        if (this.queues.get(key) === next) this.queues.delete(key);
      })
      .catch(() => undefined);
    return next;
  }
}

/** Loopback-bound servers first (reachable only by their user's tunnels), then wildcard ones. */
function rankServers(entries: JupyterServerEntry[]): JupyterServerEntry[] {
  const rank = (e: JupyterServerEntry) =>
    LOOPBACK.has(e.hostname) ? 0 : WILDCARD.has(e.hostname) ? 1 : 2;
  const seen = new Set<string>();
  // `jupyter server list` and `jupyter notebook list` can both list a notebook 7 server.
  const unique = entries.filter((e) => {
    const key = `${e.hostname}|${e.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => rank(a) - rank(b));
}

/** Where the instance reaches a server bound to `hostname`. */
function reachableHost(hostname: string): string {
  if (hostname === '::1') return '::1';
  return LOOPBACK.has(hostname) || WILDCARD.has(hostname) ? '127.0.0.1' : hostname;
}

function toRemote(
  entry: JupyterServerEntry,
  host: string,
  started: boolean,
  answer: ProbeAnswer,
  fallbackDir?: string,
): RemoteJupyter {
  const notebookDir = entry.rootDir || fallbackDir;
  return {
    mode: 'notebook',
    remoteHost: host,
    remotePort: entry.port,
    ...(entry.token ? { token: entry.token } : {}),
    baseUrl: entry.baseUrl,
    ...(notebookDir ? { notebookDir } : {}),
    started,
    scheme: entry.secure ? 'https' : 'http',
    ...(entry.pid !== undefined ? { pid: entry.pid } : {}),
    ...(answer.fingerprint256 ? { certificateFingerprint256: answer.fingerprint256 } : {}),
  };
}

/** Errors that end the whole call rather than rule out one candidate. */
function isFatal(err: unknown): boolean {
  return isRpcError(err, ErrorCode.Cancelled) || isRpcError(err, ErrorCode.Closed);
}

function withoutMarks(output: string): string {
  return output
    .split('\n')
    .filter((line) => !line.startsWith(MARK))
    .join('\n');
}

function notInstalled(name: string): RpcError {
  return new RpcError(
    ErrorCode.NotFound,
    `Jupyter is not installed on ${name} (no "jupyter" command on the PATH, in ~/.local/bin or in ` +
      'conda). Install it on the instance with "pip install --user notebook" (or "sudo apt install ' +
      'jupyter-notebook" on Debian/Ubuntu), or use a Data Science VM image, which has it; then open ' +
      'Jupyter again.',
  );
}

function noServerApp(name: string): RpcError {
  return new RpcError(
    ErrorCode.NotFound,
    `Jupyter on ${name} has none of "jupyter notebook", "jupyter lab" or "jupyter server". ` +
      'Install one on the instance with "pip install --user notebook" (or "sudo apt install ' +
      'jupyter-notebook" on Debian/Ubuntu), then open Jupyter again.',
  );
}

function openServer(name: string): RpcError {
  return new RpcError(
    ErrorCode.Internal,
    `Your Jupyter configuration on ${name} turns authentication off (an empty token and no ` +
      'password), so every user of the instance could open your notebooks; the app stopped the ' +
      'server it started. Remove "token = \'\'" from ~/.jupyter/jupyter_*_config.py there, or set a ' +
      'password with "jupyter notebook password", then open Jupyter again.',
  );
}
