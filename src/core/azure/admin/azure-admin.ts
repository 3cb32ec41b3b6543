// The Azure side of the composition root: one credential, one pool service, and a provider per
// tracked Azure pool (kept in settings.json under `azurePools`), all shared with app-core.
import { join } from 'node:path';
import { AgentHeartbeatSchema, SHARE_LAYOUT } from '../../../common/agent-protocol';
import type { AgentActivity } from '../../../common/agent-protocol';
import { ErrorCode, RpcError } from '../../../common/errors';
import { DisposableStore, Emitter, type Disposable } from '../../../common/event';
import type { AzureInstanceFacts, ConnectionInfo, InstanceInfo } from '../../../common/models';
import {
  AzureCredential,
  notSignedIn,
  type DeviceCodePrompt,
  type TokenCacheProtector,
} from '../identity/index';
import { AzurePoolService, resourceGroupOf, type AzurePoolRef } from '../pools/index';
import { AzureShareFiles } from '../../storage/azure-share-files';
import type { ShareFiles } from '../../storage/share-files';
import { readPoolKey } from '../../keys/pool-key';
import type { PoolProvider } from '../../providers/pool-provider';
import {
  AzurePoolProvider,
  azurePoolId,
  type AzureKeyMaterial,
} from '../../providers/azure/azure-pool-provider';
import type { SettingsStore } from '../../settings/settings-store';
import { poolKeyId, smbHost } from './pool-names';

export interface AzureAdminOptions {
  dataDir: string;
  settings: SettingsStore;
  providers: Map<string, PoolProvider>;
  appPrivateKey: string;
  log: (line: string) => void;
  /** Poll intervals for deployments and long-running operations (tests shorten them). */
  pollIntervalMs?: number;
  /**
   * Whether "Sign in with browser" can work here: not in the headless host, which may run where
   * no browser can open Azure's page or bring its answer back (device code works anywhere).
   */
  interactiveBrowser?: boolean;
  /** The agent bundle new pools get on their share (resource-paths.ts; default: the checkout's). */
  agentBundlePath?: string;
  /** The agent's Node.js runtime tarballs, put beside it (resource-paths.ts agentRuntimeDir). */
  agentRuntimeDir?: string;
  /** The OS keyring's encryption for the token cache; without it, owner-only files. */
  protector?: TokenCacheProtector;
  /** Told the secrets read from Azure (storage keys), so the logger redacts them. */
  onSecret?: (value: string) => void;
}

export class AzureAdmin implements Disposable {
  readonly credential: AzureCredential;
  readonly service: AzurePoolService;
  private readonly store = new DisposableStore();
  private readonly pools = new Map<string, { provider: AzurePoolProvider; sub: Disposable }>();
  private readonly changed = this.store.add(new Emitter<void>());
  private readonly activities = new Map<string, string>();
  private readonly shares = new Map<string, Promise<PoolShare>>();
  /** Per pool: computer name → sessions per user and activity, from the agents' heartbeats. */
  private readonly heartbeats = new Map<string, Map<string, HeartbeatFacts>>();
  private lastConnections: readonly ConnectionInfo[] = [];
  /** Per pool: no heartbeat reading before this time (its share could not be opened). */
  private readonly heartbeatPause = new Map<string, number>();
  /** An Azure pool was added or removed, or its instances changed. */
  readonly onDidChange = this.changed.event;
  private readonly deviceCode = this.store.add(new Emitter<DeviceCodePrompt>());
  readonly onDeviceCode = this.deviceCode.event;

