// Start on connect: makes sure one instance of a pool runs for a user who clicked Connect
// (one running, else a stopped one started, else the pool scaled up by one).
import { ErrorCode, RpcError } from '../../../common/errors';
import type { AzurePoolRef } from '../arm/index';
import { poolResourceNames } from '../template/index';
import { mapInstanceState } from './azure-instance-state';
import { type LroOptions, type PoolActionPlan, collect, target } from './pool-action';
import { azInstanceAction, azScalePool } from './pool-az';

export interface StartOnConnectResult {
  instanceId: string;
  /** `running`: one was running already; `started`: a stopped one was started; `scaled`: the pool was empty and got one. */
  how: 'running' | 'started' | 'scaled';
}

/**
 * Makes sure one instance runs, for a user who clicked Connect: one running already is
 * returned; else a stopped one is started; else (no instance at all) the pool is scaled to 1.
 */
export function planStartOnConnect(
  pool: AzurePoolRef,
  lro: LroOptions,
): PoolActionPlan<StartOnConnectResult> {
  return {
    title: `Start an instance of pool ${pool.poolName}`,
    az: [],
    action: `start an instance of pool ${pool.poolName}`,
    work: async (op, clients) => {
      const vmss = poolResourceNames(pool.poolName).vmss;
      op.progress('Looking for a running instance…');
      const vms = await collect(
        clients.compute.virtualMachineScaleSetVMs.list(pool.resourceGroup, vmss, {
          expand: 'instanceView',
        }),
      );
      const states = vms.map((vm) => ({ id: vm.instanceId ?? '', ...mapInstanceState(vm) }));
      const running = states.find((s) => s.state === 'running');
      if (running) {
        op.progress(`Instance ${running.id} is running.`);
        return { instanceId: running.id, how: 'running' };
      }
      const startable = pickStartable(states);
      if (startable) {
        const command = azInstanceAction(target(pool), 'start', [startable]);
        op.setAz([command]);
        op.progress(`No instance is running: starting instance ${startable}…`);
        await clients.compute.virtualMachineScaleSets.start(pool.resourceGroup, vmss, {
          ...lro,
          vmInstanceIDs: { instanceIds: [startable] },
        });
        op.progress(`Instance ${startable} is running.`);
        return { instanceId: startable, how: 'started' };
      }
      const capacity = states.filter((s) => s.provisioningState !== 'deleting').length + 1;
      op.setAz([azScalePool(target(pool), capacity)]);
      op.progress(`The pool has no instance: scaling to ${capacity}…`);
      await clients.compute.virtualMachineScaleSets.update(
        pool.resourceGroup,
        vmss,
        { sku: { capacity } },
        lro,
      );
      const after = await collect(
        clients.compute.virtualMachineScaleSetVMs.list(pool.resourceGroup, vmss, {
          expand: 'instanceView',
        }),
      );
      const fresh = after.find((vm) => mapInstanceState(vm).state === 'running');
      if (!fresh?.instanceId) {
        throw new RpcError(
          ErrorCode.NoInstance,
          `Pool ${pool.poolName} was scaled to ${capacity}, but no instance is running yet. Try Connect again in a minute.`,
        );
      }
      op.progress(`Instance ${fresh.instanceId} is running.`);
      return { instanceId: fresh.instanceId, how: 'scaled' };
    },
  };
}

/**
 * Which instance to start for a user: one already starting, else the lowest-numbered stopped one
 * (a failed start leaves it deallocated with a failed provisioning state: still startable).
 */
function pickStartable(
  states: Array<{ id: string; state: string; powerState?: string; provisioningState?: string }>,
): string | undefined {
  const byId = [...states].sort((a, b) => Number(a.id) - Number(b.id));
  const starting = byId.find((s) => s.state === 'starting');
  if (starting) return starting.id;
  const stopped = byId.find(
    (s) =>
      s.provisioningState !== 'deleting' &&
      (s.state === 'stopped' ||
        s.state === 'stopping' ||
        (s.state === 'failed' && s.powerState !== undefined)),
  );
  return stopped?.id;
}
