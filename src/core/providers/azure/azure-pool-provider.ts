// An Azure pool (DESIGN.md §3–4): the instances of one tagged VM scale set, read with one VM list
// (instance views expanded) plus one load balancer GET, under one read deadline, kept fresh; their
// SSH NAT ports come from azure-instance-ports.ts (asked per instance, cached, only when shown).
import type { VirtualMachineScaleSetVM } from '@azure/arm-compute';
import type { AgentActivity } from '../../../common/agent-protocol';
import { ErrorCode, RpcError } from '../../../common/errors';
import { Emitter, type Disposable } from '../../../common/event';
import type { AgentExtensionState, CapacityLimit, InstanceInfo } from '../../../common/models';
import {
  type AzureClients,
  describeAzureFailure,
  translateAzureError,
} from '../../azure/arm/index';
import {
  capacityLimit,
  mapInstanceState,
  type AzurePoolRef,
  type AzurePoolService,
} from '../../azure/pools/index';
import { poolResourceNames } from '../../azure/template/index';
import type { ConnectTarget, PoolProvider } from '../pool-provider';
import { InstancePorts } from './azure-instance-ports';
import { type PoolPublicIp, readPool } from './azure-pool-read';

/** How the app signs in to a pool's instances: the pool's key, else the app key. Never logged. */
export interface AzureKeyMaterial {
  privateKey?: string;
  passphrase?: string;
  /** An ssh-agent socket. */
  agent?: string;
}

/** Finds the key for a pool (by provider id); undefined when there is none. */
export type AzureKeyResolver = (poolId: string) => Promise<AzureKeyMaterial | undefined>;

/** What the admin view shows beyond InstanceInfo, per instance id. */
export interface AzureInstanceDetails {
  instanceId: string;
  /** ARM's VM name, `<pool>_<instanceId>`. */
  vmName: string;
  computerName?: string;
  /** running, starting, stopping, stopped, deallocating, deallocated (undefined: unknown). */
  powerState?: string;
  /** succeeded, creating, updating, failed, deleting. */
  provisioningState?: string;
  /** The code of a failed provisioning, e.g. AllocationFailed. */
  failureCode?: string;
  /** false: the instance runs an older model of the scale set (upgrade it to apply changes). */
  latestModelApplied?: boolean;
  protectFromScaleIn: boolean;
  protectFromScaleSetActions: boolean;
  /** The load balancer's public port that leads to its port 22. */
  natPort?: number;
  vmSize?: string;
  zones?: string[];
  /** The pool agent's CustomScript extension as the instance reported it. */
  agentExtension?: AgentExtensionState;
}

export interface AzurePoolProviderOptions {
  pool: AzurePoolRef;
  /** The SDK clients of the pool's subscription. */
  clients: AzureClients;
  keys: AzureKeyResolver;
  /** Default `azure:<subscription>/<resource group>/<pool>`. */
  id?: string;
  /** Display name (default: the pool's name). */
  name?: string;
  /** When given, the provider re-reads the pool after each of the service's actions on it. */
  service?: AzurePoolService;
  /** Background refresh period (default 30 s; 0 turns the timer off). */
  refreshIntervalMs?: number;
  /** How long a refresh (all its reads) and a port query may wait for Azure (default: the clients'). */
  readDeadlineMs?: number;
  /** Port queries in flight at most (default 4). */
  portQueriesInFlight?: number;
  /** Poll interval of a port query when Azure gives no Retry-After (default 1 s). */
  lroPollIntervalMs?: number;
  log?: (line: string) => void;
}

interface Snapshot {
  instances: InstanceInfo[];
  details: Map<string, AzureInstanceDetails>;
}

export class AzurePoolProvider implements PoolProvider {
  readonly kind = 'azure' as const;
  readonly id: string;
  readonly name: string;
  readonly pool: AzurePoolRef;
  private snapshot: Snapshot = { instances: [], details: new Map() };
  /** The last VM list: the snapshot is rebuilt from it when a port becomes known. */
  private vms: VirtualMachineScaleSetVM[] = [];
  private readonly ports: InstancePorts;
  private portsChanged: NodeJS.Timeout | undefined;
  private readonly readDeadlineMs: number;
  private adminUsername = '';
  private singlePlacementGroup: boolean | undefined;
  private scaleLimit: CapacityLimit | undefined;
  private publicIp: PoolPublicIp | undefined;
  private readonly changed = new Emitter<void>();
  readonly onDidChangeInstances = this.changed.event;
  private readonly sessions = new Map<string, Record<string, number>>();
  /** What each instance's agent last reported about activity (its heartbeat), by instance id. */
  private readonly activities = new Map<string, AgentActivity>();
  private readonly registration: Disposable | undefined;
  private readonly refreshIntervalMs: number;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private disposed = false;
  private error: RpcError | undefined;
  private refreshedAt: number | undefined;

