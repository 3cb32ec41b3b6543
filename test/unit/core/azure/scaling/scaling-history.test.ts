// The history and "now" computations of "why did / didn't the pool scale", from recorded inputs:
// Activity Log autoscale events (as Azure's schema shows them), agents' event lines, instances.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityEvent } from '../../../../../src/common/agent-protocol/activity';
import type { InstanceInfo } from '../../../../../src/common/models';
import {
  type ActivityLogEntry,
  eventProfile,
  scaleActions,
  whyScaled,
} from '../../../../../src/core/azure/scaling/autoscale-actions';
import {
  parseEventLines,
  timeFormatter,
} from '../../../../../src/core/azure/scaling/azure-scaling';
import { scalingNow } from '../../../../../src/core/azure/scaling/scaling-now';
import { buildTimeline } from '../../../../../src/core/azure/scaling/scaling-timeline';
import {
  activeProfile,
  nextProfileChange,
} from '../../../../../src/core/azure/scaling/scaling-profiles';

const T = (hhmm: string) => Date.parse(`2025-01-15T${hhmm}:00Z`); // a Wednesday
const fmt = timeFormatter(T('12:00'), 'UTC');

/** ActiveAutoscaleProfile as Azure writes it: PascalCase, capacity as strings. */
function profileJson(name: string, min: number, max: number, def: number, rules: unknown[] = []) {
  return JSON.stringify({
    Name: name,
    Capacity: { Minimum: String(min), Maximum: String(max), Default: String(def) },
    Rules: rules,
  });
}

const cpuOut = {
  MetricTrigger: {
    Name: 'Percentage CPU',
    Operator: 'GreaterThan',
    Threshold: 70,
    TimeAggregation: 'Average',
    TimeWindow: 'PT10M',
  },
  ScaleAction: { Direction: 'Increase', Type: 'ChangeCount', Value: '1', Cooldown: 'PT5M' },
};
const cpuIn = {
  MetricTrigger: {
    Name: 'Percentage CPU',
    Operator: 'LessThan',
    Threshold: 20,
    TimeAggregation: 'Average',
    TimeWindow: 'PT10M',
  },
  ScaleAction: { Direction: 'Decrease', Type: 'ChangeCount', Value: '1', Cooldown: 'PT15M' },
};

function entry(
  op: string,
  status: string,
  at: string,
  from: number,
  to: number,
  profile: string,
): ActivityLogEntry {
  return {
    eventTimestamp: new Date(T(at)),
    operationId: op,
    correlationId: op,
    category: { value: 'Autoscale' },
    operationName: {
      value: `Microsoft.Insights/AutoscaleSettings/${to > from ? 'Scaleup' : 'Scaledown'}/Action`,
    },
    status: { value: status },
    properties: {
      Description: `The autoscale engine attempting to scale resource '/x' from ${from} instances count to ${to} instances count.`,
      OldInstancesCount: String(from),
      NewInstancesCount: String(to),
      ActiveAutoscaleProfile: profile,
      LastScaleActionTime: new Date(T(at)).toUTCString(),
    },
  };
}

function instance(name: string, extra: Partial<InstanceInfo> = {}): InstanceInfo {
  return {
    id: name.slice(-1),
    name,
    state: 'running',
    host: 'h',
    port: 1,
    sessions: {},
    ...extra,
  };
}

describe('scaling: Activity Log scale actions', () => {
  it('joins Started and Succeeded per operation, newest-first input read oldest first', () => {
    const nights = profileJson('nights', 0, 0, 0);
    const actions = scaleActions([
      entry('b', 'Succeeded', '19:01', 3, 0, nights),
      entry('b', 'Started', '19:00', 3, 0, nights),
      entry('a', 'Succeeded', '08:02', 0, 3, profileJson('weekdays', 3, 5, 3)),
      entry('a', 'Started', '08:00', 0, 3, profileJson('weekdays', 3, 5, 3)),
      {
        ...entry('x', 'Succeeded', '09:00', 1, 2, nights),
        operationName: { value: 'Microsoft.Compute/virtualMachineScaleSets/write' },
      },
    ]);
    assert.deepEqual(
      actions.map((a) => [a.status, a.from, a.to, a.time, a.endTime, a.profile?.name]),
      [
        ['Succeeded', 0, 3, T('08:00'), T('08:02'), 'weekdays'],
        ['Succeeded', 3, 0, T('19:00'), T('19:01'), 'nights'],
      ],
    );
  });

  it('says which bound or rule scaled, from the profile Azure recorded', () => {
    const act = (from: number, to: number, profile: string) =>
      whyScaled(scaleActions([entry('o', 'Succeeded', '10:00', from, to, profile)])[0]!);
    assert.deepEqual(act(0, 2, profileJson('weekdays', 2, 5, 2, [cpuOut, cpuIn])), {
      rule: 'minimum 2',
      reason: "profile 'weekdays' needs at least 2 (its minimum)",
    });
    assert.equal(act(3, 0, profileJson('nights', 0, 0, 0)).rule, 'maximum 0');
    assert.equal(
      act(2, 3, profileJson('weekdays', 2, 5, 2, [cpuOut, cpuIn])).reason,
      "profile 'weekdays': scale-out rule Percentage CPU > 70 (Average over 10 min): +1",
    );
    assert.equal(
      act(3, 2, profileJson('weekdays', 2, 5, 2, [cpuOut, cpuIn])).rule,
      'Percentage CPU < 20 (Average over 10 min): −1',
    );
    assert.match(act(0, 1, profileJson('d', 0, 3, 1)).reason, /no metric data.*default 1/);
    assert.equal(eventProfile('not json'), undefined);
  });
});

