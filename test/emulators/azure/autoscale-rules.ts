// One evaluation of the profile in force, as Azure documents it: the capacity is first kept
// within the profile's minimum and maximum; a missing metric scales out to the default; else
// scale-out rules win (the highest capacity), and scale-in needs every scale-in rule (the least
// change); each rule waits out its cooldown. Pure; sources in README.md ("Autoscale engine").
import { durationMs, meets, type TriggerReading } from './autoscale-metrics';

type Json = Record<string, unknown>;

export type ScaleReason = 'minimum' | 'maximum' | 'default' | 'rule';

/** A rule that fired (or, for `default`, the metric that was missing). */
export interface FiredRule {
  /** Its index in the profile's `rules`. */
  index: number;
  metricName: string;
  operator: string;
  threshold: number;
  /** The value read; undefined when the metric was missing. */
  observed?: number;
}

export type Decision =
  | { kind: 'none'; current: number; why: string }
  | {
      kind: 'scale';
      current: number;
      target: number;
      reason: ScaleReason;
      /** The rules that fired (scale-out: the one giving the capacity; scale-in: all of them). */
      rules: FiredRule[];
      why: string;
    };

export interface DecisionInput {
  profile: Json;
  /** The scale set's capacity now. */
  current: number;
  now: number;
  /** When this setting last scaled (any rule or bound), for cooldowns. */
  lastScaleAt?: number;
  /** Reads a rule's metric trigger. */
  read: (trigger: Json) => TriggerReading;
}

/** Minimum, maximum and default of a profile's capacity (Azure stores them as strings). */
export function capacityOf(profile: Json): { minimum: number; maximum: number; default: number } {
  const c = obj(profile.capacity);
  return { minimum: Number(c.minimum), maximum: Number(c.maximum), default: Number(c.default) };
}

export function decide({ profile, current, now, lastScaleAt, read }: DecisionInput): Decision {
  const cap = capacityOf(profile);
  const clamp = (n: number) => Math.min(cap.maximum, Math.max(cap.minimum, n));
  if (current < cap.minimum) {
    return scale(current, cap.minimum, 'minimum', [], `below the profile's minimum ${cap.minimum}`);
  }
  if (current > cap.maximum) {
    return scale(current, cap.maximum, 'maximum', [], `above the profile's maximum ${cap.maximum}`);
  }
  const rules = arr(profile.rules).map(obj);
  if (rules.length === 0) return none(current, 'the profile has no rules');

  const readings = rules.map((rule, index) => {
    const trigger = obj(rule.metricTrigger);
    const reading = read(trigger);
    const fired: FiredRule = {
      index,
      metricName: String(trigger.metricName ?? ''),
      operator: String(trigger.operator ?? ''),
      threshold: Number(trigger.threshold),
      ...(reading.value === undefined ? {} : { observed: reading.value }),
    };
    return { rule, index, fired, reading };
  });
  const missing = readings.find((r) => r.reading.value === undefined);
  if (missing) {
    // Azure: "If there's a problem reading the resource metric, and the current capacity is
    // below the default, autoscale scales out to the default ... doesn't scale in."
    return current < cap.default
      ? scale(
          current,
          cap.default,
          'default',
          [missing.fired],
          `no data for ${missing.fired.metricName}: scaled out to the default ${cap.default}`,
        )
      : none(
          current,
          `no data for ${missing.fired.metricName}; at or above the default ${cap.default}`,
        );
  }

  const cooled = (rule: Json) => {
    const cooldown = durationMs(obj(rule.scaleAction).cooldown) ?? 0;
    return lastScaleAt === undefined || now - lastScaleAt >= cooldown;
  };
  const triggered = (r: (typeof readings)[number]) =>
    cooled(r.rule) &&
    meets(
      r.reading.value!,
      obj(r.rule.metricTrigger).operator,
      obj(r.rule.metricTrigger).threshold,
    );
  const direction = (r: (typeof readings)[number]) => String(obj(r.rule.scaleAction).direction);

  // Scale-out first: if any fires, the highest capacity any of them asks for.
  const out = readings.filter((r) => direction(r) === 'Increase' && triggered(r));
  if (out.length) {
    const best = out
      .map((r) => ({ r, target: clamp(actionTarget(current, obj(r.rule.scaleAction))) }))
      .sort((a, b) => b.target - a.target)[0];
    return best.target > current
      ? scale(current, best.target, 'rule', [best.r.fired], describe(best.r.fired, 'out'))
      : none(current, `${describe(best.r.fired, 'out')}, but the maximum is ${cap.maximum}`);
  }
  // Scale-in only when every scale-in rule fires; the least reduction of them.
  const inRules = readings.filter((r) => direction(r) === 'Decrease');
  if (inRules.length && inRules.every(triggered)) {
    const target = Math.max(
      ...inRules.map((r) => clamp(actionTarget(current, obj(r.rule.scaleAction)))),
    );
    const fired = inRules.map((r) => r.fired);
    return target < current
      ? scale(current, target, 'rule', fired, fired.map((f) => describe(f, 'in')).join('; '))
      : none(current, `scale-in rules fired, but the minimum is ${cap.minimum}`);
  }
  const waiting = readings.some((r) => !cooled(r.rule));
  return none(current, waiting ? 'a rule is in its cooldown' : 'no rule fired');
}

/**
 * The capacity a scale action asks for. ChangeCount and ExactCount are exact; for
 * PercentChangeCount Azure documents no rounding: the emulator rounds the change up, at least 1.
 */
export function actionTarget(current: number, action: Json): number {
  const value = Number(action.value ?? 1);
  const sign = String(action.direction) === 'Decrease' ? -1 : 1;
  switch (String(action.type)) {
    case 'ExactCount':
      return value;
    case 'PercentChangeCount':
      return current + sign * Math.max(1, Math.ceil((current * value) / 100));
    default:
      return current + sign * value;
  }
}

function describe(f: FiredRule, dir: 'out' | 'in'): string {
  return `scale ${dir}: ${f.metricName} ${f.operator} ${f.threshold} (observed ${round(f.observed)})`;
}

function round(n: number | undefined): string {
  return n === undefined ? 'nothing' : String(Math.round(n * 100) / 100);
}

function scale(
  current: number,
  target: number,
  reason: ScaleReason,
  rules: FiredRule[],
  why: string,
): Decision {
  return { kind: 'scale', current, target, reason, rules, why };
}

function none(current: number, why: string): Decision {
  return { kind: 'none', current, why };
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
