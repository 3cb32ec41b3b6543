// What the scaling timeline chart draws, from `scaling.history`: uPlot's aligned columns (time in
// seconds, instances, sessions) and the marker lines with their colours; and the words the chart's
// label and the table beside it use. Pure, so it is unit-tested without a DOM.
import type { ScalingHistory, ScalingMarkerKind } from '../../../common/scaling-models';

export type ChartColumns = [number[], number[], (number | null)[]];

/** uPlot's data: x in seconds; the last step is carried to the window's end. */
export function chartColumns(history: Pick<ScalingHistory, 'series'>): ChartColumns {
  const xs: number[] = [];
  const instances: number[] = [];
  const sessions: (number | null)[] = [];
  for (const p of history.series) {
    const t = Date.parse(p.time) / 1000;
    if (xs.length && t <= xs[xs.length - 1]!) {
      // Same instant: the later value wins (uPlot needs strictly increasing x).
      instances[instances.length - 1] = p.instances;
      sessions[sessions.length - 1] = p.sessions ?? null;
      continue;
    }
    xs.push(t);
    instances.push(p.instances);
    sessions.push(p.sessions ?? null);
  }
  return [xs, instances, sessions];
}

/** The marker kinds' colours on the chart (and the swatches in the table). */
export const MARKER_COLORS: Record<ScalingMarkerKind, string> = {
  'scale-out': '#0f6cbd',
  'scale-in': '#8764b8',
  'scale-failed': '#c50f1f',
  protect: '#107c10',
  unprotect: '#8a8886',
  'scheduled-event': '#da3b01',
  'idle-stop': '#986f0b',
};

export const MARKER_WORDS: Record<ScalingMarkerKind, string> = {
  'scale-out': 'Scale-out',
  'scale-in': 'Scale-in',
  'scale-failed': 'Scale action failed',
  protect: 'Protected',
  unprotect: 'Protection cleared',
  'scheduled-event': 'Scheduled event',
  'idle-stop': 'Idle stop',
};

/** The chart's accessible name: what it shows, in one sentence. */
export function chartSummary(history: Pick<ScalingHistory, 'series' | 'markers'>): string {
  const counts = history.series.map((p) => p.instances);
  const low = counts.length ? Math.min(...counts) : 0;
  const high = counts.length ? Math.max(...counts) : 0;
  const now = counts.at(-1) ?? 0;
  const n = history.markers.length;
  return `Instances over time: between ${low} and ${high}, ${now} now; ${n} ${n === 1 ? 'event' : 'events'}, listed in the table below.`;
}
