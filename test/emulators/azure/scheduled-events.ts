// IMDS Scheduled Events of every emulated VM: the Terminate event a scale-in or an instance delete
// posts when the scale set's model enables terminate notifications (the delete then waits for
// NotBefore or the VM's approval), and Reboot/Redeploy/Freeze/Preempt events a test injects.
import { randomUUID } from 'node:crypto';
import type { AutoscaleClock } from './autoscale-clock';
import { idKey } from './resource-ids';
import type { Scheduler } from './scheduler';

export type ScheduledEventType = 'Terminate' | 'Preempt' | 'Reboot' | 'Redeploy' | 'Freeze';

/** One event as IMDS answers it (`GET /metadata/scheduledevents`). */
export interface ImdsScheduledEvent {
  EventId: string;
  EventType: ScheduledEventType;
  ResourceType: 'VirtualMachine';
  /** The affected VMs' names (`<scale set>_<instanceId>`). */
  Resources: string[];
  EventStatus: 'Scheduled' | 'Started';
  /** RFC 1123 UTC (`Mon, 19 Sep 2016 18:29:47 GMT`); empty once started. */
  NotBefore: string;
  Description: string;
  EventSource: 'Platform' | 'User';
  /** -1 when unknown or not applicable (Terminate). */
  DurationInSeconds: number;
}

interface PendingEvent {
  event: ImdsScheduledEvent;
  notBefore: number;
  approved: boolean;
  /** Wakes a waiting delete at once (approval). */
  wake?: () => void;
}

interface VmEvents {
  incarnation: number;
  /** When the VM last asked for its events (enrollment: the emulator's clock). */
  lastAsked?: number;
  events: Map<string, PendingEvent>;
}

/** A VM stays enrolled this long after its last request for events (24 h, as documented). */
const ENROLLMENT_MS = 24 * 60 * 60_000;
/** How often (real time) a waiting delete looks at the clock: tests move a ManualClock. */
const POLL_MS = 25;

export interface InjectedEvent {
  type: Exclude<ScheduledEventType, 'Terminate'> | 'Terminate';
  /** Default: now + the type's minimum notice (Reboot/Redeploy 10 min, Freeze 15 min, Preempt 30 s, Terminate 5 min). */
  notBefore?: Date;
  /** Default: Platform. */
  source?: 'Platform' | 'User';
  description?: string;
  durationInSeconds?: number;
}

const MIN_NOTICE_MS: Record<ScheduledEventType, number> = {
  Freeze: 15 * 60_000,
  Reboot: 15 * 60_000,
  Redeploy: 10 * 60_000,
  Preempt: 30_000,
  Terminate: 5 * 60_000,
};

export class ScheduledEvents {
  private readonly vms = new Map<string, VmEvents>();

  constructor(
    private readonly clock: () => AutoscaleClock,
    private readonly scheduler: Scheduler,
  ) {}

  /** `GET /metadata/scheduledevents`: enrolls the VM and answers its document. */
  document(
    scaleSetId: string,
    instanceId: string,
  ): { DocumentIncarnation: number; Events: ImdsScheduledEvent[] } {
    const vm = this.vm(scaleSetId, instanceId);
    vm.lastAsked = this.clock().now();
    return {
      DocumentIncarnation: vm.incarnation,
      Events: [...vm.events.values()].map((p) => ({
        ...p.event,
        Resources: [...p.event.Resources],
      })),
    };
  }

  /** Whether the VM asked for its events within the last 24 h (on the emulator's clock). */
  enrolled(scaleSetId: string, instanceId: string): boolean {
    const asked = this.vms.get(key(scaleSetId, instanceId))?.lastAsked;
    return asked !== undefined && this.clock().now() - asked < ENROLLMENT_MS;
  }

  /**
   * `POST /metadata/scheduledevents` `{ StartRequests: [{ EventId }] }`: approves the VM's events.
   * Returns the ids that are not the VM's (IMDS answers 400 for them).
   */
  approve(scaleSetId: string, instanceId: string, eventIds: string[]): string[] {
    const vm = this.vm(scaleSetId, instanceId);
    const unknown = eventIds.filter((id) => !vm.events.has(id));
    if (unknown.length > 0) return unknown;
    for (const id of eventIds) {
      const pending = vm.events.get(id);
      if (!pending || pending.approved) continue;
      pending.approved = true;
      pending.wake?.();
    }
    return [];
  }

