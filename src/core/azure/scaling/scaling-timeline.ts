// The timeline of "why did / didn't the pool scale": instance counts reconstructed from the
// Activity Log's scale actions (each action's from → to, then what the next action started from,
// then the scale set now: an instance kept by scale-in protection shows as the count that stayed),
// the sessions the agents logged, and markers for scale actions, protections set and cleared,
// scheduled events and idle stops, each with its reason. Pure: inputs are recorded data.
import type { ActivityEvent } from '../../../common/agent-protocol/activity';
import type { ScalingMarker, ScalingPoint } from '../../../common/scaling-models';
import { type ScaleAction, whyScaled } from './autoscale-actions';

export interface TimelineInput {
  /** The window, ms since the epoch. */
  from: number;
  to: number;
  /** The scale set's live instances now. */
  capacity: number;
  /** Sessions on the running instances now (heartbeats), if known. */
  sessionsNow?: number;
  /** Scale actions, oldest first (autoscale-actions.ts). */
  actions: readonly ScaleAction[];
  /** Each VM's `.pool/events/<computer>.jsonl` lines, by computer name. */
  agentEvents: ReadonlyMap<string, readonly ActivityEvent[]>;
  /** Computer names of the instances running now (their session counts still hold). */
  running: ReadonlySet<string>;
  /** A time in the user's words ("10:42"). */
  formatTime: (ms: number) => string;
}

export function buildTimeline(input: TimelineInput): {
  series: ScalingPoint[];
  markers: ScalingMarker[];
} {
  const markers = [...actionMarkers(input), ...agentMarkers(input)].sort(
    (a, b) => Date.parse(a.time) - Date.parse(b.time),
  );
  return { series: series(input), markers };
}

/** What the scale set held after action i: what the next action saw, else the count now. */
function after(actions: readonly ScaleAction[], i: number, capacity: number): number {
  const next = actions.slice(i + 1).find((a) => a.status !== 'Started');
  return next ? next.from : capacity;
}

function series(input: TimelineInput): ScalingPoint[] {
  const { from, to, capacity } = input;
  const done = input.actions.filter((a) => a.status === 'Succeeded');
  const inWindow = done.filter((a) => a.endTime >= from && a.endTime <= to);
  const steps = new Map<number, { instances?: number; sessions?: number }>();
  const set = (t: number, v: { instances?: number; sessions?: number }) =>
    steps.set(t, { ...steps.get(t), ...v });
  const firstIndex = done.indexOf(inWindow[0]!);
  set(from, { instances: inWindow.length ? inWindow[0]!.from : capacity });
  inWindow.forEach((a, n) => set(a.endTime, { instances: after(done, firstIndex + n, capacity) }));

  // Sessions: each VM's last count holds until its next line; a VM not running now stops
  // counting at its last line of any kind (it went with a scale-in or a stop).
  const changes: Array<{ t: number; computer: string; n: number }> = [];
  for (const [computer, events] of input.agentEvents) {
    const times = events.map((e) => Date.parse(e.time)).filter((t) => !Number.isNaN(t));
    for (const e of events) {
      if (e.kind === 'sessions') changes.push({ t: Date.parse(e.time), computer, n: e.sessions });
    }
    if (!input.running.has(computer) && times.length) {
      changes.push({ t: Math.max(...times), computer, n: 0 });
    }
  }
  changes.sort((a, b) => a.t - b.t);
  const byVm = new Map<string, number>();
  const total = () => [...byVm.values()].reduce((s, n) => s + n, 0);
  for (const c of changes) {
    if (Number.isNaN(c.t) || c.t > to) continue;
    byVm.set(c.computer, c.n);
    set(Math.max(from, c.t), { sessions: total() });
  }
  set(to, {
    instances: capacity,
    ...(input.sessionsNow !== undefined
      ? { sessions: input.sessionsNow }
      : changes.length
        ? { sessions: total() }
        : {}),
  });

  // Carry each value forward through the steps that did not change it.
  const out: ScalingPoint[] = [];
  let instances = capacity;
  let sessions: number | undefined;
  for (const [t, v] of [...steps].sort((a, b) => a[0] - b[0])) {
    if (v.instances !== undefined) instances = v.instances;
    if (v.sessions !== undefined) sessions = v.sessions;
    out.push({
      time: new Date(t).toISOString(),
      instances,
      ...(sessions !== undefined ? { sessions } : {}),
    });
  }
  return out;
}