describe('scaling: timeline', () => {
  const nights = profileJson('nights', 0, 0, 0);
  const weekdays = profileJson('weekdays', 3, 5, 3);
  const actions = scaleActions([
    entry('a', 'Started', '08:00', 0, 3, weekdays),
    entry('a', 'Succeeded', '08:02', 0, 3, weekdays),
    entry('b', 'Started', '10:00', 3, 0, nights),
    entry('b', 'Succeeded', '10:01', 3, 0, nights),
    // The next evaluations find the kept instance and try again.
    entry('c', 'Started', '10:05', 1, 0, nights),
    entry('c', 'Succeeded', '10:05', 1, 0, nights),
    entry('d', 'Started', '10:10', 1, 0, nights),
    entry('d', 'Succeeded', '10:10', 1, 0, nights),
  ]);
  const agentEvents = new Map<string, ActivityEvent[]>([
    [
      'pool000001',
      parseEventLines(
        [
          JSON.stringify({ time: '2025-01-15T09:00:00Z', kind: 'sessions', sessions: 1 }),
          JSON.stringify({
            time: '2025-01-15T09:01:00Z',
            kind: 'protect',
            protect: true,
            by: 'busy',
            reason: 'alice: kernel busy 12 min',
          }),
          '{"torn line',
          JSON.stringify({ time: '2025-01-15T11:00:00Z', kind: 'sessions', sessions: 0 }),
          JSON.stringify({
            time: '2025-01-15T11:30:00Z',
            kind: 'protect',
            protect: false,
            by: 'busy',
            reason: 'idle for 30 min',
          }),
        ].join('\n'),
      ),
    ],
    [
      'pool000002',
      [
        { time: '2025-01-15T09:10:00Z', kind: 'sessions', sessions: 2 },
        {
          time: '2025-01-15T09:59:00Z',
          kind: 'scheduled-event',
          event: {
            eventId: 'e1',
            eventType: 'Terminate',
            eventStatus: 'Scheduled',
            notBefore: '2025-01-15T10:09:00Z',
          },
        },
        {
          time: '2025-01-15T10:00:00Z',
          kind: 'scheduled-event',
          event: {
            eventId: 'e1',
            eventType: 'Terminate',
            eventStatus: 'Scheduled',
            notBefore: '2025-01-15T10:09:00Z',
          },
        },
      ],
    ],
  ]);
  const { series, markers } = buildTimeline({
    from: T('07:00'),
    to: T('12:00'),
    capacity: 1,
    sessionsNow: 0,
    actions,
    agentEvents,
    running: new Set(['pool000001']),
    formatTime: fmt,
  });

  it('reconstructs the count from each action and what the next one started from', () => {
    const at = (hhmm: string) => series.find((p) => p.time === new Date(T(hhmm)).toISOString());
    assert.equal(series[0]!.instances, 0);
    assert.equal(at('08:02')?.instances, 3);
    // 3 → 0 asked, but the next action started from 1: one was kept.
    assert.equal(at('10:01')?.instances, 1);
    assert.equal(series.at(-1)!.instances, 1);
    assert.equal(series.at(-1)!.time, new Date(T('12:00')).toISOString());
  });

  it('sums the sessions the agents logged, a VM gone stopping at its last line', () => {
    const at = (hhmm: string) => series.find((p) => p.time === new Date(T(hhmm)).toISOString());
    assert.equal(at('09:00')?.sessions, 1);
    assert.equal(at('09:10')?.sessions, 3);
    assert.equal(at('10:00')?.sessions, 1); // pool000002's last line: it went
    assert.equal(at('11:00')?.sessions, 0);
  });

  it('marks scale actions (repeats folded), protections and scheduled events with reasons', () => {
    const lines = markers.map((m) => `${m.time.slice(11, 16)} ${m.kind} ${m.title} | ${m.reason}`);
    assert.deepEqual(lines, [
      "08:00 scale-out Autoscale scale-out 0 → 3 | profile 'weekdays' needs at least 3 (its minimum)",
      '09:01 protect pool000001 protected from scale-in | alice: kernel busy 12 min',
      '09:59 scheduled-event pool000002: Terminate scheduled | not before 10:09',
      "10:00 scale-in Autoscale scale-in 3 → 0 | profile 'nights' allows at most 0 (its maximum); 1 instance was kept: protected from scale-in",
      "10:05 scale-in Autoscale scale-in 1 → 0 (×2) | profile 'nights' allows at most 0 (its maximum); 1 instance was kept: protected from scale-in",
      '11:30 unprotect pool000001: scale-in protection cleared | idle for 30 min',
    ]);
  });
});

