// Autoscale settings: the stored JSON ↔ the admin model both ways (template-made and portal-made
// settings with JSON-named end profiles), what is kept untouched, validation, notes and the
// contract's schema. The az commands are in autoscale-az.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { methods } from '../../../../../src/common/contract';
import type { AutoscaleRule, AutoscaleSettings } from '../../../../../src/common/models';
import {
  durationSeconds,
  isoDuration,
} from '../../../../../src/core/azure/autoscale/autoscale-duration';
import {
  type RawAutoscaleSetting,
  autoscaleRevision,
} from '../../../../../src/core/azure/autoscale/autoscale-json';
import { endProfileName } from '../../../../../src/core/azure/autoscale/autoscale-model';
import { writeAutoscale } from '../../../../../src/core/azure/autoscale/autoscale-write';
import { autoscaleNotes } from '../../../../../src/core/azure/autoscale/autoscale-notes';
import { autoscaleProblems } from '../../../../../src/core/azure/autoscale/autoscale-validation';
import {
  PORTAL_DEFAULT,
  VMSS,
  WEEKDAYS,
  asPut,
  portalSetting,
  profiles,
  read,
  shape,
  templateSetting,
  weekdaySchedule,
} from './autoscale-fixtures';

describe('reading a stored setting', () => {
  test('the template-made setting: default profile and its CPU rule pair', () => {
    const { settings, notes } = read(templateSetting());
    assert.equal(settings.exists, true);
    assert.equal(settings.name, 'team-autoscale');
    assert.equal(settings.resourceGroup, 'rg-team');
    assert.equal(settings.enabled, true);
    assert.equal(settings.defaultProfile.name, 'default');
    assert.deepEqual(settings.defaultProfile.capacity, { minimum: 0, default: 2, maximum: 4 });
    assert.deepEqual(
      settings.defaultProfile.rules.map((r) => [
        r.direction,
        r.operator,
        r.threshold,
        r.timeWindow,
      ]),
      [
        ['Increase', 'GreaterThan', 75, 'PT10M'],
        ['Decrease', 'LessThan', 20, 'PT30M'],
      ],
    );
    assert.deepEqual(settings.defaultProfile.rules[0], {
      ref: 'p0r0',
      metricName: 'Percentage CPU',
      metricNamespace: 'microsoft.compute/virtualmachinescalesets',
      operator: 'GreaterThan',
      threshold: 75,
      statistic: 'Average',
      timeGrain: 'PT1M',
      timeWindow: 'PT10M',
      timeAggregation: 'Average',
      direction: 'Increase',
      changeType: 'ChangeCount',
      value: 1,
      cooldown: 'PT10M',
    });
    assert.deepEqual(settings.schedules, []);
    assert.deepEqual(settings.fixedDates, []);
    assert.deepEqual(settings.kept, [], 'a disabled predictive policy is nothing to mention');
    assert.deepEqual(notes, []);
    assert.match(settings.revision, /^[0-9a-f]{32}$/);
  });

  test('the portal-made setting: one schedule from the start profile and its JSON-named end', () => {
    const { settings } = read(portalSetting(), 'ops-rg');
    assert.equal(settings.name, 'team-Autoscale-512');
    assert.equal(settings.resourceGroup, 'ops-rg');
    assert.equal(settings.defaultProfile.name, PORTAL_DEFAULT);
    assert.deepEqual(settings.defaultProfile.capacity, { minimum: 0, default: 0, maximum: 4 });
    assert.equal(settings.schedules.length, 1);
    const s = settings.schedules[0];
    assert.deepEqual(
      { ...s, rules: s.rules.length },
      {
        ref: 'p1',
        name: 'Weekdays',
        days: [...WEEKDAYS],
        start: '08:00',
        end: '19:00',
        timeZone: 'W. Europe Standard Time',
        capacity: { minimum: 2, default: 2, maximum: 4 },
        rules: 2,
      },
    );
    // Kept without being shown: the rule az cannot express, the twice-a-day profile, the
    // notifications (counted, never their addresses or URIs) and predictive autoscale.
    assert.deepEqual(settings.kept, [
      'Profile "Lunch peaks": it starts at several times of day.',
      'Profile "Weekdays": rule 3 (its statistic Count has no az equivalent).',
      'Scale notifications to the subscription administrators, 1 e-mail address, 1 webhook.',
      'Predictive autoscale: ForecastOnly, looking PT14M ahead.',
    ]);
    assert.doesNotMatch(JSON.stringify(settings), /SECRET-TOKEN|ops@example/);
  });

  test('days as .NET numbers (Microsoft\'s own example uses "1") read as names', () => {
    const raw = templateSetting();
    profiles(raw).push({
      name: 'Mondays',
      capacity: { minimum: '1', maximum: '1', default: '1' },
      rules: [],
      recurrence: {
        frequency: 'Week',
        schedule: { timeZone: 'UTC', days: ['1', 'sunday'], hours: [5], minutes: [15] },
      },
    });
    const s = read(raw).settings.schedules[0];
    assert.deepEqual(s.days, ['Monday', 'Sunday']);
    assert.equal(s.start, '05:15');
    assert.equal(s.end, undefined, 'no end profile: it lasts until another profile starts');
  });

  test('an end profile naming a missing schedule is kept as it is', () => {
    const raw = portalSetting();
    (profiles(raw)[1] as { name: string }).name = 'Workdays';
    const { settings } = read(raw, 'ops-rg');
    assert.equal(settings.schedules[0].name, 'Workdays');
    assert.equal(settings.schedules[0].end, undefined);
    assert.ok(settings.kept.some((k) => /ends schedule "Weekdays", which is not there/.test(k)));
  });
});

