// An Azure pool (DESIGN.md §3–4): the instances of one tagged VM scale set, read with one VM list
// (instance views expanded) plus one load balancer GET for their SSH NAT ports, kept fresh.
import type { VirtualMachineScaleSetVM } from '@azure/arm-compute';
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
  natPortsByInstance,
  type AzurePoolRef,
  type AzurePoolService,
} from '../../azure/pools/index';
import { poolResourceNames } from '../../azure/template/index';
import type { ConnectTarget, PoolProvider } from '../pool-provider';

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
  private adminUsername = '';
  private singlePlacementGroup: boolean | undefined;
  private scaleLimit: CapacityLimit | undefined;
  private publicIp: { id: string; ipAddress?: string; fqdn?: string } | undefined;
  private readonly changed = new Emitter<void>();
  readonly onDidChangeInstances = this.changed.event;
  private readonly sessions = new Map<string, Record<string, number>>();
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
      return { ...i, sessions: { ...sessions } };
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
    if (!instance.host || !instance.port) {
      throw new RpcError(
        ErrorCode.Unreachable,
        `${instance.name} of pool "${this.name}" has no public SSH port yet (the load balancer maps none to it). Try again in a minute.`,
      );
    }
    const target: ConnectTarget = {
      host: instance.host,
      port: instance.port,
      username: this.adminUsername,
    };
    const key = await this.options.keys(this.id);
    if (key?.privateKey !== undefined) target.privateKey = key.privateKey;
    if (key?.passphrase !== undefined) target.passphrase = key.passphrase;
    if (key?.agent !== undefined) target.agent = key.agent;
    return target;
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
    this.registration?.dispose();
    this.changed.dispose();
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
    const { compute, network } = this.options.clients;
    const { resourceGroup: rg, subscriptionId } = this.pool;
    const names = poolResourceNames(this.pool.poolName);
    const scaleSetId = `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${names.vmss}`;
    try {
      // One VM list (all pages) and one load balancer GET; the static public IP only once. When
      // one fails the others stop too (a retry waiting out Retry-After is not sent after the read
      // has already failed).
      const siblings = new AbortController();
      const abortSignal = siblings.signal;
      const orStopSiblings = <T>(read: Promise<T>): Promise<T> =>
        read.catch((err: unknown) => {
          siblings.abort();
          throw err;
        });
      const [vms, lb, ip] = await Promise.all([
        orStopSiblings(
          collect(
            compute.virtualMachineScaleSetVMs.list(rg, names.vmss, {
              expand: 'instanceView',
              abortSignal,
            }),
          ),
        ),
        orStopSiblings(
          network.loadBalancers
            .get(rg, names.loadBalancer, { abortSignal })
            .catch((err: unknown) => {
              if (describeAzureFailure(err).status === 404) return undefined; // no ports, still instances
              throw err;
            }),
        ),
        this.publicIp
          ? undefined
          : network.publicIPAddresses
              .get(rg, names.publicIp, { abortSignal })
              .catch(() => undefined),
      ]);
      if (ip)
        this.publicIp = { id: ip.id ?? '', ipAddress: ip.ipAddress, fqdn: ip.dnsSettings?.fqdn };
      // The load balancer may front another public IP than the template's (edited by hand).
      const frontendIpId = lb?.frontendIPConfigurations?.[0]?.publicIPAddress?.id;
      if (frontendIpId && frontendIpId.toLowerCase() !== this.publicIp?.id.toLowerCase()) {
        const name = frontendIpId.split('/').pop() ?? '';
        const other = await network.publicIPAddresses.get(rg, name);
        this.publicIp = {
          id: other.id ?? frontendIpId,
          ipAddress: other.ipAddress,
          fqdn: other.dnsSettings?.fqdn,
        };
      }
      const ports = lb
        ? natPortsByInstance(lb, scaleSetId, { preferredRule: names.natRule })
        : new Map<string, number>();
      const admin = vms.find((vm) => vm.osProfile?.adminUsername)?.osProfile?.adminUsername;
      if (admin) this.adminUsername = admin;
      if (!this.adminUsername || this.singlePlacementGroup === undefined) {
        // Read once: an empty pool lists no VM to take the admin from, and the placement
        // group setting bounds Scale (it only ever changes from true to false).
        const vmss = await compute.virtualMachineScaleSets.get(rg, names.vmss);
        this.adminUsername ||= vmss.virtualMachineProfile?.osProfile?.adminUsername ?? '';
        this.singlePlacementGroup = vmss.singlePlacementGroup !== false;
      }
      this.scaleLimit = capacityLimit({ singlePlacementGroup: this.singlePlacementGroup }, lb);
      this.apply(vms, ports);
      this.error = undefined;
      this.refreshedAt = Date.now();
    } catch (err) {
      // A pool that is gone has no instances; any other failure (throttling, network) keeps
      // the last list, which is still the best guess.
      if (describeAzureFailure(err).status === 404) this.apply([], new Map());
      this.error = translateAzureError(err, {
        action: `read pool ${this.pool.poolName}`,
        scope: `resource group ${rg}`,
        maxRetries: this.options.clients.maxRetries,
      });
      throw this.error;
    }
  }

  private apply(vms: VirtualMachineScaleSetVM[], ports: Map<string, number>): void {
    const host = this.publicIp?.ipAddress || this.publicIp?.fqdn || '';
    const instances: InstanceInfo[] = [];
    const details = new Map<string, AzureInstanceDetails>();
    const sorted = [...vms].sort((a, b) => Number(a.instanceId) - Number(b.instanceId));
    for (const vm of sorted) {
      const id = vm.instanceId ?? '';
      if (!id) continue;
      const mapped = mapInstanceState(vm);
      const computerName = vm.instanceView?.computerName ?? vm.osProfile?.computerName;
      const natPort = ports.get(id);
      const info: InstanceInfo = {
        id,
        name: computerName ?? vm.name ?? id,
        state: mapped.state,
        host,
        port: natPort ?? 0,
        sessions: {},
      };
      let detail = mapped.detail;
      if (mapped.state === 'running' && natPort === undefined) {
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
    if (JSON.stringify([instances, [...details]]) !== before) this.changed.fire();
  }
}

/** The provider id of an Azure pool: stable across restarts, unique across subscriptions. */
export function azurePoolId(pool: AzurePoolRef): string {
  return `azure:${pool.subscriptionId}/${pool.resourceGroup}/${pool.poolName}`.toLowerCase();
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}