  /**
   * Test-only: puts an event in a VM's document (Reboot, Redeploy, Freeze, Preempt or Terminate)
   * without any operation behind it; it starts when approved or at NotBefore, and is removed by
   * `clear` (or when the VM is deleted).
   */
  inject(scaleSetId: string, instanceId: string, vmName: string, spec: InjectedEvent): string {
    const now = this.clock().now();
    const notBefore = spec.notBefore?.getTime() ?? now + MIN_NOTICE_MS[spec.type];
    const pending = this.add(scaleSetId, instanceId, {
      type: spec.type,
      vmName,
      notBefore,
      source: spec.source ?? 'Platform',
      description: spec.description ?? `Test-injected ${spec.type} event.`,
      durationInSeconds: spec.durationInSeconds ?? (spec.type === 'Terminate' ? -1 : 0),
    });
    void this.waitFor(scaleSetId, instanceId, pending).then(() =>
      this.start(scaleSetId, instanceId, pending),
    );
    return pending.event.EventId;
  }

  /** Removes a VM's event (test hook), e.g. an injected Reboot that "happened". */
  clear(scaleSetId: string, instanceId: string, eventId?: string): void {
    const vm = this.vms.get(key(scaleSetId, instanceId));
    if (!vm) return;
    for (const [id, pending] of vm.events) {
      if (eventId === undefined || id === eventId) {
        vm.events.delete(id);
        pending.wake?.();
      }
    }
    vm.incarnation++;
  }

  /**
   * A delete of the instance with terminate notification enabled: a Terminate event, Scheduled
   * until NotBefore (now + `timeoutMs` on the emulator's clock) or the VM's approval, then
   * Started. Resolves when the delete may proceed. Only enrolled VMs get it (see README).
   */
  async terminate(
    scaleSetId: string,
    instanceId: string,
    vmName: string,
    timeoutMs: number,
  ): Promise<void> {
    if (!this.enrolled(scaleSetId, instanceId)) return;
    const pending = this.add(scaleSetId, instanceId, {
      type: 'Terminate',
      vmName,
      notBefore: this.clock().now() + timeoutMs,
      source: 'User',
      description: 'Virtual machine is being deleted.',
      durationInSeconds: -1,
    });
    await this.waitFor(scaleSetId, instanceId, pending);
    this.start(scaleSetId, instanceId, pending);
  }

  /** The VM is gone: its document goes with it. */
  forget(scaleSetId: string, instanceId: string): void {
    const vm = this.vms.get(key(scaleSetId, instanceId));
    for (const pending of vm?.events.values() ?? []) pending.wake?.();
    this.vms.delete(key(scaleSetId, instanceId));
  }

  private add(
    scaleSetId: string,
    instanceId: string,
    spec: {
      type: ScheduledEventType;
      vmName: string;
      notBefore: number;
      source: 'Platform' | 'User';
      description: string;
      durationInSeconds: number;
    },
  ): PendingEvent {
    const vm = this.vm(scaleSetId, instanceId);
    const pending: PendingEvent = {
      event: {
        EventId: randomUUID().toUpperCase(),
        EventType: spec.type,
        ResourceType: 'VirtualMachine',
        Resources: [spec.vmName],
        EventStatus: 'Scheduled',
        NotBefore: new Date(spec.notBefore).toUTCString(),
        Description: spec.description,
        EventSource: spec.source,
        DurationInSeconds: spec.durationInSeconds,
      },
      notBefore: spec.notBefore,
      approved: false,
    };
    vm.events.set(pending.event.EventId, pending);
    vm.incarnation++;
    return pending;
  }

  /** Until approved, past NotBefore on the clock, removed, or the emulator closes. */
  private async waitFor(
    scaleSetId: string,
    instanceId: string,
    pending: PendingEvent,
  ): Promise<void> {
    while (
      !pending.approved &&
      this.clock().now() < pending.notBefore &&
      this.vms.get(key(scaleSetId, instanceId))?.events.get(pending.event.EventId) === pending &&
      !this.scheduler.isClosed
    ) {
      await new Promise<void>((resolve) => {
        pending.wake = resolve;
        void this.scheduler.delay(POLL_MS).then(resolve);
      });
    }
    pending.wake = undefined;
  }

  private start(scaleSetId: string, instanceId: string, pending: PendingEvent): void {
    const vm = this.vms.get(key(scaleSetId, instanceId));
    if (vm?.events.get(pending.event.EventId) !== pending) return;
    pending.event.EventStatus = 'Started';
    pending.event.NotBefore = '';
    vm.incarnation++;
  }

  private vm(scaleSetId: string, instanceId: string): VmEvents {
    const k = key(scaleSetId, instanceId);
    let vm = this.vms.get(k);
    if (!vm) {
      vm = { incarnation: 0, events: new Map() };
      this.vms.set(k, vm);
    }
    return vm;
  }
}

function key(scaleSetId: string, instanceId: string): string {
  return `${idKey(scaleSetId)}|${instanceId}`;
}
