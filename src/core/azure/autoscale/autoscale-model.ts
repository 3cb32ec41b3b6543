// Maps a stored Microsoft.Insights/autoscaleSettings resource (raw ARM JSON) to the plain model the
// admin view edits, noting where each part sat so autoscale-write.ts can write an edit back
// changing only what was edited: unknown fields, notifications, predictive autoscale, profiles
// and rules the model cannot show, and portal-made profile names (`{"name":"…","for":"…"}`) all
// survive.
import type {
  AutoscaleCapacity,
  AutoscaleDay,
  AutoscaleFixedDate,
  AutoscaleRule,
  AutoscaleSchedule,
  AutoscaleSettings,
} from '../../../common/models';
import { formatClock } from './autoscale-duration';
import {
  type Json,
  type RawAutoscaleSetting,
  arr,
  autoscaleRevision,
  obj,
  same,
} from './autoscale-json';

export const DAYS: readonly AutoscaleDay[] = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
];

/** .NET's DayOfWeek numbers, which Azure also accepts in `days` (Microsoft's own example has "1"). */
const DAY_NUMBERS: Record<string, AutoscaleDay> = {
  '0': 'Sunday',
  '1': 'Monday',
  '2': 'Tuesday',
  '3': 'Wednesday',
  '4': 'Thursday',
  '5': 'Friday',
  '6': 'Saturday',
};

/** The default profile's name when a setting has none (the template's and az's choice). */
export const DEFAULT_PROFILE_NAME = 'default';
/** What a new rule measures by default: a scale set's host CPU. */
export const VMSS_METRIC_NAMESPACE = 'microsoft.compute/virtualmachinescalesets';

/** Where each part of the model sits in the stored profiles, so a write can find its original. */
export interface AutoscaleLayout {
  /** Index of the default (unscheduled) profile; undefined when there is none. */
  defaultIndex?: number;
  /** Each schedule's start profile, and the profile (and its stored name) that ends it. */
  schedules: Array<{ ref: string; start: number; end?: number; endName?: string }>;
  fixedDates: Array<{ ref: string; index: number }>;
  /** Profiles kept exactly as they are. */
  keptProfiles: number[];
  /** Per profile index: rules the model cannot show, kept as they are. */
  hiddenRules: Map<number, number[]>;
  /** rule ref → [profile index, rule index]. */
  rules: Map<string, [number, number]>;
}

export interface AutoscaleRead {
  /** The stored setting it was read from. */
  raw: RawAutoscaleSetting;
  settings: AutoscaleSettings;
  layout: AutoscaleLayout;
  /** Sentences about how the stored setting maps (e.g. an end that returns elsewhere). */
  notes: string[];
}

