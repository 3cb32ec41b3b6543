// The load balancers' data plane: which frontend port each scale set instance gets from an inbound
// NAT rule v2 (port range → backend port), and real TCP forwarders from those ports on 127.0.0.1 to
// the running instances' SSH servers.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ProcessLauncher } from '../../../src/core/providers/local/process-launcher';
import { SandboxLayout } from '../../../src/core/providers/local/sandbox-layout';
import type { ComputeProvider } from './compute-provider';
import { vmId } from './compute-views';
import { NatForwarder } from './nat-forwarder';
import { idKey } from './resource-ids';
import type { ResourceStore, StoredResource } from './resource-store';
import type { VmInstance } from './scale-set';
import { VmSshServer } from './vm-ssh-server';

type Json = Record<string, unknown>;

/** One frontend port of a NAT rule v2, mapped to one instance's NIC IP configuration. */
export interface NatPortMapping {
  loadBalancerId: string;
  inboundNatRuleName: string;
  protocol: string;
  frontendPort: number;
  backendPort: number;
  /** `<scale set>/virtualMachines/<n>/networkInterfaces/<nic>/ipConfigurations/<ipconfig>` */
  ipConfigurationId: string;
  privateIpAddress: string;
  scaleSetId: string;
  instanceId: string;
}

/** A scale set instance's IP configuration that is in a load balancer backend pool. */
export interface PoolMember {
  ipConfigurationId: string;
  scaleSetId: string;
  vm: VmInstance;
}

export interface NatDataPlaneOptions {
  /** Where the instances' homes and host keys go (a temp folder of the emulator). */
  dataDir: string;
  /** How many instances may have a live SSH endpoint at once (others' NAT ports don't answer). */
  maxSshServers: number;
  log: (line: string) => void;
}

export class NatDataPlane {
  /** rule key → ip configuration key → frontend port; kept while the instance exists. */
  private readonly allocations = new Map<string, Map<string, number>>();
  private readonly forwarders = new Map<number, { vmKey: string; forwarder: NatForwarder }>();
  /** Ports that could not be bound (in use by something else), not retried until freed. */
  private readonly unbindable = new Set<number>();
  private readonly servers = new Map<string, VmSshServer>();
  private readonly layouts = new Map<string, SandboxLayout>();
  /** Instances given SSH beyond the limit by `enableSsh`. */
  private readonly forced = new Set<string>();
  private readonly launcher: ProcessLauncher;
  private readonly runId = randomBytes(6).toString('hex');
  private queue: Promise<void> = Promise.resolve();
  /** A sync queued but not started yet: later callers share it (1,000 VMs changing at once). */
  private pendingSync?: Promise<void>;
  private closed = false;

  constructor(
    private readonly store: ResourceStore,
    private readonly compute: ComputeProvider,
    private readonly options: NatDataPlaneOptions,
  ) {
    this.launcher = new ProcessLauncher(options.log);
  }

  /** The members of a backend pool: scale set NIC IP configurations that reference it. */
  members(poolId: string): PoolMember[] {
    const members: PoolMember[] = [];
    for (const { resource, set } of this.compute.all()) {
      const nics = arr(
        obj(obj(obj(resource.body.properties).virtualMachineProfile).networkProfile)
          .networkInterfaceConfigurations,
      );
      for (const nic of nics) {
        for (const ip of arr(obj(nic.properties).ipConfigurations)) {
          const pools = arr(obj(ip.properties).loadBalancerBackendAddressPools);
          if (!pools.some((p) => idKey(String(p.id ?? '')) === idKey(poolId))) continue;
          for (const vm of [...set.instances.values()].sort(byInstanceId)) {
            members.push({
              ipConfigurationId:
                `${vmId(resource, vm)}/networkInterfaces/${String(nic.name)}` +
                `/ipConfigurations/${String(ip.name)}`,
              scaleSetId: resource.id,
              vm,
            });
          }
        }
      }
    }
    return members;
  }

