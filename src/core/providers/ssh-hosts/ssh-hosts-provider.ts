// An ssh-hosts pool (DESIGN.md §3): a fixed list of machines reached over SSH. Instances are the
// hosts, "running" unless a TCP probe says otherwise; lifecycle and autoscale do not apply.
import type { AgentActivity } from '../../../common/agent-protocol';
import { ErrorCode, RpcError } from '../../../common/errors';
import { Emitter } from '../../../common/event';
import type {
  InstanceInfo,
  InstanceState,
  PoolInfo,
  SshHostEntry,
  SshPoolShare,
} from '../../../common/models';
import { readPoolKey } from '../../keys/pool-key';
import type { PrivateKeyLoader } from '../../keys/private-key-loader';
import { defaultAgent } from '../../keys/ssh-agent';
import type { SshHostPoolSettings } from '../../settings/settings-store';
import type { ConnectTarget, PoolProvider } from '../pool-provider';
import { hostIds } from './host-slug';
import { probeTcp } from './reachability-probe';

export interface SshHostsProviderOptions {
  pool: SshHostPoolSettings;
  /** The app's data folder, where a generated pool key lives (`keys/pools/<poolId>_ed25519`). */
  dataDir: string;
  /** Loads key files and asks for their passphrases (shared by all pools: one memory). */
  keys: PrivateKeyLoader;
  /** The app key's private key: the last resort when a host names no key and the pool has none. */
  appPrivateKey?: string;
  /** The ssh-agent for hosts with `useAgent` (default: SSH_AUTH_SOCK, or Windows' agents). */
  agent?: () => string | undefined;
  /** How often hosts are probed (default 30 s). */
  probeIntervalMs?: number;
  /** How long a probe waits for a TCP answer (default 3 s). */
  probeTimeoutMs?: number;
  log?: (line: string) => void;
}

interface Host {
  id: string;
  entry: SshHostEntry;
  state: InstanceState;
  detail?: string;
  sessions: Record<string, number>;
}

export class SshHostsProvider implements PoolProvider {
  readonly kind = 'ssh-hosts' as const;
  readonly id: string;
  private poolName: string;
  private share: SshPoolShare | undefined;
  private hosts: Host[] = [];
  private readonly changed = new Emitter<void>();
  /** Each host's agent activity (its heartbeat), by host id. */
  private readonly activities = new Map<string, AgentActivity>();
  readonly onDidChangeInstances = this.changed.event;
  private readonly agent: () => string | undefined;
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private started = false;
  private disposed = false;

  constructor(private readonly options: SshHostsProviderOptions) {
    this.id = options.pool.id;
    this.poolName = options.pool.name;
    this.share = options.pool.share;
    this.agent = options.agent ?? (() => defaultAgent());
    this.probeIntervalMs = options.probeIntervalMs ?? 30_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 3_000;
    this.hosts = this.makeHosts(options.pool.hosts, []);
  }

  get name(): string {
    return this.poolName;
  }

  get description(): string {
    const n = this.hosts.length;
    return `SSH hosts: ${n} ${n === 1 ? 'machine' : 'machines'} you reach over SSH`;
  }

  /** The login most hosts use (ties: the first host's); sessions are counted per login. */
  get user(): string {
    const counts = new Map<string, number>();
    for (const { entry } of this.hosts) counts.set(entry.user, (counts.get(entry.user) ?? 0) + 1);
    let best = this.hosts[0]?.entry.user ?? '';
    for (const [user, count] of counts) if (count > (counts.get(best) ?? 0)) best = user;
    return best;
  }

  /** Starts probing; resolves at once, so a slow host never holds up the app's start. */
  start(): Promise<void> {
    if (this.disposed) return Promise.reject(disposedError(this.poolName));
    if (!this.started) {
      this.started = true;
      void this.refresh();
    }
    return Promise.resolve();
  }

  listInstances(): InstanceInfo[] {
    return this.hosts.map((host) => {
      const info: InstanceInfo = {
        id: host.id,
        name: host.entry.name,
        state: host.state,
        host: host.entry.address,
        port: host.entry.port,
        sessions: { ...host.sessions },
      };
      if (host.detail !== undefined) info.detail = host.detail;
      const activity = this.activities.get(host.id);
      if (activity) info.activity = activity;
      return info;
    });
  }

  /** The pool as the contract shows it (for `pools.saveSshHosts`). */
  info(): PoolInfo {
    return {
      id: this.id,
      name: this.name,
      kind: this.kind,
      description: this.description,
      user: this.user,
      instances: this.listInstances(),
    };
  }

  /** The settings this pool was made from (a copy). */
  settings(): SshHostPoolSettings {
    const settings: SshHostPoolSettings = {
      id: this.id,
      name: this.poolName,
      hosts: this.hosts.map((h) => ({ ...h.entry })),
    };
    if (this.share) settings.share = { ...this.share };
    return settings;
  }

