// The Activity Log's `$filter`: only the patterns the REST reference allows, and what they select.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ActivityLog,
  autoscaleEvent,
  parseActivityFilter,
} from '../../../emulators/azure/activity-log';
import { ArmError } from '../../../emulators/azure/arm-error';

const SUB = '00000000-0000-0000-0000-0000000000e1';
const SETTING = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Insights/autoscaleSettings/pool-autoscale`;

function event(at: string, status: 'Started' | 'Succeeded' = 'Succeeded', operationId = 'op-1') {
  return autoscaleEvent({
    subscriptionId: SUB,
    resourceGroup: 'rg',
    settingId: SETTING,
    operationId,
    direction: 'Increase',
    status,
    at: Date.parse(at),
    description: 'scale',
    properties: { OldInstancesCount: '1', NewInstancesCount: '2' },
  });
}

describe('activity log filter', () => {
  test('the documented patterns parse', () => {
    assert.deepEqual(parseActivityFilter("eventTimestamp ge '2025-01-15T00:00:00Z'"), {
      from: Date.parse('2025-01-15T00:00:00Z'),
    });
    assert.deepEqual(
      parseActivityFilter(
        "eventTimestamp ge '2025-01-15T00:00:00Z' and eventTimestamp le '2025-01-16T00:00:00Z' and resourceUri eq '/x'",
      ),
      {
        from: Date.parse('2025-01-15T00:00:00Z'),
        to: Date.parse('2025-01-16T00:00:00Z'),
        resourceUri: '/x',
      },
    );
    assert.equal(
      parseActivityFilter("EventTimestamp GE '2025-01-15' AND resourceGroupName eq 'rg'")
        .resourceGroupName,
      'rg',
    );
  });

  test('anything else is a 400 that says what is allowed', () => {
    for (const bad of [
      undefined,
      '',
      "resourceUri eq '/x'",
      "eventTimestamp ge 'yesterday'",
      "eventTimestamp ge '2025-01-15' or resourceUri eq '/x'",
      "eventTimestamp ge '2025-01-15' and status eq 'Failed'",
      "eventTimestamp ge '2025-01-15' and resourceUri eq '/x' and resourceGroupName eq 'rg'",
      "eventTimestamp ge '2025-01-15' and eventTimestamp ge '2025-01-16'",
    ]) {
      assert.throws(
        () => parseActivityFilter(bad),
        (err: unknown) =>
          err instanceof ArmError && err.status === 400 && /eventTimestamp ge/.test(err.message),
        String(bad),
      );
    }
  });

  test('selects by time range, scope and subscription, newest first', () => {
    const log = new ActivityLog();
    log.add(event('2025-01-15T10:00:00Z', 'Started'));
    log.add(event('2025-01-15T10:00:05Z', 'Succeeded'));
    log.add(event('2025-01-15T12:00:00Z', 'Started', 'op-2'));
    const list = (filter: string, sub = SUB) =>
      log
        .list(sub, parseActivityFilter(filter))
        .map((e) => `${e.eventTimestamp} ${e.status.value}`);
    assert.deepEqual(list("eventTimestamp ge '2025-01-15T00:00:00Z'"), [
      '2025-01-15T12:00:00.000Z Started',
      '2025-01-15T10:00:05.000Z Succeeded',
      '2025-01-15T10:00:00.000Z Started',
    ]);
    assert.equal(
      list("eventTimestamp ge '2025-01-15T00:00:00Z' and eventTimestamp le '2025-01-15T11:00:00Z'")
        .length,
      2,
    );
    assert.equal(
      list(`eventTimestamp ge '2025-01-15T00:00:00Z' and resourceUri eq '${SETTING.toLowerCase()}'`)
        .length,
      3,
      'resource ids compare case-insensitively',
    );
    assert.equal(
      list("eventTimestamp ge '2025-01-15T00:00:00Z' and correlationId eq 'op-2'").length,
      1,
    );
    assert.equal(list("eventTimestamp ge '2025-01-15T00:00:00Z'", 'other-sub').length, 0);
  });

  test('an autoscale event is shaped as the Activity Log schema shows one', () => {
    const e = event('2025-01-15T10:00:00Z');
    assert.equal(e.operationName.value, 'Microsoft.Insights/AutoscaleSettings/Scaleup/Action');
    assert.equal(e.category.value, 'Autoscale');
    assert.equal(e.eventName.value, 'AutoscaleAction');
    assert.equal(e.caller, 'Microsoft.Insights/autoscaleSettings');
    assert.equal(
      e.resourceId,
      `/subscriptions/${SUB}/resourceGroups/rg/providers/microsoft.insights/autoscalesettings/pool-autoscale`,
    );
    assert.match(e.id, /\/events\/[0-9a-f-]{36}\/ticks\/638725320000000000$/);
    assert.ok(Object.values(e.properties).every((v) => typeof v === 'string'));
  });
});
