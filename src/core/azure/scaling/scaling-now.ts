// The "now" line of "why did / didn't the pool scale": the profile in force (from the autoscale
// setting and the clock), what holds the count there (its minimum or maximum), which instances
// scale-in protection keeps and why (the agents' reasons, or an admin), when the last scale
// action's cooldown ends, and the next profile change. Pure.
import type { InstanceInfo } from '../../../common/models';
import type { ScalingKept, ScalingNow } from '../../../common/scaling-models';
import { durationSeconds } from '../autoscale/index';
import type { ScaleAction } from './autoscale-actions';
import { activeProfile, nextProfileChange } from './scaling-profiles';

type Json = Record<string, unknown>;

export interface NowInput {
  now: number;
  /** The scale set's live instances now. */
  capacity: number;
  /** The autoscale setting's `properties` (ARM JSON), or undefined when the pool has none. */
  setting?: Json;
  instances: readonly InstanceInfo[];
  /** The scale actions, oldest first. */
  actions: readonly ScaleAction[];
  formatTime: (ms: number) => string;
}

export function scalingNow(input: NowInput): ScalingNow {
  const { now, capacity, setting } = input;
  const kept = keptInstances(input);
  const parts: string[] = [];
  const result: ScalingNow = { text: '', capacity, autoscale: 'none', kept };
  const count = `${capacity} ${capacity === 1 ? 'instance' : 'instances'}`;
  if (!setting) {
    parts.push(`No autoscale setting: ${count} until someone scales the pool`);
  } else if (setting.enabled !== true) {
    result.autoscale = 'off';
    parts.push(`Autoscale is off: ${count} until someone scales the pool`);
  } else {
    result.autoscale = 'on';
    const profiles = Array.isArray(setting.profiles) ? setting.profiles : [];
    const active = activeProfile(profiles, now);
    if (!active) {
      parts.push(`No profile of the autoscale setting applies now: ${count}`);
    } else {
      const cap = obj(active.profile.capacity);
      const p = {
        name: String(active.profile.name ?? ''),
        kind: active.kind,
        minimum: Number(cap.minimum),
        maximum: Number(cap.maximum),
        default: Number(cap.default),
      };
      result.profile = p;
      const from = `from profile '${p.name}'`;
      if (capacity === p.minimum && p.minimum === p.maximum) {
        parts.push(`Profile '${p.name}' holds the pool at ${p.minimum} (its minimum and maximum)`);
      } else if (capacity === p.minimum) parts.push(`Minimum ${p.minimum} ${from}`);
      else if (capacity === p.maximum) parts.push(`Maximum ${p.maximum} ${from}`);
      else if (capacity > p.maximum) {
        parts.push(`${count}, above the maximum ${p.maximum} ${from}`);
      } else if (capacity < p.minimum) {
        parts.push(`${count}, below the minimum ${p.minimum} ${from}: autoscale adds more`);
      } else parts.push(`${count}, within ${p.minimum}–${p.maximum} ${from}`);

      const last = [...input.actions].reverse().find((a) => a.status !== 'Failed');
      const cooldown = Math.max(
        0,
        ...rulesOf(active.profile)
          .filter((r) => /^decrease$/i.test(String(obj(r.scaleAction).direction)))
          .map((r) => durationSeconds(String(obj(r.scaleAction).cooldown ?? '')) ?? 0),
      );
      const until = last && cooldown ? last.time + cooldown * 1000 : undefined;
      if (until !== undefined && until > now) result.cooldownUntil = new Date(until).toISOString();
      const next = nextProfileChange(profiles, now);
      if (next) {
        result.next = {
          time: new Date(next.at).toISOString(),
          profile: String(next.profile.profile.name ?? ''),
        };
      }
    }
  }
  for (const k of kept) parts.push(`${k.instance} kept: ${k.reason}`);
  if (result.profile && kept.length && capacity > result.profile.maximum) {
    parts.push(
      `scale-in to ${result.profile.maximum} waits until ${kept.length === 1 ? 'it is' : 'they are'} idle`,
    );
  }
  if (result.cooldownUntil) {
    parts.push(
      `next scale-in possible after cooldown at ${input.formatTime(Date.parse(result.cooldownUntil))}`,
    );
  }
  if (result.next) {
    parts.push(
      `profile '${result.next.profile}' starts at ${input.formatTime(Date.parse(result.next.time))}`,
    );
  }
  result.text = parts.join('; ');
  return result;
}

/** Instances protected from scale-in, and why, in the agents' words where they gave them. */
export function keptInstances(input: Pick<NowInput, 'instances' | 'formatTime'>): ScalingKept[] {
  const kept: ScalingKept[] = [];
  for (const i of input.instances) {
    if (!i.azure?.protectFromScaleIn) continue;
    const a = i.activity;
    let reason = 'protected from scale-in (set in Azure)';
    if (a?.protection?.by === 'admin') reason = 'protected by an admin';
    else if (a?.busy && a.reasons.length) {
      reason = a.reasons.map((r) => `${r.user}'s ${r.text}`).join('; ');
    } else if (a?.protection?.by === 'busy' && a.idleSince) {
      const clears = Date.parse(a.idleSince) + a.idleMinutes * 60_000;
      reason = `idle since ${input.formatTime(Date.parse(a.idleSince))}; the agent clears its protection at ${input.formatTime(clears)}`;
    }
    kept.push({ instance: i.name, reason });
  }
  return kept;
}

function rulesOf(profile: Json): Json[] {
  return (Array.isArray(profile.rules) ? profile.rules : []).map(obj);
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
