// Reads each scale set instance's SSH NAT frontend port from one load balancer GET (NAT rule v2:
// backendAddressPools[].loadBalancerBackendAddresses[].inboundNatRulesPortMapping).

/** The parts of a load balancer (arm-network 36) this reads. */
export interface LoadBalancerNatInput {
  backendAddressPools?: Array<{
    loadBalancerBackendAddresses?: Array<{
      networkInterfaceIPConfiguration?: { id?: string };
      inboundNatRulesPortMapping?: Array<{
        inboundNatRuleName?: string;
        frontendPort?: number;
        backendPort?: number;
      }>;
    }>;
  }>;
}

/**
 * instance id → frontend port of the rule that leads to `backendPort` (22), for the VMs of one
 * scale set. An IP configuration id is `<scale set id>/virtualMachines/<instance id>/
 * networkInterfaces/<nic>/ipConfigurations/<ip config>`; ids compare case-insensitively as ARM's
 * do. When several rules lead to port 22, the one named `preferredRule` wins.
 */
export function natPortsByInstance(
  loadBalancer: LoadBalancerNatInput,
  scaleSetId: string,
  options: { backendPort?: number; preferredRule?: string } = {},
): Map<string, number> {
  const backendPort = options.backendPort ?? 22;
  const prefix = `${scaleSetId.toLowerCase()}/virtualmachines/`;
  const ports = new Map<string, number>();
  const preferred = new Set<string>();
  for (const pool of loadBalancer.backendAddressPools ?? []) {
    for (const address of pool.loadBalancerBackendAddresses ?? []) {
      const id = address.networkInterfaceIPConfiguration?.id?.toLowerCase();
      if (!id?.startsWith(prefix)) continue;
      const instanceId = id.slice(prefix.length).split('/')[0];
      if (!instanceId) continue;
      for (const mapping of address.inboundNatRulesPortMapping ?? []) {
        if (mapping.backendPort !== backendPort || typeof mapping.frontendPort !== 'number') {
          continue;
        }
        const isPreferred =
          options.preferredRule !== undefined &&
          mapping.inboundNatRuleName?.toLowerCase() === options.preferredRule.toLowerCase();
        if (preferred.has(instanceId) && !isPreferred) continue;
        if (!ports.has(instanceId) || isPreferred) ports.set(instanceId, mapping.frontendPort);
        if (isPreferred) preferred.add(instanceId);
      }
    }
  }
  return ports;
}
