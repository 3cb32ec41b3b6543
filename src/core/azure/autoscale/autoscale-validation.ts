// Checks an edited autoscale setting against Azure's rules before anything is sent: capacities,
// HH:MM times, time zones Azure accepts, ISO 8601 durations, at most 20 profiles and 10 rules each.
// Problems come back per field, in the `{ path, message }` form of E_BAD_INPUT details.
import type {
  AutoscaleCapacity,
  AutoscaleProblem,
  AutoscaleRule,
  AutoscaleSettings,
} from '../../../common/models';
import { scheduleEndProblem } from '../../../common/autoscale-schedule';
import { unsafeTextProblem } from '../../../common/user-text';
import { durationSeconds, parseClock } from './autoscale-duration';
import { type AutoscaleRead, DAYS, parseEndProfileName, profileCount } from './autoscale-model';
import { autoscaleTimeZone } from './autoscale-time-zones';

export const MAX_PROFILES = 20;
export const MAX_RULES = 10;
export const MAX_INSTANCES = 1000;

const MINUTE = 60;
const HOUR = 3600;
const WEEK = 7 * 24 * HOUR;

/**
 * Every problem of `next`, paths starting with `settings`. `base` (the stored setting it was read
 * from) lets a profile keep a time zone Azure has already accepted, and counts the profiles and
 * rules the app keeps without showing.
 */
export function autoscaleProblems(
  next: AutoscaleSettings,
  base?: AutoscaleRead,
): AutoscaleProblem[] {
  const problems: AutoscaleProblem[] = [];
  const add = (path: Array<string | number>, message: string) =>
    problems.push({ path: ['settings', ...path.map(String)], message });

  capacityProblems(next.defaultProfile.capacity, ['defaultProfile', 'capacity'], add);
  rulesProblems(
    next.defaultProfile.rules,
    ['defaultProfile', 'rules'],
    add,
    hidden(base, 'default'),
  );

  const storedZones = new Map<string, string | undefined>();
  for (const s of base?.settings.schedules ?? []) storedZones.set(s.ref!, s.timeZone);
  for (const f of base?.settings.fixedDates ?? []) storedZones.set(f.ref!, f.timeZone);
  const zoneProblem = (zone: string, ref: string | undefined) =>
    autoscaleTimeZone(zone) !== undefined || (ref !== undefined && storedZones.get(ref) === zone)
      ? undefined
      : `Azure does not know the time zone "${zone}"; pick one from the list (Windows ids such as W. Europe Standard Time or UTC)`;

  const names = new Map<string, string>();
  names.set(next.defaultProfile.name.toLowerCase(), 'the default profile');
  const nameProblems = (name: string, path: Array<string | number>) => {
    const trimmed = name.trim();
    if (!trimmed) return add(path, 'Give it a name');
    if (trimmed !== name) return add(path, 'The name must not start or end with spaces');
    if (name.length > 256) return add(path, 'The name must be at most 256 characters');
    const unsafe = unsafeTextProblem(name);
    if (unsafe) return add(path, `The name ${unsafe}`);
    if (name.startsWith('{') || parseEndProfileName(name)) {
      return add(path, 'The name must not start with "{" (Azure uses such names for end profiles)');
    }
    const taken = names.get(name.toLowerCase());
    if (taken) return add(path, `The name "${name}" is already used by ${taken}`);
    names.set(name.toLowerCase(), `another profile`);
  };

  next.schedules.forEach((s, i) => {
    const at = ['schedules', i];
    nameProblems(s.name, [...at, 'name']);
    if (s.days.length === 0) add([...at, 'days'], 'Pick at least one day');
    const unknown = s.days.filter((d) => !DAYS.includes(d));
    if (unknown.length) add([...at, 'days'], `Unknown days: ${unknown.join(', ')}`);
    if (new Set(s.days).size !== s.days.length) add([...at, 'days'], 'A day is listed twice');
    if (!parseClock(s.start)) add([...at, 'start'], 'Use HH:MM on a 24-hour clock, e.g. 08:00');
    if (s.end !== undefined) {
      if (!parseClock(s.end)) add([...at, 'end'], 'Use HH:MM on a 24-hour clock, e.g. 19:00');
      else {
        const problem = scheduleEndProblem(s.start, s.end);
        if (problem) add([...at, 'end'], problem);
      }
    }
    const zone = zoneProblem(s.timeZone, s.ref);
    if (zone) add([...at, 'timeZone'], zone);
    capacityProblems(s.capacity, [...at, 'capacity'], add);
    rulesProblems(s.rules, [...at, 'rules'], add, hidden(base, s.ref));
  });

  next.fixedDates.forEach((f, i) => {
    const at = ['fixedDates', i];
    nameProblems(f.name, [...at, 'name']);
    const start = dateTime(f.start);
    const end = dateTime(f.end);
    if (start === undefined)
      add([...at, 'start'], 'Use a date and time such as 2025-12-01T08:00:00');
    if (end === undefined) add([...at, 'end'], 'Use a date and time such as 2025-12-05T19:00:00');
    if (start !== undefined && end !== undefined && end <= start) {
      add([...at, 'end'], 'The end must come after the start');
    }
    if (f.timeZone !== undefined) {
      const zone = zoneProblem(f.timeZone, f.ref);
      if (zone) add([...at, 'timeZone'], zone);
    }
    capacityProblems(f.capacity, [...at, 'capacity'], add);
    rulesProblems(f.rules, [...at, 'rules'], add, hidden(base, f.ref));
  });

  const total = profileCount(next, base);
  if (total > MAX_PROFILES) {
    add(
      ['schedules'],
      `Azure allows ${MAX_PROFILES} profiles in a setting; this needs ${total} (a schedule with an end time takes two, and the default and kept profiles count too). Remove a schedule.`,
    );
  }
  return problems;
}

