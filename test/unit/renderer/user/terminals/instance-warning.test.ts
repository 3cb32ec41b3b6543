// The bar over a terminal whose instance is about to go: which warning, its words, the countdown
// and the instance to carry on on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentActivity } from '../../../../../src/common/agent-protocol/activity';
import type { InstanceInfo } from '../../../../../src/common/models';
import {
  countdown,
  instanceWarning,
  otherInstance,
} from '../../../../../src/renderer/user/terminals/instance-warning';

const quiet: AgentActivity = {
  busy: false,
  reasons: [],
  idleSince: null,
  idleMinutes: 30,
  protection: null,
  idleStopAt: null,
  scheduledEvents: [],
};

function vm(id: string, activity?: Partial<AgentActivity>, extra: Partial<InstanceInfo> = {}) {
  return {
    id,
    name: `pool00000${id}`,
    state: 'running',
    host: 'h',
    port: 1,
    sessions: {},
    ...(activity ? { activity: { ...quiet, ...activity } } : {}),
    ...extra,
  } satisfies InstanceInfo;
}

describe('instance warning', () => {
  it('nothing without activity, scheduled events or an idle stop', () => {
    assert.equal(instanceWarning(undefined), undefined);
    assert.equal(instanceWarning(vm('0')), undefined);
    assert.equal(instanceWarning(vm('0', {})), undefined);
  });

  it('a Terminate beats a Freeze, counts down to NotBefore and offers to move on', () => {
    const w = instanceWarning(
      vm('0', {
        scheduledEvents: [
          {
            eventId: 'f',
            eventType: 'Freeze',
            eventStatus: 'Scheduled',
            notBefore: '2025-01-15T10:01:00Z',
          },
          {
            eventId: 't',
            eventType: 'Terminate',
            eventStatus: 'Scheduled',
            notBefore: '2025-01-15T10:10:00Z',
          },
        ],
      }),
    );
    assert.equal(w?.eventType, 'Terminate');
    assert.equal(w?.title, 'This VM is being removed from the pool');
    assert.equal(w?.deadline, Date.parse('2025-01-15T10:10:00Z'));
    assert.equal(w?.moveOn, true);
    assert.equal(w?.keep, false);
  });

  it('an idle stop offers Keep this VM', () => {
    const w = instanceWarning(vm('0', { idleStopAt: '2025-01-15T10:05:00Z' }));
    assert.equal(w?.kind, 'idle-stop');
    assert.equal(w?.keep, true);
    assert.match(w!.text, /for 30 min/);
  });

  it('counts down in minutes and seconds, then says any moment', () => {
    const t = Date.parse('2025-01-15T10:00:00Z');
    assert.equal(countdown(t + 581_000, t), 'in 9:41');
    assert.equal(countdown(t + 3_725_000, t), 'in 1:02:05');
    assert.equal(countdown(t - 1, t), 'any moment now');
    assert.equal(countdown(undefined, t), 'under way');
  });

  it('carries on on the running instance with the fewest sessions that is not going too', () => {
    const going = {
      scheduledEvents: [
        { eventId: 't', eventType: 'Terminate' as const, eventStatus: 'Scheduled' as const },
      ],
    };
    const pool = [
      vm('0', going),
      vm('1', going),
      vm('2', undefined, { sessions: { bob: 2 } }),
      vm('3', undefined, { sessions: { carol: 1 } }),
      vm('4', undefined, { state: 'stopped' }),
    ];
    assert.equal(otherInstance(pool, '0')?.id, '3');
    assert.equal(otherInstance([vm('0', going)], '0'), undefined);
  });
});

describe('instance kept', () => {
  it('says why a busy VM is kept from scale-in, in the agent words', () => {
    const w = instanceWarning(
      vm('0', {
        busy: true,
        reasons: [{ user: 'alice', kind: 'kernel', text: 'kernel busy 12 min' }],
        protection: { protectFromScaleIn: true, by: 'busy' },
      }),
    );
    assert.equal(w?.kind, 'kept');
    assert.equal(
      w?.text,
      'alice: kernel busy 12 min. Autoscale will not remove it until it has been idle for 30 min.',
    );
    assert.equal(
      instanceWarning(vm('0', { protection: { protectFromScaleIn: true, by: 'admin' } })),
      undefined,
    );
  });
});