  constructor(private readonly options: AzurePoolProviderOptions) {
    this.pool = { ...options.pool };
    this.id = options.id ?? azurePoolId(options.pool);
    this.name = options.name ?? options.pool.poolName;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 30_000;
    this.readDeadlineMs = options.readDeadlineMs ?? options.clients.readDeadlineMs;
    const names = poolResourceNames(options.pool.poolName);
    this.ports = new InstancePorts({
      clients: options.clients,
      resourceGroup: options.pool.resourceGroup,
      loadBalancerName: names.loadBalancer,
      scaleSetId: scaleSetIdOf(options.pool),
      preferredRule: names.natRule,
      concurrency: options.portQueriesInFlight,
      deadlineMs: this.readDeadlineMs,
      // A port query is a cheap read Azure answers within moments: 1 s, not the SDK's 2 s (its
      // default for writes); a Retry-After from Azure still wins.
      pollIntervalMs: options.lroPollIntervalMs ?? 1_000,
      log: options.log,
    });
    // Answers come a few at a time: one rebuild (and one change event) for each burst.
    this.ports.onDidChange(() => {
      this.portsChanged ??= setTimeout(() => this.flushPorts(), 20);
      this.portsChanged.unref();
    });
    this.registration = options.service?.registerRefresher(this.pool, () =>
      this.refresh().catch(() => {}),
    );
  }

  get description(): string {
    const n = this.snapshot.instances.length;
    const running = this.snapshot.instances.filter((i) => i.state === 'running').length;
    return (
      `Azure pool ${this.pool.poolName} in ${this.pool.resourceGroup}: ` +
      `${running} of ${n} instance${n === 1 ? '' : 's'} running`
    );
  }

  /** The scale set's admin account (known after the first refresh). */
  get user(): string {
    return this.adminUsername;
  }

  /** The last refresh's failure, if it failed (the previous list is kept meanwhile). */
  /** The most instances Scale may ask for, once the pool has been read. */
  get capacityLimit(): CapacityLimit | undefined {
    return this.scaleLimit;
  }

  get lastError(): RpcError | undefined {
    return this.error;
  }

  /** When the list was last read successfully (epoch ms). */
  get lastRefreshAt(): number | undefined {
    return this.refreshedAt;
  }

  /** The pool's public address: its IP and DNS name, as the load balancer's public IP shows them. */
  get address(): { ipAddress?: string; fqdn?: string } {
    const out: { ipAddress?: string; fqdn?: string } = {};
    if (this.publicIp?.ipAddress) out.ipAddress = this.publicIp.ipAddress;
    if (this.publicIp?.fqdn) out.fqdn = this.publicIp.fqdn;
    return out;
  }

  /** Reads the pool once and starts the background refresh; rejects if the first read fails. */
  async start(): Promise<void> {
    if (this.disposed) throw new RpcError(ErrorCode.Closed, `The pool "${this.name}" was removed.`);
    this.started = true;
    await this.refresh();
  }

  listInstances(): InstanceInfo[] {
    return this.snapshot.instances.map((i) => {
      const sessions = this.sessions.get(i.id) ?? {};
      const activity = this.activities.get(i.id);
      return { ...i, sessions: { ...sessions }, ...(activity ? { activity } : {}) };
    });
  }

  /** Azure's extra facts per instance id (power/provisioning, model, protection, NAT port). */
  instanceDetails(): Map<string, AzureInstanceDetails> {
    return new Map([...this.snapshot.details].map(([id, d]) => [id, { ...d }]));
  }

  /**
   * Where to SSH: the public IP (its DNS name only when it has no address) and the instance's
   * NAT port, as the scale set's admin user, with the pool's key.
   */
  async connectTarget(instanceId: string): Promise<ConnectTarget> {
    let instance = this.snapshot.instances.find((i) => i.id === instanceId);
    if (!instance) {
      // It may be new since the last refresh (scaled out a moment ago).
      await this.refresh();
      instance = this.snapshot.instances.find((i) => i.id === instanceId);
    }
    if (!instance) {
      throw new RpcError(
        ErrorCode.NotFound,
        `Pool "${this.name}" has no instance ${instanceId} (it has ` +
          `${this.snapshot.instances.map((i) => i.id).join(', ') || 'none'}). Reload the pool and pick one.`,
      );
    }
    if (instance.state !== 'running') {
      throw new RpcError(
        ErrorCode.NoInstance,
        `${instance.name} (instance ${instance.id}) of pool "${this.name}" is ${instance.state}` +
          (instance.detail ? ` (${instance.detail})` : '') +
          '; start it, or connect to another instance.',
      );
    }
    if (!instance.host) {
      throw new RpcError(
        ErrorCode.Unreachable,
        `Pool "${this.name}" has no public address yet (its load balancer's public IP has none). Try again in a minute.`,
      );
    }
    const port = instance.port || (await this.resolvePort(instance));
    const target: ConnectTarget = {
      host: instance.host,
      port,
      username: this.adminUsername,
    };
    const key = await this.options.keys(this.id);
    if (key?.privateKey !== undefined) target.privateKey = key.privateKey;
    if (key?.passphrase !== undefined) target.passphrase = key.passphrase;
    if (key?.agent !== undefined) target.agent = key.agent;
    return target;
  }