function actionMarkers(input: TimelineInput): ScalingMarker[] {
  const markers: ScalingMarker[] = [];
  const actions = input.actions;
  let repeat: { marker: ScalingMarker; count: number } | undefined;
  actions.forEach((a, i) => {
    if (a.time < input.from || a.time > input.to) return;
    const why = whyScaled(a);
    const left = a.status === 'Succeeded' ? after(actions, i, input.capacity) : a.to;
    const kept = a.status === 'Succeeded' && left > a.to && a.to < a.from ? left - a.to : 0;
    // The same action again (autoscale retries a scale-in that protection keeps from happening):
    // one marker that counts them.
    if (
      repeat &&
      kept > 0 &&
      repeat.marker.from === a.from &&
      repeat.marker.to === a.to &&
      repeat.marker.profile === a.profile?.name
    ) {
      repeat.count++;
      repeat.marker.title = `${titleOf(a)} (×${repeat.count})`;
      return;
    }
    const reasons = [why.reason];
    if (kept > 0) {
      reasons.push(
        `${kept} ${kept === 1 ? 'instance was' : 'instances were'} kept: protected from scale-in`,
      );
    }
    if (a.status === 'Failed') reasons.push('the scale action failed');
    if (a.status === 'Started') reasons.push('still in progress');
    const marker: ScalingMarker = {
      time: new Date(a.time).toISOString(),
      kind: a.status === 'Failed' ? 'scale-failed' : a.to > a.from ? 'scale-out' : 'scale-in',
      title: titleOf(a),
      reason: reasons.join('; '),
      from: a.from,
      to: a.to,
      rule: why.rule,
      ...(a.profile ? { profile: a.profile.name } : {}),
    };
    markers.push(marker);
    repeat = kept > 0 ? { marker, count: 1 } : undefined;
  });
  return markers;
}

function titleOf(a: ScaleAction): string {
  const verb = a.to > a.from ? 'scale-out' : 'scale-in';
  return `Autoscale ${verb} ${a.from} → ${a.to}${a.status === 'Failed' ? ' failed' : ''}`;
}

function agentMarkers(input: TimelineInput): ScalingMarker[] {
  const markers: ScalingMarker[] = [];
  for (const [computer, events] of input.agentEvents) {
    const seen = new Set<string>();
    for (const e of events) {
      const t = Date.parse(e.time);
      if (Number.isNaN(t) || t < input.from || t > input.to) continue;
      const time = new Date(t).toISOString();
      if (e.kind === 'protect') {
        markers.push({
          time,
          kind: e.protect ? 'protect' : 'unprotect',
          instance: computer,
          title: e.protect
            ? `${computer} protected from scale-in`
            : `${computer}: scale-in protection cleared`,
          reason: `${e.reason}${e.by === 'admin' ? ' (by an admin)' : ''}`,
        });
      } else if (e.kind === 'scheduled-event') {
        const ev = e.event;
        const key = `${ev.eventId}/${ev.eventStatus}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const notBefore = ev.notBefore ? Date.parse(ev.notBefore) : NaN;
        const parts = [
          ev.eventStatus === 'Started'
            ? 'started'
            : Number.isNaN(notBefore)
              ? 'scheduled'
              : `not before ${input.formatTime(notBefore)}`,
        ];
        if (ev.description) parts.push(ev.description);
        markers.push({
          time,
          kind: 'scheduled-event',
          instance: computer,
          title: `${computer}: ${ev.eventType} ${ev.eventStatus === 'Started' ? 'started' : 'scheduled'}`,
          reason: parts.join('; '),
        });
      } else if (e.kind === 'idle-stop') {
        markers.push({
          time,
          kind: 'idle-stop',
          instance: computer,
          title: `${computer}: idle stop at ${input.formatTime(Date.parse(e.at))}`,
          reason:
            "idle for the pool's idle window: the agent deallocates it unless someone works or keeps it",
        });
      }
    }
  }
  return markers;
}
