// Autoscale's scale actions as the Activity Log records them (category Autoscale, operation
// Microsoft.Insights/AutoscaleSettings/Scaleup|Scaledown/Action, Started then Succeeded or Failed)
// and why each happened, read only from the properties Azure documents: OldInstancesCount,
// NewInstancesCount and ActiveAutoscaleProfile (the profile in force, with its capacity and
// rules). Azure does not say which rule fired, so the reason is worked out from them: a bound of
// the profile, its default (metrics missing), or its rules of that direction. Pure.
// Source: learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema#autoscale-category
import { durationSeconds } from '../autoscale/index';

type Json = Record<string, unknown>;

/** The part of an Activity Log EventData this reads (the SDK's EventData fits it). */
export interface ActivityLogEntry {
  eventTimestamp?: Date | string;
  operationId?: string;
  correlationId?: string;
  operationName?: { value?: string };
  category?: { value?: string };
  status?: { value?: string };
  properties?: Record<string, string>;
}

export interface ProfileRule {
  metric: string;
  operator: string;
  threshold: number;
  timeAggregation: string;
  /** Seconds. */
  timeWindow?: number;
  direction: 'Increase' | 'Decrease';
  type: string;
  value: string;
  /** Seconds. */
  cooldown?: number;
}

export interface EventProfile {
  name: string;
  minimum: number;
  maximum: number;
  default: number;
  rules: ProfileRule[];
}

export interface ScaleAction {
  /** When it started (its first event). */
  time: number;
  /** Its last event: when it ended, once Succeeded or Failed. */
  endTime: number;
  status: 'Started' | 'Succeeded' | 'Failed';
  from: number;
  to: number;
  profile?: EventProfile;
}

const SCALE_OPERATION = /^microsoft\.insights\/autoscalesettings\/scale(up|down)\/action$/i;

/**
 * The scale actions among `entries` (any order), one per operation: its last status (a Started
 * alone is still running), at the time of its first event, oldest first.
 */
export function scaleActions(entries: readonly ActivityLogEntry[]): ScaleAction[] {
  const byOperation = new Map<string, { first: number; last: number; entry: ActivityLogEntry }>();
  for (const e of entries) {
    if (!SCALE_OPERATION.test(e.operationName?.value ?? '')) continue;
    const time = Date.parse(
      String(e.eventTimestamp instanceof Date ? e.eventTimestamp.toISOString() : e.eventTimestamp),
    );
    if (Number.isNaN(time)) continue;
    const key = e.operationId ?? e.correlationId ?? String(time);
    const seen = byOperation.get(key);
    const final = (x: ActivityLogEntry) => /^(succeeded|failed)$/i.test(x.status?.value ?? '');
    if (!seen) {
      byOperation.set(key, { first: time, last: time, entry: e });
    } else {
      seen.first = Math.min(seen.first, time);
      // The final status wins over Started, whatever order the log listed them in.
      if (final(e) || (!final(seen.entry) && time >= seen.last)) seen.entry = e;
      seen.last = Math.max(seen.last, time);
    }
  }
  const actions: ScaleAction[] = [];
  for (const { first, last, entry } of byOperation.values()) {
    const p = entry.properties ?? {};
    const from = Number(p.OldInstancesCount);
    const to = Number(p.NewInstancesCount);
    if (!Number.isFinite(from) || !Number.isFinite(to)) continue;
    const status = /^succeeded$/i.test(entry.status?.value ?? '')
      ? 'Succeeded'
      : /^failed$/i.test(entry.status?.value ?? '')
        ? 'Failed'
        : 'Started';
    const profile = eventProfile(p.ActiveAutoscaleProfile);
    actions.push({
      time: first,
      endTime: last,
      status,
      from,
      to,
      ...(profile ? { profile } : {}),
    });
  }
  return actions.sort((a, b) => a.time - b.time);
}

