// The actions on a pool's instances and capacity: start, deallocate, restart or delete chosen
// instances, scale-in protection, scale (noting when autoscale will undo it), stop all.
import { ErrorCode, RpcError } from '../../../common/errors';
import { type AzureClients, type AzurePoolRef, describeAzureFailure } from '../arm/index';
import { poolResourceNames } from '../template/index';
import type { OperationHandle } from './azure-operation-tracker';
import { type LroOptions, type PoolActionPlan, target } from './pool-action';
import {
  type InstanceAction,
  azInstanceAction,
  azScalePool,
  azSetScaleInProtection,
  azStopAll,
} from './pool-az';
import { capacityLimit, capacityProblem } from './scale-limit';

/** start / deallocate / restart / delete the given instances (one request for all). */
export function planInstanceAction(
  pool: AzurePoolRef,
  action: InstanceAction,
  instanceIds: readonly string[],
  lro: LroOptions,
): PoolActionPlan<void> {
  const command = azInstanceAction(target(pool), action, instanceIds);
  const ids = [...new Set(instanceIds)];
  const what = `${ids.length > 1 ? 'instances' : 'instance'} ${ids.join(', ')} of pool ${pool.poolName}`;
  const verb = {
    start: 'start',
    deallocate: 'stop (deallocate)',
    restart: 'restart',
    delete: 'delete',
  }[action];
  return {
    title: `${capitalize(verb)} ${what}`,
    az: [command],
    action: `${verb} ${what}`,
    work: async (op, clients) => {
      const vmss = poolResourceNames(pool.poolName).vmss;
      const sets = clients.compute.virtualMachineScaleSets;
      const options = { ...lro, vmInstanceIDs: { instanceIds: ids } };
      op.progress(`${capitalize(verb)}: asked Azure for ${what}…`);
      if (action === 'start') await sets.start(pool.resourceGroup, vmss, options);
      else if (action === 'deallocate') await sets.deallocate(pool.resourceGroup, vmss, options);
      else if (action === 'restart') await sets.restart(pool.resourceGroup, vmss, options);
      else await sets.deleteInstances(pool.resourceGroup, vmss, { instanceIds: ids }, lro);
      op.progress(`${capitalize(verb)}: done.`);
    },
  };
}

/** Protects an instance from scale-in (autoscale or a smaller capacity will not remove it). */
export function planScaleInProtection(
  pool: AzurePoolRef,
  instanceId: string,
  protect: boolean,
  lro: LroOptions,
): PoolActionPlan<void> {
  const command = azSetScaleInProtection(target(pool), instanceId, protect);
  const title = `${protect ? 'Protect' : 'Unprotect'} instance ${instanceId} of pool ${pool.poolName} from scale-in`;
  return {
    title,
    az: [command],
    action: `change the scale-in protection of instance ${instanceId}`,
    work: async (op, clients) => {
      const vmss = poolResourceNames(pool.poolName).vmss;
      const vms = clients.compute.virtualMachineScaleSetVMs;
      const vm = await vms.get(pool.resourceGroup, vmss, instanceId);
      // A minimal PUT, as Azure documents for protection: location and the policy only; the
      // other protection flag keeps its value.
      await vms.update(
        pool.resourceGroup,
        vmss,
        instanceId,
        {
          location: vm.location,
          protectionPolicy: { ...vm.protectionPolicy, protectFromScaleIn: protect },
        },
        lro,
      );
      op.progress(
        `Instance ${instanceId} is ${protect ? 'now' : 'no longer'} protected from scale-in.`,
      );
    },
  };
}

/** Sets the scale set's capacity (instances are added or removed per its scale-in policy). */
export function planScale(
  pool: AzurePoolRef,
  capacity: number,
  lro: LroOptions,
): PoolActionPlan<void> {
  const command = azScalePool(target(pool), capacity);
  const title = `Scale pool ${pool.poolName} to ${capacity} instance${capacity === 1 ? '' : 's'}`;
  return {
    title,
    az: [command],
    action: `scale pool ${pool.poolName} to ${capacity}`,
    work: async (op, clients) => {
      const names = poolResourceNames(pool.poolName);
      // Azure refuses a capacity beyond the scale set's limits: say so before asking it.
      const [vmss, lb] = await Promise.all([
        clients.compute.virtualMachineScaleSets.get(pool.resourceGroup, names.vmss),
        clients.network.loadBalancers
          .get(pool.resourceGroup, names.loadBalancer)
          .catch((err: unknown) => {
            if (describeAzureFailure(err).status === 404) return undefined;
            throw err;
          }),
      ]);
      const problem = capacityProblem(pool.poolName, capacity, capacityLimit(vmss, lb));
      if (problem) throw new RpcError(ErrorCode.BadInput, problem);
      await warnAboutAutoscale(op, clients, pool, capacity);
      op.progress(`Setting the capacity of ${names.vmss} to ${capacity}…`);
      await clients.compute.virtualMachineScaleSets.update(
        pool.resourceGroup,
        names.vmss,
        {
          sku: { capacity },
        },
        lro,
      );
      op.progress(`${names.vmss} has ${capacity} instance${capacity === 1 ? '' : 's'}.`);
    },
  };
}

/** Deallocates every instance: nothing is deleted, compute charges stop. */
export function planStopAll(pool: AzurePoolRef, lro: LroOptions): PoolActionPlan<void> {
  const command = azStopAll(target(pool));
  return {
    title: `Stop every instance of pool ${pool.poolName}`,
    az: [command],
    action: `stop every instance of pool ${pool.poolName}`,
    work: async (op, clients) => {
      op.progress('Deallocating every instance…');
      await clients.compute.virtualMachineScaleSets.deallocate(
        pool.resourceGroup,
        poolResourceNames(pool.poolName).vmss,
        lro,
      );
      op.progress('Every instance is deallocated.');
    },
  };
}

async function warnAboutAutoscale(
  op: OperationHandle,
  clients: AzureClients,
  pool: AzurePoolRef,
  capacity: number,
): Promise<void> {
  try {
    const setting = await clients.monitor.autoscaleSettings.get(
      pool.resourceGroup,
      poolResourceNames(pool.poolName).autoscale,
    );
    const profile = setting.profiles.find((p) => p.name === 'default') ?? setting.profiles[0];
    if (!setting.enabled || !profile) return;
    const min = Number(profile.capacity.minimum);
    const max = Number(profile.capacity.maximum);
    if (capacity < min || capacity > max) {
      op.progress(
        `Note: autoscale is on with ${min}–${max} instances; it will bring the pool back within that range. Change the autoscale bounds to keep ${capacity}.`,
      );
    }
  } catch {
    // No autoscale setting (or no right to read it): nothing to warn about.
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
