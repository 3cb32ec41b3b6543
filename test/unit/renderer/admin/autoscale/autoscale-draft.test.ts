// The autoscale editor's reading of what was typed: a schedule that ends before it starts is
// refused as typed, with how to cross midnight; hidden characters in a schedule's name too.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AutoscaleSettings } from '../../../../../src/common/models';
import {
  cpuRule,
  draftOf,
  settingsOf,
} from '../../../../../src/renderer/admin/autoscale/autoscale-draft';

function settings(): AutoscaleSettings {
  return {
    revision: 'r',
    exists: true,
    name: 'p-autoscale',
    resourceGroup: 'rg',
    enabled: true,
    defaultProfile: {
      name: 'default',
      capacity: { minimum: 0, default: 0, maximum: 4 },
      rules: [cpuRule('Increase')],
    },
    schedules: [
      {
        name: 'Weekdays',
        days: ['Monday'],
        start: '08:00',
        end: '19:00',
        timeZone: 'UTC',
        capacity: { minimum: 2, default: 2, maximum: 4 },
        rules: [],
      },
    ],
    fixedDates: [],
    kept: [],
  };
}

describe('settingsOf', () => {
  test('08:00–07:00 is refused with the way to cross midnight; without an end it is fine', () => {
    const draft = draftOf(settings());
    draft.schedules[0]!.end = '07:00';
    assert.equal(
      settingsOf(draft).errors['settings.schedules.0.end'],
      'The end (07:00) comes before the start (08:00): a schedule runs from its start to its end on the same day. For hours across midnight, make two schedules (08:00–23:59, and 00:00–07:00 on the following days), or untick “Ends at” so it lasts until another schedule starts',
    );
    draft.schedules[0]!.hasEnd = false;
    assert.deepEqual(settingsOf(draft).errors, {});
  });

  test("a schedule's name with a direction override is refused as typed", () => {
    const draft = draftOf(settings());
    draft.schedules[0]!.name = 'Night\u202Eshift';
    assert.match(
      settingsOf(draft).errors['settings.schedules.0.name']!,
      /^The name must not contain a text direction override \(U\+202E\)/,
    );
  });
});