/** How many rules of a profile the app keeps without showing (they count towards the 10). */
function hidden(base: AutoscaleRead | undefined, ref: string | undefined): number {
  if (!base || ref === undefined) return 0;
  const index =
    ref === 'default' ? base.layout.defaultIndex : Number(/^p(\d+)$/.exec(ref)?.[1] ?? NaN);
  return index === undefined || Number.isNaN(index)
    ? 0
    : (base.layout.hiddenRules.get(index)?.length ?? 0);
}

function capacityProblems(
  c: AutoscaleCapacity,
  at: Array<string | number>,
  add: (path: Array<string | number>, message: string) => void,
): void {
  let whole = true;
  for (const key of ['minimum', 'default', 'maximum'] as const) {
    const n = c[key];
    if (!Number.isInteger(n) || n < 0 || n > MAX_INSTANCES) {
      add([...at, key], `Enter a whole number from 0 to ${MAX_INSTANCES}`);
      whole = false;
    }
  }
  if (!whole) return;
  if (c.minimum > c.maximum) {
    add(
      [...at, 'maximum'],
      `The maximum (${c.maximum}) must be at least the minimum (${c.minimum})`,
    );
  } else if (c.default < c.minimum || c.default > c.maximum) {
    add(
      [...at, 'default'],
      `The default (${c.default}) must lie between the minimum (${c.minimum}) and the maximum (${c.maximum})`,
    );
  }
}

function rulesProblems(
  rules: AutoscaleRule[],
  at: Array<string | number>,
  add: (path: Array<string | number>, message: string) => void,
  hiddenRules: number,
): void {
  if (rules.length + hiddenRules > MAX_RULES) {
    add(
      at,
      `A profile holds at most ${MAX_RULES} rules${hiddenRules ? ` (${hiddenRules === 1 ? 'the one' : `the ${hiddenRules}`} kept from Azure ${hiddenRules === 1 ? 'counts' : 'count'} too)` : ''}; remove ${rules.length + hiddenRules - MAX_RULES}`,
    );
  }
  rules.forEach((r, j) => {
    const p = [...at, j];
    if (!r.metricName.trim()) add([...p, 'metricName'], 'Name the metric, e.g. Percentage CPU');
    else if (r.metricName.length > 256 || /["\n\r]/.test(r.metricName)) {
      add([...p, 'metricName'], 'The metric name must be a plain name, e.g. Percentage CPU');
    }
    if (
      r.metricNamespace !== undefined &&
      (r.metricNamespace.length > 256 || /["\s]/.test(r.metricNamespace))
    ) {
      add(
        [...p, 'metricNamespace'],
        'The metric namespace must be like microsoft.compute/virtualmachinescalesets',
      );
    }
    if (!Number.isFinite(r.threshold)) add([...p, 'threshold'], 'Enter a number');
    duration(
      r.timeGrain,
      MINUTE,
      12 * HOUR,
      'between 1 minute and 12 hours',
      [...p, 'timeGrain'],
      add,
    );
    duration(
      r.timeWindow,
      5 * MINUTE,
      12 * HOUR,
      'between 5 minutes and 12 hours',
      [...p, 'timeWindow'],
      add,
    );
    duration(r.cooldown, MINUTE, WEEK, 'between 1 minute and 1 week', [...p, 'cooldown'], add);
    if (!Number.isInteger(r.value) || r.value < 1 || r.value > MAX_INSTANCES) {
      add(
        [...p, 'value'],
        r.changeType === 'PercentChangeCount'
          ? 'Enter a whole percentage from 1 to 1000'
          : `Enter a whole number of instances from 1 to ${MAX_INSTANCES}`,
      );
    }
  });
}

function duration(
  text: string,
  min: number,
  max: number,
  range: string,
  path: Array<string | number>,
  add: (path: Array<string | number>, message: string) => void,
): void {
  const seconds = durationSeconds(text);
  if (seconds === undefined) add(path, `Use an ISO 8601 duration ${range}, e.g. PT10M`);
  else if (seconds < min || seconds > max) add(path, `Must be ${range}`);
}

/** Milliseconds of `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]`, read as UTC when it has no offset. */
function dateTime(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?$/.exec(
    text,
  );
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
  return Number.isNaN(ms) ? undefined : ms;
}