  /**
   * How to reach a host: its own key file (asking for a passphrase if needed), else the pool's
   * generated key, else the app key; plus the ssh-agent when the host uses it. `signal`
   * withdraws an open passphrase question.
   */
  async connectTarget(instanceId: string, signal?: AbortSignal): Promise<ConnectTarget> {
    const { entry } = this.get(instanceId);
    const agent = entry.useAgent ? this.agent() : undefined;
    const target: ConnectTarget = { host: entry.address, port: entry.port, username: entry.user };
    if (entry.keyPath !== undefined) {
      const key = await this.options.keys.load(entry.keyPath, { poolId: this.id, signal, agent });
      if (key.privateKey !== undefined) target.privateKey = key.privateKey;
      if (key.passphrase !== undefined) target.passphrase = key.passphrase;
    } else {
      const poolKey = await readPoolKey(this.options.dataDir, this.id);
      const privateKey = poolKey?.privateKey ?? this.options.appPrivateKey;
      if (privateKey !== undefined) target.privateKey = privateKey;
    }
    if (agent !== undefined) target.agent = agent;
    return target;
  }

  /**
   * The app's own sessions on a host, by login (fed from the connection list). A session also
   * proves the host is reachable, whatever the last probe said.
   */
  setSessionCounts(instanceId: string, byUser: Record<string, number>): void {
    const host = this.hosts.find((h) => h.id === instanceId);
    if (!host) return;
    const sessions: Record<string, number> = {};
    for (const [user, count] of Object.entries(byUser)) if (count > 0) sessions[user] = count;
    let changed = !sameCounts(host.sessions, sessions);
    host.sessions = sessions;
    if (Object.keys(sessions).length > 0 && host.state !== 'running') {
      host.state = 'running';
      host.detail = undefined;
      changed = true;
    }
    if (changed) this.changed.fire();
  }

  /** A host's agent activity from its heartbeat, read over the user's connection (or none). */
  setActivity(instanceId: string, activity: AgentActivity | undefined): void {
    const before = JSON.stringify(this.activities.get(instanceId) ?? null);
    if (activity) this.activities.set(instanceId, activity);
    else this.activities.delete(instanceId);
    if (JSON.stringify(activity ?? null) !== before) this.changed.fire();
  }

  /** Takes new settings (name, hosts, share) in place; hosts keep their state and sessions by id. */
  update(pool: SshHostPoolSettings): void {
    if (pool.id !== this.id) throw new Error(`update for pool ${pool.id} sent to ${this.id}`);
    this.poolName = pool.name;
    this.share = pool.share;
    const previous = this.hosts;
    this.hosts = this.makeHosts(pool.hosts, previous);
    this.changed.fire();
    if (this.started) void this.refresh();
  }

  /** Probes every host now (and restarts the 30 s rhythm); resolves when all have answered. */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.probing ??= this.probeAll().finally(() => {
      this.probing = undefined;
      this.schedule();
    });
    return this.probing;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    this.changed.dispose();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.disposed) return;
    this.timer = setTimeout(() => void this.refresh(), this.probeIntervalMs);
    // A probe rhythm must never keep the app (or a test) alive.
    this.timer.unref();
  }

  private async probeAll(): Promise<void> {
    const hosts = this.hosts;
    const results = await Promise.all(
      hosts.map((h) => probeTcp(h.entry.address, h.entry.port, this.probeTimeoutMs)),
    );
    // The hosts may have been edited meanwhile; the next round probes the new ones.
    if (this.disposed || hosts !== this.hosts) return;
    let changed = false;
    hosts.forEach((host, i) => {
      const reason = results[i];
      // A refused connection comes from a machine that is up: it is not "stopped", it refuses
      // SSH (sshd down, another port, a firewall that rejects). Silence or no name may be either.
      const refused = reason === 'connection refused';
      const state: InstanceState =
        reason === undefined ? 'running' : refused ? 'failed' : 'stopped';
      const detail =
        reason === undefined
          ? undefined
          : refused
            ? `refuses connections on port ${host.entry.port} (the machine answers, but no SSH server accepts there)`
            : `not reachable: ${reason}`;
      if (host.state === state && host.detail === detail) return;
      if (host.state !== state) {
        this.options.log?.(
          `ssh-hosts ${this.id}: ${host.entry.name} (${host.entry.address}:${host.entry.port}) ` +
            (detail ?? 'is reachable again'),
        );
      }
      host.state = state;
      host.detail = detail;
      changed = true;
    });
    if (changed) this.changed.fire();
  }

  private makeHosts(entries: readonly SshHostEntry[], previous: readonly Host[]): Host[] {
    const ids = hostIds(entries.map((e) => e.name));
    return entries.map((entry, i) => {
      const old = previous.find((h) => h.id === ids[i]);
      // Same place: the last probe still holds; a moved host starts "running" until probed.
      const samePlace = old && old.entry.address === entry.address && old.entry.port === entry.port;
      const host: Host = {
        id: ids[i],
        entry: { ...entry },
        state: samePlace ? old.state : 'running',
        sessions: old ? old.sessions : {},
      };
      if (samePlace && old.detail !== undefined) host.detail = old.detail;
      return host;
    });
  }

  private get(instanceId: string): Host {
    const host = this.hosts.find((h) => h.id === instanceId);
    if (!host) {
      throw new RpcError(
        ErrorCode.NotFound,
        `The pool "${this.poolName}" has no host "${instanceId}" (it has ` +
          `${this.hosts.map((h) => h.id).join(', ')}). Reload the pool list and pick one.`,
      );
    }
    return host;
  }
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function disposedError(name: string): RpcError {
  return new RpcError(ErrorCode.Closed, `The pool "${name}" was removed.`);
}
