// Busy or idle from recorded observations (terminal input times, kernels, keeps) and the words
// the heartbeat carries for each reason.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BusyInput } from '../../../src/agent/busy';
import { decideBusy, minutesWords, reasonsLine } from '../../../src/agent/busy';
import { kernelObservations, terminalObservations } from '../../../src/agent/busy-signals';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const MIN = 60_000;

function input(partial: Partial<BusyInput>): BusyInput {
  return {
    now: NOW,
    idleMinutes: 30,
    terminals: [],
    kernels: [],
    keeps: [],
    busySince: new Map(),
    ...partial,
  };
}

describe('busy decision', () => {
  it('nobody: idle, no reasons', () => {
    const d = decideBusy(input({}));
    assert.equal(d.busy, false);
    assert.deepEqual(d.reasons, []);
    assert.equal(d.lastActivity, undefined);
  });

  it('SSH input inside the window is busy, with the session count and how long ago', () => {
    const d = decideBusy(
      input({ terminals: [{ user: 'alice', sessions: 2, lastInput: NOW - 3 * MIN - 5000 }] }),
    );
    assert.equal(d.busy, true);
    assert.deepEqual(d.reasons, [
      {
        user: 'alice',
        kind: 'ssh',
        text: '2 SSH sessions, last input 3 min ago',
        at: new Date(NOW - 3 * MIN - 5000).toISOString(),
      },
    ]);
  });

  it('SSH input older than the window is idle, and a silent open session does not count', () => {
    const d = decideBusy(
      input({
        idleMinutes: 30,
        terminals: [
          { user: 'alice', sessions: 1, lastInput: NOW - 31 * MIN },
          { user: 'bob', sessions: 3, lastInput: undefined },
        ],
      }),
    );
    assert.equal(d.busy, false);
    assert.equal(d.lastActivity, NOW - 31 * MIN);
  });

  it('the window is the policy’s: 45 min keeps input 40 min old busy', () => {
    const t = [{ user: 'alice', sessions: 1, lastInput: NOW - 40 * MIN }];
    assert.equal(decideBusy(input({ terminals: t, idleMinutes: 30 })).busy, false);
    const d = decideBusy(input({ terminals: t, idleMinutes: 45 }));
    assert.equal(d.busy, true);
    assert.equal(d.reasons[0].text, '1 SSH session, last input 40 min ago');
  });

  it('a tmux pane with input but no SSH connection still counts (a terminal)', () => {
    const d = decideBusy(
      input({ terminals: [{ user: 'carol', sessions: 0, lastInput: NOW - 20_000 }] }),
    );
    assert.equal(d.reasons[0].text, 'a terminal, last input just now');
  });

  it('a busy kernel is busy for as long as it has been seen busy', () => {
    const kernels = [
      { user: 'bob', id: 'bob/k1', executionState: 'busy', lastActivity: NOW - 2 * MIN },
      { user: 'bob', id: 'bob/k2', executionState: 'idle', lastActivity: NOW - 90 * MIN },
    ];
    const first = decideBusy(input({ kernels }));
    assert.equal(first.busy, true);
    assert.equal(first.reasons[0].text, 'kernel busy');
    assert.deepEqual([...first.busySince], [['bob/k1', NOW]]);
    const later = decideBusy(input({ now: NOW + 40 * MIN, kernels, busySince: first.busySince }));
    assert.deepEqual(later.reasons, [
      {
        user: 'bob',
        kind: 'kernel',
        text: 'kernel busy 40 min',
        at: new Date(NOW + 40 * MIN).toISOString(),
      },
    ]);
    assert.equal(later.busySince.get('bob/k1'), NOW);
    // Once idle, its "since" is forgotten: busy again later starts a new count.
    const idle = decideBusy(
      input({
        now: NOW + 41 * MIN,
        kernels: [{ ...kernels[0], executionState: 'idle', lastActivity: NOW + 40 * MIN }],
        busySince: later.busySince,
      }),
    );
    assert.equal(idle.busySince.size, 0);
    assert.equal(idle.reasons[0].text, 'kernel active 1 min ago');
  });

  it('kernels active within the window keep it busy; older ones do not', () => {
    const active = decideBusy(
      input({
        kernels: [
          { user: 'bob', id: 'a', executionState: 'idle', lastActivity: NOW - 12 * MIN },
          { user: 'bob', id: 'b', executionState: 'idle', lastActivity: NOW - 5 * MIN },
        ],
      }),
    );
    assert.equal(active.reasons[0].text, '2 kernels active 5 min ago');
    const old = decideBusy(
      input({
        kernels: [{ user: 'bob', id: 'a', executionState: 'idle', lastActivity: NOW - 31 * MIN }],
      }),
    );
    assert.equal(old.busy, false);
  });

  it('a keep is busy until it ends, with its reason', () => {
    const keeps = [{ user: 'dave', until: NOW + 200 * MIN, reason: 'training' }];
    const d = decideBusy(input({ keeps }));
    assert.equal(d.reasons[0].text, 'kept for 3 h 20 min more: training');
    assert.equal(d.reasons[0].at, new Date(NOW + 200 * MIN).toISOString());
    assert.equal(decideBusy(input({ keeps, now: NOW + 200 * MIN })).busy, false);
  });

  it('reasons are per member, in words, in a stable order', () => {
    const d = decideBusy(
      input({
        terminals: [
          { user: 'bob', sessions: 1, lastInput: NOW - 10 * MIN },
          { user: 'alice', sessions: 2, lastInput: NOW - 3 * MIN },
        ],
        kernels: [{ user: 'bob', id: 'k', executionState: 'busy', lastActivity: NOW }],
        busySince: new Map([['k', NOW - 40 * MIN]]),
      }),
    );
    assert.equal(
      reasonsLine(d.reasons),
      'alice: 2 SSH sessions, last input 3 min ago; bob: 1 SSH session, last input 10 min ago; bob: kernel busy 40 min',
    );
  });

  it('minutes in words', () => {
    assert.equal(minutesWords(30_000), 'under a minute');
    assert.equal(minutesWords(59 * MIN), '59 min');
    assert.equal(minutesWords(120 * MIN), '2 h');
    assert.equal(minutesWords(-5), 'under a minute');
  });
});

describe('observations', () => {
  it('terminal input by uid becomes per member, with sessions from the heartbeat', () => {
    const users = new Map([
      [1001, { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice', shell: '/bin/bash' }],
    ]);
    const obs = terminalObservations(
      new Map([
        [1001, NOW],
        [4242, NOW - MIN],
      ]),
      { alice: 2, bob: 1 },
      users,
    );
    assert.deepEqual(
      obs.sort((a, b) => a.user.localeCompare(b.user)),
      [
        { user: '4242', sessions: 0, lastInput: NOW - MIN },
        { user: 'alice', sessions: 2, lastInput: NOW },
        { user: 'bob', sessions: 1, lastInput: undefined },
      ],
    );
  });

  it('kernels from /api/kernels answers (bad times ignored)', () => {
    const obs = kernelObservations(
      new Map([
        [
          'bob',
          {
            servers: 1,
            kernels: [
              { id: 'k1', execution_state: 'busy', last_activity: '2026-12-07T09:58:00.000000Z' },
              { execution_state: 'idle', last_activity: 'not a time' },
            ],
          },
        ],
      ]),
    );
    assert.deepEqual(obs, [
      { user: 'bob', id: 'bob/k1', executionState: 'busy', lastActivity: NOW - 2 * MIN },
      { user: 'bob', id: 'bob/1', executionState: 'idle', lastActivity: undefined },
    ]);
  });
});
