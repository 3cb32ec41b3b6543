// Microsoft.Insights/autoscaleSettings: stored and shown as the examples show them (synchronous
// PUT/PATCH/DELETE, location kept as sent, profile names kept), refusing what Azure refuses: bad
// capacities, too many profiles or rules, weekly schedules with unknown days, times or time
// zones, reversed fixed dates, durations out of range. The autoscale engine acts on them.
import { AUTOSCALE_TIME_ZONES } from '../../../src/core/azure/autoscale/index';
import { ArmError } from './arm-error';
import { clone } from './compute-views';
import type { PutResult } from './emulator-context';
import { GenericProvider } from './generic-provider';
import type { StoredResource } from './resource-store';
import { sameId } from './resource-ids';

type Json = Record<string, unknown>;

/** The most instances a profile may ask for: a Uniform scale set's limit. */
const MAX_INSTANCES = 1000;

const PATCHABLE = [
  'profiles',
  'notifications',
  'enabled',
  'predictiveAutoscalePolicy',
  'name',
  'targetResourceUri',
  'targetResourceLocation',
];

export class AutoscaleProvider extends GenericProvider {
  override readonly types = ['microsoft.insights/autoscalesettings'];
  override readonly longRunning = false;

  protected override get normalizesLocation(): boolean {
    return false;
  }

  protected override prepare(body: Json, _existing: StoredResource | undefined, id: string): Json {
    const props = obj(body.properties);
    const profiles = Array.isArray(props.profiles) ? (props.profiles as Json[]) : undefined;
    if (!profiles || profiles.length < 1 || profiles.length > 20) {
      throw ArmError.badRequest(
        'InvalidRequest',
        'An autoscale setting needs 1 to 20 profiles.',
        'profiles',
      );
    }
    for (const profile of profiles) {
      const capacity = obj(profile.capacity);
      const [min, max, def] = [capacity.minimum, capacity.maximum, capacity.default].map(Number);
      if (typeof profile.name !== 'string' || [min, max, def].some((n) => !Number.isInteger(n))) {
        throw ArmError.badRequest(
          'InvalidRequest',
          'Each profile needs a name and capacity minimum, maximum and default (integers as strings).',
          'profiles',
        );
      }
      if (max > MAX_INSTANCES) {
        bad(
          `Profile '${profile.name}': the maximum capacity ${max} is more than ${MAX_INSTANCES}, ` +
            'the most instances a scale set can hold.',
          'profiles',
        );
      }
      if (min > max) {
        bad(
          `Profile '${profile.name}': the minimum capacity ${min} is more than the maximum ${max}.`,
          'profiles',
        );
      }
      if (!(min <= def && def <= max)) {
        throw ArmError.badRequest(
          'InvalidRequest',
          `Profile '${profile.name}': the default capacity must lie between minimum and maximum.`,
          'profiles',
        );
      }
      if (Array.isArray(profile.rules) && profile.rules.length > 10) {
        throw ArmError.badRequest(
          'InvalidRequest',
          `Profile '${profile.name}' has more than 10 rules.`,
          'rules',
        );
      }
      checkSchedule(profile);
      for (const rule of Array.isArray(profile.rules) ? (profile.rules as Json[]) : []) {
        checkRule(String(profile.name), rule);
      }
    }
    if (typeof props.targetResourceUri !== 'string') {
      throw ArmError.badRequest(
        'InvalidRequest',
        'targetResourceUri is required.',
        'targetResourceUri',
      );
    }
    // One autoscale setting per target resource: a second one (another name) is a conflict.
    const subscriptionId = id.split('/')[2] ?? '';
    const other = this.ctx.store
      .list(subscriptionId, undefined, 'Microsoft.Insights/autoscaleSettings')
      .find(
        (r) =>
          !sameId(r.id, id) &&
          sameId(
            String(obj(r.body.properties).targetResourceUri ?? ''),
            props.targetResourceUri as string,
          ),
      );
    if (other) {
      throw new ArmError(
        409,
        'Conflict',
        `The target resource '${props.targetResourceUri}' already has an autoscale setting, ` +
          `'${other.name}' in resource group '${other.resourceGroup}': a resource can have only ` +
          'one autoscale setting. Edit that one, or delete it first.',
        undefined,
        'targetResourceUri',
      );
    }
    return body;
  }

  override patch(resource: StoredResource, body: Json): PutResult {
    if (body.tags !== undefined) resource.body.tags = clone(body.tags);
    const props = (resource.body.properties = obj(resource.body.properties));
    const patch = obj(body.properties);
    for (const key of PATCHABLE) if (patch[key] !== undefined) props[key] = clone(patch[key]);
    this.prepare(resource.body, resource, resource.id);
    this.ctx.store.touch(resource);
    return { created: false, view: this.view(resource), done: Promise.resolve() };
  }

