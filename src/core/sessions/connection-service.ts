// SSH connections to pool instances: placement picks the instance, the provider says how to reach
// it, the host key is checked against the pool's trust store, a dropped link is reconnected to the
// same instance under the same id, and every state change is announced.
import { plural } from '../../common/user-text';
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, toDisposable, type Disposable } from '../../common/event';
import type { ConnectionInfo, ConnectionState } from '../../common/models';
import { chooseInstance } from '../placement/placement';
import type { ConnectTarget, PoolProvider } from '../providers/pool-provider';
import type { PromptService } from '../prompts/prompt-service';
import { createHostKeyVerifier, type RefusedHostKey } from '../ssh/host-key-verifier';
import type { KnownHostsStore } from '../ssh/known-hosts-store';
import type { CloseParticipant, LinkSource } from '../ssh/link-source';
import { SshConnection, type SshCloseEvent } from '../ssh/ssh-connection';
import { DEFAULT_TIMINGS, type ConnectionTimings } from './connection-timings';
import { backoffDelay } from './reconnect-backoff';
import { reopenLink } from './reconnect-link';

export interface ConnectionServiceDeps {
  providers: ReadonlyMap<string, PoolProvider>;
  knownHosts: KnownHostsStore;
  prompts: PromptService;
  log: (line: string) => void;
  /** Told of a changed host key that was refused (so the UI can offer to replace it). */
  onRefusedHostKey?: (refused: RefusedHostKey) => void;
  timings?: Partial<ConnectionTimings>;
  /**
   * Start on connect: when placement is the app's choice and no instance of the pool runs, this
   * starts one (or scales up) and resolves with its id. Absent, or resolving undefined: the pool
   * has no such thing (local sandbox, SSH hosts) and placement says no instance runs.
   */
  wakeUp?: (poolId: string, signal?: AbortSignal) => Promise<string | undefined>;
}

interface Entry {
  info: ConnectionInfo;
  connection?: SshConnection;
  /** The host key accepted at connect time: a reconnect accepts this key and no other. */
  hostKey?: Buffer;
  /** The user (or the app) asked to close: never reconnect. */
  closing: boolean;
  /** When the link dropped (for the give-up budget). */
  lostAt: number;
  timer?: NodeJS.Timeout;
  /** Aborts the connect or reconnect attempt in flight. */
  attempt?: AbortController;
}

/** Failures that another attempt cannot fix: reconnecting stops and the connection is `lost`. */
const FINAL: readonly ErrorCode[] = [
  ErrorCode.HostKeyMismatch,
  ErrorCode.HostKeyRejected,
  ErrorCode.AuthFailed,
  ErrorCode.NotFound,
];

const ENDED: readonly ConnectionState[] = ['closed', 'lost', 'failed'];

export class ConnectionService implements LinkSource, Disposable {
  private nextId = 1;
  private disposed = false;
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new Emitter<ConnectionInfo>();
  private readonly closeParticipants = new Set<CloseParticipant>();
  private readonly timings: ConnectionTimings;
  /** Fires on every state change of a connection. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: ConnectionServiceDeps) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
  }

  provider(poolId: string): PoolProvider {
    const provider = this.deps.providers.get(poolId);
    if (!provider) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No pool with id "${poolId}". Reload the pool list and pick one.`,
      );
    }
    return provider;
  }

  async connect(
    poolId: string,
    instanceId: string | undefined,
    signal?: AbortSignal,
  ): Promise<ConnectionInfo> {
    const provider = this.provider(poolId);
    let chosen = instanceId;
    if (
      chosen === undefined &&
      this.deps.wakeUp &&
      !provider.listInstances().some((i) => i.state === 'running')
    ) {
      chosen = await this.deps.wakeUp(poolId, signal);
    }
    const { instance } = chooseInstance(provider.listInstances(), provider.user, {
      instanceId: chosen,
    });
    const target = await provider.connectTarget(instance.id);
    const info: ConnectionInfo = {
      id: `conn-${this.nextId++}`,
      poolId,
      instanceId: instance.id,
      instanceName: instance.name,
      host: target.host,
      port: target.port,
      user: target.username,
      state: 'connecting',
    };
    // Withdraws an open host-key question when the attempt fails or is cancelled.
    const attempt = new AbortController();
    const entry: Entry = { info, closing: false, lostAt: 0, attempt };
    this.entries.set(info.id, entry);
    this.update(entry, {});
    const onAbort = () => attempt.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const verify = createHostKeyVerifier({
        store: this.deps.knownHosts,
        prompts: this.deps.prompts,
        poolId,
        instanceId: instance.id,
        instanceName: instance.name,
        host: target.host,
        port: target.port,
        ...(target.hostKeyId !== undefined ? { identity: target.hostKeyId } : {}),
        ...(this.deps.onRefusedHostKey ? { onRefused: this.deps.onRefusedHostKey } : {}),
        signal: attempt.signal,
      });
      const connection = await this.open(target, attempt.signal, async (key) => {
        await verify(key);
        entry.hostKey = Buffer.from(key);
      });
      entry.attempt = undefined;
      if (connection.closed)
        throw new RpcError(ErrorCode.Unreachable, 'The connection closed as it opened.');
      this.adopt(entry, connection);
      this.deps.log(
        `connected ${info.id} to ${instance.name} (${target.host}:${target.port}) of ${poolId}, ${connection.cipher}`,
      );
      return { ...entry.info };
    } catch (err) {
      attempt.abort();
      const error = RpcError.from(err);
      this.end(entry, 'failed', error.message);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The connection and its live link; throws unless it is `connected` right now. */
  get(connectionId: string): { info: ConnectionInfo; connection: SshConnection } {
    const entry = this.entries.get(connectionId);
    if (entry?.connection && entry.info.state === 'connected' && !entry.connection.closed) {
      return { info: { ...entry.info }, connection: entry.connection };
    }
    if (entry?.info.state === 'lost') throw ended(entry.info);
    if (entry?.info.state === 'reconnecting' || entry?.info.state === 'connecting') {
      throw new RpcError(
        ErrorCode.Unreachable,
        `The connection to ${entry.info.instanceName} is ${entry.info.state}; ` +
          'try again once it is back.',
      );
    }
    throw notFound(connectionId);
  }

