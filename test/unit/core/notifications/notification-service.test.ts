// What deserves a notification: reconnecting past 10 s, lost, back; long operations ending;
// scheduled events on instances the user is connected to — each once, each kind switchable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionInfo, OperationInfo, PoolInfo } from '../../../../src/common/models';
import type { AppNotification } from '../../../../src/common/notification-models';
import type { ScheduledEvent } from '../../../../src/common/agent-protocol/index';
import {
  NotificationService,
  type NotificationClock,
} from '../../../../src/core/notifications/notification-service';
import { MemorySettings } from '../../../helpers/memory-settings';

/** A clock that moves only when the test says so. */
class ManualClock implements NotificationClock {
  private time = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time);
    this.timers = this.timers.filter((t) => t.at > this.time);
    for (const t of due) t.fn();
  }
}

function setup(initial: ConstructorParameters<typeof MemorySettings>[0] = {}) {
  const clock = new ManualClock();
  const settings = new MemorySettings(initial);
  const service = new NotificationService({
    settings,
    poolName: (id) => (id === 'team' ? 'Team VMs' : undefined),
    clock,
    formatTime: (ms) => new Date(ms).toISOString().slice(11, 16),
  });
  const shown: AppNotification[] = [];
  service.onDidShow((n) => shown.push(n));
  return { clock, settings, service, shown };
}

function conn(state: ConnectionInfo['state'], extra: Partial<ConnectionInfo> = {}): ConnectionInfo {
  return {
    id: 'c1',
    poolId: 'team',
    instanceId: '3',
    instanceName: 'team-3',
    host: '127.0.0.1',
    port: 50003,
    user: 'ann',
    state,
    ...extra,
  };
}

describe('NotificationService: connections', () => {
  it('a reconnect shorter than 10 s is silent', () => {
    const { clock, service, shown } = setup();
    service.connectionChanged(conn('connected'));
    service.connectionChanged(conn('reconnecting'));
    clock.advance(9_999);
    service.connectionChanged(conn('connected'));
    clock.advance(60_000);
    assert.deepEqual(shown, []);
  });

  it('reconnecting past 10 s, then back: one each, leading to the terminal', () => {
    const { clock, service, shown } = setup();
    service.connectionChanged(conn('connected'));
    service.connectionChanged(conn('reconnecting', { attempt: 1 }));
    service.connectionChanged(conn('reconnecting', { attempt: 2 })); // a new attempt: same event
    clock.advance(10_000);
    service.connectionChanged(conn('reconnecting', { attempt: 3 }));
    clock.advance(10_000);
    service.connectionChanged(conn('connected'));
    service.connectionChanged(conn('connected'));
    assert.deepEqual(
      shown.map((n) => [n.kind, n.severity, n.title]),
      [
        ['connection', 'warning', 'Reconnecting to team-3'],
        ['connection', 'success', 'Connection to team-3 is back'],
      ],
    );
    assert.match(shown[0]!.body, /team-3 \(Team VMs\) dropped 10 s ago/);
    assert.deepEqual(shown[0]!.target, {
      view: 'user',
      connectionId: 'c1',
      poolId: 'team',
      open: 'terminal',
    });
    assert.notEqual(shown[0]!.id, shown[1]!.id);
  });

  it('a flapping connection shows one reconnecting (and its back), not one per flap', () => {
    const { clock, service, shown } = setup();
    service.connectionChanged(conn('connected'));
    for (let i = 0; i < 5; i++) {
      service.connectionChanged(conn('reconnecting'));
      clock.advance(15_000);
      service.connectionChanged(conn('connected'));
      clock.advance(5_000);
    }
    assert.deepEqual(
      shown.map((n) => n.title),
      ['Reconnecting to team-3', 'Connection to team-3 is back'],
    );
    // Once the quiet time has passed, a new long drop is news again.
    clock.advance(5 * 60_000);
    service.connectionChanged(conn('reconnecting'));
    clock.advance(10_000);
    assert.equal(shown.length, 3);
  });

  it('lost: once, with the reason; a closed connection says nothing', () => {
    const { clock, service, shown } = setup();
    service.connectionChanged(conn('connected'));
    service.connectionChanged(conn('reconnecting'));
    service.connectionChanged(conn('lost', { detail: 'The instance was stopped.' }));
    service.connectionChanged(conn('lost', { detail: 'The instance was stopped.' }));
    clock.advance(60_000); // the reconnecting timer was cancelled
    assert.deepEqual(
      shown.map((n) => [n.severity, n.title]),
      [['error', 'Connection to team-3 lost']],
    );
    assert.match(shown[0]!.body, /The instance was stopped\./);

    service.connectionChanged(conn('connected', { id: 'c2' }));
    service.connectionChanged(conn('reconnecting', { id: 'c2' }));
    service.connectionChanged(conn('closed', { id: 'c2' }));
    clock.advance(60_000);
    assert.equal(shown.length, 1);
  });

  it('the connection setting turns them off, and turning it on replays nothing', async () => {
    const { clock, service, shown } = setup({ notifications: { connection: false } });
    assert.equal(service.settings().connection, false);
    service.connectionChanged(conn('connected'));
    service.connectionChanged(conn('lost'));
    service.connectionChanged(conn('reconnecting', { id: 'c2' }));
    clock.advance(20_000);
    service.connectionChanged(conn('connected', { id: 'c2' }));
    assert.deepEqual(shown, []);
    await service.setEnabled('connection', true);
    service.connectionChanged(conn('lost'));
    assert.deepEqual(shown, [], 'the lost event was already handled');
  });
});

