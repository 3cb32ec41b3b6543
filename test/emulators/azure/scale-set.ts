// One emulated VM scale set's instances and their life: Creating → Succeeded, starting → running,
// deallocating → deallocated…, each step taking the configured delay, as ARM shows them over time.
import { randomUUID } from 'node:crypto';
import { ArmError, type ArmErrorBody } from './arm-error';
import type { ExtensionInstanceView } from './custom-script';
import type { EmulatorDelays } from './emulator-context';
import type { Scheduler } from './scheduler';

export type PowerState =
  'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated';

export type VmProvisioningState = 'Creating' | 'Updating' | 'Succeeded' | 'Failed' | 'Deleting';

export type VmAction = 'create' | 'start' | 'powerOff' | 'deallocate' | 'restart' | 'delete';

export interface ProtectionPolicy {
  protectFromScaleIn?: boolean;
  protectFromScaleSetActions?: boolean;
}

export interface VmInstance {
  readonly instanceId: string;
  /** `<scale set>_<instanceId>` */
  readonly name: string;
  readonly vmId: string;
  /** `<computerNamePrefix><instanceId in base 36, 6 digits>`, as Azure names Uniform VMs. */
  readonly computerName: string;
  readonly privateIpAddress: string;
  readonly createdTime: string;
  provisioningState: VmProvisioningState;
  /** Undefined while being created and after a failed creation. */
  powerState?: PowerState;
  /** When the current states were entered: statuses carry it as `time`. */
  stateTime: string;
  /** The error of the last failed operation, shown in the instance view. */
  failure?: ArmErrorBody;
  /**
   * What its extensions reported (once they ran, at the first boot that could run them);
   * undefined while they have not run, or on a backend that runs none.
   */
  extensions?: ExtensionInstanceView[];
  /** The VM's provisioning error from those extensions, re-reported after every start. */
  extensionFailure?: ArmErrorBody;
  latestModelApplied: boolean;
  protectionPolicy?: ProtectionPolicy;
  /** Whether its SSH endpoint should answer: set just before it becomes running. */
  sshUp: boolean;
  /** Bumped by each new action: a superseded transition ends quietly. */
  generation: number;
  deleted: boolean;
}

interface Step {
  during: { provisioning: VmProvisioningState; power?: PowerState };
  delay: keyof EmulatorDelays;
  final?: PowerState;
  /** The VM goes down at the start of the step (its SSH connections end then). */
  goesDown: boolean;
}

const STEPS: Record<VmAction, Step> = {
  create: {
    during: { provisioning: 'Creating', power: 'starting' },
    delay: 'vmCreate',
    final: 'running',
    goesDown: false,
  },
  start: {
    during: { provisioning: 'Updating', power: 'starting' },
    delay: 'vmStart',
    final: 'running',
    goesDown: false,
  },
  restart: {
    during: { provisioning: 'Updating', power: 'starting' },
    delay: 'vmRestart',
    final: 'running',
    goesDown: true,
  },
  powerOff: {
    during: { provisioning: 'Updating', power: 'stopping' },
    delay: 'vmStop',
    final: 'stopped',
    goesDown: true,
  },
  deallocate: {
    during: { provisioning: 'Updating', power: 'deallocating' },
    delay: 'vmDeallocate',
    final: 'deallocated',
    goesDown: true,
  },
  delete: {
    during: { provisioning: 'Deleting', power: 'stopping' },
    delay: 'vmDelete',
    goesDown: true,
  },
};

export interface ScaleSetHooks {
  /** After any instance change: NAT ports and SSH endpoints follow (awaited). */
  instancesChanged(): Promise<void>;
  /**
   * Once a created or started VM is up: its extensions (run at the first boot that can, their
   * status re-reported at every later one). A failure fails the VM's provisioning.
   */
  provision?(vm: VmInstance, action: VmAction): Promise<ArmErrorBody | undefined>;
  /** After the set of instances changed in a way its view shows. */
  touched(): void;
  /**
   * Before a delete takes the VM down (it is `Deleting` meanwhile and still runs): the terminate
   * notification's wait, when the model enables it. The delete proceeds when it resolves.
   */
  beforeDelete?(vm: VmInstance): Promise<void>;
  /** The VM is gone (its IMDS and scheduled events go too). */
  deleted?(vm: VmInstance): void;
}

