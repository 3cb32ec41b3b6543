// The scaling chart's columns and accessible summary, from a recorded history.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chartColumns,
  chartSummary,
} from '../../../../../src/renderer/admin/scaling/scaling-chart-data';

describe('scaling chart data', () => {
  const series = [
    { time: '2025-01-15T07:00:00.000Z', instances: 0 },
    { time: '2025-01-15T08:00:00.000Z', instances: 3, sessions: 1 },
    { time: '2025-01-15T08:00:00.000Z', instances: 3, sessions: 2 },
    { time: '2025-01-15T19:00:00.000Z', instances: 1, sessions: 1 },
  ];

  it('gives uPlot strictly increasing seconds, the later value of one instant winning', () => {
    const [xs, instances, sessions] = chartColumns({ series });
    assert.deepEqual(xs, [
      Date.parse(series[0]!.time) / 1000,
      Date.parse(series[1]!.time) / 1000,
      Date.parse(series[3]!.time) / 1000,
    ]);
    assert.deepEqual(instances, [0, 3, 1]);
    assert.deepEqual(sessions, [null, 2, 1]);
  });

  it('says in one sentence what the chart shows', () => {
    const markers = [
      { time: series[1]!.time, kind: 'scale-out' as const, title: 't', reason: 'r' },
    ];
    assert.equal(
      chartSummary({ series, markers }),
      'Instances over time: between 0 and 3, 1 now; 1 event, listed in the table below.',
    );
  });
});