  override view(resource: StoredResource): unknown {
    const props = obj(resource.body.properties);
    return {
      // ARM returns this provider's ids in lower case, as in the official examples.
      id: `/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroup}/providers/microsoft.insights/autoscalesettings/${resource.name}`,
      name: resource.name,
      type: 'Microsoft.Insights/autoscaleSettings',
      // As sent ("West Europe"): Insights does not normalize it like compute and network do.
      location:
        typeof resource.body.location === 'string' ? resource.body.location : resource.location,
      tags: clone(resource.body.tags ?? {}),
      properties: {
        ...clone(props),
        profiles: clone(props.profiles),
        enabled: props.enabled ?? false,
        name: resource.name,
        targetResourceUri: props.targetResourceUri,
        notifications: clone(props.notifications ?? []),
        predictiveAutoscalePolicy: clone(
          props.predictiveAutoscalePolicy ?? { scaleMode: 'Disabled' },
        ),
      },
    };
  }
}

const ZONES = new Set(AUTOSCALE_TIME_ZONES.map((z) => z.id.toLowerCase()));
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function bad(message: string, target: string): never {
  throw ArmError.badRequest('InvalidRequest', message, target);
}

function checkZone(profile: string, zone: unknown, target: string): void {
  if (zone === undefined) return;
  if (typeof zone !== 'string' || !ZONES.has(zone.toLowerCase())) {
    bad(`Profile '${profile}': '${String(zone)}' is not a supported time zone.`, target);
  }
}

/** A weekly recurrence (days, one or more hours and minutes, a time zone) or fixed dates. */
function checkSchedule(profile: Json): void {
  const name = String(profile.name);
  if (profile.recurrence !== undefined) {
    const rec = obj(profile.recurrence);
    const schedule = obj(rec.schedule);
    if (String(rec.frequency) !== 'Week') {
      bad(`Profile '${name}': the recurrence frequency must be Week.`, 'recurrence');
    }
    const days = Array.isArray(schedule.days) ? schedule.days : [];
    const dayOk = (d: unknown) =>
      /^[0-6]$/.test(String(d)) || DAYS.includes(String(d).toLowerCase());
    if (days.length === 0 || !days.every(dayOk)) {
      bad(`Profile '${name}': recurrence days must be Sunday to Saturday.`, 'recurrence');
    }
    const ints = (v: unknown, max: number) =>
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((n) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= max);
    if (!ints(schedule.hours, 23) || !ints(schedule.minutes, 59)) {
      bad(`Profile '${name}': recurrence hours must be 0-23 and minutes 0-59.`, 'recurrence');
    }
    if (typeof schedule.timeZone !== 'string') {
      bad(`Profile '${name}': the recurrence needs a time zone.`, 'recurrence');
    }
    checkZone(name, schedule.timeZone, 'recurrence');
  }
  if (profile.fixedDate !== undefined) {
    const fixed = obj(profile.fixedDate);
    const start = Date.parse(String(fixed.start));
    const end = Date.parse(String(fixed.end));
    if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
      bad(`Profile '${name}': the fixed date needs a start before its end.`, 'fixedDate');
    }
    checkZone(name, fixed.timeZone, 'fixedDate');
  }
}

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

function seconds(text: unknown): number | undefined {
  const m = typeof text === 'string' ? DURATION.exec(text) : null;
  if (!m || m.slice(1).every((v) => v === undefined)) return undefined;
  const [w, d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0));
  return (((w * 7 + d) * 24 + h) * 60 + min) * 60 + s;
}

/** The ranges Azure documents for a rule's durations. */
function checkRule(profile: string, rule: Json): void {
  const trigger = obj(rule.metricTrigger);
  const action = obj(rule.scaleAction);
  const limits: Array<[unknown, number, number, string]> = [
    [trigger.timeGrain, 60, 12 * 3600, 'timeGrain must be between 1 minute and 12 hours'],
    [trigger.timeWindow, 5 * 60, 12 * 3600, 'timeWindow must be between 5 minutes and 12 hours'],
    [action.cooldown, 60, 7 * 24 * 3600, 'cooldown must be between 1 minute and 1 week'],
  ];
  for (const [value, min, max, message] of limits) {
    const s = seconds(value);
    if (s === undefined || s < min || s > max) bad(`Profile '${profile}': ${message}.`, 'rules');
  }
  if (typeof trigger.metricName !== 'string' || !trigger.metricName) {
    bad(`Profile '${profile}': a rule needs a metricName.`, 'rules');
  }
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
