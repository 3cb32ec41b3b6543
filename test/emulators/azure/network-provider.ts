// Microsoft.Network: load balancers (with NAT rule v2 port mappings), public IPs (address
// 127.0.0.1, cloudapp.azure.com FQDN), NSGs and their rules, VNets, and scale set NICs.
import { ArmError } from './arm-error';
import type { ArmRequest, ArmResponse, ArmRouter } from './arm-router';
import type { ComputeProvider } from './compute-provider';
import { clone, vmId } from './compute-views';
import type { EmulatorContext } from './emulator-context';
import { GenericProvider } from './generic-provider';
import { acceptOperation, providerScope } from './lro';
import type { NatDataPlane } from './nat-data-plane';
import {
  checkLoadBalancer,
  checkNetworkDelete,
  checkSecurityGroup,
  checkSecurityRulePriority,
  checkSubnetUnused,
} from './network-rules';
import { buildResourceId, parseResourceId, sameId } from './resource-ids';
import type { StoredResource } from './resource-store';

type Json = Record<string, unknown>;

const LB = 'Microsoft.Network/loadBalancers';
const PIP = 'Microsoft.Network/publicIPAddresses';
const NSG = 'Microsoft.Network/networkSecurityGroups';
const VNET = 'Microsoft.Network/virtualNetworks';
const RG_PATH = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}';
const LB_PATH = `${RG_PATH}/providers/${LB}/{loadBalancerName}`;
const NSG_PATH = `${RG_PATH}/providers/${NSG}/{networkSecurityGroupName}`;
const VMSS_PATH = `${RG_PATH}/providers/Microsoft.Compute/virtualMachineScaleSets/{vmScaleSetName}`;
const LB_CHILDREN = [
  'frontendIPConfigurations',
  'backendAddressPools',
  'inboundNatRules',
  'inboundNatPools',
  'loadBalancingRules',
  'probes',
  'outboundRules',
];