function op(extra: Partial<OperationInfo>): OperationInfo {
  return {
    id: 'op1',
    title: 'Create pool team in rg',
    status: 'running',
    startedAt: 0,
    progress: [{ at: 0, text: 'Deploying' }],
    az: [],
    ...extra,
  };
}

describe('NotificationService: operations', () => {
  it('a deployment done or failed, once, leading to the admin view', () => {
    const { service, shown } = setup();
    service.operationChanged(op({ deploymentStatus: 'Running' }));
    const done = op({
      status: 'succeeded',
      endedAt: 3_000,
      deploymentStatus: 'Succeeded',
      progress: [{ at: 3_000, text: 'Pool team is ready' }],
    });
    service.operationChanged(done);
    service.operationChanged(done);
    service.operationChanged(
      op({
        id: 'op2',
        status: 'failed',
        endedAt: 60_000,
        error: { code: 'QuotaExceeded', message: 'Not enough cores in westeurope.' },
      }),
    );
    assert.deepEqual(
      shown.map((n) => [n.kind, n.severity, n.title, n.body]),
      [
        ['operation', 'success', 'Done: Create pool team in rg', 'Pool team is ready'],
        ['operation', 'error', 'Failed: Create pool team in rg', 'Not enough cores in westeurope.'],
      ],
    );
    assert.deepEqual(shown[0]!.target, { view: 'admin', operationId: 'op1' });
  });

  it('a quick operation ends without one; the setting turns them off', async () => {
    const { service, shown } = setup();
    service.operationChanged(op({ status: 'succeeded', endedAt: 2_000 }));
    assert.deepEqual(shown, []);
    await service.setEnabled('operation', false);
    service.operationChanged(op({ id: 'op3', status: 'failed', endedAt: 30_000 }));
    assert.deepEqual(shown, []);
  });
});

function poolWith(events: ScheduledEvent[]): PoolInfo {
  return {
    id: 'team',
    name: 'Team VMs',
    kind: 'azure',
    description: '',
    user: 'ann',
    instances: [
      {
        id: '3',
        name: 'team-3',
        state: 'running',
        host: 'x',
        port: 50003,
        sessions: {},
        activity: {
          busy: false,
          reasons: [],
          idleSince: null,
          idleMinutes: 30,
          protection: null,
          idleStopAt: null,
          scheduledEvents: events,
        },
      },
      { id: '4', name: 'team-4', state: 'running', host: 'x', port: 50004, sessions: {} },
    ],
  };
}

describe('NotificationService: scale-in warnings', () => {
  const terminate: ScheduledEvent = {
    eventId: 'E1',
    eventType: 'Terminate',
    eventStatus: 'Scheduled',
    notBefore: '2026-12-07T14:05:00Z',
  };

  it('warns once per scheduled event on an instance the user is connected to, with its time', () => {
    const { service, shown } = setup();
    service.poolsChanged([poolWith([terminate])], []);
    assert.equal(shown.length, 0, 'not connected to it: no warning');
    const live = [conn('connected')];
    service.poolsChanged([poolWith([terminate])], live);
    service.poolsChanged([poolWith([terminate])], live);
    service.poolsChanged([poolWith([{ ...terminate, eventStatus: 'Started' }])], live);
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.kind, 'scaleIn');
    assert.equal(shown[0]!.title, 'team-3 will be deleted at 14:05');
    assert.match(shown[0]!.body, /Terminate of team-3 in pool Team VMs, not before 14:05/);
    assert.deepEqual(shown[0]!.target, {
      view: 'user',
      connectionId: 'c1',
      poolId: 'team',
      open: 'terminal',
    });
    const reboot: ScheduledEvent = { eventId: 'E2', eventType: 'Reboot', eventStatus: 'Started' };
    service.poolsChanged([poolWith([terminate, reboot])], live);
    assert.deepEqual(
      shown.map((n) => n.title),
      ['team-3 will be deleted at 14:05', 'team-3 will restart now'],
    );
  });

  it('ignores closed connections and honours the setting', async () => {
    const { service, shown } = setup();
    service.poolsChanged([poolWith([terminate])], [conn('closed')]);
    await service.setEnabled('scaleIn', false);
    service.poolsChanged([poolWith([terminate])], [conn('connected')]);
    assert.deepEqual(shown, []);
  });
});

describe('NotificationService: settings and test', () => {
  it('saves each kind in settings.json and announces changes', async () => {
    const { service, settings } = setup();
    const changes: unknown[] = [];
    service.onDidChangeSettings((s) => changes.push(s));
    assert.deepEqual(service.settings(), { connection: true, operation: true, scaleIn: true });
    assert.deepEqual(await service.setEnabled('scaleIn', false), {
      connection: true,
      operation: true,
      scaleIn: false,
    });
    assert.deepEqual(settings.get().notifications, { scaleIn: false });
    assert.deepEqual(changes, [{ connection: true, operation: true, scaleIn: false }]);
  });

  it('a hand-edited value that is not true or false counts as on', () => {
    const { service } = setup({
      notifications: { connection: 'no' } as unknown as { connection: boolean },
    });
    assert.equal(service.settings().connection, true);
  });

  it('the test notification shows even with every kind off, each with its own id', async () => {
    const { service, shown } = setup({
      notifications: { connection: false, operation: false, scaleIn: false },
    });
    service.test();
    service.test();
    assert.equal(shown.length, 2);
    assert.equal(shown[0]!.kind, 'test');
    assert.notEqual(shown[0]!.id, shown[1]!.id);
  });
});