export class ScaleSet {
  readonly instances = new Map<string, VmInstance>();
  private nextInstanceId = 0;
  private nextAddress = 4; // Azure keeps .0–.3 of a subnet for itself

  constructor(
    readonly name: string,
    private readonly computerNamePrefix: () => string,
    private readonly delays: EmulatorDelays,
    private readonly scheduler: Scheduler,
    private readonly hooks: ScaleSetHooks,
  ) {}

  /** Instances that count toward the capacity (not being deleted). */
  live(): VmInstance[] {
    return [...this.instances.values()].filter((vm) => vm.provisioningState !== 'Deleting');
  }

  get(instanceId: string): VmInstance | undefined {
    return this.instances.get(instanceId);
  }

  /** Adds `count` new instances: created over time, or at once already running (seeding). */
  add(count: number, fault?: ArmErrorBody, immediate?: PowerState): Promise<void> {
    const created: VmInstance[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.nextInstanceId++;
      const address = this.nextAddress++;
      const now = new Date().toISOString();
      const vm: VmInstance = {
        instanceId: String(id),
        name: `${this.name}_${id}`,
        vmId: randomUUID(),
        computerName: `${this.computerNamePrefix()}${id.toString(36).padStart(6, '0')}`,
        privateIpAddress: `10.0.${Math.floor(address / 256)}.${address % 256}`,
        createdTime: now,
        provisioningState: immediate ? 'Succeeded' : 'Creating',
        stateTime: now,
        latestModelApplied: true,
        sshUp: immediate === 'running',
        generation: 0,
        deleted: false,
      };
      if (immediate) vm.powerState = immediate;
      this.instances.set(vm.instanceId, vm);
      created.push(vm);
    }
    this.hooks.touched();
    if (immediate) return this.hooks.instancesChanged();
    return settleAll(created.map((vm) => this.run(vm, 'create', fault)));
  }

  /** Runs an action on the given instances (all when none given, minus protected ones). */
  act(action: VmAction, instanceIds: string[] | undefined, fault?: ArmErrorBody): Promise<void> {
    const targets = this.targets(instanceIds);
    return settleAll(targets.map((vm) => this.run(vm, action, fault)));
  }

  /** Resolves instance ids as ARM does: unknown ones are a 400; none or `*` mean all. */
  targets(instanceIds: string[] | undefined): VmInstance[] {
    if (!instanceIds || instanceIds.length === 0 || instanceIds.includes('*')) {
      return this.live().filter((vm) => !vm.protectionPolicy?.protectFromScaleSetActions);
    }
    return instanceIds.map((id) => {
      const vm = this.instances.get(String(id));
      if (!vm || vm.provisioningState === 'Deleting') {
        throw new ArmError(
          400,
          'InvalidParameter',
          `The provided instanceId ${id} is not an active Virtual Machine Scale Set VM instanceId.`,
          undefined,
          'instanceIds',
        );
      }
      return vm;
    });
  }

  /**
   * Scales to `capacity`: new instances take the next ids; scale-in removes unprotected ones in
   * the order the scale-in policy says (Default and NewestVM: highest id first; OldestVM: lowest).
   */
  scaleTo(capacity: number, scaleInRule: string | undefined, fault?: ArmErrorBody): Promise<void> {
    const live = this.live();
    if (capacity > live.length) return this.add(capacity - live.length, fault);
    if (capacity === live.length) return Promise.resolve();
    const candidates = live
      .filter(
        (vm) =>
          !vm.protectionPolicy?.protectFromScaleIn &&
          !vm.protectionPolicy?.protectFromScaleSetActions,
      )
      .sort((a, b) => Number(a.instanceId) - Number(b.instanceId));
    if ((scaleInRule ?? 'Default').toLowerCase() !== 'oldestvm') candidates.reverse();
    const victims = candidates.slice(0, live.length - capacity);
    return settleAll(victims.map((vm) => this.run(vm, 'delete', fault)));
  }

