// Deleting a pool: exactly what the template created, dependants first, each only if it carries
// the pool's tag; the resource group only if the pool created it and it is empty afterwards.
import { ErrorCode, RpcError } from '../../../common/errors';
import {
  type AzureClients,
  type AzurePoolRef,
  IN_USE_CODES,
  describeAzureFailure,
} from '../arm/index';
import { poolResourceNames } from '../template/index';
import type { OperationHandle } from './azure-operation-tracker';
import { type LroOptions, type PoolActionPlan, collect, target } from './pool-action';
import { azDeletePool } from './pool-az';
import { POOL_TAG } from './pool-summary';

export interface DeletePoolResult {
  /** `type/name` of each resource deleted, in order. */
  deleted: string[];
  /** Resources left alone, and why (not tagged as this pool's). */
  kept: Array<{ resource: string; reason: string }>;
  resourceGroupDeleted: boolean;
}

const ARM_TYPES = {
  autoscale: 'Microsoft.Insights/autoscaleSettings',
  vmss: 'Microsoft.Compute/virtualMachineScaleSets',
  loadBalancer: 'Microsoft.Network/loadBalancers',
  publicIp: 'Microsoft.Network/publicIPAddresses',
  vnet: 'Microsoft.Network/virtualNetworks',
  nsg: 'Microsoft.Network/networkSecurityGroups',
} as const;

/**
 * Deletes exactly what the template created — autoscale setting, scale set, load balancer,
 * public IP, virtual network, NSG, dependants first — each only if it carries this pool's tag.
 * The resource group goes only if the pool created it and it is empty afterwards. `confirmName`
 * must be the pool's name, typed by the admin.
 */
export function planDeletePool(
  pool: AzurePoolRef,
  confirmation: { confirmName: string },
  lro: LroOptions,
  deleted: (pool: AzurePoolRef) => void,
): PoolActionPlan<DeletePoolResult> {
  if (confirmation.confirmName.trim() !== pool.poolName) {
    throw new RpcError(
      ErrorCode.BadInput,
      `To delete the pool, type its name "${pool.poolName}" exactly; "${confirmation.confirmName}" does not match, so nothing was deleted.`,
    );
  }
  const az = azDeletePool({ ...target(pool), ownsResourceGroup: false });
  return {
    title: `Delete pool ${pool.poolName}`,
    az,
    action: `delete pool ${pool.poolName}`,
    work: async (op, clients) => {
      const result = await deleteResources(op, clients, pool, lro);
      if (result.deleted.length > 0 || result.kept.length > 0) deleted({ ...pool });
      return result;
    },
  };
}

