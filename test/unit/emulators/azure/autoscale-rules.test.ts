// One autoscale evaluation: metric triggers read over their grain and window, bounds, the default
// when a metric is missing, scale-out over scale-in, every scale-in rule needed, and cooldowns.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MetricStore, readTrigger } from '../../../emulators/azure/autoscale-metrics';
import { actionTarget, decide } from '../../../emulators/azure/autoscale-rules';

const VMSS =
  '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/pool';
const NOW = Date.parse('2025-01-15T10:00:00Z');
const MIN = 60_000;

function rule(
  direction: 'Increase' | 'Decrease',
  trigger: Record<string, unknown> = {},
  action: Record<string, unknown> = {},
) {
  return {
    metricTrigger: {
      metricName: 'Percentage CPU',
      metricResourceUri: VMSS,
      timeGrain: 'PT1M',
      statistic: 'Average',
      timeWindow: 'PT10M',
      timeAggregation: 'Average',
      operator: direction === 'Increase' ? 'GreaterThan' : 'LessThan',
      threshold: direction === 'Increase' ? 75 : 10,
      ...trigger,
    },
    scaleAction: { direction, type: 'ChangeCount', value: '1', cooldown: 'PT10M', ...action },
  };
}

const profile = (rules: unknown[], min = 0, max = 4, def = 0) => ({
  name: 'default',
  capacity: { minimum: String(min), maximum: String(max), default: String(def) },
  rules,
});

/** A reader giving each metric trigger the value of `cpu` (undefined: no data). */
const constant = (cpu: number | undefined) => () =>
  cpu === undefined ? { grains: [] } : { value: cpu, grains: [cpu] };

describe('reading a metric trigger', () => {
  const running = {
    instances: [
      { instanceId: '0', running: true },
      { instanceId: '1', running: true },
    ],
  };

  test('a scale set metric: grains by statistic, the window by time aggregation', () => {
    const store = new MetricStore();
    // Ten minutes of samples, two per minute: minute k has values k and k + 10.
    const samples = [];
    for (let k = 0; k < 10; k++) {
      samples.push(
        { at: NOW - (10 - k) * MIN, value: k },
        { at: NOW - (10 - k) * MIN + 30_000, value: k + 10 },
      );
    }
    store.set({ resourceUri: VMSS, metricName: 'Percentage CPU' }, samples);
    const t = rule('Increase').metricTrigger;
    const avg = readTrigger(store, t, NOW, running, 2);
    assert.equal(avg.grains.length, 10);
    assert.equal(avg.value, 9.5); // grain averages k + 5, averaged over k = 0..9
    assert.equal(
      readTrigger(store, { ...t, statistic: 'Max', timeAggregation: 'Maximum' }, NOW, running, 2)
        .value,
      19,
    );
    assert.equal(
      readTrigger(store, { ...t, statistic: 'Min', timeAggregation: 'Minimum' }, NOW, running, 2)
        .value,
      0,
    );
    assert.equal(
      readTrigger(store, { ...t, statistic: 'Sum', timeAggregation: 'Last' }, NOW, running, 2)
        .value,
      9 + 19,
    );
    assert.equal(readTrigger(store, { ...t, timeAggregation: 'Count' }, NOW, running, 2).value, 10);
    assert.equal(
      readTrigger(store, { ...t, timeAggregation: 'Total', statistic: 'Count' }, NOW, running, 2)
        .value,
      20,
    );
    assert.equal(
      readTrigger(store, { ...t, timeWindow: 'PT5M' }, NOW, running, 2).value,
      12,
      'only the last five minutes',
    );
    assert.equal(
      readTrigger(store, { ...t, dividePerInstance: true }, NOW, running, 2).value,
      4.75,
    );
  });

  test('a constant is reported at every grain; per instance, only by running instances', () => {
    const store = new MetricStore();
    store.set({ resourceUri: VMSS, metricName: 'Percentage CPU', instanceId: '0' }, 90);
    store.set({ resourceUri: VMSS, metricName: 'Percentage CPU', instanceId: '1' }, 10);
    const t = rule('Increase').metricTrigger;
    assert.equal(readTrigger(store, t, NOW, running, 2).value, 50);
    const oneStopped = {
      instances: [
        { instanceId: '0', running: true },
        { instanceId: '1', running: false },
      ],
    };
    assert.equal(readTrigger(store, t, NOW, oneStopped, 2).value, 90);
  });

  test('no data: nothing runs, nothing was set, or nothing in the window', () => {
    const store = new MetricStore();
    const t = rule('Increase').metricTrigger;
    store.set({ resourceUri: VMSS, metricName: 'Percentage CPU' }, 90);
    assert.equal(readTrigger(store, t, NOW, { instances: [] }, 0).value, undefined, 'no instance');
    assert.equal(
      readTrigger(store, t, NOW, { instances: [{ instanceId: '0', running: false }] }, 1).value,
      undefined,
      'a deallocated instance reports nothing',
    );
    assert.equal(
      readTrigger(store, { ...t, metricName: 'Network In' }, NOW, running, 2).value,
      undefined,
    );
    store.set({ resourceUri: VMSS, metricName: 'Percentage CPU' }, [
      { at: NOW - 11 * MIN, value: 90 },
    ]);
    assert.equal(readTrigger(store, t, NOW, running, 2).value, undefined, 'older than the window');
  });

  test("another resource's metric does not need the scale set to run", () => {
    const store = new MetricStore();
    const queue =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/jobs';
    store.set({ resourceUri: queue, metricName: 'QueueMessageCount' }, 40);
    const t = {
      ...rule('Increase').metricTrigger,
      metricResourceUri: queue,
      metricName: 'QueueMessageCount',
    };
    assert.equal(readTrigger(store, t, NOW, undefined, 0).value, 40);
  });
});

