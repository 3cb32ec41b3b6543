// Which autoscale profile is in force: fixed dates before recurrences before the default, the
// recurrence that started last in its own time zone, and the edges of daylight saving time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  activeProfile,
  fixedDateInstant,
  latestRecurrenceStart,
} from '../../../emulators/azure/autoscale-profiles';
import {
  ianaZone,
  instantOf,
  wallTime,
  windowsZoneTable,
} from '../../../emulators/azure/autoscale-time-zones';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const cap = (min: number) => ({ minimum: String(min), maximum: '4', default: String(min) });
const weekly = (hour: number, zone = 'W. Europe Standard Time', days = WEEKDAYS, minute = 0) => ({
  frequency: 'Week',
  schedule: { timeZone: zone, days, hours: [hour], minutes: [minute] },
});
const at = (iso: string) => Date.parse(iso);

/** "Weekdays 08–19 at least 2, else 0", as the app and the portal write it. */
const OFFICE = [
  { name: 'default', capacity: cap(0), rules: [] },
  { name: 'Weekdays', capacity: cap(2), rules: [], recurrence: weekly(8) },
  {
    name: '{"name":"default","for":"Weekdays"}',
    capacity: cap(0),
    rules: [],
    recurrence: weekly(19),
  },
];

const nameAt = (profiles: unknown[], iso: string) => activeProfile(profiles, at(iso))?.profile.name;

describe('time zones', () => {
  test('every Windows id the app offers has an IANA zone that Intl knows', () => {
    for (const { id, iana } of windowsZoneTable()) {
      assert.ok(iana, `${id} has no IANA zone`);
      assert.doesNotThrow(() => new Intl.DateTimeFormat('en', { timeZone: iana }), id);
    }
    assert.equal(
      ianaZone('w. europe standard time'),
      'Europe/Berlin',
      'ids compare case-insensitively',
    );
    assert.equal(ianaZone('Mars Standard Time'), undefined);
  });

  test('wall time in Berlin in winter and in summer', () => {
    assert.deepEqual(wallTime(at('2025-01-15T07:00:00Z'), 'Europe/Berlin'), {
      year: 2025,
      month: 1,
      day: 15,
      hour: 8,
      minute: 0,
      second: 0,
      weekday: 3,
    });
    assert.equal(wallTime(at('2025-07-15T06:00:00Z'), 'Europe/Berlin').hour, 8);
  });

  test('a time the spring change skips is that long after the jump; a repeated one is the first', () => {
    // 2025-03-30: 02:00 CET becomes 03:00 CEST in Berlin.
    assert.equal(
      new Date(instantOf({ year: 2025, month: 3, day: 30 }, 2, 30, 'Europe/Berlin')).toISOString(),
      '2025-03-30T01:30:00.000Z',
    );
    assert.equal(
      new Date(instantOf({ year: 2025, month: 3, day: 30 }, 8, 0, 'Europe/Berlin')).toISOString(),
      '2025-03-30T06:00:00.000Z',
    );
    // 2025-10-26: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
    assert.equal(
      new Date(instantOf({ year: 2025, month: 10, day: 26 }, 2, 30, 'Europe/Berlin')).toISOString(),
      '2025-10-26T00:30:00.000Z',
    );
  });
});

describe('recurrence starts', () => {
  test("the latest start at or before now, in the schedule's zone", () => {
    // Wednesday 2025-01-15 09:00 in Berlin (08:00 UTC): today's 08:00 start.
    assert.equal(
      latestRecurrenceStart(weekly(8), at('2025-01-15T08:00:00Z')),
      at('2025-01-15T07:00:00Z'),
    );
    // Monday 07:59 Berlin: the last start was Friday 08:00.
    assert.equal(
      latestRecurrenceStart(weekly(8), at('2025-01-13T06:59:00Z')),
      at('2025-01-10T07:00:00Z'),
    );
    // Exactly at the start it has started.
    assert.equal(
      latestRecurrenceStart(weekly(8), at('2025-01-13T07:00:00Z')),
      at('2025-01-13T07:00:00Z'),
    );
  });

  test('days as .NET numbers, several hours and minutes', () => {
    const rec = {
      frequency: 'Week',
      schedule: { timeZone: 'UTC', days: ['1'], hours: [11, 13], minutes: [0, 30] },
    };
    assert.equal(
      latestRecurrenceStart(rec, at('2025-01-13T13:10:00Z')),
      at('2025-01-13T13:00:00Z'),
    );
    assert.equal(
      latestRecurrenceStart(rec, at('2025-01-13T12:10:00Z')),
      at('2025-01-13T11:30:00Z'),
    );
  });

  test('an unknown time zone never starts', () => {
    assert.equal(latestRecurrenceStart(weekly(8, 'Mars Standard Time'), Date.now()), undefined);
  });
});

