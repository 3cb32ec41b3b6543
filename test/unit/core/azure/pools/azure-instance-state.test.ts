// The mapping of a scale set VM's provisioning and power states to the app's InstanceState.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapInstanceState } from '../../../../../src/core/azure/pools/azure-instance-state';

/** A VM as arm-compute 24 lists it with `$expand=instanceView`. */
function vm(provisioning: string, power?: string, failure?: { code: string; message: string }) {
  const statuses: Array<{ code: string; message?: string }> = [
    {
      code: `ProvisioningState/${provisioning.toLowerCase()}${failure ? `/${failure.code}` : ''}`,
      ...(failure ? { message: failure.message } : {}),
    },
  ];
  if (power) statuses.push({ code: `PowerState/${power}` });
  return { provisioningState: provisioning, instanceView: { statuses } };
}

describe('mapInstanceState', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['Succeeded', 'running', 'running'],
    ['Updating', 'running', 'running'],
    ['Creating', 'starting', 'starting'],
    ['Creating', undefined, 'starting'],
    ['Updating', 'starting', 'starting'],
    ['Updating', 'stopping', 'stopping'],
    ['Updating', 'deallocating', 'stopping'],
    ['Succeeded', 'stopped', 'stopped'],
    ['Succeeded', 'deallocated', 'stopped'],
    ['Deleting', 'stopping', 'stopping'],
    ['Deleting', 'running', 'stopping'],
    ['Succeeded', undefined, 'failed'],
    ['Succeeded', 'hibernated', 'failed'],
  ];
  for (const [provisioning, power, expected] of cases) {
    test(`${provisioning} + ${power ?? 'no power state'} → ${expected}`, () => {
      const mapped = mapInstanceState(vm(provisioning, power));
      assert.equal(mapped.state, expected);
      assert.equal(mapped.powerState, power);
      assert.equal(mapped.provisioningState, provisioning.toLowerCase());
    });
  }

  test('explains the states a user might wonder about', () => {
    assert.match(mapInstanceState(vm('Succeeded', 'stopped')).detail ?? '', /billed/);
    assert.match(
      mapInstanceState(vm('Succeeded', 'deallocated')).detail ?? '',
      /no compute charges/,
    );
    assert.equal(mapInstanceState(vm('Deleting', 'stopping')).detail, 'Being deleted');
    assert.equal(mapInstanceState(vm('Succeeded', 'running')).detail, undefined);
  });

  test('a failed provisioning keeps its code, message and power state', () => {
    const mapped = mapInstanceState(
      vm('Failed', 'deallocated', {
        code: 'AllocationFailed',
        message: 'No capacity in westeurope.',
      }),
    );
    assert.deepEqual(mapped, {
      state: 'failed',
      powerState: 'deallocated',
      provisioningState: 'failed',
      failureCode: 'AllocationFailed',
      detail: 'No capacity in westeurope (AllocationFailed). It is deallocated now.',
    });
    const bare = mapInstanceState({ provisioningState: 'Failed' });
    assert.equal(bare.state, 'failed');
    assert.equal(bare.detail, 'The last operation on it failed.');
  });

  test('without an instance view it falls back to the model provisioning state', () => {
    assert.equal(mapInstanceState({ provisioningState: 'Creating' }).state, 'starting');
    assert.match(
      mapInstanceState({ provisioningState: 'Succeeded' }).detail ?? '',
      /no power state/,
    );
    assert.equal(mapInstanceState({}).state, 'failed');
  });
});