describe('deciding', () => {
  const out = rule('Increase');
  const inward = rule('Decrease');

  test('outside the bounds: back to the minimum or the maximum, rules aside', () => {
    const d1 = decide({
      profile: profile([out, inward], 2, 4, 2),
      current: 0,
      now: NOW,
      read: constant(undefined),
    });
    assert.deepEqual(
      [d1.kind, d1.kind === 'scale' && d1.target, d1.kind === 'scale' && d1.reason],
      ['scale', 2, 'minimum'],
    );
    const d2 = decide({ profile: profile([out], 0, 2), current: 3, now: NOW, read: constant(99) });
    assert.deepEqual(
      [d2.kind === 'scale' && d2.target, d2.kind === 'scale' && d2.reason],
      [2, 'maximum'],
    );
  });

  test('no data: up to the default if below it, never down', () => {
    const up = decide({
      profile: profile([out, inward], 0, 4, 1),
      current: 0,
      now: NOW,
      read: constant(undefined),
    });
    assert.equal(up.kind === 'scale' && up.target, 1);
    assert.equal(up.kind === 'scale' && up.reason, 'default');
    const stay = decide({
      profile: profile([out, inward], 0, 4, 1),
      current: 3,
      now: NOW,
      read: constant(undefined),
    });
    assert.equal(stay.kind, 'none');
    const zero = decide({
      profile: profile([out, inward], 0, 4, 0),
      current: 0,
      now: NOW,
      read: constant(undefined),
    });
    assert.equal(zero.kind, 'none', 'a default of 0 keeps a sleeping pool asleep');
  });

  test('scale-out: the highest capacity of the rules that fire, within the maximum', () => {
    const plusOne = rule('Increase');
    const plusThree = rule('Increase', { threshold: 50 }, { value: '3' });
    const d = decide({
      profile: profile([plusOne, plusThree, inward], 0, 4),
      current: 1,
      now: NOW,
      read: constant(80),
    });
    assert.equal(d.kind === 'scale' && d.target, 4);
    assert.deepEqual(d.kind === 'scale' && d.rules.map((r) => r.index), [1]);
    const capped = decide({
      profile: profile([plusOne], 0, 4),
      current: 4,
      now: NOW,
      read: constant(80),
    });
    assert.equal(capped.kind, 'none');
  });

  test('scale-out wins when scale-in fires too', () => {
    const wide = rule('Decrease', { threshold: 100 });
    const d = decide({
      profile: profile([out, wide], 0, 4),
      current: 2,
      now: NOW,
      read: constant(80),
    });
    assert.equal(d.kind === 'scale' && d.target, 3);
  });

  test('scale-in needs every scale-in rule, and takes the smallest change', () => {
    const minusOne = rule('Decrease');
    const minusTwo = rule('Decrease', { threshold: 20 }, { value: '2' });
    const both = decide({
      profile: profile([out, minusOne, minusTwo], 0, 4),
      current: 3,
      now: NOW,
      read: constant(5),
    });
    assert.equal(both.kind === 'scale' && both.target, 2);
    assert.equal(both.kind === 'scale' && both.rules.length, 2);
    const one = decide({
      profile: profile([out, minusOne, minusTwo], 0, 4),
      current: 3,
      now: NOW,
      read: constant(15),
    });
    assert.equal(one.kind, 'none', 'only one of two scale-in rules fired');
  });

  test('cooldown: a rule waits its cooldown after the last scale action', () => {
    const input = { profile: profile([out, inward], 0, 4), current: 1, read: constant(80) };
    assert.equal(decide({ ...input, now: NOW, lastScaleAt: NOW - 9 * MIN }).kind, 'none');
    assert.match(decide({ ...input, now: NOW, lastScaleAt: NOW - 9 * MIN }).why, /cooldown/);
    assert.equal(decide({ ...input, now: NOW, lastScaleAt: NOW - 10 * MIN }).kind, 'scale');
  });

  test('scale actions: change count, percent (rounded up, at least 1) and exact count', () => {
    assert.equal(actionTarget(3, { direction: 'Increase', type: 'ChangeCount', value: '2' }), 5);
    assert.equal(actionTarget(3, { direction: 'Decrease', type: 'ChangeCount', value: '1' }), 2);
    assert.equal(
      actionTarget(4, { direction: 'Increase', type: 'PercentChangeCount', value: '50' }),
      6,
    );
    assert.equal(
      actionTarget(3, { direction: 'Decrease', type: 'PercentChangeCount', value: '10' }),
      2,
    );
    assert.equal(actionTarget(3, { direction: 'Increase', type: 'ExactCount', value: '7' }), 7);
  });
});
