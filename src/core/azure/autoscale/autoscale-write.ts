// Writes an edited autoscale model back onto the stored setting's JSON (the PUT body), changing
// only what was edited: whatever the model does not show is written back exactly as read.
import type {
  AutoscaleCapacity,
  AutoscaleRule,
  AutoscaleSchedule,
  AutoscaleSettings,
} from '../../../common/models';
import { parseClock } from './autoscale-duration';
import { type Json, type RawAutoscaleSetting, arr, clone, obj, same } from './autoscale-json';
import { endProfileName, readAutoscale } from './autoscale-model';

function capacityToRaw(base: unknown, c: AutoscaleCapacity): Json {
  return {
    ...obj(base),
    minimum: String(c.minimum),
    maximum: String(c.maximum),
    default: String(c.default),
  };
}

export interface WriteContext {
  /** The scale set the setting targets (for a new setting and new rules' metric). */
  targetResourceUri: string;
  /** For a new setting: its location (the scale set's) and tags. */
  location?: string;
  tags?: Record<string, string>;
}

/** Drops what ARM sets itself (id, name, type, systemData) and returns the rest as a PUT body. */
export function putBody(raw: RawAutoscaleSetting): RawAutoscaleSetting {
  const { id: _id, name: _name, type: _type, systemData: _systemData, ...rest } = raw;
  return clone(rest);
}

/**
 * The PUT body for `next`, given the stored setting it was read from (undefined: none yet).
 * Only what changed between `base` (the model of `raw`) and `next` is rewritten: everything else,
 * including fields and profiles the model does not show, is written back exactly as read.
 */
export function writeAutoscale(
  raw: RawAutoscaleSetting | undefined,
  next: AutoscaleSettings,
  context: WriteContext,
): RawAutoscaleSetting {
  const read = raw ? readAutoscale(raw, next.resourceGroup) : undefined;
  const base = read?.settings;
  const layout = read?.layout;
  const profiles = raw ? arr(obj(raw.properties).profiles).map(obj) : [];

  // Every rule of the model, by ref, with its stored original.
  const baseRules = new Map<string, { model: AutoscaleRule; raw: Json }>();
  if (base && layout) {
    for (const r of [
      ...base.defaultProfile.rules,
      ...base.schedules.flatMap((s) => s.rules),
      ...base.fixedDates.flatMap((f) => f.rules),
    ]) {
      const at = r.ref ? layout.rules.get(r.ref) : undefined;
      if (at) baseRules.set(r.ref!, { model: r, raw: obj(arr(profiles[at[0]].rules)[at[1]]) });
    }
  }
  const rulesToRaw = (rules: AutoscaleRule[], hiddenFrom: number | undefined): Json[] => {
    const out = rules.map((r) => {
      const original = r.ref ? baseRules.get(r.ref) : undefined;
      if (original && same(original.model, r)) return clone(original.raw);
      return ruleToRaw(r, original?.raw, context.targetResourceUri);
    });
    const hidden = hiddenFrom === undefined ? [] : (layout?.hiddenRules.get(hiddenFrom) ?? []);
    return [...out, ...hidden.map((j) => clone(obj(arr(profiles[hiddenFrom!].rules)[j])))];
  };

  // The default profile.
  const defaultChanged = !base || !same(base.defaultProfile, next.defaultProfile);
  const defaultIndex = layout?.defaultIndex;
  let defaultRaw: Json | undefined;
  if (defaultIndex !== undefined && !defaultChanged) {
    defaultRaw = clone(profiles[defaultIndex]);
  } else if (defaultIndex !== undefined || defaultChanged) {
    const original = defaultIndex === undefined ? {} : profiles[defaultIndex];
    defaultRaw = {
      ...clone(original),
      name: next.defaultProfile.name,
      capacity: capacityToRaw(original.capacity, next.defaultProfile.capacity),
      rules: rulesToRaw(next.defaultProfile.rules, defaultIndex),
    };
  }
  // What an end profile returns to: the default as written.
  const returnTo = () => ({
    capacity: clone(defaultRaw?.capacity ?? capacityToRaw({}, next.defaultProfile.capacity)),
    rules: clone(defaultRaw?.rules ?? rulesToRaw(next.defaultProfile.rules, undefined)),
  });

  // Replacements per stored profile index; new profiles go at the end.
  const replace = new Map<number, Json[]>();
  const added: Json[] = [];
  if (defaultIndex !== undefined) replace.set(defaultIndex, [defaultRaw!]);

  const baseSchedules = new Map((base?.schedules ?? []).map((s) => [s.ref!, s]));
  for (const entry of layout?.schedules ?? []) {
    replace.set(entry.start, []);
    if (entry.end !== undefined) replace.set(entry.end, []);
  }
  for (const s of next.schedules) {
    const entry = s.ref ? layout?.schedules.find((e) => e.ref === s.ref) : undefined;
    const old = entry ? baseSchedules.get(entry.ref) : undefined;
    const changed = !old || !same(old, s);
    const daysChanged = !old || !same(old.days, s.days);
    const startOriginal = entry ? profiles[entry.start] : {};
    const start = changed
      ? {
          ...clone(startOriginal),
          name: s.name,
          capacity: capacityToRaw(startOriginal.capacity, s.capacity),
          rules: rulesToRaw(s.rules, entry?.start),
          recurrence: recurrenceToRaw(startOriginal.recurrence, s, s.start, daysChanged),
        }
      : clone(startOriginal);
    delete start.fixedDate;
    let end: Json | undefined;
    if (s.end !== undefined) {
      const endOriginal = entry?.end !== undefined ? profiles[entry.end] : undefined;
      if (endOriginal) {
        end = clone(endOriginal);
        if (changed) {
          end.name =
            old && old.name === s.name
              ? endOriginal.name
              : endProfileName(next.defaultProfile.name, s.name, String(endOriginal.name));
          end.recurrence = recurrenceToRaw(endOriginal.recurrence, s, s.end, daysChanged);
        }
        if (defaultChanged) Object.assign(end, returnTo());
      } else {
        end = {
          name: endProfileName(next.defaultProfile.name, s.name),
          ...returnTo(),
          recurrence: recurrenceToRaw(undefined, s, s.end, true),
        };
      }
    }
    if (entry) {
      replace.set(entry.start, end && entry.end === undefined ? [start, end] : [start]);
      if (entry.end !== undefined) replace.set(entry.end, end ? [end] : []);
    } else {
      added.push(start, ...(end ? [end] : []));
    }
  }

  const baseFixed = new Map((base?.fixedDates ?? []).map((f) => [f.ref!, f]));
  for (const entry of layout?.fixedDates ?? []) replace.set(entry.index, []);
  for (const f of next.fixedDates) {
    const entry = f.ref ? layout?.fixedDates.find((e) => e.ref === f.ref) : undefined;
    const old = entry ? baseFixed.get(entry.ref) : undefined;
    const original = entry ? profiles[entry.index] : {};
    let profile: Json;
    if (old && same(old, f)) {
      profile = clone(original);
    } else {
      const fixedDate: Json = { ...obj(clone(original.fixedDate)), start: f.start, end: f.end };
      if (f.timeZone !== undefined) fixedDate.timeZone = f.timeZone;
      else delete fixedDate.timeZone;
      profile = {
        ...clone(original),
        name: f.name,
        capacity: capacityToRaw(original.capacity, f.capacity),
        rules: rulesToRaw(f.rules, entry?.index),
        fixedDate,
      };
      delete profile.recurrence;
    }
    if (entry) replace.set(entry.index, [profile]);
    else added.push(profile);
  }

  const written: Json[] = [];
  if (defaultIndex === undefined && defaultRaw) written.push(defaultRaw);
  profiles.forEach((p, i) => written.push(...(replace.get(i) ?? [clone(p)])));
  written.push(...added);

  if (!raw) {
    return {
      location: context.location ?? '',
      tags: { ...(context.tags ?? {}) },
      properties: {
        name: next.name,
        enabled: next.enabled,
        targetResourceUri: context.targetResourceUri,
        profiles: written,
        notifications: [],
      },
    };
  }
  const body = putBody(raw);
  body.properties = { ...obj(body.properties), profiles: written, enabled: next.enabled };
  return body;
}

