// Scale…'s check: refused beyond what the pool can hold (its SSH NAT ports, its placement group),
// asked about when autoscale would take the pool back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ScaleLimits } from '../../../../../src/common/scale-limits';
import { checkScale } from '../../../../../src/renderer/admin/pools/scale-check';

const limits: ScaleLimits = {
  maxCapacity: 100,
  placementLimit: 100,
  natPorts: { start: 50000, end: 50099 },
  autoscale: { enabled: true, minimum: 0, maximum: 4 },
};

describe('checkScale', () => {
  test('500 with 100 NAT ports and autoscale at most 4: refused, saying why', () => {
    assert.deepEqual(checkScale('500', limits), {
      capacity: 500,
      error:
        "At most 100: the pool's load balancer has 100 SSH ports (50000–50099), one for each instance, so an instance beyond them could not be reached.",
    });
  });

  test('within the ports but above the autoscale maximum: allowed once confirmed, with the reason', () => {
    const check = checkScale('10', limits);
    assert.equal(check.error, undefined);
    assert.equal(
      check.warning,
      "Autoscale keeps this pool between 0 and 4 instances: within minutes it scales back down to 4. To keep 10, raise autoscale's maximum instead (Autoscale…).",
    );
    assert.equal(checkScale('3', limits).warning, undefined);
    assert.equal(
      checkScale('10', { ...limits, autoscale: { enabled: false, minimum: 0, maximum: 4 } })
        .warning,
      undefined,
    );
    assert.match(
      checkScale('0', { ...limits, autoscale: { enabled: true, minimum: 1, maximum: 1 } }).warning!,
      /between 1 and 1 instance: within minutes it scales back up to 1/,
    );
  });

  test('not a whole number, or limits not read yet', () => {
    assert.deepEqual(checkScale('x', limits), { error: 'Enter a whole number from 0 to 100.' });
    assert.deepEqual(checkScale('-1', limits), { error: 'Enter a whole number from 0 to 100.' });
    assert.deepEqual(checkScale('500', undefined), { capacity: 500 });
    assert.deepEqual(checkScale('2000', undefined), {
      error: 'Enter a whole number from 0 to 1000.',
    });
  });

  test('a placement group smaller than the ports: its limit is the reason', () => {
    const check = checkScale('150', {
      maxCapacity: 100,
      placementLimit: 100,
      natPorts: { start: 50000, end: 50999 },
    });
    assert.equal(
      check.error,
      'At most 100: a scale set in a single placement group holds at most 100 instances.',
    );
  });
});
