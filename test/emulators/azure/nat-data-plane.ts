// The load balancers' data plane: which frontend port each backend pool member (a scale set NIC, or
// an address of an IP-based pool) gets from an inbound NAT rule v2 (port range → backend port), and
// real TCP forwarders from those ports on 127.0.0.1 to the running instances' SSH servers.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ProcessLauncher } from '../../../src/core/providers/local/process-launcher';
import { SandboxLayout } from '../../../src/core/providers/local/sandbox-layout';
import type { ComputeProvider, ExtensionRunner } from './compute-provider';
import type { CustomScriptJob, CustomScriptResult } from './custom-script';
import { vmId } from './compute-views';
import { NatForwarder } from './nat-forwarder';
import { idKey } from './resource-ids';
import type { ResourceStore, StoredResource } from './resource-store';
import type { VmInstance } from './scale-set';
import { VmSshServer } from './vm-ssh-server';

type Json = Record<string, unknown>;

/** One frontend port of a NAT rule v2, mapped to one backend pool member. */
export interface NatPortMapping {
  loadBalancerId: string;
  inboundNatRuleName: string;
  protocol: string;
  frontendPort: number;
  backendPort: number;
  /** The member's allocation key (`PoolMember.key`). */
  memberKey: string;
  /**
   * `<scale set>/virtualMachines/<n>/networkInterfaces/<nic>/ipConfigurations/<ipconfig>`; for an
   * IP-based member only when a scale set VM's NIC holds its address.
   */
  ipConfigurationId?: string;
  privateIpAddress: string;
  /** The scale set VM behind the port, if any. */
  scaleSetId?: string;
  instanceId?: string;
}

/**
 * A member of a load balancer backend pool. Azure has two kinds of pool and never mixes them in
 * one (https://learn.microsoft.com/azure/load-balancer/backend-pool-management): NIC-based, whose
 * members are NIC IP configurations that name the pool (what a scale set's network profile
 * makes), and IP-based, whose members are addresses listed on the pool (`ipAddress` +
 * `virtualNetwork`).
 */
export interface PoolMember {
  kind: 'nic' | 'ip';
  /** What its NAT ports are allocated by: the IP configuration id, or `ip:<vnet>|<address>`. */
  key: string;
  /** A NIC member's IP configuration; an IP member's when a scale set VM's NIC holds the address. */
  ipConfigurationId?: string;
  ipAddress: string;
  /** An IP member's name and virtual network, as the pool lists them. */
  name?: string;
  /** The scale set VM behind it (always for a NIC member). */
  scaleSetId?: string;
  vm?: VmInstance;
}

/**
 * What answers behind a running instance's NAT port (backend port 22). The default is the ssh2
 * sandbox (`VmSshServer`); `startAzureEmulator({ vmBackend })` plugs in another, e.g. real
 * sshd + agent VMs (`../vm/namespace-vm-backend.ts`).
 */
export interface VmBackend {
  /** The loopback port of the VM's SSH server; boots it when it is not up (a connection waits). */
  port(): Promise<number>;
  /** The VM went down (deallocate, powerOff, restart): its SSH server ends; it keeps its disk. */
  stop(): Promise<void>;
  /** The VM was deleted (or the emulator closes): stop, and drop its disk. */
  dispose(): Promise<void>;
  /** Called (not awaited) when the VM comes up, to boot now rather than on the first connection. */
  start?(): Promise<void>;
  /**
   * Runs a CustomScript extension's job as root inside the VM (booting it first), as the Linux
   * guest agent does at provisioning. Without it the VM runs no extensions and reports none.
   */
  runCustomScript?(job: CustomScriptJob): Promise<CustomScriptResult>;
}