/** `ActiveAutoscaleProfile`: the profile's JSON with PascalCase keys, as Azure writes it. */
export function eventProfile(text: string | undefined): EventProfile | undefined {
  if (!text) return undefined;
  let raw: Json;
  try {
    raw = obj(JSON.parse(text));
  } catch {
    return undefined;
  }
  const cap = obj(pick(raw, 'Capacity'));
  const rules = arr(pick(raw, 'Rules')).map((r) => {
    const t = obj(pick(obj(r), 'MetricTrigger'));
    const a = obj(pick(obj(r), 'ScaleAction'));
    const direction = /^increase$/i.test(String(pick(a, 'Direction'))) ? 'Increase' : 'Decrease';
    return {
      metric: String(pick(t, 'Name') ?? pick(t, 'MetricName') ?? 'metric'),
      operator: String(pick(t, 'Operator') ?? ''),
      threshold: Number(pick(t, 'Threshold')),
      timeAggregation: String(pick(t, 'TimeAggregation') ?? ''),
      timeWindow: seconds(pick(t, 'TimeWindow')),
      direction,
      type: String(pick(a, 'Type') ?? 'ChangeCount'),
      value: String(pick(a, 'Value') ?? '1'),
      cooldown: seconds(pick(a, 'Cooldown')),
    } satisfies ProfileRule;
  });
  return {
    name: String(pick(raw, 'Name') ?? ''),
    minimum: Number(pick(cap, 'Minimum')),
    maximum: Number(pick(cap, 'Maximum')),
    default: Number(pick(cap, 'Default')),
    rules,
  };
}

/** Which bound or rule made the action, in words: `rule` short, `reason` a sentence part. */
export function whyScaled(action: ScaleAction): { rule: string; reason: string } {
  const p = action.profile;
  if (!p) return { rule: 'unknown', reason: 'the event does not name the profile in force' };
  const named = `profile '${p.name}'`;
  if (action.from < p.minimum && action.to === p.minimum) {
    return {
      rule: `minimum ${p.minimum}`,
      reason: `${named} needs at least ${p.minimum} (its minimum)`,
    };
  }
  if (action.from > p.maximum && action.to === p.maximum) {
    return {
      rule: `maximum ${p.maximum}`,
      reason: `${named} allows at most ${p.maximum} (its maximum)`,
    };
  }
  const direction = action.to > action.from ? 'Increase' : 'Decrease';
  const rules = p.rules.filter((r) => r.direction === direction);
  if (rules.length === 0) {
    if (action.to === p.default) {
      return {
        rule: `default ${p.default}`,
        reason: `${named}: no metric data, so Azure goes to its default ${p.default}`,
      };
    }
    return { rule: 'unknown', reason: `${named} has no rule that scales this way` };
  }
  const words = rules.map(ruleWords);
  if (rules.length === 1) {
    return {
      rule: words[0]!,
      reason: `${named}: ${direction === 'Increase' ? 'scale-out' : 'scale-in'} rule ${words[0]}`,
    };
  }
  return direction === 'Increase'
    ? {
        rule: words.join('; '),
        reason: `${named}: one of its scale-out rules (${words.join('; ')})`,
      }
    : { rule: words.join('; '), reason: `${named}: every scale-in rule (${words.join('; ')})` };
}

const OPERATORS: Record<string, string> = {
  greaterthan: '>',
  greaterthanorequal: '≥',
  lessthan: '<',
  lessthanorequal: '≤',
  equals: '=',
  notequals: '≠',
};

/** "Percentage CPU > 70 (Average over 10 min): +1". */
export function ruleWords(r: ProfileRule): string {
  const op = OPERATORS[r.operator.toLowerCase()] ?? r.operator;
  const window = r.timeWindow ? ` over ${minutes(r.timeWindow)}` : '';
  const agg = r.timeAggregation ? `${r.timeAggregation}${window}` : window.trim();
  const sign = r.direction === 'Increase' ? '+' : '−';
  const change = /percent/i.test(r.type)
    ? `${sign}${r.value}%`
    : /exactcount/i.test(r.type)
      ? `to ${r.value}`
      : `${sign}${r.value}`;
  return `${r.metric} ${op} ${r.threshold}${agg ? ` (${agg})` : ''}: ${change}`;
}

function minutes(s: number): string {
  return s % 3600 === 0 && s >= 3600 ? `${s / 3600} h` : `${Math.round(s / 60)} min`;
}

function seconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  // .NET writes TimeSpans as "00:10:00"; the REST form is ISO 8601 ("PT10M").
  const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(value);
  if (span) {
    const [d, h, m, s] = span.slice(1).map((v) => Number(v ?? 0));
    return ((d * 24 + h) * 60 + m) * 60 + s;
  }
  return durationSeconds(value);
}

/** A key of Azure's JSON, whatever its case. */
function pick(o: Json, key: string): unknown {
  if (key in o) return o[key];
  const lower = key.toLowerCase();
  const found = Object.keys(o).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : o[found];
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
