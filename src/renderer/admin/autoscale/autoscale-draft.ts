// The autoscale editor's form state: the model of `azure.getAutoscale` with numbers as typed text,
// turned back into AutoscaleSettings (with the typing mistakes found here, keyed like the app's
// field errors), plus the presets the editor offers (weekday schedule, CPU rules) and how a
// field's path reads in a sentence.
import type {
  AutoscaleCapacity,
  AutoscaleDay,
  AutoscaleFixedDate,
  AutoscaleRule,
  AutoscaleSettings,
  AutoscaleTimeZone,
} from '../../../common/models';
import { scheduleEndProblem } from '../../../common/autoscale-schedule';
import { unsafeTextProblem } from '../../../common/user-text';

export const DAYS: ReadonlyArray<{ day: AutoscaleDay; short: string }> = [
  { day: 'Monday', short: 'Mon' },
  { day: 'Tuesday', short: 'Tue' },
  { day: 'Wednesday', short: 'Wed' },
  { day: 'Thursday', short: 'Thu' },
  { day: 'Friday', short: 'Fri' },
  { day: 'Saturday', short: 'Sat' },
  { day: 'Sunday', short: 'Sun' },
];

export const WEEKDAYS: AutoscaleDay[] = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];

export interface CapacityDraft {
  minimum: string;
  default: string;
  maximum: string;
}

/** A duration shown in minutes; the stored ISO text is kept while the minutes are not edited. */
export interface DurationDraft {
  minutes: string;
  iso: string;
}

export interface RuleDraft extends Omit<
  AutoscaleRule,
  'threshold' | 'value' | 'timeWindow' | 'cooldown'
> {
  /** React key: stable while the list is edited. */
  key: string;
  threshold: string;
  value: string;
  timeWindow: DurationDraft;
  cooldown: DurationDraft;
}

export interface ScheduleDraft {
  key: string;
  ref?: string;
  name: string;
  days: AutoscaleDay[];
  start: string;
  /** Whether the window ends (else the profile lasts until another one starts). */
  hasEnd: boolean;
  end: string;
  timeZone: string;
  capacity: CapacityDraft;
  rules: RuleDraft[];
}

export interface AutoscaleDraft {
  /** What was read: revision, name, kept parts and the default profile's name come from it. */
  base: AutoscaleSettings;
  enabled: boolean;
  capacity: CapacityDraft;
  rules: RuleDraft[];
  schedules: ScheduleDraft[];
  /** Shown and removable, not edited here. */
  fixedDates: AutoscaleFixedDate[];
}

let counter = 0;
export const newKey = (): string => `k${++counter}`;

function capacityDraft(c: AutoscaleCapacity): CapacityDraft {
  return { minimum: String(c.minimum), default: String(c.default), maximum: String(c.maximum) };
}

/** Minutes of an ISO 8601 duration such as PT10M or PT1H30M (NaN when it is not one). */
export function isoMinutes(iso: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(iso);
  if (!m || m.slice(1).every((v) => v === undefined)) return NaN;
  const [w, d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0));
  return ((w * 7 + d) * 24 + h) * 60 + min + s / 60;
}

function durationDraft(iso: string): DurationDraft {
  const minutes = isoMinutes(iso);
  return { iso, minutes: Number.isNaN(minutes) ? iso : String(Math.round(minutes * 100) / 100) };
}

export function ruleDraft(rule: AutoscaleRule): RuleDraft {
  return {
    ...rule,
    key: newKey(),
    threshold: String(rule.threshold),
    value: String(rule.value),
    timeWindow: durationDraft(rule.timeWindow),
    cooldown: durationDraft(rule.cooldown),
  };
}

export function draftOf(settings: AutoscaleSettings): AutoscaleDraft {
  return {
    base: settings,
    enabled: settings.enabled,
    capacity: capacityDraft(settings.defaultProfile.capacity),
    rules: settings.defaultProfile.rules.map(ruleDraft),
    schedules: settings.schedules.map((s) => ({
      key: newKey(),
      ...(s.ref !== undefined ? { ref: s.ref } : {}),
      name: s.name,
      days: [...s.days],
      start: s.start,
      hasEnd: s.end !== undefined,
      end: s.end ?? '19:00',
      timeZone: s.timeZone,
      capacity: capacityDraft(s.capacity),
      rules: s.rules.map(ruleDraft),
    })),
    fixedDates: settings.fixedDates.map((f) => structuredClone(f)),
  };
}

