// The NAT port cache: answers kept per instance, at most N queries in flight, wishes replaced by
// newer ones, Connect ahead of every wish, "no port" believed for a while, gone instances forgotten.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NatPortCache, type PortTarget } from '../../../../../src/core/azure/pools/nat-port-cache';

const target = (n: number): PortTarget => ({
  key: `vm-${n}|lb|ssh`,
  instanceId: String(n),
  ipConfigurationId: `/vmss/virtualMachines/${n}/networkInterfaces/nic/ipConfigurations/ip`,
});

/** A query whose answers the test hands out: records what was asked and how many at once. */
function controlledQuery() {
  const asked: string[] = [];
  const open = new Map<
    string,
    { resolve: (port: number | undefined) => void; reject: (err: unknown) => void }
  >();
  let inFlight = 0;
  let maxInFlight = 0;
  const query = (t: PortTarget, signal: AbortSignal) =>
    new Promise<number | undefined>((resolve, reject) => {
      asked.push(t.instanceId);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => inFlight--;
      signal.addEventListener(
        'abort',
        () => {
          if (!open.has(t.instanceId)) return;
          done();
          open.delete(t.instanceId);
          reject(new Error('aborted'));
        },
        { once: true },
      );
      open.set(t.instanceId, {
        resolve: (p) => {
          done();
          open.delete(t.instanceId);
          resolve(p);
        },
        reject: (e) => {
          done();
          open.delete(t.instanceId);
          reject(e);
        },
      });
    });
  return {
    query,
    asked,
    get maxInFlight() {
      return maxInFlight;
    },
    answer(instanceId: string, port: number | undefined) {
      const o = open.get(instanceId);
      assert.ok(o, `instance ${instanceId} is being asked`);
      o.resolve(port);
    },
    fail(instanceId: string, err: unknown) {
      const o = open.get(instanceId);
      assert.ok(o, `instance ${instanceId} is being asked`);
      o.reject(err);
    },
    openIds: () => [...open.keys()],
  };
}

const tick = () => new Promise((r) => setImmediate(r));