  /** The connection's current info (any state but closed or failed); throws NotFound after. */
  info(connectionId: string): ConnectionInfo {
    const entry = this.entries.get(connectionId);
    if (!entry) throw notFound(connectionId);
    return { ...entry.info };
  }

  state(connectionId: string): ConnectionState | undefined {
    return this.entries.get(connectionId)?.info.state;
  }

  current(connectionId: string): SshConnection | undefined {
    const entry = this.entries.get(connectionId);
    const connection = entry?.connection;
    return entry?.info.state === 'connected' && connection && !connection.closed
      ? connection
      : undefined;
  }

  waitForLink(connectionId: string, signal?: AbortSignal): Promise<SshConnection> {
    return new Promise<SshConnection>((resolve, reject) => {
      const entry = this.entries.get(connectionId);
      if (!entry) return reject(notFound(connectionId));
      if (ENDED.includes(entry.info.state)) return reject(ended(entry.info));
      const now = this.current(connectionId);
      if (now) return resolve(now);
      if (signal?.aborted) return reject(waitCancelled(entry.info));
      const done = () => {
        subscription.dispose();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        reject(waitCancelled(entry.info));
      };
      const subscription = this.changed.event((info) => {
        if (info.id !== connectionId) return;
        if (ENDED.includes(info.state)) {
          done();
          reject(ended(info));
          return;
        }
        const link = this.current(connectionId);
        if (link) {
          done();
          resolve(link);
        }
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  onWillClose(participant: CloseParticipant): Disposable {
    this.closeParticipants.add(participant);
    return toDisposable(() => this.closeParticipants.delete(participant));
  }

  list(): ConnectionInfo[] {
    return [...this.entries.values()].map((e) => ({ ...e.info }));
  }

  connectedCount(): number {
    return [...this.entries.values()].filter((e) => e.info.state === 'connected').length;
  }

  /**
   * Closes a connection at the user's request, in any state; it is never reconnected. Close
   * participants (e.g. ending tmux sessions) get a short grace on the link first. A `lost`
   * connection stays listed until closed, so a window opened later still sees what happened.
   */
  async close(connectionId: string): Promise<void> {
    const entry = this.entries.get(connectionId);
    if (!entry) throw notFound(connectionId);
    if (entry.closing) return;
    entry.closing = true;
    clearTimeout(entry.timer);
    entry.attempt?.abort();
    const { connection } = entry;
    if (connection && !connection.closed) {
      await this.runCloseParticipants(connectionId, connection);
      // Disposing fires onDidClose, which ends the entry as `closed`.
      connection.dispose();
    }
    if (this.entries.get(connectionId) === entry && entry.info.state !== 'connecting') {
      this.end(entry, 'closed', `The connection to ${entry.info.instanceName} was closed.`);
    }
  }

  /** Closes every connection (their terminals and forwards end with them). Never rejects. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.close(id).catch(() => {})));
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of [...this.entries.values()]) {
      entry.closing = true;
      clearTimeout(entry.timer);
      entry.attempt?.abort();
      entry.connection?.dispose();
      // Announce the end so waiters (forwards, terminals) let go before the emitter goes.
      if (this.entries.get(entry.info.id) === entry) {
        this.end(entry, 'closed', 'The app is shutting down.');
      }
    }
    this.entries.clear();
    this.changed.dispose();
  }

  private open(
    target: ConnectTarget,
    signal: AbortSignal,
    verifyHostKey: (key: Buffer) => Promise<void>,
  ): Promise<SshConnection> {
    const t = this.timings;
    return SshConnection.open({
      target,
      signal,
      verifyHostKey,
      keepaliveIntervalMs: t.keepaliveIntervalMs,
      keepaliveCountMax: t.keepaliveCountMax,
      readyTimeoutMs: t.readyTimeoutMs,
    });
  }

  /** Makes `connection` the entry's link and watches it. */
  private adopt(entry: Entry, connection: SshConnection): void {
    entry.connection = connection;
    connection.onDidClose((event) => this.onLinkClosed(entry, connection, event));
    this.update(entry, { state: 'connected' }, ['attempt', 'nextAttemptAt', 'detail']);
  }

  private onLinkClosed(entry: Entry, connection: SshConnection, event: SshCloseEvent): void {
    if (entry.connection !== connection || this.entries.get(entry.info.id) !== entry) return;
    entry.connection = undefined;
    if (!event.lost || entry.closing || this.disposed) {
      this.end(entry, 'closed', event.reason);
      return;
    }
    this.deps.log(`${entry.info.id} to ${entry.info.instanceName} dropped; reconnecting`);
    entry.lostAt = Date.now();
    this.schedule(entry, 1, event.reason);
  }

  private schedule(entry: Entry, attempt: number, why: string): void {
    const t = this.timings;
    const delay = backoffDelay(attempt, {
      initialMs: t.backoffInitialMs,
      maxMs: t.backoffMaxMs,
      jitter: t.backoffJitter,
    });
    const elapsed = Date.now() - entry.lostAt;
    if (elapsed + delay > t.giveUpAfterMs) {
      this.giveUp(
        entry,
        `The connection to ${entry.info.instanceName} could not be restored within ` +
          `${formatDuration(t.giveUpAfterMs)}. Last problem: ${why} Connect again when the ` +
          'instance and your network are back.',
      );
      return;
    }
    this.update(entry, {
      state: 'reconnecting',
      attempt,
      nextAttemptAt: Date.now() + delay,
      detail: why,
    });
    entry.timer = setTimeout(() => void this.reconnect(entry, attempt), delay);
  }

  private async reconnect(entry: Entry, attempt: number): Promise<void> {
    entry.timer = undefined;
    const controller = new AbortController();
    entry.attempt = controller;
    try {
      const connection = await reopenLink(entry.info, entry.hostKey, controller.signal, {
        providers: this.deps.providers,
        knownHosts: this.deps.knownHosts,
        open: (target, signal, verifyHostKey) => this.open(target, signal, verifyHostKey),
      });
      if (controller.signal.aborted) {
        connection.dispose();
        return;
      }
      entry.attempt = undefined;
      if (connection.closed) {
        throw new RpcError(
          ErrorCode.Unreachable,
          `The connection to ${connection.where} closed as it opened.`,
        );
      }
      const { host, port } = connection.target;
      entry.info = { ...entry.info, host, port };
      this.adopt(entry, connection);
      this.deps.log(`${entry.info.id} to ${entry.info.instanceName} is back (attempt ${attempt})`);
    } catch (err) {
      if (controller.signal.aborted) return;
      entry.attempt = undefined;
      const error = RpcError.from(err);
      if (FINAL.includes(error.code)) this.giveUp(entry, error.message);
      else this.schedule(entry, attempt + 1, error.message);
    }
  }

  /** Stops reconnecting; the entry stays, as `lost`, until the user closes it. */
  private giveUp(entry: Entry, detail: string): void {
    this.deps.log(`${entry.info.id} to ${entry.info.instanceName} is lost`);
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.attempt?.abort();
    entry.attempt = undefined;
    this.update(entry, { state: 'lost', detail }, ['attempt', 'nextAttemptAt']);
  }

  private async runCloseParticipants(
    connectionId: string,
    connection: SshConnection,
  ): Promise<void> {
    if (this.closeParticipants.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.closeParticipants].map((p) => p(connectionId, connection))),
      new Promise((resolve) => (timer = setTimeout(resolve, this.timings.closeGraceMs))),
    ]);
    clearTimeout(timer);
  }

  /** The entry's last change: it leaves the list after this event. */
  private end(entry: Entry, state: 'closed' | 'failed', detail: string): void {
    if (this.entries.get(entry.info.id) !== entry) return;
    clearTimeout(entry.timer);
    entry.attempt?.abort();
    this.entries.delete(entry.info.id);
    this.update(entry, { state, detail }, ['attempt', 'nextAttemptAt']);
  }

  private update(
    entry: Entry,
    patch: Partial<ConnectionInfo>,
    clear: (keyof ConnectionInfo)[] = [],
  ): void {
    const info = { ...entry.info, ...patch };
    for (const key of clear) if (!(key in patch)) delete info[key];
    entry.info = info;
    this.changed.fire({ ...info });
  }
}

function notFound(connectionId: string): RpcError {
  return new RpcError(
    ErrorCode.NotFound,
    `No open connection "${connectionId}". It may have closed; connect again.`,
  );
}

function ended(info: ConnectionInfo): RpcError {
  return new RpcError(
    ErrorCode.Closed,
    info.state === 'lost'
      ? `The connection to ${info.instanceName} was lost: ${info.detail ?? 'it could not be restored.'}`
      : `The connection to ${info.instanceName} is ${info.state}. Connect again to continue.`,
  );
}

function waitCancelled(info: ConnectionInfo): RpcError {
  return new RpcError(
    ErrorCode.Cancelled,
    `Stopped waiting for the connection to ${info.instanceName} to come back.`,
  );
}

function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1_000)} s`;
  return plural(Math.round(ms / 60_000), 'minute');
}
