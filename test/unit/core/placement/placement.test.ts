// Every placement rule: requested, affinity, fewest sessions, natural-order ties, none running.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, RpcError } from '../../../../src/common/errors';
import type { InstanceInfo, InstanceState } from '../../../../src/common/models';
import { chooseInstance } from '../../../../src/core/placement/placement';

function vm(
  name: string,
  sessions: Record<string, number> = {},
  state: InstanceState = 'running',
): InstanceInfo {
  return { id: `id-${name}`, name, state, host: '127.0.0.1', port: 22, sessions };
}

function pick(instances: InstanceInfo[], user = 'ana', instanceId?: string) {
  const placed = chooseInstance(instances, user, instanceId === undefined ? {} : { instanceId });
  return `${placed.instance.name} ${placed.reason}`;
}

function throwsCode(fn: () => unknown, code: string, pattern: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RpcError, 'an RpcError');
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('chooseInstance', () => {
  test('fewest total sessions wins among running instances', () => {
    const pool = [vm('vm-a', { bob: 2 }), vm('vm-b', { bob: 1, cy: 2 }), vm('vm-c', { cy: 1 })];
    assert.equal(pick(pool), 'vm-c fewest-sessions');
  });

  test('ties break by name in natural order (local-2 before local-10)', () => {
    assert.equal(pick([vm('local-10'), vm('local-2'), vm('local-11')]), 'local-2 fewest-sessions');
    assert.equal(
      pick([vm('local-10', { bob: 1 }), vm('local-9', { bob: 1 })]),
      'local-9 fewest-sessions',
    );
  });

  test('the result does not depend on the order of the list', () => {
    const pool = [vm('local-3', { bob: 1 }), vm('local-1', { cy: 1 }), vm('local-2', { bob: 1 })];
    for (const order of [pool, [...pool].reverse(), [pool[1], pool[2], pool[0]]]) {
      assert.equal(pick(order), 'local-1 fewest-sessions');
    }
  });

  test("affinity: the user's instance wins over a less loaded one", () => {
    const pool = [vm('vm-a'), vm('vm-b', { ana: 1, bob: 3 })];
    assert.equal(pick(pool), 'vm-b affinity');
  });

  test("affinity prefers the instance with most of the user's sessions, then the least loaded", () => {
    const pool = [
      vm('vm-a', { ana: 1 }),
      vm('vm-b', { ana: 2, bob: 5 }),
      vm('vm-c', { ana: 2, bob: 1 }),
    ];
    assert.equal(pick(pool), 'vm-c affinity');
    assert.equal(pick([vm('vm-10', { ana: 1 }), vm('vm-9', { ana: 1 })]), 'vm-9 affinity');
  });

  test('zero sessions of the user is no affinity', () => {
    assert.equal(
      pick([vm('vm-a', { ana: 0, bob: 1 }), vm('vm-b', { bob: 2 })]),
      'vm-a fewest-sessions',
    );
  });

  test('starting, stopping, stopped and failed instances are ignored, even with affinity', () => {
    const pool = [
      vm('vm-a', { ana: 1 }, 'stopped'),
      vm('vm-b', {}, 'starting'),
      vm('vm-c', { ana: 2 }, 'failed'),
      vm('vm-d', {}, 'stopping'),
      vm('vm-e', { bob: 4 }),
    ];
    assert.equal(pick(pool), 'vm-e fewest-sessions');
  });

  test('a user name like an Object.prototype key gives no false affinity', () => {
    assert.equal(
      pick([vm('vm-b', { x: 1 }), vm('vm-a', { x: 2 })], 'constructor'),
      'vm-b fewest-sessions',
    );
  });

  test('no running instance: NoInstance, saying so and who can start one', () => {
    throwsCode(
      () => chooseInstance([], 'ana'),
      ErrorCode.NoInstance,
      /No instance .* running.*admin/,
    );
    throwsCode(
      () => chooseInstance([vm('vm-a', { ana: 1 }, 'stopped'), vm('vm-b', {}, 'starting')], 'ana'),
      ErrorCode.NoInstance,
      /admin can start one/,
    );
  });

  test('a requested running instance is used as is, even if busier', () => {
    const pool = [vm('vm-a'), vm('vm-b', { bob: 9 }), vm('vm-c', { ana: 1 })];
    assert.equal(pick(pool, 'ana', 'id-vm-b'), 'vm-b requested');
  });

  test('nothing running, and every instance says why: the message says what each answered', () => {
    const refusing = {
      ...vm('gpu1', {}, 'failed'),
      detail:
        'refuses connections on port 22 (the machine answers, but no SSH server accepts there)',
    };
    const silent = { ...vm('gpu2', {}, 'stopped'), detail: 'not reachable: no answer within 3 s' };
    throwsCode(
      () => chooseInstance([refusing, silent], 'ana'),
      ErrorCode.NoInstance,
      /^No instance of this pool can take a connection: gpu1 refuses connections on port 22 .*; gpu2 not reachable: no answer within 3 s\.$/,
    );
    throwsCode(
      () => chooseInstance([refusing], 'ana', { instanceId: 'id-gpu1' }),
      ErrorCode.NoInstance,
      /^Instance gpu1 refuses connections on port 22 /,
    );
  });

  test('a requested instance that does not exist: NotFound', () => {
    throwsCode(
      () => chooseInstance([vm('vm-a')], 'ana', { instanceId: 'id-gone' }),
      ErrorCode.NotFound,
      /"id-gone" is not in this pool/,
    );
  });

  test('a requested instance that is not running: NoInstance with its name and state', () => {
    const pool = [vm('vm-a'), vm('vm-b', {}, 'stopped'), vm('vm-c', {}, 'starting')];
    throwsCode(
      () => chooseInstance(pool, 'ana', { instanceId: 'id-vm-b' }),
      ErrorCode.NoInstance,
      /vm-b is stopped/,
    );
    throwsCode(
      () => chooseInstance(pool, 'ana', { instanceId: 'id-vm-c' }),
      ErrorCode.NoInstance,
      /vm-c is starting/,
    );
  });

  test('does not modify its input', () => {
    const pool = [vm('vm-b', { ana: 1 }), vm('vm-a', { ana: 1 })];
    const copy = structuredClone(pool);
    chooseInstance(pool, 'ana');
    assert.deepEqual(pool, copy);
  });
});