async function deleteResources(
  op: OperationHandle,
  clients: AzureClients,
  pool: AzurePoolRef,
  lro: LroOptions,
): Promise<DeletePoolResult> {
  const rg = pool.resourceGroup;
  const n = poolResourceNames(pool.poolName);
  const { compute, network, monitor } = clients;
  // Dependants first, in the order Azure accepts (it refuses to delete what is still in use):
  // autoscale targets the scale set; the scale set's NICs sit in the load balancer's pool
  // (LoadBalancerInUseByVirtualMachineScaleSet) and the subnet (InUseSubnetCannotBeDeleted);
  // the load balancer's frontend holds the public IP (PublicIPAddressCannotBeDeleted); the
  // subnet holds the NSG (InUseNetworkSecurityGroupCannotBeDeleted), so the VNet goes first.
  const steps: Array<{
    type: string;
    name: string;
    get: () => Promise<{ tags?: Record<string, string> }>;
    remove: () => Promise<unknown>;
  }> = [
    {
      type: ARM_TYPES.autoscale,
      name: n.autoscale,
      get: () => monitor.autoscaleSettings.get(rg, n.autoscale),
      remove: () => monitor.autoscaleSettings.delete(rg, n.autoscale),
    },
    {
      type: ARM_TYPES.vmss,
      name: n.vmss,
      get: () => compute.virtualMachineScaleSets.get(rg, n.vmss),
      remove: () => compute.virtualMachineScaleSets.delete(rg, n.vmss, lro),
    },
    {
      type: ARM_TYPES.loadBalancer,
      name: n.loadBalancer,
      get: () => network.loadBalancers.get(rg, n.loadBalancer),
      remove: () => network.loadBalancers.beginDeleteAndWait(rg, n.loadBalancer, lro),
    },
    {
      type: ARM_TYPES.publicIp,
      name: n.publicIp,
      get: () => network.publicIPAddresses.get(rg, n.publicIp),
      remove: () => network.publicIPAddresses.beginDeleteAndWait(rg, n.publicIp, lro),
    },
    {
      type: ARM_TYPES.vnet,
      name: n.vnet,
      get: () => network.virtualNetworks.get(rg, n.vnet),
      remove: () => network.virtualNetworks.beginDeleteAndWait(rg, n.vnet, lro),
    },
    {
      type: ARM_TYPES.nsg,
      name: n.nsg,
      get: () => network.networkSecurityGroups.get(rg, n.nsg),
      remove: () => network.networkSecurityGroups.beginDeleteAndWait(rg, n.nsg, lro),
    },
  ];
  const result: DeletePoolResult = { deleted: [], kept: [], resourceGroupDeleted: false };
  let found = 0;
  for (const step of steps) {
    const label = `${step.type}/${step.name}`;
    let resource: { tags?: Record<string, string> };
    try {
      resource = await step.get();
    } catch (err) {
      if (describeAzureFailure(err).status === 404) {
        op.progress(`${label}: not there (already deleted).`);
        continue;
      }
      throw err;
    }
    found++;
    if (resource.tags?.[POOL_TAG] !== pool.poolName) {
      const reason = `it does not carry the tag ${POOL_TAG}=${pool.poolName}, so the pool did not create it`;
      op.progress(`${label}: left alone — ${reason}.`);
      result.kept.push({ resource: label, reason });
      continue;
    }
    op.progress(`${label}: deleting…`);
    try {
      await step.remove();
    } catch (err) {
      throw inUseRefusal(err, pool, label, result.deleted) ?? err;
    }
    result.deleted.push(label);
    op.progress(`${label}: deleted.`);
  }
  if (found === 0) {
    throw new RpcError(
      ErrorCode.NotFound,
      `Pool ${pool.poolName} has no resources in resource group ${rg}: it may have been deleted already.`,
    );
  }

  // The group: only when the pool created it (its tag) and nothing else lives in it.
  const group = await clients.resources.resourceGroups.get(rg);
  if (group.tags?.[POOL_TAG] !== pool.poolName) {
    op.progress(`Resource group ${rg} kept: the pool did not create it.`);
    return result;
  }
  const left = await collect(clients.resources.resources.listByResourceGroup(rg));
  if (left.length > 0) {
    op.progress(
      `Resource group ${rg} kept: it still holds ${left.length} other resource${left.length === 1 ? '' : 's'}.`,
    );
    return result;
  }
  op.setAz([
    ...azDeletePool({ ...target(pool), ownsResourceGroup: false }),
    ...azDeletePool({ ...target(pool), ownsResourceGroup: true }),
  ]);
  op.progress(`Resource group ${rg}: deleting (the pool created it and it is empty)…`);
  await clients.resources.resourceGroups.beginDeleteAndWait(rg, lro);
  result.resourceGroupDeleted = true;
  op.progress(`Resource group ${rg}: deleted.`);
  return result;
}

/**
 * Azure refused a delete because something still uses the resource (one the pool did not
 * create, or made by hand): say which, what is already gone, and that a retry skips it.
 */
function inUseRefusal(
  err: unknown,
  pool: AzurePoolRef,
  label: string,
  deleted: string[],
): RpcError | undefined {
  const failure = describeAzureFailure(err);
  if (!failure.code || !IN_USE_CODES.has(failure.code)) return undefined;
  const gone = deleted.length > 0 ? ` Deleted so far: ${deleted.join(', ')}.` : '';
  return new RpcError(
    ErrorCode.BadInput,
    `Pool ${pool.poolName} is only partly deleted: Azure refused to delete ${label} because ` +
      `another resource still uses it (${failure.code}: ${failure.message}).${gone} Delete or ` +
      'detach the resource Azure names, then delete the pool again: what is gone is skipped.',
  );
}
