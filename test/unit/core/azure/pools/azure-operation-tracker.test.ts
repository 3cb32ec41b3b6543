// Long operations as records: progress lines, resources, az commands, outcome, events, trimming.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, RpcError } from '../../../../../src/common/errors';
import {
  type OperationInfo,
  OperationTracker,
} from '../../../../../src/core/azure/pools/azure-operation-tracker';

const az = [{ args: ['az', 'vmss', 'scale'], shell: 'az vmss scale', summary: 'Scale' }];

test('records progress and success, and fires an event for every change', async () => {
  let now = 1_000;
  const tracker = new OperationTracker(() => now);
  const events: OperationInfo[] = [];
  tracker.onDidChange((op) => events.push(op));
  const pool = { subscriptionId: 's', resourceGroup: 'rg', poolName: 'team' };
  const tracked = tracker.run({ title: 'Scale team to 3', az, pool }, async (op) => {
    op.progress('Setting the capacity…');
    now = 2_000;
    op.setResources([{ type: 'T', name: 'n', provisioningState: 'Running' }], 'Running');
    return 42;
  });
  assert.equal(tracked.operation.status, 'running');
  assert.deepEqual(tracked.operation.az, az);
  assert.equal(await tracked.result, 42);
  const done = tracker.get(tracked.operation.id);
  assert.equal(done.status, 'succeeded');
  assert.deepEqual(done.progress, [{ at: 1_000, text: 'Setting the capacity…' }]);
  assert.equal(done.endedAt, 2_000);
  assert.equal(done.deploymentStatus, 'Running');
  assert.deepEqual(done.pool, pool);
  assert.deepEqual(
    events.map((e) => e.status),
    ['running', 'running', 'running', 'succeeded'],
  );
  // Snapshots: changing one does not change the tracker.
  events[0].progress.push({ at: 0, text: 'x' });
  assert.equal(tracker.get(tracked.operation.id).progress.length, 1);
});

test('a failure keeps its code and message; an ignored failure is not an unhandled rejection', async () => {
  const tracker = new OperationTracker();
  const tracked = tracker.run({ title: 'Start', az }, async () => {
    throw new RpcError(ErrorCode.AuthFailed, 'You are not allowed to start instance 1.');
  });
  await assert.rejects(tracked.result, { code: ErrorCode.AuthFailed });
  assert.deepEqual(tracker.get(tracked.operation.id).error, {
    code: ErrorCode.AuthFailed,
    message: 'You are not allowed to start instance 1.',
  });
  const plain = tracker.run({ title: 'Other', az: [] }, async () => {
    throw new Error('boom');
  });
  // Nobody awaits `plain.result`: the test runner would fail on an unhandled rejection.
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(tracker.get(plain.operation.id).error, {
    code: ErrorCode.Internal,
    message: 'boom',
  });
});

test('keeps running operations and the latest 50 finished; dismiss forgets finished ones only', async () => {
  const tracker = new OperationTracker();
  let release!: () => void;
  const long = tracker.run(
    { title: 'long', az: [] },
    () => new Promise<void>((r) => (release = r)),
  );
  for (let i = 0; i < 60; i++)
    await tracker.run({ title: `op ${i}`, az: [] }, async () => i).result;
  // Trimming happens when an operation starts: one more makes it count the 60 finished.
  await tracker.run({ title: 'last', az: [] }, async () => 0).result;
  const titles = tracker.list().map((o) => o.title);
  assert.ok(titles.includes('long'), 'running operations stay');
  assert.ok(!titles.includes('op 0'));
  assert.equal(titles.length, 52);
  tracker.dismiss(long.operation.id);
  assert.ok(
    tracker.list().some((o) => o.id === long.operation.id),
    'a running one is not dismissed',
  );
  release();
  await long.result;
  tracker.dismiss(long.operation.id);
  assert.throws(() => tracker.get(long.operation.id), { code: ErrorCode.NotFound });
  // Progress lines are capped.
  const chatty = tracker.run({ title: 'chatty', az: [] }, async (op) => {
    for (let i = 0; i < 250; i++) op.progress(`line ${i}`);
  });
  await chatty.result;
  const lines = tracker.get(chatty.operation.id).progress;
  assert.equal(lines.length, 200);
  assert.equal(lines[0].text, 'line 50');
});