describe('writing an edited setting back', () => {
  test('saving an unchanged model writes back exactly what was read', () => {
    for (const raw of [templateSetting(), portalSetting()]) {
      const { settings } = read(raw);
      assert.deepEqual(writeAutoscale(raw, settings, { targetResourceUri: VMSS }), asPut(raw));
    }
  });

  test('a changed schedule capacity changes only that number; portal names and the rest survive', () => {
    const raw = portalSetting();
    const { settings } = read(raw, 'ops-rg');
    settings.schedules[0].capacity = { minimum: 3, default: 3, maximum: 4 };
    const body = writeAutoscale(raw, settings, { targetResourceUri: VMSS });
    const expected = asPut(raw);
    profiles(expected)[1].capacity = { minimum: '3', maximum: '4', default: '3' };
    assert.deepEqual(body, expected);
    assert.equal(profiles(body)[2].name, `{"name":"${PORTAL_DEFAULT}","for":"Weekdays"}`);
  });

  test('renaming a schedule renames its end profile in the same style, keeping the default name', () => {
    const raw = portalSetting();
    const { settings } = read(raw, 'ops-rg');
    settings.schedules[0].name = 'Office hours';
    const body = writeAutoscale(raw, settings, { targetResourceUri: VMSS });
    assert.equal(profiles(body)[1].name, 'Office hours');
    assert.equal(profiles(body)[2].name, `{"name":"${PORTAL_DEFAULT}","for":"Office hours"}`);
    assert.equal(
      endProfileName('default', 'B', '{"name": "default", "for": "A"}'),
      '{"name": "default", "for": "B"}',
      "az's spaced JSON stays spaced",
    );
    // Read back: the same schedule under its new name.
    const again = read({ ...raw, properties: body.properties }, 'ops-rg').settings;
    assert.equal(again.schedules[0].name, 'Office hours');
    assert.equal(again.schedules[0].end, '19:00');
  });

  test('"weekdays 08–19 min 2, nights and weekends 0" added to the template setting round-trips', () => {
    const raw = templateSetting();
    const { settings } = read(raw);
    settings.defaultProfile.capacity = { minimum: 0, default: 0, maximum: 4 };
    settings.schedules.push({ ...weekdaySchedule(), rules: settings.defaultProfile.rules });
    const body = writeAutoscale(raw, settings, { targetResourceUri: VMSS });
    const written = profiles(body);
    assert.deepEqual(
      written.map((p) => p.name),
      ['default', 'Weekdays', '{"name":"default","for":"Weekdays"}'],
    );
    assert.deepEqual(written[1].recurrence, {
      frequency: 'Week',
      schedule: {
        timeZone: 'W. Europe Standard Time',
        days: [...WEEKDAYS],
        hours: [8],
        minutes: [0],
      },
    });
    assert.deepEqual(written[2].capacity, { minimum: '0', maximum: '4', default: '0' });
    assert.deepEqual(written[2].rules, written[0].rules, 'the end returns to the default rules');
    assert.deepEqual(
      (written[2].recurrence as { schedule: { hours: number[] } }).schedule.hours,
      [19],
    );
    // Copied rules keep what the model does not show (their dimensions, resource uri).
    assert.deepEqual(written[1].rules, written[0].rules);

    const back = read({ ...raw, properties: body.properties }).settings;
    assert.deepEqual(shape(back), shape(settings));
    // And saving what was read back changes nothing.
    assert.deepEqual(
      writeAutoscale({ ...raw, properties: body.properties }, back, { targetResourceUri: VMSS }),
      asPut({ ...raw, properties: body.properties }),
    );
  });

  test('a changed default capacity reaches the profiles that end schedules', () => {
    const raw = portalSetting();
    const { settings } = read(raw, 'ops-rg');
    settings.defaultProfile.capacity = { minimum: 1, default: 1, maximum: 5 };
    const body = writeAutoscale(raw, settings, { targetResourceUri: VMSS });
    const cap = { minimum: '1', maximum: '5', default: '1' };
    assert.deepEqual(profiles(body)[0].capacity, cap);
    assert.deepEqual(profiles(body)[2].capacity, cap);
    assert.deepEqual(profiles(body)[1].capacity, profiles(raw)[1].capacity);
    assert.deepEqual(profiles(body)[3], profiles(raw)[3], 'the kept profile is untouched');
  });

  test('editing one rule keeps the others, the hidden rule and unknown rule fields', () => {
    const raw = portalSetting();
    const { settings } = read(raw, 'ops-rg');
    settings.schedules[0].rules[0] = { ...settings.schedules[0].rules[0], threshold: 60 };
    const body = writeAutoscale(raw, settings, { targetResourceUri: VMSS });
    const rules = profiles(body)[1].rules as Array<{ metricTrigger: Record<string, unknown> }>;
    assert.equal(rules.length, 3, 'two shown rules and the Count rule kept');
    assert.equal(rules[0].metricTrigger.threshold, 60);
    assert.equal(rules[0].metricTrigger.dividePerInstance, false);
    assert.equal(rules[0].metricTrigger.metricResourceUri, VMSS);
    assert.equal(rules[2].metricTrigger.statistic, 'Count');
    assert.equal(profiles(body)[1].portalOnly, true, "a profile's unknown field survives");
    const props = body.properties as Record<string, unknown>;
    assert.deepEqual(props.futureField, { keep: 'me' });
    assert.deepEqual(props.notifications, portalSetting().properties!.notifications);
    assert.deepEqual(props.predictiveAutoscalePolicy, {
      scaleMode: 'ForecastOnly',
      scaleLookAheadTime: 'PT14M',
    });
    assert.deepEqual(body.tags, { owner: 'ops' });
    assert.equal(body.location, 'West Europe');
  });

  test('removing a schedule removes its start and end profiles only', () => {
    const raw = portalSetting();
    const { settings } = read(raw, 'ops-rg');
    settings.schedules = [];
    const body = writeAutoscale(raw, settings, { targetResourceUri: VMSS });
    assert.deepEqual(
      profiles(body).map((p) => p.name),
      [PORTAL_DEFAULT, 'Lunch peaks'],
    );
  });

  test('a new setting for a pool without one', () => {
    const settings: AutoscaleSettings = {
      revision: '',
      exists: false,
      name: 'team-autoscale',
      resourceGroup: 'rg-team',
      enabled: true,
      defaultProfile: {
        name: 'default',
        capacity: { minimum: 0, default: 0, maximum: 3 },
        rules: [],
      },
      schedules: [weekdaySchedule()],
      fixedDates: [],
      kept: [],
    };
    const body = writeAutoscale(undefined, settings, {
      targetResourceUri: VMSS,
      location: 'westeurope',
      tags: { 'dsvm-pool': 'team' },
    });
    assert.equal(body.location, 'westeurope');
    assert.deepEqual(body.tags, { 'dsvm-pool': 'team' });
    const props = body.properties as Record<string, unknown>;
    assert.equal(props.targetResourceUri, VMSS);
    assert.equal(props.enabled, true);
    assert.deepEqual(
      profiles(body).map((p) => p.name),
      ['default', 'Weekdays', '{"name":"default","for":"Weekdays"}'],
    );
  });

  test('the revision changes with the content, not with key order', () => {
    const a = templateSetting();
    const b = Object.fromEntries(
      Object.entries(structuredClone(a)).reverse(),
    ) as RawAutoscaleSetting;
    assert.notDeepEqual(Object.keys(a), Object.keys(b));
    assert.equal(autoscaleRevision(a), autoscaleRevision(b));
    (profiles(b)[0].capacity as { maximum: string }).maximum = '5';
    assert.notEqual(autoscaleRevision(a), autoscaleRevision(b));
  });
});