/** The CPU rules the editor adds: the template's pair. */
export function cpuRule(direction: 'Increase' | 'Decrease'): AutoscaleRule {
  const out = direction === 'Increase';
  return {
    metricName: 'Percentage CPU',
    metricNamespace: 'microsoft.compute/virtualmachinescalesets',
    operator: out ? 'GreaterThan' : 'LessThan',
    threshold: out ? 75 : 25,
    statistic: 'Average',
    timeGrain: 'PT1M',
    timeWindow: out ? 'PT10M' : 'PT30M',
    timeAggregation: 'Average',
    direction,
    changeType: 'ChangeCount',
    value: 1,
    cooldown: out ? 'PT10M' : 'PT30M',
  };
}

/** A new schedule; `weekdays` is "Weekdays 08:00–19:00, min 2" (nights and weekends: the default). */
export function newSchedule(
  draft: AutoscaleDraft,
  timeZone: string,
  kind: 'weekdays' | 'blank',
): ScheduleDraft {
  const taken = new Set(
    [draft.base.defaultProfile.name, ...draft.schedules.map((s) => s.name)].map((n) =>
      n.toLowerCase(),
    ),
  );
  const base = kind === 'weekdays' ? 'Weekdays' : 'Schedule';
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base} ${i}`;
  const max = Math.max(2, Number(draft.capacity.maximum) || 0);
  return {
    key: newKey(),
    name,
    days: kind === 'weekdays' ? [...WEEKDAYS] : DAYS.map((d) => d.day),
    start: '08:00',
    hasEnd: true,
    end: '19:00',
    timeZone,
    capacity:
      kind === 'weekdays'
        ? { minimum: '2', default: '2', maximum: String(max) }
        : { ...draft.capacity },
    // As the portal and `az … --copy-rules` do: the default's rules, which the admin may change.
    rules: draft.rules.map((r) => ({ ...r, key: newKey() })),
  };
}

/** A guess at the admin's Windows time zone from the browser's IANA one; else the first schedule's, else UTC. */
export function guessTimeZone(draft: AutoscaleDraft, zones: AutoscaleTimeZone[]): string {
  if (draft.schedules[0]) return draft.schedules[0].timeZone;
  const known: Record<string, string> = {
    'Europe/Amsterdam': 'W. Europe Standard Time',
    'Europe/Berlin': 'W. Europe Standard Time',
    'Europe/Rome': 'W. Europe Standard Time',
    'Europe/Stockholm': 'W. Europe Standard Time',
    'Europe/Vienna': 'W. Europe Standard Time',
    'Europe/Zurich': 'W. Europe Standard Time',
    'Europe/Paris': 'Romance Standard Time',
    'Europe/Madrid': 'Romance Standard Time',
    'Europe/Brussels': 'Romance Standard Time',
    'Europe/Copenhagen': 'Romance Standard Time',
    'Europe/Warsaw': 'Central European Standard Time',
    'Europe/Prague': 'Central Europe Standard Time',
    'Europe/Budapest': 'Central Europe Standard Time',
    'Europe/London': 'GMT Standard Time',
    'Europe/Dublin': 'GMT Standard Time',
    'Europe/Lisbon': 'GMT Standard Time',
    'Europe/Helsinki': 'FLE Standard Time',
    'Europe/Athens': 'GTB Standard Time',
    'Europe/Istanbul': 'Turkey Standard Time',
    'Europe/Moscow': 'Russian Standard Time',
    'America/New_York': 'Eastern Standard Time',
    'America/Toronto': 'Eastern Standard Time',
    'America/Chicago': 'Central Standard Time',
    'America/Denver': 'Mountain Standard Time',
    'America/Phoenix': 'US Mountain Standard Time',
    'America/Los_Angeles': 'Pacific Standard Time',
    'America/Sao_Paulo': 'E. South America Standard Time',
    'Asia/Kolkata': 'India Standard Time',
    'Asia/Shanghai': 'China Standard Time',
    'Asia/Singapore': 'Singapore Standard Time',
    'Asia/Tokyo': 'Tokyo Standard Time',
    'Asia/Seoul': 'Korea Standard Time',
    'Australia/Sydney': 'AUS Eastern Standard Time',
    'Pacific/Auckland': 'New Zealand Standard Time',
    UTC: 'UTC',
  };
  let iana = '';
  try {
    iana = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    // No Intl time zone: UTC.
  }
  const guess = known[iana];
  return guess && zones.some((z) => z.id === guess) ? guess : 'UTC';
}

/** Problems found while reading the form, keyed like the app's field errors (`settings.…`). */
export type LocalErrors = Record<string, string>;

function wholeNumber(
  text: string,
  path: string,
  errors: LocalErrors,
  message = 'Enter a whole number',
): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) {
    errors[path] = message;
    return NaN;
  }
  return Number(t);
}

function capacityOf(c: CapacityDraft, path: string, errors: LocalErrors): AutoscaleCapacity {
  return {
    minimum: wholeNumber(c.minimum, `${path}.minimum`, errors),
    default: wholeNumber(c.default, `${path}.default`, errors),
    maximum: wholeNumber(c.maximum, `${path}.maximum`, errors),
  };
}

function durationOf(d: DurationDraft, path: string, errors: LocalErrors): string {
  const original = isoMinutes(d.iso);
  const shown = Number.isNaN(original) ? d.iso : String(Math.round(original * 100) / 100);
  if (d.minutes.trim() === shown) return d.iso;
  const t = d.minutes.trim();
  if (!/^\d+$/.test(t) || Number(t) < 1) {
    errors[path] = 'Enter whole minutes, 1 or more';
    return d.iso;
  }
  return `PT${Number(t)}M`;
}

function rulesOf(rules: RuleDraft[], path: string, errors: LocalErrors): AutoscaleRule[] {
  return rules.map((r, i) => {
    const at = `${path}.${i}`;
    const threshold = r.threshold.trim();
    const thresholdNumber = Number(threshold);
    if (threshold === '' || !Number.isFinite(thresholdNumber)) {
      errors[`${at}.threshold`] = 'Enter a number';
    }
    const rule: AutoscaleRule = {
      metricName: r.metricName,
      operator: r.operator,
      threshold: thresholdNumber,
      statistic: r.statistic,
      timeGrain: r.timeGrain,
      timeWindow: durationOf(r.timeWindow, `${at}.timeWindow`, errors),
      timeAggregation: r.timeAggregation,
      direction: r.direction,
      changeType: r.changeType,
      value: wholeNumber(r.value, `${at}.value`, errors),
      cooldown: durationOf(r.cooldown, `${at}.cooldown`, errors),
    };
    if (r.ref !== undefined) rule.ref = r.ref;
    if (r.metricNamespace !== undefined) rule.metricNamespace = r.metricNamespace;
    return rule;
  });
}

/** The settings the form describes, and what is wrong with the typing (empty: send it). */
export function settingsOf(draft: AutoscaleDraft): {
  settings: AutoscaleSettings;
  errors: LocalErrors;
} {
  const errors: LocalErrors = {};
  const settings: AutoscaleSettings = {
    ...draft.base,
    enabled: draft.enabled,
    defaultProfile: {
      name: draft.base.defaultProfile.name,
      capacity: capacityOf(draft.capacity, 'settings.defaultProfile.capacity', errors),
      rules: rulesOf(draft.rules, 'settings.defaultProfile.rules', errors),
    },
    schedules: draft.schedules.map((s, i) => {
      const at = `settings.schedules.${i}`;
      const unsafe = unsafeTextProblem(s.name);
      if (unsafe) errors[`${at}.name`] = `The name ${unsafe}`;
      const endProblem = s.hasEnd ? scheduleEndProblem(s.start, s.end) : undefined;
      if (endProblem) errors[`${at}.end`] = endProblem;
      return {
        ...(s.ref !== undefined ? { ref: s.ref } : {}),
        name: s.name,
        days: DAYS.map((d) => d.day).filter((d) => s.days.includes(d)),
        start: s.start,
        ...(s.hasEnd ? { end: s.end } : {}),
        timeZone: s.timeZone,
        capacity: capacityOf(s.capacity, `${at}.capacity`, errors),
        rules: rulesOf(s.rules, `${at}.rules`, errors),
      };
    }),
    fixedDates: draft.fixedDates,
  };
  return { settings, errors };
}

/** "Mon–Fri", "Sat, Sun", "every day". */
export function describeDays(days: AutoscaleDay[]): string {
  const idx = DAYS.map((d, i) => (days.includes(d.day) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 7) return 'every day';
  if (idx.length === 0) return 'no day';
  const contiguous = idx.every((v, i) => i === 0 || v === idx[i - 1] + 1);
  if (contiguous && idx.length > 2) return `${DAYS[idx[0]].short}–${DAYS[idx.at(-1)!].short}`;
  return idx.map((i) => DAYS[i].short).join(', ');
}

/** "Schedule “Weekdays”, rule 2, cooldown" for `settings.schedules.0.rules.1.cooldown`. */
export function describePath(path: string, draft: AutoscaleDraft): string {
  const parts = path.split('.').slice(1);
  const words: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === 'defaultProfile') words.push('Default');
    else if (p === 'schedules' && parts[i + 1] !== undefined) {
      const s = draft.schedules[Number(parts[i + 1])];
      words.push(`Schedule “${s?.name ?? Number(parts[i + 1]) + 1}”`);
      i++;
    } else if (p === 'schedules') words.push('Schedules');
    else if (p === 'rules' && parts[i + 1] !== undefined) {
      words.push(`rule ${Number(parts[i + 1]) + 1}`);
      i++;
    } else if (p === 'capacity') continue;
    else if (p === 'revision') words.push('Setting');
    else words.push(p.replace(/([A-Z])/g, ' $1').toLowerCase());
  }
  return words.join(', ') || 'Setting';
}
