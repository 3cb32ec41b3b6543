// How many instances a pool's scale set may be asked for, and why no more: Azure refuses a
// capacity beyond the placement group's limit or the SNAT budget of the outbound rule, and the
// SSH NAT port range has one port per instance.
import type { LoadBalancer } from '@azure/arm-network';
import type { CapacityLimit } from '../../../common/models';
import { INSTANCE_LIMIT, SNAT_PORTS_PER_IP } from '../template/index';

/**
 * The smallest of: 100 in a single placement group (else 1000); the NAT rule v2 port range's
 * size; what each outbound rule's SNAT ports allow (64,000 per frontend IP ÷ ports per instance).
 */
export function capacityLimit(
  scaleSet: { singlePlacementGroup?: boolean },
  loadBalancer: LoadBalancer | undefined,
): CapacityLimit {
  const single = scaleSet.singlePlacementGroup !== false;
  let limit: CapacityLimit = single
    ? {
        max: INSTANCE_LIMIT.singlePlacementGroup,
        reason: `a scale set in a single placement group holds at most ${INSTANCE_LIMIT.singlePlacementGroup} instances`,
      }
    : {
        max: INSTANCE_LIMIT.uniform,
        reason: `a scale set holds at most ${INSTANCE_LIMIT.uniform} instances`,
      };
  const lower = (candidate: CapacityLimit) => {
    if (candidate.max < limit.max) limit = candidate;
  };
  for (const rule of loadBalancer?.inboundNatRules ?? []) {
    const { frontendPortRangeStart: start, frontendPortRangeEnd: end } = rule;
    if (start === undefined || end === undefined || !rule.backendAddressPool) continue;
    lower({
      max: end - start + 1,
      reason: `the SSH port range ${start}–${end} has one port for each of ${end - start + 1} instances`,
    });
  }
  for (const rule of loadBalancer?.outboundRules ?? []) {
    const ports = rule.allocatedOutboundPorts;
    if (!ports) continue;
    const ips = Math.max(1, rule.frontendIPConfigurations?.length ?? 1);
    const max = Math.floor((SNAT_PORTS_PER_IP * ips) / ports);
    lower({
      max,
      reason: `the outbound rule gives each instance ${ports} SNAT ports of the ${(SNAT_PORTS_PER_IP * ips).toLocaleString('en-US')} its public IP${ips === 1 ? '' : 's'} offer${ips === 1 ? 's' : ''}`,
    });
  }
  return limit;
}

/** The refusal of a capacity over the limit, in the Scale dialog's words. */
export function capacityProblem(
  poolName: string,
  capacity: number,
  limit: CapacityLimit,
): string | undefined {
  if (capacity <= limit.max) return undefined;
  return `Pool ${poolName} can hold at most ${limit.max} instances: ${limit.reason}. Enter ${limit.max} or fewer for "Number of instances"; nothing was changed.`;
}