  /** A new model was applied to the scale set: Manual upgrade leaves instances behind. */
  modelChanged(upgradeMode: string | undefined): void {
    const manual = (upgradeMode ?? 'Manual').toLowerCase() === 'manual';
    for (const vm of this.instances.values()) vm.latestModelApplied = !manual;
    this.hooks.touched();
  }

  /** `manualUpgrade`: the instances take the latest model. */
  upgrade(instanceIds: string[] | undefined): Promise<void> {
    const targets = this.targets(instanceIds);
    return (async () => {
      await this.scheduler.delay(this.delays.vmStart);
      for (const vm of targets) vm.latestModelApplied = true;
      this.hooks.touched();
    })();
  }

  /** Stops every timer's effect: the scale set is gone. */
  dispose(): void {
    for (const vm of this.instances.values()) {
      vm.generation++;
      vm.sshUp = false;
      vm.deleted = true;
      this.hooks.deleted?.(vm);
    }
    this.instances.clear();
  }

  private async run(vm: VmInstance, action: VmAction, fault?: ArmErrorBody): Promise<void> {
    const step = STEPS[action];
    if (action !== 'create' && action !== 'delete' && this.alreadyThere(vm, step)) return;
    if (action === 'delete' && this.hooks.beforeDelete) {
      // Terminate notification: the VM is being deleted (no longer counted, no other action
      // accepted) but keeps running until NotBefore or its approval.
      vm.provisioningState = 'Deleting';
      vm.stateTime = new Date().toISOString();
      this.hooks.touched();
      await this.hooks.beforeDelete(vm);
      if (vm.deleted) return;
    }
    const generation = ++vm.generation;
    const previousPower = vm.powerState;
    vm.provisioningState = step.during.provisioning;
    if (step.during.power) vm.powerState = step.during.power;
    vm.stateTime = new Date().toISOString();
    if (step.goesDown) vm.sshUp = false;
    this.hooks.touched();
    await this.hooks.instancesChanged();
    await this.scheduler.delay(this.delays[step.delay]);
    if (vm.generation !== generation || vm.deleted) return; // superseded by a later action
    vm.stateTime = new Date().toISOString();
    if (fault) {
      vm.provisioningState = 'Failed';
      vm.failure = fault;
      if (action === 'create') delete vm.powerState;
      else vm.powerState = previousPower;
      vm.sshUp = vm.powerState === 'running';
      this.hooks.touched();
      await this.hooks.instancesChanged();
      throw new ArmError(500, fault.code, fault.message);
    }
    delete vm.failure;
    if (action === 'delete') {
      vm.deleted = true;
      this.instances.delete(vm.instanceId);
      this.hooks.deleted?.(vm);
      this.hooks.touched();
      await this.hooks.instancesChanged();
      return;
    }
    // The SSH endpoint opens before the VM reports running: "running" means it answers.
    if (step.final === 'running') {
      vm.sshUp = true;
      await this.hooks.instancesChanged();
      if (vm.generation !== generation || vm.deleted) return;
      // Booted: the guest agent runs the extensions while provisioning is still in progress.
      vm.powerState = 'running';
      this.hooks.touched();
      const failed = await this.hooks.provision?.(vm, action);
      if (vm.generation !== generation || vm.deleted) return;
      if (failed) {
        // The VM runs (SSH answers), but its provisioning failed, and so does the operation.
        vm.provisioningState = 'Failed';
        vm.failure = failed;
        vm.stateTime = new Date().toISOString();
        this.hooks.touched();
        throw new ArmError(500, failed.code, failed.message);
      }
    }
    vm.provisioningState = 'Succeeded';
    vm.powerState = step.final;
    vm.stateTime = new Date().toISOString();
    this.hooks.touched();
  }

  private alreadyThere(vm: VmInstance, step: Step): boolean {
    return (
      vm.provisioningState === 'Succeeded' &&
      step.final !== undefined &&
      vm.powerState === step.final &&
      step.delay !== 'vmRestart'
    );
  }
}

/** Waits for all; rejects with the first failure once every one has settled. */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
