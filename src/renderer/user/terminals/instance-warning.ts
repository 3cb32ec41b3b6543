// What the bar over a terminal says when its instance is about to go: an Azure scheduled event
// (Terminate, Preempt, Reboot, Redeploy, Freeze) from the agent's heartbeat, or the agent's own
// idle stop; with a countdown to NotBefore and what the user can do. Pure, unit-tested.
import type { ScheduledEvent } from '../../../common/agent-protocol/activity';
import type { InstanceInfo } from '../../../common/models';

export interface InstanceWarning {
  /** kept: not a warning but why the VM stays while the pool scales in (dismissible). */
  kind: 'scheduled-event' | 'idle-stop' | 'kept';
  /** Scheduled events: Azure's event type. */
  eventType?: ScheduledEvent['eventType'];
  /** MessageBar intent. */
  intent: 'error' | 'warning' | 'info';
  title: string;
  /** What happens, in plain words. */
  text: string;
  /** When it may start (ms since the epoch), for the countdown; absent once started. */
  deadline?: number;
  /** Offer "Continue on another instance" (the VM goes away or restarts). */
  moveOn: boolean;
  /** Offer "Keep this VM" (an idle stop the user can put off). */
  keep: boolean;
}

const EVENTS: Record<
  ScheduledEvent['eventType'],
  { intent: InstanceWarning['intent']; title: string; text: string; moveOn: boolean }
> = {
  Terminate: {
    intent: 'error',
    title: 'This VM is being removed from the pool',
    text: 'Azure deletes it (a scale-in or a delete). Your notebooks are on the share: carry on on another instance.',
    moveOn: true,
  },
  Preempt: {
    intent: 'error',
    title: 'This Spot VM is being evicted',
    text: 'Azure takes its capacity back. Your notebooks are on the share: carry on on another instance.',
    moveOn: true,
  },
  Redeploy: {
    intent: 'warning',
    title: 'This VM moves to another host',
    text: 'It restarts there; running programs stop and its temporary disk is wiped.',
    moveOn: true,
  },
  Reboot: {
    intent: 'warning',
    title: 'This VM restarts',
    text: 'Running programs and kernels stop; your files stay.',
    moveOn: true,
  },
  Freeze: {
    intent: 'info',
    title: 'This VM pauses for a few seconds',
    text: 'Azure is doing maintenance on its host; programs carry on afterwards.',
    moveOn: false,
  },
};

/** Worst first: what goes away outranks what restarts, which outranks a pause. */
const ORDER: ScheduledEvent['eventType'][] = [
  'Terminate',
  'Preempt',
  'Redeploy',
  'Reboot',
  'Freeze',
];

/** The warning for an instance, if it has one: the worst scheduled event, else an idle stop. */
export function instanceWarning(instance: InstanceInfo | undefined): InstanceWarning | undefined {
  const activity = instance?.activity;
  if (!activity) return undefined;
  const event = [...activity.scheduledEvents].sort(
    (a, b) => ORDER.indexOf(a.eventType) - ORDER.indexOf(b.eventType),
  )[0];
  if (event) {
    const words = EVENTS[event.eventType];
    const notBefore = event.notBefore ? Date.parse(event.notBefore) : NaN;
    return {
      kind: 'scheduled-event',
      eventType: event.eventType,
      intent: words.intent,
      title: words.title,
      text: words.text,
      ...(event.eventStatus === 'Scheduled' && !Number.isNaN(notBefore)
        ? { deadline: notBefore }
        : {}),
      moveOn: words.moveOn,
      keep: false,
    };
  }
  if (activity.idleStopAt) {
    return {
      kind: 'idle-stop',
      intent: 'warning',
      title: 'This VM stops soon: nobody has used it for a while',
      text: `No session had input and no kernel ran for ${activity.idleMinutes} min, so the pool stops idle VMs. Keep this VM if you still need it.`,
      deadline: Date.parse(activity.idleStopAt),
      moveOn: false,
      keep: true,
    };
  }
  if (activity.protection?.protectFromScaleIn && activity.protection.by === 'busy') {
    const why = activity.reasons.map((r) => `${r.user}: ${r.text}`).join('; ');
    return {
      kind: 'kept',
      intent: 'info',
      title: 'This VM is kept from scale-in while it is busy',
      text: `${why || 'busy'}. Autoscale will not remove it until it has been idle for ${activity.idleMinutes} min.`,
      moveOn: false,
      keep: false,
    };
  }
  return undefined;
}

/** "in 9:41", "in 1:02:05", or "any moment now" once NotBefore has passed. */
export function countdown(deadline: number | undefined, now: number): string {
  if (deadline === undefined) return 'under way';
  const left = Math.ceil((deadline - now) / 1000);
  if (left <= 0) return 'any moment now';
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `in ${h}:${two(m)}:${two(s)}` : `in ${m}:${two(s)}`;
}

/** Another running instance of the pool to carry on on: the one with the fewest sessions. */
export function otherInstance(
  instances: readonly InstanceInfo[],
  current: string,
): InstanceInfo | undefined {
  const sessions = (i: InstanceInfo) => Object.values(i.sessions).reduce((a, b) => a + b, 0);
  return instances
    .filter((i) => i.id !== current && i.state === 'running' && !instanceWarning(i)?.moveOn)
    .sort((a, b) => sessions(a) - sessions(b))[0];
}