describe('scaling: now', () => {
  const setting = {
    enabled: true,
    profiles: [
      {
        name: 'default',
        capacity: { minimum: '0', maximum: '5', default: '0' },
        rules: [
          {
            metricTrigger: { metricName: 'Percentage CPU' },
            scaleAction: {
              direction: 'Decrease',
              type: 'ChangeCount',
              value: '1',
              cooldown: 'PT20M',
            },
          },
        ],
      },
      {
        name: 'weekdays',
        capacity: { minimum: '2', maximum: '5', default: '2' },
        rules: [
          {
            metricTrigger: { metricName: 'Percentage CPU' },
            scaleAction: {
              direction: 'Decrease',
              type: 'ChangeCount',
              value: '1',
              cooldown: 'PT15M',
            },
          },
        ],
        recurrence: {
          frequency: 'Week',
          schedule: {
            timeZone: 'UTC',
            days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
            hours: [8],
            minutes: [0],
          },
        },
      },
      {
        name: '{"name":"Auto created default scale condition","for":"weekdays"}',
        capacity: { minimum: '0', maximum: '5', default: '0' },
        rules: [],
        recurrence: {
          frequency: 'Week',
          schedule: {
            timeZone: 'UTC',
            days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
            hours: [19],
            minutes: [0],
          },
        },
      },
    ],
  };
  const busy = instance('teampool000003', {
    azure: { protectFromScaleIn: true },
    activity: {
      busy: true,
      reasons: [{ user: 'bob', kind: 'kernel', text: 'kernel busy 40 min' }],
      idleSince: null,
      idleMinutes: 30,
      protection: { protectFromScaleIn: true, by: 'busy' },
      idleStopAt: null,
      scheduledEvents: [],
    },
  });

  it('names the profile, the minimum, what is kept and why, the cooldown and the next change', () => {
    const now = scalingNow({
      now: T('10:30'),
      capacity: 2,
      setting,
      instances: [instance('teampool000001'), busy],
      actions: scaleActions([
        entry('a', 'Succeeded', '10:27', 3, 2, profileJson('weekdays', 2, 5, 2)),
      ]),
      formatTime: fmt,
    });
    assert.equal(
      now.text,
      'Minimum 2 from profile \'weekdays\'; teampool000003 kept: bob\'s kernel busy 40 min; next scale-in possible after cooldown at 10:42; profile \'{"name":"Auto created default scale condition","for":"weekdays"}\' starts at 19:00',
    );
    assert.equal(now.cooldownUntil, new Date(T('10:42')).toISOString());
    assert.deepEqual(now.profile, {
      name: 'weekdays',
      kind: 'recurrence',
      minimum: 2,
      maximum: 5,
      default: 2,
    });
  });

  it('says when protection keeps the pool above a schedule at 0, and an admin protection', () => {
    const now = scalingNow({
      now: T('19:30'),
      capacity: 2,
      setting,
      instances: [
        busy,
        instance('teampool000004', {
          azure: { protectFromScaleIn: true },
          activity: {
            ...busy.activity!,
            busy: false,
            reasons: [],
            protection: { protectFromScaleIn: true, by: 'admin' },
          },
        }),
      ],
      actions: [],
      formatTime: fmt,
    });
    assert.match(now.text, /^2 instances, within 0–5 from profile '\{"name"/);
    assert.match(now.text, /teampool000004 kept: protected by an admin/);
    assert.equal(now.cooldownUntil, undefined);
  });

  it('speaks of a setting that is off or missing', () => {
    const base = { now: T('10:00'), capacity: 1, instances: [], actions: [], formatTime: fmt };
    assert.match(
      scalingNow({ ...base, setting: { ...setting, enabled: false } }).text,
      /^Autoscale is off: 1 instance/,
    );
    assert.match(scalingNow(base).text, /^No autoscale setting/);
    const fixed = {
      enabled: true,
      profiles: [{ name: 'nights', capacity: { minimum: '0', maximum: '0', default: '0' } }],
    };
    assert.equal(
      scalingNow({ ...base, capacity: 0, setting: fixed }).text,
      "Profile 'nights' holds the pool at 0 (its minimum and maximum)",
    );
  });

  it('finds the profile in force and the next change across the week', () => {
    assert.equal(activeProfile(setting.profiles, T('09:00'))?.profile.name, 'weekdays');
    // Saturday 10:00: the end profile started Friday 19:00 and holds.
    const sat = Date.parse('2025-01-18T10:00:00Z');
    assert.match(String(activeProfile(setting.profiles, sat)?.profile.name), /Auto created/);
    assert.equal(nextProfileChange(setting.profiles, sat)?.at, Date.parse('2025-01-20T08:00:00Z'));
  });
});