describe('the profile in force', () => {
  test("weekdays 08–19 Berlin time, the default profile's JSON-named twin at night and weekends", () => {
    assert.equal(nameAt(OFFICE, '2025-01-15T07:30:00Z'), 'Weekdays', 'Wed 08:30 CET');
    assert.equal(
      nameAt(OFFICE, '2025-01-15T06:59:00Z'),
      '{"name":"default","for":"Weekdays"}',
      'Wed 07:59 CET',
    );
    assert.equal(
      nameAt(OFFICE, '2025-01-15T18:00:00Z'),
      '{"name":"default","for":"Weekdays"}',
      'Wed 19:00 CET',
    );
    assert.equal(
      nameAt(OFFICE, '2025-01-18T12:00:00Z'),
      '{"name":"default","for":"Weekdays"}',
      'Saturday noon',
    );
  });

  test('DST: the same 08:00 start is 07:00 UTC in winter and 06:00 UTC in summer', () => {
    assert.equal(nameAt(OFFICE, '2025-07-16T06:30:00Z'), 'Weekdays', 'Wed 08:30 CEST');
    assert.equal(
      nameAt(OFFICE, '2025-01-15T06:30:00Z'),
      '{"name":"default","for":"Weekdays"}',
      'Wed 07:30 CET',
    );
    // The Monday after the spring change (Sunday 2025-03-30): 08:00 CEST = 06:00 UTC.
    assert.equal(nameAt(OFFICE, '2025-03-31T06:00:00Z'), 'Weekdays');
    assert.equal(nameAt(OFFICE, '2025-03-31T05:59:00Z'), '{"name":"default","for":"Weekdays"}');
  });

  test('a schedule without an end lasts until another one starts', () => {
    const profiles = [OFFICE[0], OFFICE[1]];
    assert.equal(
      nameAt(profiles, '2025-01-18T12:00:00Z'),
      'Weekdays',
      "Saturday: Friday's start still holds",
    );
  });

  test('without recurrences the default profile applies', () => {
    assert.equal(nameAt([OFFICE[0]], '2025-01-18T12:00:00Z'), 'default');
    assert.equal(activeProfile([OFFICE[0]], at('2025-01-18T12:00:00Z'))?.kind, 'default');
  });

  test('a current fixed date wins over every recurrence; the first of two wins', () => {
    const deadline = {
      name: 'Deadline',
      capacity: cap(3),
      rules: [],
      fixedDate: {
        timeZone: 'W. Europe Standard Time',
        start: '2025-01-15T00:00:00',
        end: '2025-01-16T00:00:00',
      },
    };
    const other = { ...deadline, name: 'Other' };
    const profiles = [...OFFICE, deadline, other];
    assert.equal(nameAt(profiles, '2025-01-15T10:00:00Z'), 'Deadline');
    // Midnight Berlin is 23:00 UTC the day before: read in the profile's zone.
    assert.equal(nameAt(profiles, '2025-01-14T23:00:00Z'), 'Deadline');
    assert.equal(nameAt(profiles, '2025-01-14T22:59:00Z'), '{"name":"default","for":"Weekdays"}');
    assert.equal(
      nameAt(profiles, '2025-01-15T23:00:00Z'),
      '{"name":"default","for":"Weekdays"}',
      'the end is excluded',
    );
  });

  test('fixed dates with an offset are that instant; without one, read in the zone (UTC by default)', () => {
    assert.equal(
      fixedDateInstant('2025-01-15T08:00:00Z', 'Pacific Standard Time'),
      at('2025-01-15T08:00:00Z'),
    );
    assert.equal(fixedDateInstant('2025-01-15T08:00:00', undefined), at('2025-01-15T08:00:00Z'));
    assert.equal(
      fixedDateInstant('2025-01-15T08:00:00', 'Pacific Standard Time'),
      at('2025-01-15T16:00:00Z'),
    );
    assert.equal(fixedDateInstant('not a date', 'UTC'), undefined);
  });
});