  constructor(private readonly options: AzureAdminOptions) {
    // The sign-in survives a restart: its token cache is encrypted with the OS keyring when the
    // shell has one, else kept in owner-only files (the headless host), which the UI points out.
    this.credential = new AzureCredential({
      dataDir: join(options.dataDir, 'azure'),
      log: options.log,
      onDeviceCode: (p) => this.deviceCode.fire(p),
      ...(options.interactiveBrowser === false ? { interactiveBrowser: false } : {}),
      protector: options.protector,
      ownerOnlyFileFallback: true,
    });
    if (!options.protector) {
      options.log(
        `azure: no OS keyring here: the Azure sign-in is kept in owner-only files (mode 0600) in ${join(options.dataDir, 'azure')}, not encrypted`,
      );
    }
    this.service = new AzurePoolService({
      clients: (id) => this.credential.clientsFor(id),
      log: options.log,
      agentBundlePath: options.agentBundlePath,
      agentRuntimeDir: options.agentRuntimeDir,
      ...(options.pollIntervalMs !== undefined
        ? {
            deploymentPollIntervalMs: options.pollIntervalMs,
            lroPollIntervalMs: options.pollIntervalMs,
          }
        : {}),
    });
    this.store.add(
      this.service.onDidCreatePool((summary) => {
        const { subscriptionId, resourceGroup, poolName } = summary;
        this.add({ subscriptionId, resourceGroup, poolName }).catch((err: unknown) =>
          options.log(
            `azure: could not add the new pool ${poolName}: ${RpcError.from(err).message}`,
          ),
        );
      }),
    );
    this.store.add(
      this.service.onDidDeletePool((ref) => {
        void this.remove(azurePoolId(ref));
      }),
    );
  }

  /**
   * Lists the saved pools at once, then (in the background) signs in silently as before (never
   * prompts) and reads them; a pool that cannot be read shows its problem instead.
   */
  start(): void {
    const saved = (this.options.settings.get().azurePools ?? []).map((ref) => this.track(ref));
    void (async () => {
      const account = await this.credential.restore().catch(() => undefined);
      if (!account) this.options.log('azure: not signed in (sign in from the Azure view)');
      for (const provider of saved) {
        provider.start().catch((err: unknown) => {
          this.changed.fire();
          this.options.log(
            `azure: pool ${provider.pool.poolName} cannot be read now: ${RpcError.from(err).message}`,
          );
        });
      }
    })();
  }

