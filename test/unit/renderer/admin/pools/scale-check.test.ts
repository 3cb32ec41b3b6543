// Scale…'s check: refused beyond what the pool can hold (the limit the app read: placement group,
// SSH ports, SNAT ports), asked about when autoscale would take the pool back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CapacityLimit } from '../../../../../src/common/models';
import { checkScale } from '../../../../../src/renderer/admin/pools/scale-check';

const limit: CapacityLimit = {
  max: 100,
  reason: 'the SSH port range 50000–50099 has one port for each of 100 instances',
};
const autoscale = { enabled: true, minimum: 0, maximum: 4 };

describe('checkScale', () => {
  test('500 with 100 SSH ports: refused, saying why', () => {
    assert.deepEqual(checkScale('500', limit, autoscale), {
      capacity: 500,
      error: 'At most 100: the SSH port range 50000–50099 has one port for each of 100 instances.',
    });
  });

  test('within the limit but above the autoscale maximum: allowed once confirmed, with the reason', () => {
    const check = checkScale('10', limit, autoscale);
    assert.equal(check.error, undefined);
    assert.equal(
      check.warning,
      "Autoscale keeps this pool between 0 and 4 instances: within minutes it scales back down to 4. To keep 10, raise autoscale's maximum instead (Autoscale…).",
    );
    assert.equal(checkScale('3', limit, autoscale).warning, undefined);
    assert.equal(checkScale('10', limit, { ...autoscale, enabled: false }).warning, undefined);
    assert.equal(checkScale('10', limit, undefined).warning, undefined);
    assert.match(
      checkScale('0', limit, { enabled: true, minimum: 1, maximum: 1 }).warning!,
      /between 1 and 1 instance: within minutes it scales back up to 1/,
    );
  });

  test('not a whole number, or the limit not read yet', () => {
    assert.deepEqual(checkScale('x', limit, autoscale), {
      error: 'Enter a whole number from 0 to 100.',
    });
    assert.deepEqual(checkScale('-1', limit, autoscale), {
      error: 'Enter a whole number from 0 to 100.',
    });
    assert.deepEqual(checkScale('500', undefined, undefined), { capacity: 500 });
    assert.deepEqual(checkScale('2000', undefined, undefined), {
      error: 'Enter a whole number from 0 to 1000.',
    });
  });
});