test('asks at most N at a time, in the order wished, and caches every answer', async () => {
  const q = controlledQuery();
  const cache = new NatPortCache({ query: q.query, concurrency: 4 });
  const all = Array.from({ length: 10 }, (_, i) => target(i));
  const settled = cache.want(all);
  assert.deepEqual(q.asked, ['0', '1', '2', '3']);
  assert.deepEqual(cache.stats, { inFlight: 4, waiting: 6, cached: 0 });
  for (let i = 0; i < 10; i++) {
    q.answer(String(i), 50_000 + i);
    await tick();
  }
  await settled;
  assert.equal(q.maxInFlight, 4);
  assert.deepEqual(q.asked, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(cache.port(target(7).key), 50_007);
  // Known: wishing again asks nothing.
  await cache.want(all);
  assert.equal(q.asked.length, 10);
  assert.deepEqual(cache.stats, { inFlight: 0, waiting: 0, cached: 10 });
  cache.dispose();
});

test('a newer wish replaces the rows no longer shown; queries already running finish', async () => {
  const q = controlledQuery();
  const cache = new NatPortCache({ query: q.query, concurrency: 2 });
  const first = cache.want([target(0), target(1), target(2), target(3)]);
  // The user pages on: rows 10 and 11 are on screen now.
  const second = cache.want([target(10), target(11)]);
  assert.deepEqual(q.openIds(), ['0', '1'], '0 and 1 still run; 2 and 3 are dropped');
  q.answer('0', 50_000);
  q.answer('1', 50_001);
  await first;
  assert.deepEqual(q.openIds(), ['10', '11']);
  q.answer('10', 50_010);
  q.answer('11', undefined);
  await second;
  assert.deepEqual(q.asked, ['0', '1', '10', '11'], 'rows 2 and 3 were never asked');
  assert.equal(cache.port(target(0).key), 50_000, 'an answer nobody waits for is still kept');
  assert.equal(cache.hasNoPort(target(11).key), true);
  cache.dispose();
});

test('Connect goes ahead of every wish and shares a query already running', async () => {
  const q = controlledQuery();
  const cache = new NatPortCache({ query: q.query, concurrency: 1 });
  void cache.want([target(0), target(1), target(2)]);
  const connect = cache.resolve(target(2));
  const again = cache.resolve(target(0)); // already running: no second query
  q.answer('0', 50_000);
  assert.equal(await again, 50_000);
  await tick();
  assert.deepEqual(q.openIds(), ['2'], 'the instance being connected to jumped the queue');
  q.answer('2', 50_002);
  assert.equal(await connect, 50_002);
  await tick();
  q.answer('1', 50_001);
  await tick();
  assert.deepEqual(q.asked, ['0', '2', '1']);
  // Cached now: no query at all.
  assert.equal(await cache.resolve(target(1)), 50_001);
  assert.equal(q.asked.length, 3);
  cache.dispose();
});

test('"no port" is believed for a while by wishes, but Connect asks again', async () => {
  let now = 1_000;
  const q = controlledQuery();
  const cache = new NatPortCache({ query: q.query, noPortTtlMs: 60_000, now: () => now });
  const wished = cache.want([target(5)]);
  q.answer('5', undefined);
  await wished;
  assert.equal(cache.port(target(5).key), undefined);
  assert.equal(cache.hasNoPort(target(5).key), true);
  await cache.want([target(5)]);
  assert.equal(q.asked.length, 1, 'not asked again within the TTL');
  const connect = cache.resolve(target(5));
  await tick();
  q.answer('5', undefined);
  assert.equal(await connect, undefined);
  assert.equal(q.asked.length, 2, 'Connect asked afresh');
  now += 60_001;
  assert.equal(cache.hasNoPort(target(5).key), false);
  void cache.want([target(5)]);
  assert.equal(q.asked.length, 3, 'asked again once the TTL passed');
  q.answer('5', 50_005);
  await tick();
  assert.equal(cache.port(target(5).key), 50_005);
  cache.dispose();
});

test('a failed wish is reported and not cached; a failed Connect rejects', async () => {
  const q = controlledQuery();
  const errors: string[] = [];
  const cache = new NatPortCache({
    query: q.query,
    onError: (t, err) => errors.push(`${t.instanceId}: ${(err as Error).message}`),
  });
  const wished = cache.want([target(1)]);
  q.fail('1', new Error('throttled'));
  await wished;
  assert.deepEqual(errors, ['1: throttled']);
  assert.equal(cache.hasNoPort(target(1).key), false);
  assert.equal(cache.stats.cached, 0);
  const connect = cache.resolve(target(1));
  await tick();
  q.fail('1', new Error('Azure did not answer'));
  await assert.rejects(connect, /Azure did not answer/);
  assert.equal(errors.length, 1, 'a failure someone waits for is theirs to report');
  cache.dispose();
});

test('instances that are gone are forgotten, their wishes dropped', async () => {
  const q = controlledQuery();
  const cache = new NatPortCache({ query: q.query, concurrency: 1 });
  const wished = cache.want([target(0), target(1), target(2)]);
  q.answer('0', 50_000);
  await tick();
  // Instances 0 and 2 were deleted; 1 is being asked.
  cache.retain(new Set([target(1).key]));
  assert.equal(cache.port(target(0).key), undefined);
  q.answer('1', 50_001);
  await wished;
  assert.deepEqual(q.asked, ['0', '1'], 'instance 2 was never asked');
  assert.deepEqual(cache.stats, { inFlight: 0, waiting: 0, cached: 1 });
  cache.dispose();
});

test('dispose aborts the queries in flight and rejects whoever waits', async () => {
  const q = controlledQuery();
  const cache = new NatPortCache({ query: q.query, concurrency: 1 });
  const wished = cache.want([target(0), target(1)]);
  const connect = cache.resolve(target(3));
  cache.dispose();
  await assert.rejects(connect, /removed/);
  await wished;
  await tick();
  assert.deepEqual(q.openIds(), [], 'the running query saw the abort');
  await assert.rejects(cache.resolve(target(4)), /removed/);
});