  provider(poolId: string): AzurePoolProvider {
    const entry = this.pools.get(poolId);
    if (!entry) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No Azure pool ${poolId}: add it from the Azure view.`,
      );
    }
    return entry.provider;
  }

  /** Tracks an existing pool: reads it once (fails if it cannot), then remembers it. */
  async add(ref: AzurePoolRef): Promise<AzurePoolProvider> {
    const id = azurePoolId(ref);
    const existing = this.pools.get(id);
    if (existing) {
      await existing.provider.refresh();
      return existing.provider;
    }
    await this.service.getPool(ref);
    const provider = this.track(ref);
    try {
      await provider.start();
    } catch (err) {
      this.untrack(id);
      throw err;
    }
    await this.options.settings.update((s) => ({
      ...s,
      azurePools: [
        ...(s.azurePools ?? []).filter((p) => azurePoolId(p) !== id),
        {
          subscriptionId: ref.subscriptionId,
          resourceGroup: ref.resourceGroup,
          poolName: ref.poolName,
        },
      ],
    }));
    return provider;
  }

  async remove(poolId: string): Promise<void> {
    if (!this.pools.has(poolId)) return;
    this.untrack(poolId);
    await this.options.settings
      .update((s) => ({
        ...s,
        azurePools: (s.azurePools ?? []).filter((p) => azurePoolId(p) !== poolId),
      }))
      .catch((err: unknown) => this.options.log(`azure: ${RpcError.from(err).message}`));
  }

  /** What the app is doing with a pool for a user right now (start on connect), if anything. */
  activity(poolId: string): string | undefined {
    return this.activities.get(poolId);
  }

  /**
   * Start on connect: starts a deallocated instance, or scales an empty pool to one, as a tracked
   * operation whose progress also shows on the pool (PoolInfo.activity); resolves with the
   * instance to connect to. An account that may not start instances gets a NoInstance error
   * that says whom to ask.
   */
  async wakeUp(poolId: string, signal?: AbortSignal): Promise<string | undefined> {
    const entry = this.pools.get(poolId);
    if (!entry) return undefined;
    signal?.throwIfAborted();
    const { pool } = entry.provider;
    // Signed out, the app cannot even tell whether something runs: that is what to say, not that
    // the account may not start instances.
    if (!this.credential.status.signedIn) {
      throw notSignedIn(
        `connect to ${pool.poolName}: no instance of it is known to run, and starting one needs your Azure account`,
      );
    }
    const tracked = this.service.startOnConnect(pool);
    const setActivity = (text: string) => {
      this.activities.set(poolId, text);
      this.changed.fire();
    };
    setActivity(`No instance of ${pool.poolName} is running: starting one…`);
    const sub = this.service.tracker.onDidChange((op) => {
      const last = op.progress.at(-1);
      if (op.id === tracked.operation.id && op.status === 'running' && last) setActivity(last.text);
    });
    try {
      return (await tracked.result).instanceId;
    } catch (err) {
      const error = RpcError.from(err);
      if (!this.credential.status.signedIn) {
        throw notSignedIn(
          `connect to ${pool.poolName}: starting an instance needs your Azure account`,
        );
      }
      if (error.code !== ErrorCode.AuthFailed) throw error;
      throw new RpcError(
        ErrorCode.NoInstance,
        `No instance of ${pool.poolName} is running, and your Azure account may not start one. ` +
          `Ask the pool's admin to start an instance, or to give you the Virtual Machine Contributor role on ${pool.resourceGroup}.`,
      );
    } finally {
      sub.dispose();
      this.activities.delete(poolId);
      this.changed.fire();
    }
  }

  /**
   * The pool's share (named by the scale set's `dsvm-pool-storage-account` and
   * `dsvm-pool-file-share` tags), opened with the account key from ARM and kept open in memory.
   */
  async share(poolId: string): Promise<PoolShare> {
    const { pool } = this.provider(poolId);
    let open = this.shares.get(poolId);
    if (!open) {
      open = this.openShare(pool);
      this.shares.set(poolId, open);
      // A failed open (e.g. signed out, no role) is tried again next time.
      open.catch(() => this.shares.delete(poolId));
    }
    return open;
  }

  /**
   * What the agent needs to mount the pool's share over SMB, as the template gives it: the
   * `//<account>.file.<storage suffix>/<share>` source (the suffix from the account's own file
   * endpoint, so sovereign clouds work) and the account key from ARM listKeys. The key goes to the
   * caller only (to hand to the agent on stdin): never logged, never kept here.
   */
  async agentShare(
    poolId: string,
  ): Promise<{ account: string; share: string; source: string; key: string }> {
    const { pool } = this.provider(poolId);
    const { account, share, resourceGroup } = await this.share(poolId);
    const storage = this.credential.clientsFor(pool.subscriptionId).storage;
    try {
      const props = await storage.storageAccounts.getProperties(resourceGroup, account);
      const keys = await storage.storageAccounts.listKeys(resourceGroup, account);
      const key = keys.keys?.find((k) => k.value)?.value;
      if (key) this.options.onSecret?.(key);
      if (!key) {
        throw new RpcError(
          ErrorCode.AuthFailed,
          `Could not read a key of storage account ${account}: your Azure role needs listKeys (e.g. Storage Account Key Operator).`,
        );
      }
      const host = smbHost(account, props.primaryEndpoints?.file);
      return { account, share, source: `//${host}/${share}`, key };
    } catch (err) {
      if (err instanceof RpcError) throw err;
      const status = (err as { statusCode?: number } | null)?.statusCode;
      throw new RpcError(
        status === 403 ? ErrorCode.AuthFailed : ErrorCode.Internal,
        `Could not read storage account ${account} (pool ${pool.poolName}'s share): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
    }
  }

  private async openShare(pool: AzurePoolRef): Promise<PoolShare> {
    const summary = await this.service.getPool(pool);
    const account = summary.tags[STORAGE_TAGS.account];
    const share = summary.tags[STORAGE_TAGS.share];
    if (!account || !share) {
      throw new RpcError(
        ErrorCode.NotFound,
        `Pool ${pool.poolName} has no shared storage: its scale set carries no "${STORAGE_TAGS.account}" and "${STORAGE_TAGS.share}" tags. Create the pool with a storage account and file share to give the team one.`,
      );
    }
    const storage = this.credential.clientsFor(pool.subscriptionId).storage;
    let resourceGroup: string | undefined;
    for await (const a of storage.storageAccounts.list()) {
      if (a.name?.toLowerCase() === account.toLowerCase() && a.id) {
        resourceGroup = resourceGroupOf(a.id);
        break;
      }
    }
    if (!resourceGroup) {
      throw new RpcError(
        ErrorCode.NotFound,
        `Storage account ${account} (pool ${pool.poolName}'s share) is not in subscription ${pool.subscriptionId}, or your account cannot see it.`,
      );
    }
    const files = await AzureShareFiles.open(storage, { resourceGroup, account, share });
    return { files, account, share, resourceGroup };
  }

  /** A pool that cannot be read says why (its last refresh's error). */
  problem(poolId: string): string | undefined {
    return this.pools.get(poolId)?.provider.lastError?.message;
  }

  /** The instances with Azure's extra facts. */
  instances(provider: AzurePoolProvider): InstanceInfo[] {
    const details = provider.instanceDetails();
    return provider.listInstances().map((i) => {
      const d = details.get(i.id);
      if (!d) return i;
      const azure: AzureInstanceFacts = { protectFromScaleIn: d.protectFromScaleIn };
      if (d.powerState !== undefined) azure.powerState = d.powerState;
      if (d.provisioningState !== undefined) azure.provisioningState = d.provisioningState;
      if (d.failureCode !== undefined) azure.failureCode = d.failureCode;
      if (d.latestModelApplied !== undefined) azure.latestModelApplied = d.latestModelApplied;
      if (d.natPort !== undefined) azure.natPort = d.natPort;
      if (d.agentExtension !== undefined) azure.agentExtension = { ...d.agentExtension };
      return { ...i, azure };
    });
  }

  /**
   * Session counts for placement: this app's own connections, merged with what the agents'
   * heartbeats report (everyone's SSH sessions on each VM), the larger count per user winning.
   */
  updateSessions(connections: readonly ConnectionInfo[] = this.lastConnections): void {
    this.lastConnections = connections;
    for (const [poolId, { provider }] of this.pools) {
      const byInstance = new Map<string, Record<string, number>>();
      for (const c of connections) {
        if (c.poolId !== poolId || c.state === 'closed' || c.state === 'failed') continue;
        const byUser = byInstance.get(c.instanceId) ?? {};
        byUser[c.user] = (byUser[c.user] ?? 0) + 1;
        byInstance.set(c.instanceId, byUser);
      }
      const beats = this.heartbeats.get(poolId);
      for (const instance of provider.listInstances()) {
        const own = byInstance.get(instance.id) ?? {};
        const reported = instance.state === 'running' ? beats?.get(instance.name) : undefined;
        const merged = { ...own };
        for (const [user, n] of Object.entries(reported?.sessions ?? {})) {
          merged[user] = Math.max(merged[user] ?? 0, n);
        }
        provider.setSessionCounts(instance.id, merged);
        provider.setActivity(instance.id, reported?.activity);
      }
    }
  }

  /**
   * Reads the agents' heartbeats (`.pool/status/<computer>.json`) of every pool with a share;
   * ones older than HEARTBEAT_MAX_AGE_MS (a VM that stopped) are ignored. Called by the core on
   * a timer; a pool whose share cannot be opened is skipped (its problem shows elsewhere).
   */
  async readHeartbeats(now = Date.now()): Promise<void> {
    for (const poolId of this.pools.keys()) {
      // A pool without a share (or signed out) is asked again only every few minutes, not each
      // time: opening a share costs ARM requests. Team… and Storage… still open it on demand.
      if ((this.heartbeatPause.get(poolId) ?? 0) > now) continue;
      let files: ShareFiles;
      try {
        files = (await this.share(poolId)).files;
      } catch {
        this.heartbeatPause.set(poolId, now + HEARTBEAT_RETRY_MS);
        continue;
      }
      this.heartbeatPause.delete(poolId);
      const beats = new Map<string, HeartbeatFacts>();
      try {
        for (const entry of await files.list(SHARE_LAYOUT.statusDir)) {
          if (entry.isDirectory || !entry.name.endsWith('.json')) continue;
          const text = await files.read(`${SHARE_LAYOUT.statusDir}/${entry.name}`);
          const parsed = text ? AgentHeartbeatSchema.safeParse(safeJson(text)) : undefined;
          if (!parsed?.success) continue;
          if (now - Date.parse(parsed.data.time) > HEARTBEAT_MAX_AGE_MS) continue;
          beats.set(parsed.data.computerName, {
            sessions: parsed.data.sessions,
            ...(parsed.data.activity ? { activity: parsed.data.activity } : {}),
          });
        }
      } catch (err) {
        this.options.log(`azure: heartbeats of ${poolId}: ${RpcError.from(err).message}`);
        continue;
      }
      this.heartbeats.set(poolId, beats);
    }
    this.updateSessions();
  }

  dispose(): void {
    for (const id of [...this.pools.keys()]) this.untrack(id, false);
    this.service.dispose();
    this.credential.dispose();
    this.store.dispose();
  }

  private track(ref: AzurePoolRef): AzurePoolProvider {
    const provider = new AzurePoolProvider({
      pool: ref,
      clients: this.credential.clientsFor(ref.subscriptionId),
      keys: (poolId) => this.keyFor(poolId),
      service: this.service,
      ...(this.options.pollIntervalMs !== undefined
        ? { lroPollIntervalMs: this.options.pollIntervalMs }
        : {}),
      log: this.options.log,
    });
    const sub = provider.onDidChangeInstances(() => this.changed.fire());
    this.pools.set(provider.id, { provider, sub });
    this.options.providers.set(provider.id, provider);
    this.changed.fire();
    return provider;
  }

  private untrack(poolId: string, announce = true): void {
    const entry = this.pools.get(poolId);
    if (!entry) return;
    this.pools.delete(poolId);
    if (this.options.providers.get(poolId) === entry.provider)
      this.options.providers.delete(poolId);
    entry.sub.dispose();
    entry.provider.dispose();
    if (announce) this.changed.fire();
  }

  /** The pool's own key if one was generated, else the app key. */
  private async keyFor(poolId: string): Promise<AzureKeyMaterial> {
    let own: { privateKey: string } | undefined;
    try {
      own = await readPoolKey(this.options.dataDir, poolKeyId(poolId));
    } catch {
      own = undefined;
    }
    return { privateKey: own?.privateKey ?? this.options.appPrivateKey };
  }
}

/** The scale set tags that name a pool's share (see resources/templates/pool.json). */
export const STORAGE_TAGS = {
  account: 'dsvm-pool-storage-account',
  share: 'dsvm-pool-file-share',
} as const;

export interface PoolShare {
  files: ShareFiles;
  account: string;
  share: string;
  resourceGroup: string;
}

/** What the app keeps of an instance's heartbeat. */
interface HeartbeatFacts {
  sessions: Record<string, number>;
  activity?: AgentActivity;
}

/** A heartbeat older than this (three agent cycles) belongs to a VM that is not running. */
export const HEARTBEAT_MAX_AGE_MS = 3 * 60_000;

/** How long heartbeat reading leaves a pool alone after its share could not be opened. */
const HEARTBEAT_RETRY_MS = 10 * 60_000;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