/** One instance, as a backend factory sees it when the instance first comes up. */
export interface VmBackendContext {
  scaleSetId: string;
  scaleSetName: string;
  /** The scale set's tags, e.g. `dsvm-pool-storage-account` and `dsvm-pool-file-share`. */
  tags: Record<string, string>;
  instanceId: string;
  /** `<scale set>_<instanceId>` */
  vmName: string;
  computerName: string;
  /** osProfile.adminUsername */
  adminUser: string;
  /** osProfile.linuxConfiguration.ssh.publicKeys[].keyData (at least one). */
  publicKeys: string[];
  /** A folder for this instance's disk inside the emulator's temp folder (not created yet). */
  dataDir: string;
  /** The extensions of the scale set's model (public parts), e.g. the agent's CustomScript. */
  extensions: Array<{ name: string; publisher: string; type: string }>;
  /** The Azure Files data plane the VM's SMB mounts reach (shares' folders and keys). */
  files?: {
    dataDir(account: string, share: string): string;
    accountKeys(account: string): string[] | undefined;
  };
  log: (line: string) => void;
  /**
   * The VM's view of Azure from inside: its IMDS listener (`http://127.0.0.1:<port>`, the VM's
   * 169.254.169.254), the ARM endpoint and the CA certificate (PEM) to trust for it.
   */
  imds?: () => Promise<VmAzureAccess>;
}

/** How a VM reaches IMDS and ARM (see README, "IMDS"). */
export interface VmAzureAccess {
  imdsEndpoint: string;
  armEndpoint: string;
  armCaPem: string;
}

/** Makes the backend of one instance, once for its whole life (deallocate/start reuse it). */
export type VmBackendFactory = (vm: VmBackendContext) => VmBackend;

export interface NatDataPlaneOptions {
  /** Where the instances' homes and host keys go (a temp folder of the emulator). */
  dataDir: string;
  /** How many instances may have a live SSH endpoint at once (others' NAT ports don't answer). */
  maxSshServers: number;
  log: (line: string) => void;
  /** Default: the ssh2 sandbox (`VmSshServer`), a new one per boot. */
  vmBackend?: VmBackendFactory;
  /** Handed to backends (VmBackendContext.files). */
  files?: VmBackendContext['files'];
  /** A VM's IMDS and ARM access (VmBackendContext.imds). */
  azureAccess?: (scaleSetId: string, instanceId: string) => Promise<VmAzureAccess>;
}

export class NatDataPlane {
  /** rule key → member key → frontend port; kept while the member exists. */
  private readonly allocations = new Map<string, Map<string, number>>();
  private readonly forwarders = new Map<number, { vmKey: string; forwarder: NatForwarder }>();
  /** Ports that could not be bound (in use by something else), not retried until freed. */
  private readonly unbindable = new Set<number>();
  /** vm key → its backend; `up` while it should be running. */
  private readonly servers = new Map<string, { backend: VmBackend; up: boolean }>();
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

  /**
   * The members of a backend pool: the addresses listed on it when it is IP-based, else the scale
   * set NIC IP configurations that reference it.
   */
  members(poolId: string): PoolMember[] {
    return this.ipMembers(poolId) ?? this.nicMembers(poolId);
  }

