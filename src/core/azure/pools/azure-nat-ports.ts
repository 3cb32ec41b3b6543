// What one load balancer GET tells about the scale set instances' SSH NAT ports: the NAT rule v2
// that leads to port 22 and its backend pool, each instance's IP configuration in that pool, and
// the ports themselves where Azure lists them (IP-based pools only; a scale set's pool is
// NIC-based, so its ports come from queryInboundNatRulePortMapping, see nat-port-cache.ts).

/** The parts of a load balancer (arm-network 36) this reads. */
export interface LoadBalancerNatInput {
  id?: string;
  inboundNatRules?: Array<{
    name?: string;
    backendPort?: number;
    frontendPortRangeStart?: number;
    backendAddressPool?: { id?: string };
  }>;
  backendAddressPools?: Array<{
    id?: string;
    name?: string;
    backendIPConfigurations?: Array<{ id?: string }>;
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

/** A NAT rule v2 (a port range for a whole backend pool) that leads to the SSH port. */
export interface SshNatRule {
  /** The load balancer's id. */
  loadBalancerId: string;
  ruleName: string;
  /** The backend pool the rule maps, by name (the port query's path names it). */
  poolName: string;
  poolId: string;
  backendPort: number;
  /** Where its frontend ports begin: a rule moved elsewhere maps anew. */
  frontendPortRangeStart: number;
}

/**
 * The NAT rule v2 leading to `backendPort` (22): a rule with a frontend port range and a backend
 * pool. When several do, the one named `preferredRule` wins, else the first.
 */
export function sshNatRule(
  loadBalancer: LoadBalancerNatInput,
  options: { backendPort?: number; preferredRule?: string } = {},
): SshNatRule | undefined {
  const backendPort = options.backendPort ?? 22;
  const candidates = (loadBalancer.inboundNatRules ?? []).filter(
    (r) =>
      r.backendPort === backendPort &&
      typeof r.frontendPortRangeStart === 'number' &&
      typeof r.backendAddressPool?.id === 'string',
  );
  const preferred = options.preferredRule?.toLowerCase();
  const rule = candidates.find((r) => r.name?.toLowerCase() === preferred) ?? candidates[0];
  const poolId = rule?.backendAddressPool?.id;
  if (!rule?.name || !poolId) return undefined;
  return {
    loadBalancerId: loadBalancer.id ?? poolId.replace(/\/backendAddressPools\/[^/]+$/i, ''),
    ruleName: rule.name,
    poolName: poolId.split('/').pop() ?? '',
    poolId,
    backendPort,
    frontendPortRangeStart: rule.frontendPortRangeStart ?? 0,
  };
}

/**
 * instance id → its IP configuration in the pool `poolId`, from the pool's
 * `backendIPConfigurations` (how a NIC-based pool names its members). An IP configuration id is
 * `<scale set id>/virtualMachines/<instance id>/networkInterfaces/<nic>/ipConfigurations/<ip
 * config>`; ids compare case-insensitively as ARM's do.
 */
export function ipConfigurationsByInstance(
  loadBalancer: LoadBalancerNatInput,
  poolId: string,
  scaleSetId: string,
): Map<string, string> {
  const out = new Map<string, string>();
  const pool = (loadBalancer.backendAddressPools ?? []).find(
    (p) => p.id?.toLowerCase() === poolId.toLowerCase(),
  );
  for (const config of pool?.backendIPConfigurations ?? []) {
    const instanceId = instanceOf(config.id, scaleSetId);
    if (instanceId !== undefined && config.id) out.set(instanceId, config.id);
  }
  return out;
}

/**
 * instance id → frontend port of the rule that leads to `backendPort` (22), for the VMs of one
 * scale set, from `loadBalancerBackendAddresses[].inboundNatRulesPortMapping` — which Azure fills
 * for IP-based pools (each address with the NIC holding it). When several rules lead to port 22,
 * the one named `preferredRule` wins.
 */
export function natPortsByInstance(
  loadBalancer: LoadBalancerNatInput,
  scaleSetId: string,
  options: { backendPort?: number; preferredRule?: string } = {},
): Map<string, number> {
  const backendPort = options.backendPort ?? 22;
  const ports = new Map<string, number>();
  const preferred = new Set<string>();
  for (const pool of loadBalancer.backendAddressPools ?? []) {
    for (const address of pool.loadBalancerBackendAddresses ?? []) {
      const instanceId = instanceOf(address.networkInterfaceIPConfiguration?.id, scaleSetId);
      if (instanceId === undefined) continue;
      const port = pickPort(address.inboundNatRulesPortMapping ?? [], {
        backendPort,
        preferredRule: options.preferredRule,
      });
      if (!port) continue;
      if (preferred.has(instanceId) && !port.preferred) continue;
      if (!ports.has(instanceId) || port.preferred) ports.set(instanceId, port.frontendPort);
      if (port.preferred) preferred.add(instanceId);
    }
  }
  return ports;
}

/**
 * The frontend port among one member's mappings (a port query's answer or an address's list)
 * that leads to `backendPort`; the rule named `preferredRule` first.
 */
export function pickPort(
  mappings: ReadonlyArray<{
    inboundNatRuleName?: string;
    frontendPort?: number;
    backendPort?: number;
  }>,
  options: { backendPort?: number; preferredRule?: string } = {},
): { frontendPort: number; preferred: boolean } | undefined {
  const backendPort = options.backendPort ?? 22;
  const preferredRule = options.preferredRule?.toLowerCase();
  let found: { frontendPort: number; preferred: boolean } | undefined;
  for (const m of mappings) {
    if (m.backendPort !== backendPort || typeof m.frontendPort !== 'number') continue;
    const preferred =
      preferredRule !== undefined && m.inboundNatRuleName?.toLowerCase() === preferredRule;
    if (preferred) return { frontendPort: m.frontendPort, preferred };
    found ??= { frontendPort: m.frontendPort, preferred };
  }
  return found;
}

/** The instance id an IP configuration id of `scaleSetId` names (undefined: another VM's). */
function instanceOf(ipConfigurationId: string | undefined, scaleSetId: string): string | undefined {
  const prefix = `${scaleSetId.toLowerCase()}/virtualmachines/`;
  const id = ipConfigurationId?.toLowerCase();
  if (!id?.startsWith(prefix)) return undefined;
  return id.slice(prefix.length).split('/')[0] || undefined;
}
