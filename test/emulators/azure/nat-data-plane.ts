// The load balancers' data plane: which frontend port each scale set instance gets from an inbound
// NAT rule v2 (port range → backend port), and real TCP forwarders from those ports on 127.0.0.1 to
// the running instances' SSH servers.
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
}

export class NatDataPlane {
  /** rule key → ip configuration key → frontend port; kept while the instance exists. */
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