function recurrenceToRaw(
  original: unknown,
  s: AutoscaleSchedule,
  time: string,
  daysChanged: boolean,
): Json {
  const rec = obj(clone(original));
  const schedule = obj(rec.schedule);
  const clock = parseClock(time) ?? { hour: 0, minute: 0 };
  return {
    ...rec,
    frequency: 'Week',
    schedule: {
      ...schedule,
      timeZone: s.timeZone,
      days: daysChanged || !Array.isArray(schedule.days) ? [...s.days] : schedule.days,
      hours: [clock.hour],
      minutes: [clock.minute],
    },
  };
}

function ruleToRaw(rule: AutoscaleRule, original: Json | undefined, targetUri: string): Json {
  const base = obj(clone(original));
  const trigger: Json = original
    ? { ...obj(base.metricTrigger) }
    : { metricResourceUri: targetUri, dividePerInstance: false };
  trigger.metricName = rule.metricName;
  if (rule.metricNamespace) trigger.metricNamespace = rule.metricNamespace;
  else delete trigger.metricNamespace;
  Object.assign(trigger, {
    timeGrain: rule.timeGrain,
    statistic: rule.statistic,
    timeWindow: rule.timeWindow,
    timeAggregation: rule.timeAggregation,
    operator: rule.operator,
    threshold: rule.threshold,
  });
  if (typeof trigger.metricResourceUri !== 'string') trigger.metricResourceUri = targetUri;
  const action: Json = {
    ...obj(base.scaleAction),
    direction: rule.direction,
    type: rule.changeType,
    value: String(rule.value),
    cooldown: rule.cooldown,
  };
  return { ...base, metricTrigger: trigger, scaleAction: action };
}
