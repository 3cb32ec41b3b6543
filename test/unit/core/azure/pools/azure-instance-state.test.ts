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

describe('mapInstanceState: the agent extension', () => {
  const failedMessage =
    'Enable failed: failed to execute command: command terminated with exit status=1\n[stdout]\n\n[stderr]\ndsvm-pool-agent-installer: refusing to run it\n';
  /** As the emulator (and Azure) report a VM whose CustomScript extension failed. */
  const withExtension = (code: string, message: string, vmFailure?: string) => {
    const base = vm(
      vmFailure ? 'Failed' : 'Succeeded',
      'running',
      vmFailure
        ? { code: vmFailure, message: `VM has reported a failure … '${message}'.` }
        : undefined,
    );
    return {
      ...base,
      instanceView: {
        ...base.instanceView,
        extensions: [
          {
            name: 'dsvm-pool-agent',
            type: 'Microsoft.Azure.Extensions.CustomScript',
            statuses: [{ code, message, displayStatus: 'x' }],
          },
        ],
      },
    };
  };

  test('a failed agent extension leaves a running, reachable instance with the extension’s message', () => {
    const mapped = mapInstanceState(
      withExtension('ProvisioningState/failed/0', failedMessage, 'VMExtensionProvisioningError'),
    );
    assert.equal(mapped.state, 'running', 'the VM runs and takes SSH: Repair agent can reach it');
    assert.equal(mapped.provisioningState, 'failed');
    assert.equal(mapped.failureCode, 'VMExtensionProvisioningError');
    assert.match(mapped.detail ?? '', /agent extension failed \(VMExtensionProvisioningError\)/);
    assert.deepEqual(mapped.agentExtension, {
      name: 'dsvm-pool-agent',
      status: 'failed',
      message: failedMessage,
    });
  });

  test('succeeded and transitioning; none before the VM reported one; other failures stay failed', () => {
    const ok = mapInstanceState(
      withExtension('ProvisioningState/succeeded', 'Enable succeeded: \n[stdout]\n\n[stderr]\n'),
    );
    assert.equal(ok.state, 'running');
    assert.equal(ok.agentExtension?.status, 'succeeded');
    assert.equal(
      mapInstanceState(withExtension('ProvisioningState/transitioning', 'Enable in progress'))
        .agentExtension?.status,
      'running',
    );
    assert.equal(mapInstanceState(vm('Succeeded', 'running')).agentExtension, undefined);
    // A deallocated VM whose provisioning failed for another reason is not made "running".
    const other = mapInstanceState(
      vm('Failed', 'running', { code: 'OSProvisioningTimedOut', message: 'x' }),
    );
    assert.equal(other.state, 'failed');
  });
});
