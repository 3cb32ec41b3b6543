// Reads how far an Azure pool can be scaled: one SSH NAT port per instance on its load balancer,
// the scale set's placement limit, and the autoscale setting's default bounds.
import type { ScaleLimits } from '../../../common/scale-limits';
import type { AzureClients, AzurePoolRef } from '../arm/index';
import { describeAzureFailure } from '../arm/index';
import { INSTANCE_LIMIT, poolResourceNames } from '../template/index';

/** The NAT rule (v2) that leads to port 22: its frontend port range. */
function natRange(
  lb: { inboundNatRules?: Array<Record<string, unknown>> } | undefined,
  preferred: string,
): { start: number; end: number } | undefined {
  const rules = (lb?.inboundNatRules ?? []).filter(
    (r) =>
      typeof r.frontendPortRangeStart === 'number' &&
      typeof r.frontendPortRangeEnd === 'number' &&
      Number(r.backendPort) === 22,
  );
  const rule = rules.find((r) => String(r.name).toLowerCase() === preferred) ?? rules[0];
  if (!rule) return undefined;
  return { start: Number(rule.frontendPortRangeStart), end: Number(rule.frontendPortRangeEnd) };
}

/**
 * The pool's scale limits. A load balancer or autoscale setting that cannot be read leaves its
 * part out (the scale set's own limit still holds); a scale set that cannot be read fails.
 */
export async function readScaleLimits(
  clients: AzureClients,
  pool: AzurePoolRef,
  autoscale: () => Promise<ScaleLimits['autoscale']>,
): Promise<ScaleLimits> {
  const names = poolResourceNames(pool.poolName);
  const [vmss, lb, bounds] = await Promise.all([
    clients.compute.virtualMachineScaleSets.get(pool.resourceGroup, names.vmss),
    clients.network.loadBalancers
      .get(pool.resourceGroup, names.loadBalancer)
      .catch((err: unknown) => {
        if (describeAzureFailure(err).status === 404) return undefined;
        throw err;
      }),
    autoscale().catch(() => undefined),
  ]);
  const placementLimit =
    vmss.singlePlacementGroup === false
      ? INSTANCE_LIMIT.uniform
      : INSTANCE_LIMIT.singlePlacementGroup;
  const natPorts = natRange(
    lb as { inboundNatRules?: Array<Record<string, unknown>> } | undefined,
    names.natRule,
  );
  const natSize = natPorts ? natPorts.end - natPorts.start + 1 : Infinity;
  const limits: ScaleLimits = {
    maxCapacity: Math.max(0, Math.min(placementLimit, natSize)),
    placementLimit,
  };
  if (natPorts) limits.natPorts = natPorts;
  if (bounds) limits.autoscale = bounds;
  return limits;
}