  /** The agent's activity of an instance from its heartbeat (undefined: none fresh). */
  setActivity(instanceId: string, activity: AgentActivity | undefined): void {
    const before = JSON.stringify(this.activities.get(instanceId) ?? null);
    if (activity) this.activities.set(instanceId, activity);
    else this.activities.delete(instanceId);
    if (JSON.stringify(activity ?? null) !== before) this.changed.fire();
  }

  /** The app's own sessions on an instance, by login (until the agent reports real ones). */
  setSessionCounts(instanceId: string, byUser: Record<string, number>): void {
    const clean: Record<string, number> = {};
    for (const [user, count] of Object.entries(byUser)) if (count > 0) clean[user] = count;
    const before = JSON.stringify(this.sessions.get(instanceId) ?? {});
    this.sessions.set(instanceId, clean);
    if (JSON.stringify(clean) !== before) this.changed.fire();
  }

  /**
   * The instances on screen (the admin table's page, in its order): their NAT ports are asked
   * for, a few at a time, and cached for each instance's life; the others' are not asked. Settles
   * once each is answered (the list shows it) or failed (asked again at the next refresh).
   */
  async showInstances(instanceIds: readonly string[]): Promise<void> {
    await this.ports.show(instanceIds);
    this.flushPorts();
  }

  /**
   * What is under way: a refresh, port queries (in flight, waiting for a slot) and ports cached.
   * For tests and the benchmark: nothing stays pending after a refresh that timed out.
   */
  get stats(): {
    refreshing: boolean;
    portQueries: { inFlight: number; waiting: number; cached: number };
  } {
    return { refreshing: this.inFlight !== undefined, portQueries: this.ports.stats };
  }

