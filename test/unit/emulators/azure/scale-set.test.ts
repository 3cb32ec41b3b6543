// A scale set's instances over time: creation, power actions with their intermediate states,
// superseded actions, failures, scale-in order and protection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EmulatorDelays } from '../../../emulators/azure/emulator-context';
import { ScaleSet } from '../../../emulators/azure/scale-set';
import { Scheduler } from '../../../emulators/azure/scheduler';

const delays: EmulatorDelays = {
  vmCreate: 30,
  vmStart: 30,
  vmStop: 30,
  vmDeallocate: 30,
  vmRestart: 30,
  vmDelete: 30,
  resource: 5,
};

function make() {
  const scheduler = new Scheduler();
  let changes = 0;
  const set = new ScaleSet('pool', () => 'pool', delays, scheduler, {
    instancesChanged: async () => {
      changes++;
    },
    touched: () => {},
  });
  return { set, scheduler, changes: () => changes };
}

const states = (set: ScaleSet) =>
  [...set.instances.values()].map(
    (vm) => `${vm.instanceId}:${vm.provisioningState}/${vm.powerState ?? '-'}`,
  );

describe('ScaleSet', () => {
  it('creates instances over time with computer names and addresses', async () => {
    const { set, scheduler } = make();
    const created = set.add(2);
    assert.deepEqual(states(set), ['0:Creating/starting', '1:Creating/starting']);
    await created;
    assert.deepEqual(states(set), ['0:Succeeded/running', '1:Succeeded/running']);
    assert.deepEqual(
      [...set.instances.values()].map((vm) => [vm.computerName, vm.privateIpAddress]),
      [
        ['pool000000', '10.0.0.4'],
        ['pool000001', '10.0.0.5'],
      ],
    );
    assert.ok([...set.instances.values()].every((vm) => vm.sshUp));
    scheduler.close();
  });

  it('shows the intermediate state of an action, and SSH goes down when the VM does', async () => {
    const { set, scheduler } = make();
    await set.add(1);
    const deallocating = set.act('deallocate', ['0']);
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(states(set), ['0:Updating/deallocating']);
    assert.equal(set.get('0')?.sshUp, false);
    await deallocating;
    assert.deepEqual(states(set), ['0:Succeeded/deallocated']);
    await set.act('start', undefined);
    assert.deepEqual(states(set), ['0:Succeeded/running']);
    scheduler.close();
  });

  it('lets a later action supersede an earlier one on the same VM', async () => {
    const { set, scheduler } = make();
    await set.add(1);
    const first = set.act('deallocate', ['0']);
    const second = set.act('start', ['0']);
    await Promise.all([first, second]);
    assert.deepEqual(states(set), ['0:Succeeded/running']);
    scheduler.close();
  });

  it('fails an action with the queued error, leaving the power state as it was', async () => {
    const { set, scheduler } = make();
    await set.add(1);
    await set.act('deallocate', ['0']);
    await assert.rejects(
      set.act('start', ['0'], { code: 'AllocationFailed', message: 'full' }),
      /full/,
    );
    assert.deepEqual(states(set), ['0:Failed/deallocated']);
    assert.equal(set.get('0')?.failure?.code, 'AllocationFailed');
    scheduler.close();
  });

  it('refuses unknown instance ids with a 400', () => {
    const { set, scheduler } = make();
    assert.throws(() => set.act('start', ['7']), { status: 400, code: 'InvalidParameter' });
    scheduler.close();
  });

  it('scales in newest first (or oldest first), never a protected VM', async () => {
    const { set, scheduler } = make();
    await set.add(4);
    set.get('3')!.protectionPolicy = { protectFromScaleIn: true };
    await set.scaleTo(3, 'NewestVM');
    assert.deepEqual([...set.instances.keys()], ['0', '1', '3'], '2 went: the newest unprotected');
    await set.scaleTo(2, 'OldestVM');
    assert.deepEqual([...set.instances.keys()], ['1', '3'], '0 went: the oldest');
    await set.scaleTo(3, undefined);
    assert.deepEqual([...set.instances.keys()], ['1', '3', '4'], 'ids are never reused');
    scheduler.close();
  });

  it('leaves instances behind the model under Manual upgrade until upgraded', async () => {
    const { set, scheduler } = make();
    await set.add(2);
    set.modelChanged('Manual');
    assert.deepEqual(
      [...set.instances.values()].map((vm) => vm.latestModelApplied),
      [false, false],
    );
    await set.upgrade(['1']);
    assert.deepEqual(
      [...set.instances.values()].map((vm) => vm.latestModelApplied),
      [false, true],
    );
    scheduler.close();
  });
});
