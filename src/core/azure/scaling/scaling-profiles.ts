// Which profile of an autoscale setting is in force at an instant, as Azure picks it: fixed-date
// profiles first, then the recurrence profile that started last (in its own time zone, DST
// included), else the default profile; and when the next recurrence starts. Pure. Sources:
// learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-multiprofile and -understanding-settings.
import { ianaZone, instantOf, wallTime } from './scaling-time-zones';

type Json = Record<string, unknown>;

export type ProfileKind = 'fixedDate' | 'recurrence' | 'default';

export interface ActiveProfile {
  profile: Json;
  /** Its index in `properties.profiles`. */
  index: number;
  kind: ProfileKind;
  /** When it came into force: a fixed date's start, a recurrence's latest start. */
  since?: number;
}

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_MS = 24 * 3600 * 1000;

/** .NET DayOfWeek of a `days` entry: a name or "0"–"6" (Azure accepts both). */
function dayNumber(day: unknown): number | undefined {
  const text = String(day).trim().toLowerCase();
  if (/^[0-6]$/.test(text)) return Number(text);
  const i = DAY_NAMES.indexOf(text);
  return i < 0 ? undefined : i;
}

/** The latest start of a weekly recurrence at or before `now`; undefined if it cannot start. */
export function latestRecurrenceStart(recurrence: unknown, now: number): number | undefined {
  const schedule = obj(obj(recurrence).schedule);
  const zone = ianaZone(String(schedule.timeZone ?? 'UTC'));
  if (!zone) return undefined;
  const days = new Set(arr(schedule.days).map(dayNumber));
  const hours = arr(schedule.hours).map(Number).filter(Number.isInteger);
  const minutes = arr(schedule.minutes).map(Number).filter(Number.isInteger);
  let latest: number | undefined;
  // A weekly schedule starts within any 7 days; 8 local days cover the edges of the zone's day.
  for (let back = 0; back <= 8; back++) {
    const local = wallTime(now - back * DAY_MS, zone);
    if (!days.has(local.weekday)) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const at = instantOf(local, h, m, zone);
        if (at <= now && (latest === undefined || at > latest)) latest = at;
      }
    }
  }
  return latest;
}

/**
 * A fixed date's instant: with an offset or `Z` it is that instant; without one it is read in
 * the profile's `timeZone` (UTC when none), as the portal writes them.
 */
export function fixedDateInstant(text: unknown, timeZone: unknown): number | undefined {
  const s = String(text ?? '');
  if (/(Z|[+-]\d{2}:\d{2})$/i.test(s)) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(s);
  const zone = ianaZone(String(timeZone ?? 'UTC'));
  if (!m || !zone) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  return instantOf({ year, month, day }, hour, minute, zone) + second * 1000;
}

/** The profile in force at `now`, or undefined when none applies (no default, nothing current). */
export function activeProfile(profiles: unknown[], now: number): ActiveProfile | undefined {
  const list = profiles.map(obj);
  // 1. Fixed dates, in the setting's order: the first current one wins.
  for (let i = 0; i < list.length; i++) {
    const fixed = list[i].fixedDate;
    if (fixed === undefined) continue;
    const f = obj(fixed);
    const start = fixedDateInstant(f.start, f.timeZone);
    const end = fixedDateInstant(f.end, f.timeZone);
    if (start !== undefined && end !== undefined && start <= now && now < end) {
      return { profile: list[i], index: i, kind: 'fixedDate', since: start };
    }
  }
  // 2. Recurrences: a profile lasts until the next one starts, so the latest start wins.
  let best: ActiveProfile | undefined;
  list.forEach((p, i) => {
    if (p.recurrence === undefined || p.fixedDate !== undefined) return;
    const since = latestRecurrenceStart(p.recurrence, now);
    if (since !== undefined && (best?.since === undefined || since > best.since)) {
      best = { profile: p, index: i, kind: 'recurrence', since };
    }
  });
  if (best) return best;
  // 3. The default profile: neither recurrence nor fixed date.
  const i = list.findIndex((p) => p.recurrence === undefined && p.fixedDate === undefined);
  return i < 0 ? undefined : { profile: list[i], index: i, kind: 'default' };
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The next instant after `now` at which a recurrence or fixed-date profile starts (or a fixed
 *  date ends), with the profile then in force; undefined when none does within 8 days. */
export function nextProfileChange(
  profiles: unknown[],
  now: number,
): { at: number; profile: ActiveProfile } | undefined {
  const list = profiles.map(obj);
  const candidates: number[] = [];
  for (const p of list) {
    if (p.fixedDate !== undefined) {
      const f = obj(p.fixedDate);
      for (const t of [fixedDateInstant(f.start, f.timeZone), fixedDateInstant(f.end, f.timeZone)])
        if (t !== undefined && t > now) candidates.push(t);
      continue;
    }
    if (p.recurrence === undefined) continue;
    const schedule = obj(obj(p.recurrence).schedule);
    const zone = ianaZone(String(schedule.timeZone ?? 'UTC'));
    if (!zone) continue;
    const days = new Set(arr(schedule.days).map(dayNumber));
    const hours = arr(schedule.hours).map(Number).filter(Number.isInteger);
    const minutes = arr(schedule.minutes).map(Number).filter(Number.isInteger);
    for (let ahead = 0; ahead <= 8; ahead++) {
      const local = wallTime(now + ahead * DAY_MS, zone);
      if (!days.has(local.weekday)) continue;
      for (const h of hours) {
        for (const m of minutes) {
          const at = instantOf(local, h, m, zone);
          if (at > now) candidates.push(at);
        }
      }
    }
  }
  const current = activeProfile(profiles, now);
  for (const at of candidates.sort((a, b) => a - b)) {
    const then = activeProfile(profiles, at);
    // A start of the profile already in force (a daily schedule's next day) changes nothing.
    if (then && then.index !== current?.index) return { at, profile: then };
  }
  return undefined;
}
