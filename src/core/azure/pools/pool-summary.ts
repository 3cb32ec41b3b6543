// A pool as the admin view lists it: the tag that marks a pool's resources, and a scale set
// summarized (where it is, its size, its capacity, the template version that made it).
import type { VirtualMachineScaleSet } from '@azure/arm-compute';
import type { AzurePoolRef } from '../arm/index';

/** The tag by which the app recognises a pool's resources (and a resource group it created). */
export const POOL_TAG = 'dsvm-pool';

export interface AzurePoolSummary extends AzurePoolRef {
  /** The scale set's ARM id. */
  id: string;
  location: string;
  vmSize: string;
  /** Instances the scale set holds now (sku.capacity). */
  capacity: number;
  adminUsername?: string;
  provisioningState?: string;
  /** The `dsvm-pool-template` tag: which template version made it. */
  templateVersion?: string;
  tags: Record<string, string>;
}

/** The resource group segment of an ARM id (its case as ARM returns it). */
export function resourceGroupOf(id: string): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? '';
}

export function summarize(subscriptionId: string, vmss: VirtualMachineScaleSet): AzurePoolSummary {
  const tags = { ...(vmss.tags ?? {}) };
  const summary: AzurePoolSummary = {
    subscriptionId,
    resourceGroup: resourceGroupOf(vmss.id ?? ''),
    poolName: vmss.name ?? tags[POOL_TAG] ?? '',
    id: vmss.id ?? '',
    location: vmss.location,
    vmSize: vmss.sku?.name ?? '',
    capacity: vmss.sku?.capacity ?? 0,
    tags,
  };
  const admin = vmss.virtualMachineProfile?.osProfile?.adminUsername;
  if (admin) summary.adminUsername = admin;
  if (vmss.provisioningState) summary.provisioningState = vmss.provisioningState;
  if (tags['dsvm-pool-template']) summary.templateVersion = tags['dsvm-pool-template'];
  return summary;
}
