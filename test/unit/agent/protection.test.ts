// Scale-in protection through a loopback IMDS + ARM stand-in: one call only when busy/idle flips,
// an admin's protection never cleared, the call budget, Retry-After on 409/429.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ActivityState } from '../../../src/agent/activity-state';
import { emptyActivityState } from '../../../src/agent/activity-state';
import {
  AzureInstanceClient,
  azureEndpoints,
  parseScheduledEvents,
  retryAfterMs,
} from '../../../src/agent/azure-instance';
import type { ProtectionInput } from '../../../src/agent/protection';
import { reconcileProtection } from '../../../src/agent/protection';
import { ImdsStandIn, RESOURCE_ID } from './imds-stand-in';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const MIN = 60_000;

describe('scale-in protection (protect)', () => {
  let standIn: ImdsStandIn;
  let client: AzureInstanceClient;
  let state: ActivityState;
  let clock: number;
  const logs: string[] = [];
  const cycle = (busy: boolean, extra: Partial<ProtectionInput> = {}) =>
    reconcileProtection({
      busy,
      reasons: 'alice: 2 SSH sessions, last input 3 min ago',
      idleMinutes: 30,
      now: () => clock,
      state,
      api: client,
      log: {
        info: (m) => logs.push(`info: ${m}`),
        warn: (m) => logs.push(`warn: ${m}`),
        error: (m) => logs.push(`error: ${m}`),
      },
      jitter: () => Promise.resolve(),
      ...extra,
    });

  beforeEach(async () => {
    standIn = await new ImdsStandIn().start();
    client = new AzureInstanceClient({
      endpoints: { imds: standIn.url, arm: standIn.url },
      now: () => clock,
    });
    state = emptyActivityState();
    clock = T0;
    logs.length = 0;
  });
  afterEach(() => standIn.stop());

  it('finds its own instance from IMDS (Metadata: true)', async () => {
    const ids = await client.instance();
    assert.deepEqual(ids, {
      resourceId: RESOURCE_ID,
      name: 'teampool_3',
      vmScaleSetName: 'teampool',
      instanceId: '3',
    });
  });

  it('busy → one read and one PUT; steady → nothing; idle → one PUT clearing it', async () => {
    const first = await cycle(true);
    assert.equal(standIn.protectFromScaleIn, true);
    assert.deepEqual(
      standIn.armCalls().map((c) => c.method),
      ['GET', 'PUT'],
    );
    assert.deepEqual(standIn.armCalls()[1].body, {
      properties: { protectionPolicy: { protectFromScaleIn: true } },
    });
    assert.equal(first.protection.by, 'busy');
    assert.equal(first.events[0].kind, 'protect');
    // Ten more busy minutes: no call.
    for (let i = 1; i <= 10; i++) {
      clock = T0 + i * MIN;
      await cycle(true);
    }
    assert.equal(standIn.armCalls().length, 2);
    clock = T0 + 11 * MIN;
    const idle = await cycle(false);
    assert.equal(standIn.protectFromScaleIn, false);
    assert.equal(standIn.armCalls().length, 3);
    assert.deepEqual(idle.protection, {
      protectFromScaleIn: false,
      by: null,
      changedAt: new Date(clock).toISOString(),
    });
    assert.deepEqual(
      idle.events.map((e) => (e.kind === 'protect' ? [e.protect, e.by, e.reason] : e.kind)),
      [[false, 'busy', 'idle for 30 min']],
    );
    // An hour of idle: one re-read per 30 min only (the steady cost).
    const before = standIn.armCalls().length;
    for (let i = 12; i <= 71; i++) {
      clock = T0 + i * MIN;
      await cycle(false);
    }
    assert.equal(standIn.armCalls().length - before, 2);
    assert.ok(
      standIn
        .armCalls()
        .slice(before)
        .every((c) => c.method === 'GET'),
    );
  });

  it('a protection the agent did not set is an admin’s: reported, never cleared', async () => {
    standIn.protectFromScaleIn = true;
    const result = await cycle(false);
    assert.deepEqual(result.protection, { protectFromScaleIn: true, by: 'admin' });
    assert.deepEqual(
      result.events.map((e) => e.kind === 'protect' && [e.protect, e.by]),
      [[true, 'admin']],
    );
    for (let i = 1; i <= 5; i++) {
      clock = T0 + i * MIN;
      await cycle(i % 2 === 0);
    }
    assert.equal(standIn.protectFromScaleIn, true);
    assert.ok(standIn.armCalls().every((c) => c.method === 'GET'));
  });

  it('set by an admin while the agent thought it unprotected: the PUT is skipped (fresh read)', async () => {
    await cycle(false);
    standIn.protectFromScaleIn = true;
    clock = T0 + 10 * MIN;
    const result = await cycle(true);
    assert.equal(result.protection.by, 'admin');
    assert.ok(standIn.armCalls().every((c) => c.method === 'GET'));
    clock = T0 + 60 * MIN;
    await cycle(false);
    assert.equal(standIn.protectFromScaleIn, true);
  });

  it('429 with Retry-After: no call before it, then the flip goes through', async () => {
    standIn.refusals.push({ status: 429, retryAfter: '120', code: 'TooManyRequests' });
    const refused = await cycle(true);
    assert.equal(standIn.protectFromScaleIn, false);
    assert.match(refused.protection.error ?? '', /refused GET \(429: TooManyRequests/);
    assert.ok(logs.some((l) => /Azure asked to wait 120 s/.test(l)));
    clock = T0 + MIN;
    await cycle(true);
    assert.equal(standIn.armCalls().length, 1);
    clock = T0 + 2 * MIN + 1000;
    const done = await cycle(true);
    assert.equal(standIn.protectFromScaleIn, true);
    assert.equal(done.protection.error, undefined);
  });

  it('409 Conflict on the PUT waits a minute without Retry-After', async () => {
    await cycle(false);
    standIn.refusals.push({ status: 409, code: 'Conflict' });
    clock = T0 + MIN;
    await cycle(true);
    assert.equal(standIn.protectFromScaleIn, false);
    clock = T0 + MIN + 30_000;
    await cycle(true);
    assert.equal(standIn.protectFromScaleIn, false);
    clock = T0 + 2 * MIN + 1000;
    await cycle(true);
    assert.equal(standIn.protectFromScaleIn, true);
  });

  it('the budget: flapping busy/idle makes at most 6 ARM calls an hour, and says so once', async () => {
    for (let i = 0; i < 60; i++) {
      clock = T0 + i * MIN;
      await cycle(i % 2 === 0);
    }
    assert.equal(standIn.armCalls().length, 6);
    assert.equal(logs.filter((l) => /6 Azure calls in the last hour/.test(l)).length, 1);
    clock = T0 + 61 * MIN;
    await cycle(true);
    assert.ok(standIn.armCalls().length > 6);
  });

  it('the token never shows in errors', async () => {
    standIn.refusals.push({ status: 403, code: 'AuthorizationFailed' });
    const result = await cycle(true);
    assert.match(result.protection.error ?? '', /403: AuthorizationFailed/);
    assert.doesNotMatch(JSON.stringify([result, logs, state]), /stand-in-token-value/);
  });
});

describe('IMDS helpers', () => {
  it('endpoints from env, then /etc/dsvm-pool/{imds,arm}-endpoint, then Azure’s', () => {
    assert.deepEqual(azureEndpoints({}), {
      imds: 'http://169.254.169.254',
      arm: 'https://management.azure.com',
    });
    assert.deepEqual(
      azureEndpoints(
        { DSVM_POOL_ARM_ENDPOINT: 'https://127.0.0.1:4443/' },
        { imds: 'http://10.0.0.1:8080\n', arm: 'https://ignored\n' },
      ),
      { imds: 'http://10.0.0.1:8080', arm: 'https://127.0.0.1:4443' },
    );
  });

  it('Retry-After in seconds or as a date', () => {
    assert.equal(retryAfterMs('17', T0), 17_000);
    assert.equal(retryAfterMs(new Date(T0 + 5000).toUTCString(), T0), 5000);
    assert.equal(retryAfterMs(null, T0), undefined);
  });

  it('scheduled events: known types kept, with their VMs', () => {
    const events = parseScheduledEvents({
      DocumentIncarnation: 2,
      Events: [
        {
          EventId: 'e1',
          EventType: 'Terminate',
          ResourceType: 'VirtualMachine',
          Resources: ['teampool_3'],
          EventStatus: 'Scheduled',
          NotBefore: 'Mon, 07 Dec 2026 10:10:00 GMT',
          Description: 'scale-in',
          EventSource: 'User',
          DurationInSeconds: -1,
        },
        { EventId: 'e2', EventType: 'Unknown', Resources: [] },
        { EventId: 'e3', EventType: 'Freeze', EventStatus: 'Started', NotBefore: '' },
      ],
    });
    assert.deepEqual(events, [
      {
        eventId: 'e1',
        eventType: 'Terminate',
        eventStatus: 'Scheduled',
        notBefore: '2026-12-07T10:10:00.000Z',
        description: 'scale-in',
        eventSource: 'User',
        resources: ['teampool_3'],
      },
      { eventId: 'e3', eventType: 'Freeze', eventStatus: 'Started', resources: [] },
    ]);
  });
});
