// Keeps one SshHostsProvider per ssh-hosts pool in the settings: creates, updates and removes
// them in the composition root's provider map, and checks what `pools.saveSshHosts` may save.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { ErrorCode, RpcError } from '../../../common/errors';
import { DisposableStore, Emitter, type Disposable } from '../../../common/event';
import type { ConnectionInfo, SshHostEntry, SshPoolShare } from '../../../common/models';
import { expandHome } from '../../keys/expand-home';
import type { PrivateKeyLoader } from '../../keys/private-key-loader';
import type { Settings, SettingsStore, SshHostPoolSettings } from '../../settings/settings-store';
import type { PoolProvider } from '../pool-provider';
import { hostSlug } from './host-slug';
import { SshHostsProvider, type SshHostsProviderOptions } from './ssh-hosts-provider';

export interface SshHostsPoolsOptions {
  settings: SettingsStore;
  /** The composition root's map (the one ConnectionService reads); pools are added and removed in it. */
  providers: Map<string, PoolProvider>;
  keys: PrivateKeyLoader;
  dataDir: string;
  appPrivateKey?: string;
  /** Where the app key's file is (OpenSSH's IdentityFile). */
  appKeyPath?: string;
  agent?: () => string | undefined;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  log?: (line: string) => void;
  /** New pool ids (default `ssh-<8 hex>`); tests pin them. */
  newPoolId?: () => string;
}

export interface SaveSshHostsInput {
  /** Omit to create a pool. */
  poolId?: string;
  name: string;
  hosts: SshHostEntry[];
  /** The share the hosts' agents mount; omit for none. */
  share?: SshPoolShare;
}

/** Sessions still held on the VM: a reconnecting link comes back to the same tmux. */
const COUNTED: ReadonlySet<ConnectionInfo['state']> = new Set(['connected', 'reconnecting']);