  /**
   * Re-reads the pool now. A call while a read is running gets the read after it (so a change
   * made meanwhile is seen); rejects with a specific RpcError when Azure cannot be read.
   */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (!this.inFlight) {
      this.inFlight = this.read().finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
      return this.inFlight;
    }
    this.queued ??= this.inFlight
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    clearTimeout(this.portsChanged);
    this.registration?.dispose();
    this.ports.dispose();
    this.changed.dispose();
  }

  /** Shows the ports answered since the last rebuild. */
  private flushPorts(): void {
    clearTimeout(this.portsChanged);
    this.portsChanged = undefined;
    if (!this.disposed) this.apply(this.vms);
  }

  /** Connect to an instance whose port is not known yet: one query, ahead of every other. */
  private async resolvePort(instance: InstanceInfo): Promise<number> {
    let port: number | undefined;
    try {
      port = await this.ports.resolve(instance.id);
    } catch (err) {
      throw translateAzureError(err, {
        action: `find the SSH port of ${instance.name} (instance ${instance.id}) of pool ${this.pool.poolName}`,
        scope: `resource group ${this.pool.resourceGroup}`,
        maxRetries: this.options.clients.maxRetries,
        afterTimeout: 'connect again to try once more',
      });
    }
    if (port === undefined) {
      const rule = this.ports.sshRule;
      const names = poolResourceNames(this.pool.poolName);
      throw new RpcError(
        ErrorCode.Unreachable,
        rule
          ? `Azure has no SSH port for ${instance.name} (instance ${instance.id}) of pool "${this.name}": ` +
              `NAT rule ${rule.ruleName} of load balancer ${names.loadBalancer} maps none to it ` +
              `(az network lb list-mapping --resource-group ${this.pool.resourceGroup} --name ${names.loadBalancer} ` +
              `--backend-pool-name ${rule.poolName} shows the mappings). A new instance gets one within a minute; ` +
              "otherwise check that the rule's frontend port range has room for every instance."
          : `Azure has no SSH port for ${instance.name} of pool "${this.name}": load balancer ${names.loadBalancer} ` +
              'has no inbound NAT rule that leads to port 22. Recreate the rule (the pool template has it), or connect another way.',
      );
    }
    this.apply(this.vms);
    return port;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.disposed || !this.started || this.refreshIntervalMs <= 0) return;
    this.timer = setTimeout(() => {
      this.refresh().catch((err: unknown) =>
        this.options.log?.(`azure ${this.id}: refresh failed: ${RpcError.from(err).message}`),
      );
    }, this.refreshIntervalMs);
    // A refresh rhythm must never keep the app (or a test) alive.
    this.timer.unref();
  }

  private async read(): Promise<void> {
    try {
      const read = await readPool(this.options.clients, this.pool, {
        deadlineMs: this.readDeadlineMs,
        publicIp: this.publicIp,
        // Read once: an empty pool lists no VM to take the admin from, and the placement group
        // setting bounds Scale (it only ever changes from true to false).
        needScaleSet: !this.adminUsername || this.singlePlacementGroup === undefined,
      });
      this.publicIp = read.publicIp;
      if (read.adminUsername) this.adminUsername = read.adminUsername;
      if (read.singlePlacementGroup !== undefined) {
        this.singlePlacementGroup = read.singlePlacementGroup;
      }
      this.scaleLimit = capacityLimit(
        { singlePlacementGroup: this.singlePlacementGroup },
        read.loadBalancer,
      );
      this.ports.update(read.loadBalancer, read.vms);
      this.apply(read.vms);
      this.error = undefined;
      this.refreshedAt = Date.now();
    } catch (err) {
      // A pool that is gone has no instances; any other failure (throttling, network, a
      // deadline) keeps the last list, which is still the best guess.
      if (describeAzureFailure(err).status === 404) {
        this.ports.update(undefined, []);
        this.apply([]);
      }
      this.error = translateAzureError(err, {
        action: `read pool ${this.pool.poolName}`,
        scope: `resource group ${this.pool.resourceGroup}`,
        maxRetries: this.options.clients.maxRetries,
        afterTimeout: 'the next refresh tries again',
      });
      throw this.error;
    }
  }

  private apply(vms: VirtualMachineScaleSetVM[]): void {
    this.vms = vms;
    const host = this.publicIp?.ipAddress || this.publicIp?.fqdn || '';
    const instances: InstanceInfo[] = [];
    const details = new Map<string, AzureInstanceDetails>();
    const sorted = [...vms].sort((a, b) => Number(a.instanceId) - Number(b.instanceId));
    for (const vm of sorted) {
      const id = vm.instanceId ?? '';
      if (!id) continue;
      const mapped = mapInstanceState(vm);
      const computerName = vm.instanceView?.computerName ?? vm.osProfile?.computerName;
      const natPort = this.ports.portOf(id);
      const info: InstanceInfo = {
        id,
        name: computerName ?? vm.name ?? id,
        state: mapped.state,
        host,
        port: natPort ?? 0,
        sessions: {},
      };
      let detail = mapped.detail;
      // Not asked yet is no problem (it is asked when shown or connected to); asked, it is.
      if (mapped.state === 'running' && natPort === undefined && this.ports.hasNoPort(id)) {
        detail = 'No SSH port on the load balancer for it yet';
      }
      if (detail !== undefined) info.detail = detail;
      instances.push(info);
      const d: AzureInstanceDetails = {
        instanceId: id,
        vmName: vm.name ?? '',
        protectFromScaleIn: vm.protectionPolicy?.protectFromScaleIn === true,
        protectFromScaleSetActions: vm.protectionPolicy?.protectFromScaleSetActions === true,
      };
      if (computerName) d.computerName = computerName;
      if (mapped.powerState) d.powerState = mapped.powerState;
      if (mapped.provisioningState) d.provisioningState = mapped.provisioningState;
      if (mapped.failureCode) d.failureCode = mapped.failureCode;
      if (vm.latestModelApplied !== undefined) d.latestModelApplied = vm.latestModelApplied;
      if (natPort !== undefined) d.natPort = natPort;
      if (vm.sku?.name) d.vmSize = vm.sku.name;
      if (vm.zones?.length) d.zones = [...vm.zones];
      if (mapped.agentExtension) d.agentExtension = { ...mapped.agentExtension };
      details.set(id, d);
    }
    const before = JSON.stringify([this.snapshot.instances, [...this.snapshot.details]]);
    this.snapshot = { instances, details };
    for (const id of [...this.sessions.keys()]) if (!details.has(id)) this.sessions.delete(id);
    for (const id of [...this.activities.keys()]) if (!details.has(id)) this.activities.delete(id);
    if (JSON.stringify([instances, [...details]]) !== before) this.changed.fire();
  }
}

function scaleSetIdOf(pool: AzurePoolRef): string {
  const { subscriptionId, resourceGroup, poolName } = pool;
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${poolResourceNames(poolName).vmss}`;
}

/** The provider id of an Azure pool: stable across restarts, unique across subscriptions. */
export function azurePoolId(pool: AzurePoolRef): string {
  return `azure:${pool.subscriptionId}/${pool.resourceGroup}/${pool.poolName}`.toLowerCase();
}