/** The JSON a portal-made (or az-made) end profile is named with: `{"name":…,"for":…}`. */
export function parseEndProfileName(name: string): { for: string; raw: Json } | undefined {
  if (!name.trim().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(name) as unknown;
    const o = obj(parsed);
    return typeof o.for === 'string' ? { for: o.for, raw: o } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The name of a profile that ends schedule `forName`: the portal's compact JSON for a new one, or
 * the old name with only `for` changed, in the old name's own spacing (az writes `", "`).
 */
export function endProfileName(defaultName: string, forName: string, previous?: string): string {
  const old = previous === undefined ? undefined : parseEndProfileName(previous);
  const fields: Json = old ? { ...old.raw, for: forName } : { name: defaultName, for: forName };
  const spaced = previous !== undefined && /"\s*:\s+"/.test(previous);
  const [colon, comma] = spaced ? [': ', ', '] : [':', ','];
  return `{${Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}${colon}${JSON.stringify(v)}`)
    .join(comma)}}`;
}

function capacityOf(value: unknown): AutoscaleCapacity | undefined {
  const c = obj(value);
  const [minimum, maximum, def] = [c.minimum, c.maximum, c.default].map((v) =>
    typeof v === 'string' && /^\d+$/.test(v.trim())
      ? Number(v)
      : typeof v === 'number' && Number.isInteger(v)
        ? v
        : NaN,
  );
  if ([minimum, maximum, def].some((n) => !Number.isInteger(n))) return undefined;
  return { minimum, default: def, maximum };
}

const OPERATORS = new Set<string>([
  'GreaterThan',
  'GreaterThanOrEqual',
  'LessThan',
  'LessThanOrEqual',
  'Equals',
  'NotEquals',
]);
const STATISTICS = new Set<string>(['Average', 'Min', 'Max', 'Sum']);
const AGGREGATIONS = new Set<string>(['Average', 'Minimum', 'Maximum', 'Total', 'Count']);
const CHANGE_TYPES = new Set<string>(['ChangeCount', 'PercentChangeCount', 'ExactCount']);

/** A stored rule as the model shows it, or why the model cannot (the rule is then kept as is). */
function ruleOf(raw: unknown, ref: string): AutoscaleRule | string {
  const rule = obj(raw);
  const t = obj(rule.metricTrigger);
  const a = obj(rule.scaleAction);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (!str(t.metricName)) return 'it has no metric name';
  if (!OPERATORS.has(String(t.operator))) return `its operator ${String(t.operator)} is unknown`;
  if (!STATISTICS.has(String(t.statistic)))
    return `its statistic ${String(t.statistic)} has no az equivalent`;
  if (!AGGREGATIONS.has(String(t.timeAggregation)))
    return `its time aggregation ${String(t.timeAggregation)} has no az equivalent`;
  if (typeof t.threshold !== 'number' || !Number.isFinite(t.threshold))
    return 'its threshold is not a number';
  if (!str(t.timeGrain) || !str(t.timeWindow) || !str(a.cooldown))
    return 'it lacks a time grain, window or cooldown';
  if (a.direction !== 'Increase' && a.direction !== 'Decrease')
    return `its direction ${String(a.direction)} is neither scale out nor in`;
  if (!CHANGE_TYPES.has(String(a.type)))
    return `its scale type ${String(a.type)} has no az equivalent`;
  const value = a.value === undefined ? 1 : Number(a.value);
  if (!Number.isInteger(value)) return 'its scale value is not a whole number';
  const out: AutoscaleRule = {
    ref,
    metricName: String(t.metricName),
    operator: t.operator as AutoscaleRule['operator'],
    threshold: t.threshold,
    statistic: t.statistic as AutoscaleRule['statistic'],
    timeGrain: String(t.timeGrain),
    timeWindow: String(t.timeWindow),
    timeAggregation: t.timeAggregation as AutoscaleRule['timeAggregation'],
    direction: a.direction,
    changeType: a.type as AutoscaleRule['changeType'],
    value,
    cooldown: String(a.cooldown),
  };
  if (str(t.metricNamespace)) out.metricNamespace = String(t.metricNamespace);
  return out;
}

function daysOf(value: unknown): AutoscaleDay[] | undefined {
  const out = new Set<AutoscaleDay>();
  for (const d of arr(value)) {
    const text = String(d).trim();
    const day = DAY_NUMBERS[text] ?? DAYS.find((name) => name.toLowerCase() === text.toLowerCase());
    if (!day) return undefined;
    out.add(day);
  }
  return out.size ? DAYS.filter((d) => out.has(d)) : undefined;
}

/** A weekly recurrence at one time of day, as the model can show it. */
function weeklyOf(
  profile: Json,
): { days: AutoscaleDay[]; time: string; timeZone: string } | string {
  const rec = obj(profile.recurrence);
  const schedule = obj(rec.schedule);
  if (String(rec.frequency).toLowerCase() !== 'week')
    return `it repeats by ${String(rec.frequency)}, not by week`;
  const hours = arr(schedule.hours);
  const minutes = arr(schedule.minutes);
  if (hours.length !== 1 || minutes.length !== 1) return 'it starts at several times of day';
  const [h, m] = [Number(hours[0]), Number(minutes[0])];
  if (!Number.isInteger(h) || h < 0 || h > 23 || !Number.isInteger(m) || m < 0 || m > 59)
    return 'its time of day is not a clock time';
  const days = daysOf(schedule.days);
  if (!days) return 'its days are not days of the week';
  const timeZone = typeof schedule.timeZone === 'string' ? schedule.timeZone : 'UTC';
  return { days, time: formatClock(h, m), timeZone };
}

/** Maps a stored setting to the model (and where each part came from). */
export function readAutoscale(raw: RawAutoscaleSetting, resourceGroup: string): AutoscaleRead {
  const props = obj(raw.properties);
  const profiles = arr(props.profiles).map(obj);
  const layout: AutoscaleLayout = {
    schedules: [],
    fixedDates: [],
    keptProfiles: [],
    hiddenRules: new Map(),
    rules: new Map(),
  };
  const kept: string[] = [];
  const notes: string[] = [];
  const profileName = (p: Json, i: number) =>
    typeof p.name === 'string' ? p.name : `profile ${i + 1}`;

  const rulesOf = (i: number): AutoscaleRule[] => {
    const out: AutoscaleRule[] = [];
    const hidden: number[] = [];
    arr(profiles[i].rules).forEach((r, j) => {
      const ref = `p${i}r${j}`;
      const rule = ruleOf(r, ref);
      if (typeof rule === 'string') {
        hidden.push(j);
        kept.push(`Profile "${profileName(profiles[i], i)}": rule ${j + 1} (${rule}).`);
      } else {
        out.push(rule);
        layout.rules.set(ref, [i, j]);
      }
    });
    if (hidden.length) layout.hiddenRules.set(i, hidden);
    return out;
  };
  const keep = (i: number, why: string) => {
    layout.keptProfiles.push(i);
    kept.push(`Profile "${profileName(profiles[i], i)}": ${why}.`);
  };

  // 1. Classify.
  const plain: number[] = [];
  const starts: number[] = [];
  const ends: Array<{ index: number; for: string; time: string; days: AutoscaleDay[] }> = [];
  const fixed: number[] = [];
  profiles.forEach((p, i) => {
    const capacity = capacityOf(p.capacity);
    if (!capacity) return keep(i, 'its capacity is not three whole numbers');
    if (p.fixedDate !== undefined) {
      const fd = obj(p.fixedDate);
      if (typeof fd.start !== 'string' || typeof fd.end !== 'string')
        return keep(i, 'its fixed dates are not date-times');
      return void fixed.push(i);
    }
    if (p.recurrence !== undefined) {
      const weekly = weeklyOf(p);
      if (typeof weekly === 'string') return keep(i, weekly);
      const end = typeof p.name === 'string' ? parseEndProfileName(p.name) : undefined;
      if (end) return void ends.push({ index: i, for: end.for, ...weekly });
      if (typeof p.name !== 'string' || !p.name) return keep(i, 'it has no name');
      return void starts.push(i);
    }
    plain.push(i);
  });

  // 2. The default profile: the first unscheduled one (az and the portal make exactly one).
  let defaultProfile: AutoscaleSettings['defaultProfile'];
  if (plain.length) {
    const i = plain[0];
    layout.defaultIndex = i;
    defaultProfile = {
      name: profileName(profiles[i], i),
      capacity: capacityOf(profiles[i].capacity)!,
      rules: rulesOf(i),
    };
    for (const other of plain.slice(1)) keep(other, 'a second profile without a schedule');
  } else {
    // No unscheduled profile: the one that ends a schedule says what "default" is.
    const end = ends[0] ? profiles[ends[0].index] : undefined;
    const named = end ? parseEndProfileName(String(end.name))?.raw.name : undefined;
    defaultProfile = {
      name: typeof named === 'string' && named ? named : DEFAULT_PROFILE_NAME,
      capacity: capacityOf(end?.capacity ?? profiles[0]?.capacity) ?? {
        minimum: 0,
        default: 0,
        maximum: 0,
      },
      rules: [],
    };
  }

  // 3. Schedules: a start profile and (optionally) the profile named after it that ends it.
  const usedEnds = new Set<number>();
  const schedules: AutoscaleSchedule[] = [];
  for (const i of starts) {
    const p = profiles[i];
    const weekly = weeklyOf(p) as Exclude<ReturnType<typeof weeklyOf>, string>;
    const name = String(p.name);
    const end =
      ends.find((e) => !usedEnds.has(e.index) && e.for === name) ??
      ends.find((e) => !usedEnds.has(e.index) && e.for.toLowerCase() === name.toLowerCase());
    const ref = `p${i}`;
    const schedule: AutoscaleSchedule = {
      ref,
      name,
      days: weekly.days,
      start: weekly.time,
      timeZone: weekly.timeZone,
      capacity: capacityOf(p.capacity)!,
      rules: rulesOf(i),
    };
    if (end) {
      usedEnds.add(end.index);
      schedule.end = end.time;
      if (!same(end.days, weekly.days)) {
        notes.push(
          `Schedule "${name}" ends on other days (${end.days.join(', ')}) than it starts; editing it makes them the same.`,
        );
      }
      const endCapacity = capacityOf(profiles[end.index].capacity);
      if (!same(endCapacity, defaultProfile.capacity)) {
        notes.push(
          `At ${end.time} schedule "${name}" returns to ${endCapacity?.minimum}–${endCapacity?.maximum} instances, not to the default; changing the default makes it return to the default.`,
        );
      }
    }
    layout.schedules.push(
      end
        ? { ref, start: i, end: end.index, endName: String(profiles[end.index].name) }
        : { ref, start: i },
    );
    schedules.push(schedule);
  }
  for (const e of ends) {
    if (!usedEnds.has(e.index)) keep(e.index, `it ends schedule "${e.for}", which is not there`);
  }

  // 4. Fixed dates.
  const fixedDates: AutoscaleFixedDate[] = fixed.map((i) => {
    const p = profiles[i];
    const fd = obj(p.fixedDate);
    const ref = `p${i}`;
    layout.fixedDates.push({ ref, index: i });
    const out: AutoscaleFixedDate = {
      ref,
      name: profileName(p, i),
      start: String(fd.start),
      end: String(fd.end),
      capacity: capacityOf(p.capacity)!,
      rules: rulesOf(i),
    };
    if (typeof fd.timeZone === 'string') out.timeZone = fd.timeZone;
    return out;
  });

  // 5. What the model keeps without showing.
  const notifications = arr(props.notifications).map(obj);
  if (notifications.length) {
    const emails = notifications.reduce((n, x) => n + arr(obj(x.email).customEmails).length, 0);
    const hooks = notifications.reduce((n, x) => n + arr(x.webhooks).length, 0);
    const admins = notifications.some(
      (x) =>
        obj(x.email).sendToSubscriptionAdministrator === true ||
        obj(x.email).sendToSubscriptionCoAdministrators === true,
    );
    const parts = [
      admins ? 'the subscription administrators' : '',
      emails ? `${emails} e-mail address${emails === 1 ? '' : 'es'}` : '',
      hooks ? `${hooks} webhook${hooks === 1 ? '' : 's'}` : '',
    ].filter(Boolean);
    if (parts.length) kept.push(`Scale notifications to ${parts.join(', ')}.`);
  }
  const predictive = obj(props.predictiveAutoscalePolicy);
  if (typeof predictive.scaleMode === 'string' && predictive.scaleMode !== 'Disabled') {
    const ahead =
      typeof predictive.scaleLookAheadTime === 'string'
        ? `, looking ${predictive.scaleLookAheadTime} ahead`
        : '';
    kept.push(`Predictive autoscale: ${predictive.scaleMode}${ahead}.`);
  }

  const settings: AutoscaleSettings = {
    revision: autoscaleRevision(raw),
    exists: true,
    name: raw.name ?? String(props.name ?? ''),
    resourceGroup,
    enabled: props.enabled !== false,
    defaultProfile,
    schedules,
    fixedDates,
    kept,
  };
  return { raw, settings, layout, notes };
}

/** The model of a pool without a setting: what saving would create (autoscale off). */
export function newAutoscaleSettings(
  name: string,
  resourceGroup: string,
  capacity: number,
): AutoscaleSettings {
  const n = Math.max(0, Math.min(1000, capacity));
  return {
    revision: '',
    exists: false,
    name,
    resourceGroup,
    enabled: false,
    defaultProfile: {
      name: DEFAULT_PROFILE_NAME,
      capacity: { minimum: n, default: n, maximum: Math.max(n, 1) },
      rules: [],
    },
    schedules: [],
    fixedDates: [],
    kept: [],
  };
}

/** How the profiles a model needs add up against Azure's limit of 20. */
export function profileCount(settings: AutoscaleSettings, base: AutoscaleRead | undefined): number {
  const hasDefault =
    base?.layout.defaultIndex !== undefined ||
    !base ||
    !same(base.settings.defaultProfile, settings.defaultProfile);
  return (
    (hasDefault ? 1 : 0) +
    settings.schedules.reduce((n, s) => n + (s.end === undefined ? 1 : 2), 0) +
    settings.fixedDates.length +
    (base?.layout.keptProfiles.length ?? 0)
  );
}
