// Warnings for profiles that cannot wake a pool sleeping at 0 instances, in plain words, with a
// weekday schedule suggested when nothing but Connect would wake it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { autoscaleWakeWarnings } from '../../../../../src/core/azure/autoscale/autoscale-wake-validation';
import { read, templateSetting, weekdaySchedule } from './autoscale-fixtures';

/** The template's setting (CPU rules) with the given default capacity. */
function settings(minimum: number, def: number) {
  const s = read(templateSetting()).settings;
  s.defaultProfile.capacity = { minimum, default: def, maximum: 4 };
  return s;
}

describe('waking from zero instances', () => {
  test('minimum 0 and CPU rules only: only Connect or a schedule wakes it; a schedule is suggested', () => {
    const [w, ...rest] = autoscaleWakeWarnings(settings(0, 0));
    assert.deepEqual(rest, []);
    assert.deepEqual(w.path, ['settings', 'defaultProfile', 'capacity', 'minimum']);
    assert.match(w.message, /^The default has a minimum of 0: the pool can sleep/);
    assert.match(w.message, /its CPU rules cannot wake it/);
    assert.match(w.message, /Only Connect \(the app starts an instance\) or a schedule wakes it/);
    assert.match(w.message, /add a schedule, e\.g\. weekdays 08:00–19:00 with at least 2/);
    assert.equal(w.suggest, 'weekdays-schedule');
  });

  test('a schedule with a minimum above 0 is named as what wakes it, and nothing is suggested', () => {
    const s = settings(0, 0);
    s.schedules.push(weekdaySchedule());
    const [w, ...rest] = autoscaleWakeWarnings(s);
    assert.deepEqual(rest, [], 'the schedule has a minimum of 2: it needs no warning');
    assert.match(
      w.message,
      /Schedule "Weekdays" wakes it: at least 2 from 08:00 on Mon, Tue, Wed, Thu, Fri\./,
    );
    assert.equal(w.suggest, undefined);
  });

  test('a default above a minimum of 0: Azure lifts the pool back to it whenever nothing runs', () => {
    const [w] = autoscaleWakeWarnings(settings(0, 1));
    assert.deepEqual(w.path, ['settings', 'defaultProfile', 'capacity', 'default']);
    assert.match(
      w.message,
      /minimum of 0 but a default of 1: .*never stays at 0\. Set the default to 0/,
    );
  });

  test('a schedule at 0: raising its minimum is suggested in words', () => {
    const s = settings(1, 1);
    s.schedules.push({
      ...weekdaySchedule(),
      name: 'Nights',
      capacity: { minimum: 0, default: 0, maximum: 2 },
    });
    const [w, ...rest] = autoscaleWakeWarnings(s);
    assert.deepEqual(rest, []);
    assert.deepEqual(w.path, ['settings', 'schedules', '0', 'capacity', 'minimum']);
    assert.match(w.message, /^Schedule "Nights" has a minimum of 0.*Raise its minimum to 1/);
  });

  test("no warning with a minimum above 0, or a scale-out rule on another resource's metric", () => {
    assert.deepEqual(autoscaleWakeWarnings(settings(1, 1)), []);
    const s = settings(0, 0);
    s.defaultProfile.rules.push({
      ...s.defaultProfile.rules[0],
      ref: undefined,
      metricName: 'ApproximateMessageCount',
      metricNamespace: 'microsoft.storage/storageaccounts/queueservices',
    });
    assert.deepEqual(autoscaleWakeWarnings(s), [], 'a job queue can wake it');
  });
});
