// What Microsoft.Network refuses, with its documented codes (README "Refusals"): security rule
// priorities outside 100–4096, a public IP already used by another frontend, outbound rules whose
// SNAT ports are not a multiple of 8 or exceed the frontends' 64,000 each, and deleting an NSG,
// public IP, load balancer or subnet that something still uses.
import { ArmError } from './arm-error';
import { sameId } from './resource-ids';
import type { ResourceStore, StoredResource } from './resource-store';

type Json = Record<string, unknown>;

const LB = 'Microsoft.Network/loadBalancers';
const VNET = 'Microsoft.Network/virtualNetworks';
const VMSS = 'Microsoft.Compute/virtualMachineScaleSets';

/** Ephemeral ports one frontend public IP gives the outbound rules that use it. */
export const SNAT_PORTS_PER_FRONTEND = 64_000;

/** NSG rules: 100 (first) to 4096 (last); 65000+ are Azure's default rules. */
export function checkSecurityRulePriority(rule: Json): void {
  const value = obj(rule.properties).priority;
  if (Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 4096) return;
  throw ArmError.badRequest(
    'SecurityRuleInvalidPriority',
    `Security rule ${String(rule.name ?? '')} has invalid Priority. Value provided: ` +
      `${String(value)} Allowed range 100-4096.`,
  );
}

/** Every NSG rule of a PUT body. */
export function checkSecurityGroup(body: Json): void {
  for (const rule of arr(obj(body.properties).securityRules)) checkSecurityRulePriority(rule);
}

/**
 * A load balancer PUT: each frontend's public IP used by no other frontend (of any load
 * balancer), and each outbound rule's ports a multiple of 8 that fit its frontends.
 */
export function checkLoadBalancer(
  store: ResourceStore,
  id: string,
  subscriptionId: string,
  body: Json,
  poolMembers: (poolId: string) => number,
): void {
  const props = obj(body.properties);
  const frontends = arr(props.frontendIPConfigurations);
  const seen = new Map<string, string>();
  for (const frontend of frontends) {
    const frontendId = `${id}/frontendIPConfigurations/${String(frontend.name)}`;
    const pip = String(obj(obj(frontend.properties).publicIPAddress).id ?? '');
    if (!pip) continue;
    const other =
      seen.get(pip.toLowerCase()) ?? publicIpUser(store, subscriptionId, pip, id)?.frontendId;
    if (other) {
      throw ArmError.badRequest(
        'PublicIPAddressInUse',
        `Resource ${pip} is referenced by resource ${other}, so ${frontendId} cannot use it: ` +
          'a public IP address can be associated with only one resource at a time.',
      );
    }
    seen.set(pip.toLowerCase(), frontendId);
  }
  for (const rule of arr(props.outboundRules)) {
    const rp = obj(rule.properties);
    const ruleId = `${id}/outboundRules/${String(rule.name)}`;
    const ports = rp.allocatedOutboundPorts;
    if (ports === undefined) continue;
    const ipCount = Math.max(1, arr(rp.frontendIPConfigurations).length);
    const poolId = String(obj(rp.backendAddressPool).id ?? '');
    checkOutboundPorts(ruleId, Number(ports), ipCount, poolId ? poolMembers(poolId) : 0);
  }
}

/**
 * One outbound rule's SNAT budget: ports per instance a multiple of 8, at most 64,000 per
 * frontend IP, and ports × backend instances within what the frontends give.
 */
export function checkOutboundPorts(
  ruleId: string,
  ports: number,
  frontendIps: number,
  instances: number,
): void {
  if (!Number.isInteger(ports) || ports < 0 || ports % 8 !== 0) {
    throw ArmError.badRequest(
      'SpecifiedAllocatedOutboundPortsForOutboundRuleIsNotAMultipleOfEight',
      `Specified allocated outbound ports ${ports} for outbound rule ${ruleId} is not a ` +
        'multiple of 8.',
    );
  }
  const available = SNAT_PORTS_PER_FRONTEND * frontendIps;
  if (ports > available) {
    throw ArmError.badRequest(
      'SpecifiedAllocatedOutboundPortsForOutboundRuleExceedsTotalNumberOfAllowedPortsPerRule',
      `Specified allocated outbound ports ${ports} for outbound rule ${ruleId} exceeds the ` +
        `total number of allowed ports per rule, ${available} (${frontendIps} frontend IP ` +
        `address${frontendIps === 1 ? '' : 'es'} × ${SNAT_PORTS_PER_FRONTEND}).`,
    );
  }
  if (ports * instances > available) {
    throw ArmError.badRequest(
      'SpecifiedAllocatedOutboundPortsForOutboundRuleExceedsTotalNumberOfAvailablePorts',
      `Specified allocated outbound ports ${ports} for outbound rule ${ruleId} exceeds total ` +
        `number of available ports ${available} for ${instances} backend instances: reduce ` +
        'the allocated ports or the instances, or add frontend IP addresses to the rule.',
    );
  }
}

/** The outbound rules whose backend pool a scale set model puts its NICs in. */
export function outboundRulesOfPools(
  store: ResourceStore,
  subscriptionId: string,
  poolIds: string[],
): Array<{ ruleId: string; ports: number; frontendIps: number; poolId: string }> {
  const rules: Array<{ ruleId: string; ports: number; frontendIps: number; poolId: string }> = [];
  for (const lb of store.list(subscriptionId, undefined, LB)) {
    for (const rule of arr(obj(lb.body.properties).outboundRules)) {
      const rp = obj(rule.properties);
      const poolId = String(obj(rp.backendAddressPool).id ?? '');
      if (rp.allocatedOutboundPorts === undefined) continue;
      if (!poolIds.some((p) => sameId(p, poolId))) continue;
      rules.push({
        ruleId: `${lb.id}/outboundRules/${String(rule.name)}`,
        ports: Number(rp.allocatedOutboundPorts),
        frontendIps: Math.max(1, arr(rp.frontendIPConfigurations).length),
        poolId,
      });
    }
  }
  return rules;
}

