// The SSH NAT ports of one Azure pool's instances: from the load balancer GET where Azure lists
// them (IP-based pools), else from the port query per instance — cached for the instance's life,
// asked only for the instances on screen (`show`) and on Connect (`resolve`).
import type { VirtualMachineScaleSetVM } from '@azure/arm-compute';
import { Emitter, type Disposable, type Event } from '../../../common/event';
import type { AzureClients } from '../../azure/arm/index';
import {
  type LoadBalancerNatInput,
  NatPortCache,
  type PortTarget,
  type SshNatRule,
  ipConfigurationsByInstance,
  natPortQuery,
  natPortsByInstance,
  sshNatRule,
} from '../../azure/pools/index';

/** At most this many instance ids are taken as "on screen" (a page of the table is 50). */
export const MAX_SHOWN_INSTANCES = 200;

export interface InstancePortsOptions {
  clients: AzureClients;
  resourceGroup: string;
  loadBalancerName: string;
  scaleSetId: string;
  /** The template's NAT rule name: preferred when several rules lead to port 22. */
  preferredRule: string;
  /** Port queries in flight at most (default 4). */
  concurrency?: number;
  /** Each port query's deadline (default: the clients'). */
  deadlineMs?: number;
  /** Poll interval of the port query when Azure gives no Retry-After (default: the SDK's). */
  pollIntervalMs?: number;
  log?: (line: string) => void;
}

export class InstancePorts implements Disposable {
  private rule: SshNatRule | undefined;
  /** Ports the load balancer GET listed (IP-based pools), by instance id. */
  private listed = new Map<string, number>();
  /** What to ask for each instance of the current list, by instance id. */
  private targets = new Map<string, PortTarget>();
  private shown: string[] = [];
  private readonly cache: NatPortCache;
  private readonly changed = new Emitter<void>();
  /** A port became known (or Azure said it has none): the list should show it. */
  readonly onDidChange: Event<void> = this.changed.event;

  constructor(private readonly options: InstancePortsOptions) {
    this.cache = new NatPortCache({
      query: natPortQuery({
        clients: options.clients,
        resourceGroup: options.resourceGroup,
        loadBalancerName: options.loadBalancerName,
        rule: () => this.rule,
        deadlineMs: options.deadlineMs,
        pollIntervalMs: options.pollIntervalMs,
      }),
      concurrency: options.concurrency,
      onError: (target, err) =>
        options.log?.(
          `azure: NAT port of instance ${target.instanceId}: ${err instanceof Error ? err.message : String(err)} (asked again at the next refresh)`,
        ),
    });
    this.cache.onDidResolve(() => this.changed.fire());
  }

  /** The load balancer's NAT rule for SSH, as the last read found it. */
  get sshRule(): SshNatRule | undefined {
    return this.rule;
  }

  /** After each read of the pool: the load balancer (undefined: none) and the VMs listed. */
  update(loadBalancer: LoadBalancerNatInput | undefined, vms: VirtualMachineScaleSetVM[]): void {
    const { scaleSetId, preferredRule } = this.options;
    this.rule = loadBalancer ? sshNatRule(loadBalancer, { preferredRule }) : undefined;
    this.listed = loadBalancer
      ? natPortsByInstance(loadBalancer, scaleSetId, { preferredRule })
      : new Map();
    const rule = this.rule;
    const members =
      loadBalancer && rule
        ? ipConfigurationsByInstance(loadBalancer, rule.poolId, scaleSetId)
        : new Map<string, string>();
    const targets = new Map<string, PortTarget>();
    for (const vm of vms) {
      const instanceId = vm.instanceId;
      if (!instanceId || !rule || this.listed.has(instanceId)) continue;
      const ipConfigurationId = members.get(instanceId) ?? ipConfigurationInModel(vm, rule.poolId);
      if (!ipConfigurationId) continue;
      // The answer holds for this VM under this rule as it is: another VM with the same id, or
      // the rule pointed at another pool or range, is asked anew.
      const vmKey = vm.vmId ?? `${scaleSetId.toLowerCase()}/${instanceId}`;
      const key = [
        vmKey,
        rule.poolId.toLowerCase(),
        rule.ruleName.toLowerCase(),
        rule.frontendPortRangeStart,
      ].join('|');
      targets.set(instanceId, { key, instanceId, ipConfigurationId });
    }
    this.targets = targets;
    // Instances that are gone (or moved to another rule) take their answers with them.
    this.cache.retain(new Set([...targets.values()].map((t) => t.key)));
    void this.ask();
  }

  /** The instance's port, when known. */
  portOf(instanceId: string): number | undefined {
    const listed = this.listed.get(instanceId);
    if (listed !== undefined) return listed;
    const target = this.targets.get(instanceId);
    return target ? this.cache.port(target.key) : undefined;
  }

  /** Azure was asked lately and maps no port to it. */
  hasNoPort(instanceId: string): boolean {
    const target = this.targets.get(instanceId);
    return target !== undefined && this.cache.hasNoPort(target.key);
  }

  /**
   * The instances on screen (in screen order): their ports are asked for, the others' not.
   * Settles when each has been answered, has failed, or is no longer wished for.
   */
  show(instanceIds: readonly string[]): Promise<void> {
    this.shown = instanceIds.slice(0, MAX_SHOWN_INSTANCES);
    return this.ask();
  }

  /**
   * For Connect: the port now, asked ahead of everything else when not known. Undefined when
   * Azure maps none to it (or it is not in the rule's backend pool); rejects when the query fails.
   */
  async resolve(instanceId: string): Promise<number | undefined> {
    const known = this.portOf(instanceId);
    if (known !== undefined) return known;
    const target = this.targets.get(instanceId);
    if (!target) return undefined;
    return this.cache.resolve(target);
  }

  /** Queries running and waiting, and answers cached. */
  get stats(): { inFlight: number; waiting: number; cached: number } {
    return this.cache.stats;
  }

  dispose(): void {
    this.cache.dispose();
    this.changed.dispose();
  }

  private ask(): Promise<void> {
    const wanted: PortTarget[] = [];
    for (const id of this.shown) {
      const target = this.targets.get(id);
      if (target) wanted.push(target);
    }
    return this.cache.want(wanted);
  }
}

/**
 * The VM's own model says which of its IP configurations is in the pool (when the load
 * balancer's `backendIPConfigurations` does not list it yet): `<vm id>/networkInterfaces/<nic>/
 * ipConfigurations/<ip config>`.
 */
function ipConfigurationInModel(vm: VirtualMachineScaleSetVM, poolId: string): string | undefined {
  if (!vm.id) return undefined;
  for (const nic of vm.networkProfileConfiguration?.networkInterfaceConfigurations ?? []) {
    for (const ip of nic.ipConfigurations ?? []) {
      const inPool = (ip.loadBalancerBackendAddressPools ?? []).some(
        (p) => p.id?.toLowerCase() === poolId.toLowerCase(),
      );
      if (inPool) return `${vm.id}/networkInterfaces/${nic.name}/ipConfigurations/${ip.name}`;
    }
  }
  return undefined;
}