  /** Every mapping of a load balancer (all its NAT rules v2), in rule then port order. */
  mappings(loadBalancer: StoredResource): NatPortMapping[] {
    const result: NatPortMapping[] = [];
    for (const rule of natRulesV2(loadBalancer)) {
      const ports = this.allocations.get(ruleKey(loadBalancer.id, rule.name));
      if (!ports) continue;
      for (const member of this.members(rule.poolId)) {
        const port = ports.get(idKey(member.ipConfigurationId));
        if (port === undefined) continue;
        result.push({
          loadBalancerId: loadBalancer.id,
          inboundNatRuleName: rule.name,
          protocol: rule.protocol,
          frontendPort: port,
          backendPort: rule.backendPort,
          ipConfigurationId: member.ipConfigurationId,
          privateIpAddress: member.vm.privateIpAddress,
          scaleSetId: member.scaleSetId,
          instanceId: member.vm.instanceId,
        });
      }
    }
    return result.sort((a, b) => a.frontendPort - b.frontendPort);
  }

  /** Gives an instance a live SSH endpoint even beyond `maxSshServers`. */
  enableSsh(scaleSetId: string, instanceId: string): Promise<void> {
    this.forced.add(vmKey(scaleSetId, instanceId));
    return this.sync();
  }

  /** Brings allocations, forwarders and SSH servers in line with the current state. */
  sync(): Promise<void> {
    if (this.pendingSync) return this.pendingSync;
    const run = this.queue.then(() => {
      this.pendingSync = undefined;
      return this.syncNow();
    });
    const settled = run.catch((err: unknown) =>
      this.options.log(`NAT sync failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.pendingSync = settled;
    this.queue = settled;
    return settled;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await Promise.all([...this.forwarders.values()].map(({ forwarder }) => forwarder.close()));
    this.forwarders.clear();
    await Promise.all([...this.servers.values()].map((server) => server.stop()));
    this.servers.clear();
  }

  private async syncNow(): Promise<void> {
    if (this.closed) return;
    const wanted = new Map<number, { vmKey: string; scaleSetId: string; vm: VmInstance }>();
    const liveRules = new Set<string>();
    for (const loadBalancer of this.store
      .all()
      .filter((r) => r.type.toLowerCase() === 'microsoft.network/loadbalancers')) {
      for (const rule of natRulesV2(loadBalancer)) {
        const key = ruleKey(loadBalancer.id, rule.name);
        liveRules.add(key);
        const ports = this.allocations.get(key) ?? new Map<string, number>();
        this.allocations.set(key, ports);
        const members = this.members(rule.poolId);
        const present = new Set(members.map((m) => idKey(m.ipConfigurationId)));
        for (const ipKey of [...ports.keys()]) if (!present.has(ipKey)) ports.delete(ipKey);
        const used = new Set(ports.values());
        for (const member of members) {
          const ipKey = idKey(member.ipConfigurationId);
          let port = ports.get(ipKey);
          if (port === undefined) {
            port = freePort(rule.start, rule.end, used);
            if (port === undefined) {
              this.options.log(
                `NAT rule ${rule.name}: port range ${rule.start}-${rule.end} is full`,
              );
              continue;
            }
            ports.set(ipKey, port);
            used.add(port);
          }
          if (rule.backendPort === 22 && member.vm.sshUp) {
            wanted.set(port, {
              vmKey: vmKey(member.scaleSetId, member.vm.instanceId),
              scaleSetId: member.scaleSetId,
              vm: member.vm,
            });
          }
        }
      }
    }
    for (const key of [...this.allocations.keys()])
      if (!liveRules.has(key)) this.allocations.delete(key);

    // Close what should no longer answer: the VM went down, moved, or the rule is gone.
    const wantedVms = new Set([...wanted.values()].map((w) => w.vmKey));
    for (const [port, open] of [...this.forwarders]) {
      if (wanted.get(port)?.vmKey !== open.vmKey) {
        this.forwarders.delete(port);
        await open.forwarder.close();
      }
    }
    for (const [key, server] of [...this.servers]) {
      if (!wantedVms.has(key)) {
        this.servers.delete(key);
        await server.stop();
      }
    }
    for (const port of [...this.unbindable]) if (!wanted.has(port)) this.unbindable.delete(port);

    // Open the rest, up to the limit: instances beyond it keep a NAT port that does not answer.
    for (const [port, target] of wanted) {
      if (this.forwarders.has(port) || this.unbindable.has(port)) continue;
      if (this.forwarders.size >= this.options.maxSshServers && !this.forced.has(target.vmKey)) {
        continue;
      }
      const server = this.serverFor(target.vmKey, target.scaleSetId, target.vm);
      if (!server) continue;
      try {
        const forwarder = await NatForwarder.open(port, () => server.port(), this.options.log);
        this.forwarders.set(port, { vmKey: target.vmKey, forwarder });
      } catch (err) {
        this.unbindable.add(port);
        this.options.log(
          `NAT port ${port} of ${target.vm.name} cannot listen on 127.0.0.1 ` +
            `(${err instanceof Error ? err.message : String(err)}); choose another port range`,
        );
      }
    }
  }

  private serverFor(key: string, scaleSetId: string, vm: VmInstance): VmSshServer | undefined {
    const existing = this.servers.get(key);
    if (existing) return existing;
    const handle = this.compute.handle(scaleSetId);
    if (!handle) return undefined;
    const os = obj(obj(obj(handle.resource.body.properties).virtualMachineProfile).osProfile);
    const user = typeof os.adminUsername === 'string' ? os.adminUsername : undefined;
    const keys = arr(obj(obj(os.linuxConfiguration).ssh).publicKeys);
    const publicKey = keys.map((k) => k.keyData).find((k) => typeof k === 'string') as
      string | undefined;
    if (!user || !publicKey) {
      this.options.log(`${vm.name}: no adminUsername or SSH public key in the model, so no SSH`);
      return undefined;
    }
    let layout = this.layouts.get(idKey(scaleSetId));
    if (!layout) {
      const folder = join(this.options.dataDir, handle.resource.resourceGuid);
      layout = new SandboxLayout(folder, user, this.options.log);
      this.layouts.set(idKey(scaleSetId), layout);
    }
    try {
      const server = new VmSshServer({
        computerName: vm.computerName,
        user,
        publicKey,
        layout,
        launcher: this.launcher,
        runId: this.runId,
        log: this.options.log,
      });
      this.servers.set(key, server);
      return server;
    } catch (err) {
      this.options.log(`${vm.name}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }
}

interface NatRuleV2 {
  name: string;
  poolId: string;
  start: number;
  end: number;
  backendPort: number;
  protocol: string;
}

/** The load balancer's NAT rules v2: a backend pool and a frontend port range. */
export function natRulesV2(loadBalancer: StoredResource): NatRuleV2[] {
  const rules: NatRuleV2[] = [];
  for (const rule of arr(obj(loadBalancer.body.properties).inboundNatRules)) {
    const props = obj(rule.properties);
    const poolId = obj(props.backendAddressPool).id;
    if (typeof poolId !== 'string' || typeof props.frontendPortRangeStart !== 'number') continue;
    rules.push({
      name: String(rule.name),
      poolId,
      start: props.frontendPortRangeStart,
      end: Number(props.frontendPortRangeEnd ?? props.frontendPortRangeStart),
      backendPort: Number(props.backendPort),
      protocol: String(props.protocol ?? 'Tcp'),
    });
  }
  return rules;
}

function freePort(start: number, end: number, used: Set<number>): number | undefined {
  for (let port = start; port <= end; port++) if (!used.has(port)) return port;
  return undefined;
}

function ruleKey(loadBalancerId: string, ruleName: string): string {
  return `${idKey(loadBalancerId)}|${ruleName.toLowerCase()}`;
}

function vmKey(scaleSetId: string, instanceId: string): string {
  return `${idKey(scaleSetId)}|${instanceId}`;
}

function byInstanceId(a: VmInstance, b: VmInstance): number {
  return Number(a.instanceId) - Number(b.instanceId);
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function arr(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}
