// The metrics the autoscale engine reads: series a test sets per resource or per scale set
// instance, and a rule's metric trigger evaluated over them (time grain and its statistic, time
// window and its aggregation). Pure apart from the store; sources in README.md.

type Json = Record<string, unknown>;

export interface MetricSample {
  at: Date | string | number;
  value: number;
}

/**
 * A metric's values: a number is reported at every time grain (by every running instance, for a
 * scale set's own metrics); samples are reported at their times.
 */
export type MetricSeries = number | readonly MetricSample[];

export interface MetricTarget {
  /** The resource the rule's `metricResourceUri` names (e.g. the scale set). */
  resourceUri: string;
  metricName: string;
  /** Report it for one instance of a scale set (its instance id) instead of the whole set. */
  instanceId?: string;
}

/** What a series stands for once read: points in time with values. */
interface Point {
  at: number;
  value: number;
}

export class MetricStore {
  private readonly series = new Map<string, MetricSeries>();

  set(target: MetricTarget, series: MetricSeries): void {
    this.series.set(key(target), typeof series === 'number' ? series : [...series]);
  }

  delete(target: MetricTarget): void {
    this.series.delete(key(target));
  }

  clear(): void {
    this.series.clear();
  }

  get(target: MetricTarget): MetricSeries | undefined {
    return this.series.get(key(target));
  }
}

function key(t: MetricTarget): string {
  return `${t.resourceUri.replace(/\/+$/, '').toLowerCase()}|${t.metricName.toLowerCase()}|${t.instanceId ?? ''}`;
}

/** Where a scale set's metric comes from: its instances that exist, and which of them run. */
export interface ScaleSetMetricSource {
  instances: Array<{ instanceId: string; running: boolean }>;
}

export interface TriggerReading {
  /** The value compared with the threshold; undefined: no data (the metric is missing). */
  value?: number;
  /** The grain values it was aggregated from (oldest first). */
  grains: number[];
}

/**
 * Reads a rule's metric trigger at `now`: the points of the window `[now - timeWindow, now]` go
 * into buckets of `timeGrain` (aligned to the clock), each bucket reduced by `statistic`, and the
 * buckets by `timeAggregation`. A scale set's own metric has no data while none of its instances
 * runs (nothing reports it); `dividePerInstance` divides by the instance count.
 */
export function readTrigger(
  store: MetricStore,
  trigger: Json,
  now: number,
  scaleSet: ScaleSetMetricSource | undefined,
  instanceCount: number,
): TriggerReading {
  const grainMs = durationMs(trigger.timeGrain) ?? 60_000;
  const windowMs = durationMs(trigger.timeWindow) ?? 10 * 60_000;
  const from = now - windowMs;
  const resourceUri = String(trigger.metricResourceUri ?? '');
  const metricName = String(trigger.metricName ?? '');
  const pointsOf = (series: MetricSeries | undefined): Point[] => {
    if (series === undefined) return [];
    if (typeof series === 'number') {
      const points: Point[] = [];
      for (let at = Math.ceil(from / grainMs) * grainMs; at <= now; at += grainMs) {
        points.push({ at, value: series });
      }
      return points;
    }
    return series
      .map((s) => ({ at: new Date(s.at).getTime(), value: s.value }))
      .filter((p) => p.at >= from && p.at <= now && Number.isFinite(p.value));
  };

  let points: Point[];
  if (scaleSet) {
    const running = scaleSet.instances.filter((i) => i.running);
    if (running.length === 0) return { grains: [] };
    points = pointsOf(store.get({ resourceUri, metricName }));
    for (const i of scaleSet.instances) {
      const own = store.get({ resourceUri, metricName, instanceId: i.instanceId });
      if (own === undefined || (typeof own === 'number' && !i.running)) continue;
      points.push(...pointsOf(own));
    }
  } else {
    points = pointsOf(store.get({ resourceUri, metricName }));
  }
  if (points.length === 0) return { grains: [] };

  const buckets = new Map<number, number[]>();
  for (const p of points) {
    const bucket = Math.floor(p.at / grainMs) * grainMs;
    const list = buckets.get(bucket) ?? [];
    list.push(p.value);
    buckets.set(bucket, list);
  }
  const grains = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, values]) => statistic(values, String(trigger.statistic ?? 'Average')));
  let value = aggregate(grains, String(trigger.timeAggregation ?? 'Average'));
  if (trigger.dividePerInstance === true && instanceCount > 0) value /= instanceCount;
  return { value, grains };
}

/** How a grain's samples reduce to one value (the metric trigger's `statistic`). */
function statistic(values: number[], name: string): number {
  switch (name) {
    case 'Min':
      return Math.min(...values);
    case 'Max':
      return Math.max(...values);
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Count':
      return values.length;
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/** How the window's grain values reduce to the one compared (the `timeAggregation`). */
function aggregate(values: number[], name: string): number {
  switch (name) {
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'Total':
      return values.reduce((a, b) => a + b, 0);
    case 'Count':
      return values.length;
    case 'Last':
      return values[values.length - 1];
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/** Whether `value` meets the trigger's operator and threshold. */
export function meets(value: number, operator: unknown, threshold: unknown): boolean {
  const t = Number(threshold);
  switch (String(operator)) {
    case 'Equals':
      return value === t;
    case 'NotEquals':
      return value !== t;
    case 'GreaterThan':
      return value > t;
    case 'GreaterThanOrEqual':
      return value >= t;
    case 'LessThan':
      return value < t;
    case 'LessThanOrEqual':
      return value <= t;
    default:
      return false;
  }
}

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Milliseconds of an ISO 8601 duration (PT1M, PT1H30M, P1D); undefined if it is not one. */
export function durationMs(text: unknown): number | undefined {
  const m = typeof text === 'string' ? DURATION.exec(text.trim()) : null;
  if (!m || m.slice(1).every((v) => v === undefined)) return undefined;
  const [w, d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0));
  return ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
}