describe('validation', () => {
  const messages = (settings: AutoscaleSettings, raw?: RawAutoscaleSetting) =>
    autoscaleProblems(settings, raw ? read(raw) : undefined).map(
      (p) => `${p.path.join('.')}: ${p.message}`,
    );

  test('a valid setting has no problems', () => {
    const { settings } = read(templateSetting());
    settings.schedules.push(weekdaySchedule());
    assert.deepEqual(messages(settings, templateSetting()), []);
  });

  test('capacities: whole numbers 0–1000 with minimum ≤ default ≤ maximum', () => {
    const { settings } = read(templateSetting());
    settings.defaultProfile.capacity = { minimum: 3, default: 3, maximum: 2 };
    settings.schedules.push({
      ...weekdaySchedule(),
      capacity: { minimum: 1, default: 5, maximum: 4 },
    });
    settings.schedules.push({
      ...weekdaySchedule(),
      name: 'Other',
      capacity: { minimum: -1, default: 1.5, maximum: 1001 },
    });
    assert.deepEqual(messages(settings), [
      'settings.defaultProfile.capacity.maximum: The maximum (2) must be at least the minimum (3)',
      'settings.schedules.0.capacity.default: The default (5) must lie between the minimum (1) and the maximum (4)',
      'settings.schedules.1.capacity.minimum: Enter a whole number from 0 to 1000',
      'settings.schedules.1.capacity.default: Enter a whole number from 0 to 1000',
      'settings.schedules.1.capacity.maximum: Enter a whole number from 0 to 1000',
    ]);
  });

  test('times, days, time zones and names', () => {
    const { settings } = read(templateSetting());
    settings.schedules.push(
      { ...weekdaySchedule(), start: '8:00', end: '24:00', timeZone: 'Europe/Berlin', days: [] },
      { ...weekdaySchedule(), name: 'weekdays', start: '08:00', end: '08:00' },
      { ...weekdaySchedule(), name: '{"name":"default","for":"x"}' },
      { ...weekdaySchedule(), name: 'default' },
    );
    assert.deepEqual(messages(settings), [
      'settings.schedules.0.days: Pick at least one day',
      'settings.schedules.0.start: Use HH:MM on a 24-hour clock, e.g. 08:00',
      'settings.schedules.0.end: Use HH:MM on a 24-hour clock, e.g. 19:00',
      'settings.schedules.0.timeZone: Azure does not know the time zone "Europe/Berlin"; pick one from the list (Windows ids such as W. Europe Standard Time or UTC)',
      'settings.schedules.1.name: The name "weekdays" is already used by another profile',
      'settings.schedules.1.end: The end must differ from the start',
      'settings.schedules.2.name: The name must not start with "{" (Azure uses such names for end profiles)',
      'settings.schedules.3.name: The name "default" is already used by the default profile',
    ]);
  });

  test('a time zone Azure already stored for the profile is accepted as it is', () => {
    const raw = portalSetting();
    const weekly = profiles(raw)[1].recurrence as { schedule: { timeZone: string } };
    weekly.schedule.timeZone = 'Volgograd Standard Time';
    const { settings } = read(raw, 'ops-rg');
    assert.deepEqual(messages(settings, raw), []);
    settings.schedules.push({
      ...weekdaySchedule(),
      name: 'New',
      timeZone: 'Volgograd Standard Time',
    });
    assert.equal(messages(settings, raw).length, 1);
  });

  test('at most 20 profiles (a schedule with an end takes two) and 10 rules a profile', () => {
    const { settings } = read(templateSetting());
    for (let i = 0; i < 10; i++) settings.schedules.push({ ...weekdaySchedule(), name: `S${i}` });
    assert.match(
      messages(settings, templateSetting()).join('\n'),
      /this needs 21 \(a schedule with an end time takes two/,
    );
    settings.schedules.pop();
    assert.deepEqual(messages(settings, templateSetting()), []);

    const raw = portalSetting();
    const portal = read(raw, 'ops-rg').settings;
    const rule = portal.schedules[0].rules[0];
    portal.schedules[0].rules = Array.from({ length: 8 }, () => ({ ...rule, ref: undefined }));
    assert.deepEqual(messages(portal, raw), [], '8 shown and 1 kept: 9 rules');
    portal.schedules[0].rules.push({ ...rule, ref: undefined }, { ...rule, ref: undefined });
    assert.deepEqual(messages(portal, raw), [
      'settings.schedules.0.rules: A profile holds at most 10 rules (1 kept from Azure count too); remove 1',
    ]);
  });

  test('rule durations and values', () => {
    const { settings } = read(templateSetting());
    const r = settings.defaultProfile.rules[0];
    settings.defaultProfile.rules = [
      { ...r, timeGrain: '1m', timeWindow: 'PT2M', cooldown: 'P8D', value: 0, metricName: ' ' },
    ];
    assert.deepEqual(messages(settings), [
      'settings.defaultProfile.rules.0.metricName: Name the metric, e.g. Percentage CPU',
      'settings.defaultProfile.rules.0.timeGrain: Use an ISO 8601 duration between 1 minute and 12 hours, e.g. PT10M',
      'settings.defaultProfile.rules.0.timeWindow: Must be between 5 minutes and 12 hours',
      'settings.defaultProfile.rules.0.cooldown: Must be between 1 minute and 1 week',
      'settings.defaultProfile.rules.0.value: Enter a whole number of instances from 1 to 1000',
    ]);
  });

  test('ISO 8601 durations', () => {
    assert.equal(durationSeconds('PT10M'), 600);
    assert.equal(durationSeconds('PT1H30M'), 5400);
    assert.equal(durationSeconds('P1W'), 604_800);
    assert.equal(durationSeconds('P1DT1S'), 86_401);
    for (const bad of ['P', 'PT', '10M', 'PT1Y', ''])
      assert.equal(durationSeconds(bad), undefined, bad);
    assert.equal(isoDuration(600), 'PT10M');
    assert.equal(isoDuration(5400), 'PT1H30M');
    assert.equal(isoDuration(30), 'PT30S');
  });

  test("the contract's schema names each wrong field in words", () => {
    const { settings } = read(templateSetting());
    const input = (s: unknown) =>
      methods['azure.setAutoscale'].input.safeParse({ poolId: 'p', settings: s });
    assert.equal(input(settings).success, true);
    const bad = structuredClone(settings) as unknown as Record<string, unknown>;
    (bad.defaultProfile as AutoscaleSettings['defaultProfile']).capacity = {
      minimum: 2,
      default: 1,
      maximum: 4,
    };
    (bad.defaultProfile as AutoscaleSettings['defaultProfile']).rules[0] = {
      ...settings.defaultProfile.rules[0],
      cooldown: '10 minutes',
      direction: 'Up' as AutoscaleRule['direction'],
    };
    (bad as { schedules: unknown[] }).schedules = [{ ...weekdaySchedule(), start: '8am' }];
    const result = input(bad);
    assert.equal(result.success, false);
    const issues = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.deepEqual(issues.sort(), [
      'settings.defaultProfile.capacity.default: the default (1) must lie between the minimum (2) and the maximum (4)',
      'settings.defaultProfile.rules.0.cooldown: cooldown must be an ISO 8601 duration such as PT10M',
      'settings.defaultProfile.rules.0.direction: direction must be Increase (scale out) or Decrease (scale in)',
      'settings.schedules.0.start: start must be HH:MM on a 24-hour clock, e.g. 08:00',
    ]);
  });
});

describe('notes', () => {
  test('a sensible setting has none (waking from 0 is a warning: autoscale-wake-validation)', () => {
    const { settings } = read(templateSetting());
    assert.deepEqual(autoscaleNotes(settings), []);
  });

  test('autoscale off, one-sided rules, a schedule without an end', () => {
    const { settings } = read(templateSetting());
    settings.enabled = false;
    settings.defaultProfile.capacity.minimum = 1;
    settings.defaultProfile.rules.pop();
    settings.schedules.push({ ...weekdaySchedule(), end: undefined });
    const notes = autoscaleNotes(settings).join('\n');
    assert.match(notes, /Autoscale is off/);
    assert.match(notes, /The default has a rule to scale out but none to scale in/);
    assert.match(notes, /Schedule "Weekdays" has no end time/);
  });
});