export class SshHostsPools implements Disposable {
  private readonly pools = new Map<
    string,
    { provider: SshHostsProvider; subscription: Disposable }
  >();
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new Emitter<void>());
  /** Fires when a pool is added, changed or removed, or any of its hosts changes. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly options: SshHostsPoolsOptions) {
    // Settings are the truth: whoever saves them, the providers follow.
    this.store.add(options.settings.onDidChange((settings) => this.sync(settings)));
  }

  /** Makes the providers for the pools in the settings and starts them (it does not wait for probes). */
  async start(): Promise<void> {
    this.sync(this.options.settings.get());
    await Promise.all([...this.pools.values()].map(({ provider }) => provider.start()));
  }

  get(poolId: string): SshHostsProvider | undefined {
    return this.pools.get(poolId)?.provider;
  }

  list(): SshHostsProvider[] {
    return [...this.pools.values()].map(({ provider }) => provider);
  }

  /** `pools.saveSshHosts`: checks the hosts, saves them to the settings, returns the provider. */
  async save(input: SaveSshHostsInput): Promise<SshHostsProvider> {
    if (input.poolId !== undefined) this.editable(input.poolId, 'changed');
    const hosts = await checkHosts(input.hosts);
    const name = input.name.trim();
    if (!name) throw new RpcError(ErrorCode.BadInput, 'The pool needs a name.');
    const id = input.poolId ?? this.newId();
    const pool: SshHostPoolSettings = { id, name, hosts };
    if (input.share) pool.share = input.share;
    await this.options.settings.update((settings) => {
      // Edited pools keep their place in the list; new ones go last.
      const edited = settings.sshHostPools.some((p) => p.id === id);
      const sshHostPools = edited
        ? settings.sshHostPools.map((p) => (p.id === id ? pool : p))
        : [...settings.sshHostPools, pool];
      return { ...settings, sshHostPools };
    });
    const provider = this.get(id);
    if (!provider)
      throw new RpcError(ErrorCode.Internal, `The pool "${name}" was saved but did not start.`);
    return provider;
  }

  /** `pools.remove`: forgets an ssh-hosts pool (its hosts and any generated key stay as they are). */
  async remove(poolId: string): Promise<void> {
    this.editable(poolId, 'removed');
    await this.options.settings.update((settings) => ({
      ...settings,
      sshHostPools: settings.sshHostPools.filter((p) => p.id !== poolId),
    }));
  }

  /** Feeds every pool's session counts from the app's own connections. */
  updateSessions(connections: readonly ConnectionInfo[]): void {
    for (const [poolId, { provider }] of this.pools) {
      const byInstance = new Map<string, Record<string, number>>();
      for (const c of connections) {
        if (c.poolId !== poolId || !COUNTED.has(c.state)) continue;
        const byUser = byInstance.get(c.instanceId) ?? {};
        byUser[c.user] = (Object.hasOwn(byUser, c.user) ? byUser[c.user] : 0) + 1;
        byInstance.set(c.instanceId, byUser);
      }
      for (const instance of provider.listInstances()) {
        provider.setSessionCounts(instance.id, byInstance.get(instance.id) ?? {});
      }
    }
  }

  dispose(): void {
    for (const poolId of [...this.pools.keys()]) this.drop(poolId);
    this.store.dispose();
  }

  private sync(settings: Settings): void {
    const wanted = new Map(settings.sshHostPools.map((p) => [p.id, p]));
    for (const poolId of [...this.pools.keys()]) if (!wanted.has(poolId)) this.drop(poolId);
    for (const pool of wanted.values()) {
      const existing = this.pools.get(pool.id);
      if (existing) {
        existing.provider.update(pool);
        continue;
      }
      if (this.options.providers.has(pool.id)) {
        this.options.log?.(
          `ssh-hosts pool ${pool.id} in the settings was skipped: another pool has that id`,
        );
        continue;
      }
      const provider = new SshHostsProvider(this.providerOptions(pool));
      const subscription = provider.onDidChangeInstances(() => this.changed.fire());
      this.pools.set(pool.id, { provider, subscription });
      this.options.providers.set(pool.id, provider);
      provider.start().catch(() => {});
    }
    this.changed.fire();
  }

  private drop(poolId: string): void {
    const entry = this.pools.get(poolId);
    if (!entry) return;
    this.pools.delete(poolId);
    entry.subscription.dispose();
    entry.provider.dispose();
    if (this.options.providers.get(poolId) === entry.provider)
      this.options.providers.delete(poolId);
  }

  private providerOptions(pool: SshHostPoolSettings): SshHostsProviderOptions {
    const {
      dataDir,
      keys,
      appPrivateKey,
      appKeyPath,
      agent,
      probeIntervalMs,
      probeTimeoutMs,
      log,
    } = this.options;
    return {
      pool,
      dataDir,
      keys,
      appPrivateKey,
      appKeyPath,
      agent,
      probeIntervalMs,
      probeTimeoutMs,
      log,
    };
  }

  /** Only ssh-hosts pools can be edited or removed; the others say why not. */
  private editable(poolId: string, what: 'changed' | 'removed'): void {
    if (this.pools.has(poolId)) return;
    const other = this.options.providers.get(poolId);
    if (other?.kind === 'local') {
      throw new RpcError(
        ErrorCode.BadInput,
        `"${other.name}" is the built-in local sandbox; it cannot be ${what}.`,
      );
    }
    if (other) {
      throw new RpcError(
        ErrorCode.BadInput,
        `"${other.name}" is ${other.kind === 'azure' ? 'an Azure' : `a ${other.kind}`} pool, not ` +
          `an ssh-hosts pool, so it cannot be ${what} here.`,
      );
    }
    throw new RpcError(
      ErrorCode.NotFound,
      `No ssh-hosts pool with id "${poolId}". Reload the pool list and try again.`,
    );
  }

  private newId(): string {
    for (;;) {
      const id = this.options.newPoolId?.() ?? `ssh-${randomBytes(4).toString('hex')}`;
      if (!this.options.providers.has(id) && !this.pools.has(id)) return id;
    }
  }
}

/** Unique names (their ids derive from them), key files that exist; returns the hosts to store. */
async function checkHosts(hosts: readonly SshHostEntry[]): Promise<SshHostEntry[]> {
  if (hosts.length === 0) {
    throw new RpcError(ErrorCode.BadInput, 'A pool needs at least one host.');
  }
  const problems: string[] = [];
  const bySlug = new Map<string, string>();
  const checked: SshHostEntry[] = [];
  for (const host of hosts) {
    const name = host.name.trim();
    const slug = hostSlug(name);
    const clash = bySlug.get(slug);
    if (clash !== undefined) {
      problems.push(
        clash.toLowerCase() === name.toLowerCase()
          ? `two hosts are named "${name}"`
          : `"${clash}" and "${name}" are too alike (both become "${slug}")`,
      );
    }
    bySlug.set(slug, name);

    const entry: SshHostEntry = { ...host, name };
    if (host.keyPath !== undefined) {
      // Stored expanded, so the file in the settings means the same from anywhere.
      entry.keyPath = expandHome(host.keyPath);
      const info = await stat(entry.keyPath).catch(() => undefined);
      if (!info?.isFile()) problems.push(`${name}: there is no key file at ${entry.keyPath}`);
    }
    checked.push(entry);
  }
  if (problems.length) {
    throw new RpcError(
      ErrorCode.BadInput,
      `The pool cannot be saved: ${problems.join('; ')}. Give every host its own name and an ` +
        'existing key file (or none).',
      { problems },
    );
  }
  return checked;
}