/** The backend pools, subnets and NSGs a scale set model's NICs use. */
export function scaleSetNetworkRefs(body: Json): {
  pools: string[];
  subnets: string[];
  securityGroups: string[];
} {
  const refs = { pools: [] as string[], subnets: [] as string[], securityGroups: [] as string[] };
  const profile = obj(obj(body.properties).virtualMachineProfile);
  for (const nic of arr(obj(profile.networkProfile).networkInterfaceConfigurations)) {
    const np = obj(nic.properties);
    const nsg = obj(np.networkSecurityGroup).id;
    if (typeof nsg === 'string') refs.securityGroups.push(nsg);
    for (const ip of arr(np.ipConfigurations)) {
      const ipp = obj(ip.properties);
      const subnet = obj(ipp.subnet).id;
      if (typeof subnet === 'string') refs.subnets.push(subnet);
      for (const pool of [
        ...arr(ipp.loadBalancerBackendAddressPools),
        ...arr(ipp.loadBalancerInboundNatPools),
      ]) {
        if (typeof pool.id === 'string') refs.pools.push(pool.id);
      }
    }
  }
  return refs;
}

/** The frontend (of another load balancer than `exceptLb`) that uses a public IP. */
function publicIpUser(
  store: ResourceStore,
  subscriptionId: string,
  pip: string,
  exceptLb?: string,
): { frontendId: string } | undefined {
  for (const lb of store.list(subscriptionId, undefined, LB)) {
    if (exceptLb && sameId(lb.id, exceptLb)) continue;
    for (const f of arr(obj(lb.body.properties).frontendIPConfigurations)) {
      if (sameId(String(obj(obj(f.properties).publicIPAddress).id ?? ''), pip)) {
        return { frontendId: `${lb.id}/frontendIPConfigurations/${String(f.name)}` };
      }
    }
  }
  return undefined;
}

/** Refuses a DELETE of a network resource something still uses, as Microsoft.Network does. */
export function checkNetworkDelete(store: ResourceStore, resource: StoredResource): void {
  const sets = store.list(resource.subscriptionId, undefined, VMSS);
  const type = resource.type.toLowerCase();
  if (type === 'microsoft.network/publicipaddresses') {
    const user = publicIpUser(store, resource.subscriptionId, resource.id);
    if (user) {
      throw ArmError.badRequest(
        'PublicIPAddressCannotBeDeleted',
        `Public IP address ${resource.id} can not be deleted since it is still allocated to ` +
          `resource ${user.frontendId}. In order to delete the public IP, disassociate/detach ` +
          'the Public IP address from the resource.',
      );
    }
  } else if (type === 'microsoft.network/networksecuritygroups') {
    const users: string[] = [];
    for (const vnet of store.list(resource.subscriptionId, undefined, VNET)) {
      for (const subnet of arr(obj(vnet.body.properties).subnets)) {
        const nsg = String(obj(obj(subnet.properties).networkSecurityGroup).id ?? '');
        if (sameId(nsg, resource.id)) users.push(`${vnet.id}/subnets/${String(subnet.name)}`);
      }
    }
    for (const set of sets) {
      if (scaleSetNetworkRefs(set.body).securityGroups.some((n) => sameId(n, resource.id))) {
        users.push(set.id);
      }
    }
    if (users.length > 0) {
      throw ArmError.badRequest(
        'InUseNetworkSecurityGroupCannotBeDeleted',
        `Network security group ${resource.id} cannot be deleted because it is in use by the ` +
          `following resources: ${users.join(', ')}. In order to delete the Network security ` +
          'group, remove the association with the resource(s).',
      );
    }
  } else if (type === 'microsoft.network/loadbalancers') {
    for (const set of sets) {
      const pools = scaleSetNetworkRefs(set.body).pools.filter((p) =>
        p.toLowerCase().startsWith(`${resource.id.toLowerCase()}/`),
      );
      if (pools.length > 0) {
        throw ArmError.badRequest(
          'LoadBalancerInUseByVirtualMachineScaleSet',
          `Cannot delete load balancer ${resource.id} since its child resources ` +
            `${pools.join(', ')} are in use by virtual machine scale set ${set.id}.`,
        );
      }
    }
  } else if (type === 'microsoft.network/virtualnetworks') {
    for (const subnet of arr(obj(resource.body.properties).subnets)) {
      checkSubnetUnused(store, resource, String(subnet.name));
    }
  }
}

/** A subnet a scale set's NICs sit in cannot go (with its VNet, or from a VNet PUT). */
export function checkSubnetUnused(
  store: ResourceStore,
  vnet: Pick<StoredResource, 'id' | 'subscriptionId'>,
  subnetName: string,
): void {
  const subnetId = `${vnet.id}/subnets/${subnetName}`;
  for (const set of store.list(vnet.subscriptionId, undefined, VMSS)) {
    if (scaleSetNetworkRefs(set.body).subnets.some((s) => sameId(s, subnetId))) {
      throw ArmError.badRequest(
        'InUseSubnetCannotBeDeleted',
        `Subnet ${subnetName} is in use by ${set.id} and cannot be deleted. In order to ` +
          'delete the subnet, delete all the resources within the subnet.',
      );
    }
  }
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function arr(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}