  private nicMembers(poolId: string): PoolMember[] {
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
            const ipConfigurationId =
              `${vmId(resource, vm)}/networkInterfaces/${String(nic.name)}` +
              `/ipConfigurations/${String(ip.name)}`;
            members.push({
              kind: 'nic',
              key: idKey(ipConfigurationId),
              ipConfigurationId,
              ipAddress: vm.privateIpAddress,
              scaleSetId: resource.id,
              vm,
            });
          }
        }
      }
    }
    return members;
  }

  /** An IP-based pool's addresses (undefined when the pool lists none: it is NIC-based). */
  private ipMembers(poolId: string): PoolMember[] | undefined {
    const at = poolId.toLowerCase().lastIndexOf('/backendaddresspools/');
    if (at < 0) return undefined;
    const loadBalancer = this.store.get(poolId.slice(0, at));
    const poolName = poolId.slice(at + '/backendaddresspools/'.length).toLowerCase();
    const pool = arr(obj(loadBalancer?.body.properties).backendAddressPools).find(
      (p) => String(p.name).toLowerCase() === poolName,
    );
    const addresses = arr(obj(pool?.properties).loadBalancerBackendAddresses).filter(
      (a) => typeof obj(a.properties).ipAddress === 'string',
    );
    if (addresses.length === 0) return undefined;
    return addresses.map((address) => {
      const props = obj(address.properties);
      const ipAddress = String(props.ipAddress);
      const network = String(
        obj(props.virtualNetwork).id ??
          String(obj(props.subnet).id ?? '').replace(/\/subnets\/.*$/i, ''),
      );
      const member: PoolMember = {
        kind: 'ip',
        key: `ip:${idKey(network)}|${ipAddress}`,
        ipAddress,
        name: String(address.name ?? ipAddress),
      };
      const holder = this.nicHolding(network, ipAddress);
      if (holder) Object.assign(member, holder);
      return member;
    });
  }

  /** The scale set VM whose NIC has `ipAddress` in a subnet of `network`, if any. */
  private nicHolding(
    network: string,
    ipAddress: string,
  ): Pick<PoolMember, 'ipConfigurationId' | 'scaleSetId' | 'vm'> | undefined {
    const prefix = `${idKey(network)}/subnets/`;
    for (const { resource, set } of this.compute.all()) {
      const nics = arr(
        obj(obj(obj(resource.body.properties).virtualMachineProfile).networkProfile)
          .networkInterfaceConfigurations,
      );
      for (const nic of nics) {
        for (const ip of arr(obj(nic.properties).ipConfigurations)) {
          const subnet = idKey(String(obj(obj(ip.properties).subnet).id ?? ''));
          if (!subnet.startsWith(prefix)) continue;
          const vm = [...set.instances.values()].find((v) => v.privateIpAddress === ipAddress);
          if (!vm) continue;
          return {
            ipConfigurationId:
              `${vmId(resource, vm)}/networkInterfaces/${String(nic.name)}` +
              `/ipConfigurations/${String(ip.name)}`,
            scaleSetId: resource.id,
            vm,
          };
        }
      }
    }
    return undefined;
  }

  /** Every mapping of a load balancer (all its NAT rules v2), in rule then port order. */
  mappings(loadBalancer: StoredResource): NatPortMapping[] {
    const result: NatPortMapping[] = [];
    for (const rule of natRulesV2(loadBalancer)) {
      const ports = this.allocations.get(ruleKey(loadBalancer.id, rule.name));
      if (!ports) continue;
      for (const member of this.members(rule.poolId)) {
        const port = ports.get(member.key);
        if (port === undefined) continue;
        const mapping: NatPortMapping = {
          loadBalancerId: loadBalancer.id,
          inboundNatRuleName: rule.name,
          protocol: rule.protocol,
          frontendPort: port,
          backendPort: rule.backendPort,
          memberKey: member.key,
          privateIpAddress: member.ipAddress,
        };
        if (member.ipConfigurationId) mapping.ipConfigurationId = member.ipConfigurationId;
        if (member.scaleSetId && member.vm) {
          mapping.scaleSetId = member.scaleSetId;
          mapping.instanceId = member.vm.instanceId;
        }
        result.push(mapping);
      }
    }
    return result.sort((a, b) => a.frontendPort - b.frontendPort);
  }

  /**
   * The VM's extension runner once it is up (its backend booted by the last sync); undefined
   * when its backend runs no extensions, or it has none (beyond `maxSshServers`).
   */
  async extensionRunner(scaleSetId: string, vm: VmInstance): Promise<ExtensionRunner | undefined> {
    await this.queue;
    const backend = this.servers.get(vmKey(scaleSetId, vm.instanceId))?.backend;
    const run = backend?.runCustomScript?.bind(backend);
    return run ? { runCustomScript: run } : undefined;
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
    await Promise.all([...this.servers.values()].map(({ backend }) => backend.dispose()));
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
        const present = new Set(members.map((m) => m.key));
        for (const key of [...ports.keys()]) if (!present.has(key)) ports.delete(key);
        const used = new Set(ports.values());
        for (const member of members) {
          let port = ports.get(member.key);
          if (port === undefined) {
            port = freePort(rule.start, rule.end, used);
            if (port === undefined) {
              this.options.log(
                `NAT rule ${rule.name}: port range ${rule.start}-${rule.end} is full`,
              );
              continue;
            }
            ports.set(member.key, port);
            used.add(port);
          }
          if (rule.backendPort === 22 && member.vm?.sshUp && member.scaleSetId) {
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
    const existing = new Set<string>();
    for (const { resource, set } of this.compute.all()) {
      for (const vm of set.instances.values()) {
        if (!vm.deleted) existing.add(vmKey(resource.id, vm.instanceId));
      }
    }
    for (const [key, entry] of [...this.servers]) {
      if (wantedVms.has(key)) continue;
      if (!existing.has(key)) {
        this.servers.delete(key);
        await entry.backend.dispose();
      } else if (entry.up) {
        // Down but not deleted: a plugged-in backend keeps its disk for the next boot; the
        // default sandbox gets a new server then, as before.
        entry.up = false;
        if (!this.options.vmBackend) this.servers.delete(key);
        await entry.backend.stop();
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
      if (!server.up) {
        server.up = true;
        server.backend
          .start?.()
          .catch((err: unknown) =>
            this.options.log(
              `${target.vm.name} did not boot: ${err instanceof Error ? err.message : String(err)}`,
            ),
          );
      }
      try {
        const forwarder = await NatForwarder.open(
          port,
          () => server.backend.port(),
          this.options.log,
        );
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

  private serverFor(
    key: string,
    scaleSetId: string,
    vm: VmInstance,
  ): { backend: VmBackend; up: boolean } | undefined {
    const existing = this.servers.get(key);
    if (existing) return existing;
    const handle = this.compute.handle(scaleSetId);
    if (!handle) return undefined;
    const os = obj(obj(obj(handle.resource.body.properties).virtualMachineProfile).osProfile);
    const user = typeof os.adminUsername === 'string' ? os.adminUsername : undefined;
    const keys = arr(obj(obj(os.linuxConfiguration).ssh).publicKeys);
    const publicKeys = keys.map((k) => k.keyData).filter((k) => typeof k === 'string');
    const publicKey = publicKeys[0];
    if (!user || !publicKey) {
      this.options.log(`${vm.name}: no adminUsername or SSH public key in the model, so no SSH`);
      return undefined;
    }
    if (this.options.vmBackend) {
      const access = this.options.azureAccess;
      try {
        const tags = obj(handle.resource.body.tags);
        const backend = this.options.vmBackend({
          scaleSetId: handle.resource.id,
          scaleSetName: handle.resource.name,
          tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)])),
          instanceId: vm.instanceId,
          vmName: vm.name,
          computerName: vm.computerName,
          adminUser: user,
          publicKeys,
          dataDir: join(this.options.dataDir, 'vms', handle.resource.resourceGuid, vm.instanceId),
          extensions: arr(
            obj(obj(obj(handle.resource.body.properties).virtualMachineProfile).extensionProfile)
              .extensions,
          ).map((ext) => ({
            name: String(ext.name ?? ''),
            publisher: String(obj(ext.properties).publisher ?? ''),
            type: String(obj(ext.properties).type ?? ''),
          })),
          files: this.options.files,
          log: this.options.log,
          imds: access ? () => access(handle.resource.id, vm.instanceId) : undefined,
        });
        const entry = { backend, up: false };
        this.servers.set(key, entry);
        return entry;
      } catch (err) {
        this.options.log(`${vm.name}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
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
      const entry = {
        backend: {
          port: () => server.port(),
          stop: () => server.stop(),
          dispose: () => server.stop(),
        },
        up: false,
      };
      this.servers.set(key, entry);
      return entry;
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