/** What every Standard NSG has before its own rules. */
const DEFAULT_SECURITY_RULES: [string, string, number, string, string, string][] = [
  ['AllowVnetInBound', 'Inbound', 65000, 'Allow', 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowAzureLoadBalancerInBound', 'Inbound', 65001, 'Allow', 'AzureLoadBalancer', '*'],
  ['DenyAllInBound', 'Inbound', 65500, 'Deny', '*', '*'],
  ['AllowVnetOutBound', 'Outbound', 65000, 'Allow', 'VirtualNetwork', 'VirtualNetwork'],
  ['AllowInternetOutBound', 'Outbound', 65001, 'Allow', '*', 'Internet'],
  ['DenyAllOutBound', 'Outbound', 65500, 'Deny', '*', '*'],
];

export class NetworkProvider extends GenericProvider {
  override readonly types = [LB, PIP, NSG, VNET].map((t) => t.toLowerCase());

  constructor(
    ctx: EmulatorContext,
    private readonly compute: ComputeProvider,
    private readonly nat: NatDataPlane,
  ) {
    super(ctx);
  }

  protected override prepare(body: Json, existing: StoredResource | undefined, id: string): Json {
    // Basic public IPs and load balancers were retired on 30 Sep 2025; ARM refuses new ones.
    // (The code is the emulator's: the point is that such a template fails.)
    const sku = String(obj(body.sku).name ?? 'Standard');
    if (sku.toLowerCase() === 'basic') {
      throw ArmError.badRequest(
        'BasicSkuRetired',
        'Basic SKU public IP addresses and load balancers were retired on 30 September 2025 ' +
          'and can no longer be created; use the Standard SKU.',
        'sku.name',
      );
    }
    const parts = parseResourceId(id);
    switch (parts?.type.toLowerCase()) {
      case LB.toLowerCase():
        checkLoadBalancer(
          this.ctx.store,
          id,
          parts!.subscriptionId,
          body,
          (pool) => this.nat.members(pool).length,
        );
        break;
      case NSG.toLowerCase():
        checkSecurityGroup(body);
        break;
      case VNET.toLowerCase(): {
        // A PUT without a subnet deletes it: refused while a scale set's NICs sit in it.
        const kept = arr(obj(body.properties).subnets).map((s) => String(s.name).toLowerCase());
        for (const subnet of arr(obj(existing?.body.properties).subnets)) {
          if (!kept.includes(String(subnet.name).toLowerCase())) {
            checkSubnetUnused(this.ctx.store, existing!, String(subnet.name));
          }
        }
        break;
      }
    }
    return body;
  }

  checkDelete(resource: StoredResource): void {
    checkNetworkDelete(this.ctx.store, resource);
  }

  protected override changed(resource: StoredResource): void {
    if (resource.type.toLowerCase() === LB.toLowerCase()) void this.nat.sync();
  }

  override view(resource: StoredResource, query: URLSearchParams): unknown {
    const base = super.view(resource, query) as Json;
    switch (resource.type.toLowerCase()) {
      case LB.toLowerCase():
        return this.loadBalancerView(resource, base);
      case PIP.toLowerCase():
        return this.publicIpView(resource, base);
      case NSG.toLowerCase():
        return this.securityGroupView(resource, base);
      case VNET.toLowerCase():
        return {
          ...base,
          properties: withChildIds(resource, base.properties as Json, ['subnets']),
        };
      default:
        return base;
    }
  }

  registerRoutes(router: ArmRouter): void {
    router.add(
      'POST',
      `${LB_PATH}/backendAddressPools/{poolName}/queryInboundNatRulePortMapping`,
      (req) => this.queryPortMapping(req),
    );
    for (const child of LB_CHILDREN) {
      router.add('GET', `${LB_PATH}/${child}`, (req) => {
        const lb = this.loadBalancerFor(req);
        return { status: 200, body: { value: arr(obj(lb.properties)[child]) } };
      });
      router.add('GET', `${LB_PATH}/${child}/{childName}`, (req) => {
        const lb = this.loadBalancerFor(req);
        const item = arr(obj(lb.properties)[child]).find(
          (c) => String(c.name).toLowerCase() === req.params.childName.toLowerCase(),
        );
        if (!item)
          throw ArmError.notFound(
            `${LB}/${child}`,
            `${req.params.loadBalancerName}/${req.params.childName}`,
            req.params.resourceGroupName,
          );
        return { status: 200, body: item };
      });
    }
    router.add('GET', `${NSG_PATH}/securityRules`, (req) => {
      const nsg = this.securityGroupFor(req);
      return { status: 200, body: { value: arr(obj(nsg.properties).securityRules) } };
    });
    router.add('GET', `${NSG_PATH}/securityRules/{ruleName}`, (req) => {
      const rule = arr(obj(this.securityGroupFor(req).properties).securityRules).find(
        (r) => String(r.name).toLowerCase() === req.params.ruleName.toLowerCase(),
      );
      if (!rule)
        throw ArmError.notFound(
          `${NSG}/securityRules`,
          req.params.ruleName,
          req.params.resourceGroupName,
        );
      return { status: 200, body: rule };
    });
    router.add(['PUT', 'DELETE'], `${NSG_PATH}/securityRules/{ruleName}`, (req) =>
      this.changeSecurityRule(req),
    );
    router.add('GET', `${VMSS_PATH}/networkInterfaces`, (req) => this.listNics(req));
    router.add('GET', `${VMSS_PATH}/virtualMachines/{instanceId}/networkInterfaces`, (req) =>
      this.listNics(req),
    );
    router.add(
      'GET',
      `${VMSS_PATH}/virtualMachines/{instanceId}/networkInterfaces/{nicName}`,
      (req) => {
        const nic = (this.listNics(req).body as { value: Json[] }).value.find(
          (n) => String(n.name).toLowerCase() === req.params.nicName.toLowerCase(),
        );
        if (!nic)
          throw ArmError.notFound(
            'Microsoft.Network/networkInterfaces',
            req.params.nicName,
            req.params.resourceGroupName,
          );
        return { status: 200, body: nic };
      },
    );
  }

  private loadBalancerView(resource: StoredResource, base: Json): Json {
    const props = withChildIds(resource, base.properties as Json, LB_CHILDREN);
    const mappings = this.nat.mappings(resource);
    const rules = arr(props.inboundNatRules);
    const lbRules = arr(props.loadBalancingRules);
    const refsTo = (items: Json[], key: string, id: string) =>
      items
        .filter((i) => sameId(String(obj(obj(i.properties)[key]).id ?? ''), id))
        .map((i) => ({ id: i.id }));
    for (const frontend of arr(props.frontendIPConfigurations)) {
      const fp = obj(frontend.properties);
      fp.privateIPAllocationMethod ??= 'Dynamic';
      fp.inboundNatRules = refsTo(rules, 'frontendIPConfiguration', String(frontend.id));
      fp.loadBalancingRules = refsTo(lbRules, 'frontendIPConfiguration', String(frontend.id));
    }
    for (const rule of rules) {
      const rp = obj(rule.properties);
      rp.protocol ??= 'Tcp';
      rp.idleTimeoutInMinutes ??= 4;
      rp.enableFloatingIP ??= false;
      rp.enableTcpReset ??= false;
    }
    for (const pool of arr(props.backendAddressPools)) {
      const pp = obj(pool.properties);
      const members = this.nat.members(String(pool.id));
      pp.backendIPConfigurations = members.map((m) => ({ id: m.ipConfigurationId }));
      // NIC-based pools list each member with its NAT rule v2 ports: one GET tells a client
      // every instance's frontend port (the same data queryInboundNatRulePortMapping gives).
      pp.loadBalancerBackendAddresses = members.map((m) => ({
        name: `${m.vm.name}_${m.ipConfigurationId.split('/').slice(-3).join('_')}`,
        properties: {
          ipAddress: m.vm.privateIpAddress,
          networkInterfaceIPConfiguration: { id: m.ipConfigurationId },
          inboundNatRulesPortMapping: mappings
            .filter((x) => sameId(x.ipConfigurationId, m.ipConfigurationId))
            .map((x) => ({
              inboundNatRuleName: x.inboundNatRuleName,
              frontendPort: x.frontendPort,
              backendPort: x.backendPort,
            })),
        },
      }));
      pp.inboundNatRules = refsTo(rules, 'backendAddressPool', String(pool.id));
      pp.loadBalancingRules = refsTo(lbRules, 'backendAddressPool', String(pool.id));
    }
    return { ...base, sku: base.sku ?? { name: 'Standard', tier: 'Regional' }, properties: props };
  }

  private publicIpView(resource: StoredResource, base: Json): Json {
    const props = { ...(base.properties as Json) };
    // Everything the emulator serves is on this computer: the "public" address is loopback.
    props.ipAddress = '127.0.0.1';
    props.publicIPAddressVersion ??= 'IPv4';
    props.publicIPAllocationMethod ??= 'Static';
    props.idleTimeoutInMinutes ??= 4;
    props.ipTags ??= [];
    props.resourceGuid = resource.resourceGuid;
    const dns = obj(props.dnsSettings);
    if (typeof dns.domainNameLabel === 'string') {
      props.dnsSettings = {
        ...dns,
        fqdn: `${dns.domainNameLabel}.${resource.location}.cloudapp.azure.com`,
      };
    }
    const frontend = this.ctx.store
      .list(resource.subscriptionId, undefined, LB)
      .flatMap((lb) =>
        arr(obj(lb.body.properties).frontendIPConfigurations).map((f) => ({ lb, f })),
      )
      .find(({ f }) =>
        sameId(String(obj(obj(f.properties).publicIPAddress).id ?? ''), resource.id),
      );
    if (frontend) {
      props.ipConfiguration = {
        id: `${frontend.lb.id}/frontendIPConfigurations/${String(frontend.f.name)}`,
      };
    }
    return { ...base, sku: base.sku ?? { name: 'Standard', tier: 'Regional' }, properties: props };
  }

  private securityGroupView(resource: StoredResource, base: Json): Json {
    const props = withChildIds(resource, base.properties as Json, ['securityRules']);
    props.securityRules ??= [];
    props.resourceGuid = resource.resourceGuid;
    props.defaultSecurityRules = DEFAULT_SECURITY_RULES.map(
      ([name, direction, priority, access, source, destination]) => ({
        name,
        id: `${resource.id}/defaultSecurityRules/${name}`,
        type: `${NSG}/defaultSecurityRules`,
        properties: {
          description: `Default ${direction.toLowerCase()} rule`,
          protocol: '*',
          sourcePortRange: '*',
          destinationPortRange: '*',
          sourceAddressPrefix: source,
          destinationAddressPrefix: destination,
          access,
          priority,
          direction,
          provisioningState: 'Succeeded',
        },
      }),
    );
    return { ...base, properties: props };
  }

  private queryPortMapping(req: ArmRequest): ArmResponse {
    const resource = this.requireResource(req, LB, req.params.loadBalancerName);
    const poolId = `${resource.id}/backendAddressPools/${req.params.poolName}`;
    const pool = arr(obj(resource.body.properties).backendAddressPools).find(
      (p) => String(p.name).toLowerCase() === req.params.poolName.toLowerCase(),
    );
    if (!pool)
      throw ArmError.notFound(
        `${LB}/backendAddressPools`,
        req.params.poolName,
        req.params.resourceGroupName,
      );
    const body = obj(req.body);
    const ipConfigId = obj(body.ipConfiguration).id;
    const ipAddress = body.ipAddress;
    if (typeof ipConfigId !== 'string' && typeof ipAddress !== 'string') {
      throw ArmError.badRequest(
        'InvalidRequestFormat',
        'Either ipConfiguration or ipAddress is required.',
      );
    }
    const member = this.nat
      .members(poolId)
      .find((m) =>
        typeof ipConfigId === 'string'
          ? sameId(m.ipConfigurationId, ipConfigId)
          : m.vm.privateIpAddress === ipAddress,
      );
    if (!member) {
      throw new ArmError(
        404,
        'NotFound',
        `The backend address ${String(ipConfigId ?? ipAddress)} is not in backend pool ${poolId}.`,
      );
    }
    const result = {
      inboundNatRulePortMappings: this.nat
        .mappings(resource)
        .filter((m) => sameId(m.ipConfigurationId, member.ipConfigurationId))
        .map((m) => ({
          inboundNatRuleName: m.inboundNatRuleName,
          protocol: m.protocol,
          frontendPort: m.frontendPort,
          backendPort: m.backendPort,
        })),
    };
    const done = this.ctx.scheduler.delay(Math.min(this.ctx.delays.resource, 20));
    return acceptOperation(
      this.ctx,
      req,
      providerScope(resource.subscriptionId, 'Microsoft.Network', resource.location),
      done,
      { status: 202, location: true, result: () => result },
    ).response;
  }

  private changeSecurityRule(req: ArmRequest): ArmResponse {
    const nsg = this.requireResource(req, NSG, req.params.networkSecurityGroupName);
    const props = (nsg.body.properties = obj(nsg.body.properties));
    const rules = arr(props.securityRules);
    const index = rules.findIndex(
      (r) => String(r.name).toLowerCase() === req.params.ruleName.toLowerCase(),
    );
    const fault = this.ctx.faults.takeOperationFault(req.method, req.path);
    const scope = providerScope(nsg.subscriptionId, 'Microsoft.Network', nsg.location);
    const finish = async () => {
      await this.ctx.scheduler.delay(this.ctx.delays.resource);
      if (fault) throw new ArmError(500, fault.code, fault.message);
    };
    if (req.method === 'DELETE') {
      if (index < 0) return { status: 204 };
      rules.splice(index, 1);
      props.securityRules = rules;
      this.ctx.store.touch(nsg);
      return acceptOperation(this.ctx, req, scope, finish(), { status: 202, location: true })
        .response;
    }
    const rule: Json = { ...clone(obj(req.body)), name: req.params.ruleName };
    delete rule.id;
    checkSecurityRulePriority(rule);
    if (index < 0) rules.push(rule);
    else rules[index] = rule;
    props.securityRules = rules;
    this.ctx.store.touch(nsg);
    const view = arr(obj(obj(this.view(nsg, req.query)).properties).securityRules).find(
      (r) => String(r.name).toLowerCase() === req.params.ruleName.toLowerCase(),
    );
    return acceptOperation(this.ctx, req, scope, finish(), {
      status: index < 0 ? 201 : 200,
      body: view,
    }).response;
  }

  private listNics(req: ArmRequest): ArmResponse {
    const { subscriptionId, resourceGroupName, vmScaleSetName, instanceId } = req.params;
    const id = buildResourceId(
      subscriptionId,
      resourceGroupName,
      'Microsoft.Compute/virtualMachineScaleSets',
      [vmScaleSetName],
    );
    const handle = this.compute.handle(id);
    if (!handle)
      throw ArmError.notFound(
        'Microsoft.Compute/virtualMachineScaleSets',
        vmScaleSetName,
        resourceGroupName,
      );
    const { resource, set } = handle;
    const profile = obj(obj(resource.body.properties).virtualMachineProfile);
    const nics = arr(obj(profile.networkProfile).networkInterfaceConfigurations);
    const vms = [...set.instances.values()].filter(
      (vm) => instanceId === undefined || vm.instanceId === instanceId,
    );
    if (instanceId !== undefined && vms.length === 0) {
      throw ArmError.notFound(
        'Microsoft.Compute/virtualMachineScaleSets/virtualMachines',
        `${vmScaleSetName}/${instanceId}`,
        resourceGroupName,
      );
    }
    const value = vms.flatMap((vm) =>
      nics.map((nic) => {
        const nicProps = obj(nic.properties);
        const nicId = `${vmId(resource, vm)}/networkInterfaces/${String(nic.name)}`;
        return {
          name: nic.name,
          id: nicId,
          etag: `W/"${vm.vmId.slice(0, 8)}"`,
          location: resource.location,
          properties: {
            provisioningState: 'Succeeded',
            resourceGuid: vm.vmId,
            primary: nicProps.primary ?? true,
            enableAcceleratedNetworking: nicProps.enableAcceleratedNetworking ?? false,
            enableIPForwarding: nicProps.enableIPForwarding ?? false,
            ...(nicProps.networkSecurityGroup
              ? { networkSecurityGroup: clone(nicProps.networkSecurityGroup) }
              : {}),
            virtualMachine: { id: vmId(resource, vm) },
            ipConfigurations: arr(nicProps.ipConfigurations).map((ip) => {
              const ipProps = obj(ip.properties);
              return {
                name: ip.name,
                id: `${nicId}/ipConfigurations/${String(ip.name)}`,
                properties: {
                  provisioningState: 'Succeeded',
                  privateIPAddress: vm.privateIpAddress,
                  privateIPAllocationMethod: 'Dynamic',
                  privateIPAddressVersion: 'IPv4',
                  primary: ipProps.primary ?? true,
                  ...(ipProps.subnet ? { subnet: clone(ipProps.subnet) } : {}),
                  loadBalancerBackendAddressPools: clone(
                    arr(ipProps.loadBalancerBackendAddressPools),
                  ),
                },
              };
            }),
          },
        };
      }),
    );
    return { status: 200, body: { value } };
  }

  private loadBalancerFor(req: ArmRequest): Json {
    const resource = this.requireResource(req, LB, req.params.loadBalancerName);
    return this.view(resource, req.query) as Json;
  }

  private securityGroupFor(req: ArmRequest): Json {
    return this.view(
      this.requireResource(req, NSG, req.params.networkSecurityGroupName),
      req.query,
    ) as Json;
  }

  private requireResource(req: ArmRequest, type: string, name: string): StoredResource {
    const { subscriptionId, resourceGroupName } = req.params;
    this.ctx.store.group(subscriptionId, resourceGroupName);
    const resource = this.ctx.store.get(
      buildResourceId(subscriptionId, resourceGroupName, type, [name]),
    );
    if (!resource) throw ArmError.notFound(type, name, resourceGroupName);
    return resource;
  }
}

/** Child arrays (subnets, rules, pools) get their ids, type, etag and provisioningState. */
function withChildIds(resource: StoredResource, properties: Json, children: string[]): Json {
  const props = clone(properties ?? {});
  for (const child of children) {
    if (!Array.isArray(props[child])) continue;
    props[child] = arr(props[child]).map((item) => ({
      ...item,
      id: `${resource.id}/${child}/${String(item.name)}`,
      etag: `W/"${resource.resourceGuid.slice(0, 8)}-${resource.version}"`,
      type: `${resource.type}/${child}`,
      properties: { ...obj(item.properties), provisioningState: 'Succeeded' },
    }));
  }
  return props;
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function arr(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}
