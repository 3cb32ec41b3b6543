// The Azure emulator refuses what Azure refuses, one test per rule of its README's "Refusals"
// (status, error code, and what the message names), over raw HTTP as a client sees it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAzureEmulator, type AzureEmulator } from '../../emulators/azure/azure-emulator';
import { RawArmClient, type RawResponse } from '../../emulators/azure/raw-arm-client';

type Json = Record<string, unknown>;

describe('Azure emulator: what Azure refuses', () => {
  let emulator: AzureEmulator;
  let arm: RawArmClient;
  let groups = 0;

  before(async () => {
    emulator = await startAzureEmulator({
      delays: { vmCreate: 5, vmStart: 5, vmStop: 5, vmDeallocate: 5, vmRestart: 5, vmDelete: 5 },
    });
    arm = new RawArmClient(emulator);
  });
  after(async () => {
    arm.close();
    await emulator.close();
  });

  /** A fresh resource group's path. */
  async function group(): Promise<string> {
    const path = `/subscriptions/${emulator.subscriptionId}/resourceGroups/refusals-${++groups}`;
    assert.equal((await arm.request('PUT', path, { location: 'westeurope' })).status, 201);
    return path;
  }

  /** PUT and wait for the operation to succeed. */
  async function put(path: string, body: unknown, apiVersion?: string): Promise<void> {
    const created = await arm.request('PUT', path, body, apiVersion);
    assert.ok(created.status === 200 || created.status === 201, JSON.stringify(created.body));
    assert.equal(await arm.waitFor(created), 'Succeeded');
  }

  function refused(response: RawResponse, status: number, code: string, ...says: RegExp[]): void {
    const error = (response.body as { error?: { code?: string; message?: string } }).error;
    assert.equal(response.status, status, JSON.stringify(response.body));
    assert.equal(error?.code, code);
    for (const pattern of says) assert.match(error?.message ?? '', pattern);
  }

  const net = (rg: string, type: string, name: string) =>
    `${rg}/providers/Microsoft.Network/${type}/${name}`;
  const vmssPath = (rg: string, name: string) =>
    `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;

  function scaleSet(capacity: number, extra: Json = {}, nic?: Json): Json {
    return {
      location: 'westeurope',
      sku: { name: 'Standard_D2s_v5', tier: 'Standard', capacity },
      properties: {
        upgradePolicy: { mode: 'Manual' },
        ...extra,
        virtualMachineProfile: {
          osProfile: { computerNamePrefix: 'ref', adminUsername: 'azureuser' },
          storageProfile: {
            imageReference: { publisher: 'p', offer: 'o', sku: 's', version: 'latest' },
          },
          ...(nic ? { networkProfile: { networkInterfaceConfigurations: [nic] } } : {}),
        },
      },
    };
  }

  /** NSG + VNet (subnet with the NSG) + public IP + LB (NAT rule, outbound rule). */
  async function network(rg: string, outboundPorts = 640): Promise<Json> {
    const nsg = net(rg, 'networkSecurityGroups', 'nsg');
    await put(nsg, { location: 'westeurope', properties: { securityRules: [] } });
    const vnet = net(rg, 'virtualNetworks', 'vnet');
    await put(vnet, {
      location: 'westeurope',
      properties: {
        addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
        subnets: [
          {
            name: 'instances',
            properties: { addressPrefix: '10.0.0.0/22', networkSecurityGroup: { id: nsg } },
          },
        ],
      },
    });
    const pip = net(rg, 'publicIPAddresses', 'pip');
    await put(pip, {
      location: 'westeurope',
      sku: { name: 'Standard' },
      properties: { publicIPAllocationMethod: 'Static' },
    });
    const lb = net(rg, 'loadBalancers', 'lb');
    await put(lb, {
      location: 'westeurope',
      sku: { name: 'Standard' },
      properties: {
        frontendIPConfigurations: [{ name: 'fe', properties: { publicIPAddress: { id: pip } } }],
        backendAddressPools: [{ name: 'pool' }],
        outboundRules: [
          {
            name: 'out',
            properties: {
              frontendIPConfigurations: [{ id: `${lb}/frontendIPConfigurations/fe` }],
              backendAddressPool: { id: `${lb}/backendAddressPools/pool` },
              protocol: 'All',
              allocatedOutboundPorts: outboundPorts,
            },
          },
        ],
      },
    });
    return {
      name: 'nic',
      properties: {
        primary: true,
        ipConfigurations: [
          {
            name: 'ip',
            properties: {
              subnet: { id: `${vnet}/subnets/instances` },
              loadBalancerBackendAddressPools: [{ id: `${lb}/backendAddressPools/pool` }],
            },
          },
        ],
      },
    };
  }

  it('refuses an api-version the type does not serve, listing those it does', async () => {
    const rg = await group();
    refused(
      await arm.request('PUT', vmssPath(rg, 'old'), scaleSet(1), '2019-07-01'),
      400,
      'NoRegisteredProviderFound',
      /location 'westeurope' and API version '2019-07-01' for type 'virtualMachineScaleSets'/,
      /supported api-versions are '2026-03-01,2024-11-01'/,
    );
    refused(
      await arm.request('GET', rg, undefined, '2019-07-01'),
      400,
      'InvalidApiVersionParameter',
      /'2019-07-01' is invalid\. The supported versions are '2025-04-01'/,
    );
    // A template's resource is routed by its apiVersion too: the deployment fails.
    const deployment = `${rg}/providers/Microsoft.Resources/deployments/old-api`;
    const started = await arm.request('PUT', deployment, {
      properties: {
        mode: 'Incremental',
        template: {
          $schema:
            'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
          contentVersion: '1.0.0.0',
          resources: [
            {
              type: 'Microsoft.Network/networkSecurityGroups',
              apiVersion: '2017-03-01',
              name: 'old',
              location: 'westeurope',
              properties: {},
            },
          ],
        },
      },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(await arm.waitFor(started), 'Failed');
    const operations = await arm.request('GET', `${deployment}/operations`);
    assert.match(JSON.stringify(operations.body), /NoRegisteredProviderFound/);
  });

  it('limits a scale set to 100 instances in one placement group, 1000 in any case', async () => {
    const rg = await group();
    refused(
      await arm.request('PUT', vmssPath(rg, 'spg'), scaleSet(101)),
      400,
      'InvalidParameter',
      /capacity 101 exceeds the maximum of 100/,
    );
    refused(
      await arm.request(
        'PUT',
        vmssPath(rg, 'big'),
        scaleSet(1001, { singlePlacementGroup: false }),
      ),
      400,
      'InvalidParameter',
      /maximum of 1000/,
    );
    await put(vmssPath(rg, 'small'), scaleSet(1));
    refused(
      await arm.request('PATCH', vmssPath(rg, 'small'), { sku: { capacity: 150 } }),
      400,
      'InvalidParameter',
      /exceeds the maximum of 100/,
    );
    assert.equal(
      (await arm.request('PATCH', vmssPath(rg, 'small'), { sku: { capacity: 2 } })).status,
      200,
    );
  });

  it('refuses a frontend on a public IP another load balancer uses', async () => {
    const rg = await group();
    await network(rg);
    refused(
      await arm.request('PUT', net(rg, 'loadBalancers', 'second'), {
        location: 'westeurope',
        sku: { name: 'Standard' },
        properties: {
          frontendIPConfigurations: [
            {
              name: 'fe2',
              properties: { publicIPAddress: { id: net(rg, 'publicIPAddresses', 'pip') } },
            },
          ],
        },
      }),
      400,
      'PublicIPAddressInUse',
      /loadBalancers\/lb\/frontendIPConfigurations\/fe/,
    );
  });

  it("checks an outbound rule's SNAT ports: multiples of 8 within 64,000 per frontend IP", async () => {
    const rg = await group();
    const nic = await network(rg, 640);
    const lb = net(rg, 'loadBalancers', 'lb');
    const withPorts = async (ports: number) => {
      const body = (await arm.request('GET', lb)).body as Json;
      const props = body.properties as { outboundRules: Array<{ properties: Json }> };
      props.outboundRules[0].properties.allocatedOutboundPorts = ports;
      return arm.request('PUT', lb, body);
    };
    refused(
      await withPorts(100),
      400,
      'SpecifiedAllocatedOutboundPortsForOutboundRuleIsNotAMultipleOfEight',
      /100/,
    );
    refused(
      await withPorts(64_008),
      400,
      'SpecifiedAllocatedOutboundPortsForOutboundRuleExceedsTotalNumberOfAllowedPortsPerRule',
      /64000/,
    );
    // 640 ports × 101 instances > 64,000: the scale set cannot join the rule's pool.
    refused(
      await arm.request(
        'PUT',
        vmssPath(rg, 'many'),
        scaleSet(101, { singlePlacementGroup: false }, nic),
      ),
      400,
      'SpecifiedAllocatedOutboundPortsForOutboundRuleExceedsTotalNumberOfAvailablePorts',
      /640 .* 101 backend instances/,
    );
    await put(vmssPath(rg, 'fits'), scaleSet(2, { singlePlacementGroup: false }, nic));
  });

  it('keeps NSG rule priorities within 100–4096', async () => {
    const rg = await group();
    const rule = (priority: number) => ({
      name: 'ssh',
      properties: {
        priority,
        direction: 'Inbound',
        access: 'Allow',
        protocol: 'Tcp',
        sourceAddressPrefix: '203.0.113.0/24',
        sourcePortRange: '*',
        destinationAddressPrefix: '*',
        destinationPortRange: '22',
      },
    });
    for (const priority of [99, 4097]) {
      refused(
        await arm.request('PUT', net(rg, 'networkSecurityGroups', 'nsg'), {
          location: 'westeurope',
          properties: { securityRules: [rule(priority)] },
        }),
        400,
        'SecurityRuleInvalidPriority',
        new RegExp(`Value provided: ${priority} Allowed range 100-4096`),
      );
    }
    await put(net(rg, 'networkSecurityGroups', 'nsg'), {
      location: 'westeurope',
      properties: { securityRules: [rule(4096)] },
    });
    refused(
      await arm.request(
        'PUT',
        `${net(rg, 'networkSecurityGroups', 'nsg')}/securityRules/ssh`,
        rule(50),
      ),
      400,
      'SecurityRuleInvalidPriority',
    );
  });

  it('refuses autoscale capacities out of range and a second setting for one scale set', async () => {
    const rg = await group();
    const target = vmssPath(rg, 'pool');
    const setting = (capacity: Json) => ({
      location: 'westeurope',
      properties: {
        enabled: true,
        targetResourceUri: target,
        profiles: [{ name: 'default', capacity, rules: [] }],
      },
    });
    const path = (name: string) => `${rg}/providers/Microsoft.Insights/autoscalesettings/${name}`;
    const cases: Array<[Json, RegExp]> = [
      [{ minimum: '0', maximum: '1001', default: '1' }, /maximum capacity 1001 is more than 1000/],
      [
        { minimum: '5', maximum: '3', default: '3' },
        /minimum capacity 5 is more than the maximum 3/,
      ],
      [{ minimum: '1', maximum: '3', default: '4' }, /default capacity must lie between/],
    ];
    for (const [capacity, says] of cases) {
      refused(await arm.request('PUT', path('a'), setting(capacity)), 400, 'InvalidRequest', says);
    }
    const ok = { minimum: '0', maximum: '3', default: '1' };
    assert.equal((await arm.request('PUT', path('a'), setting(ok))).status, 201);
    assert.equal((await arm.request('PUT', path('a'), setting(ok))).status, 200, 'same name');
    refused(
      await arm.request('PUT', path('b'), setting(ok)),
      409,
      'Conflict',
      /already has an autoscale setting, 'a'/,
    );
  });

  it('refuses deleting what is still in use, and deletes in the order Azure accepts', async () => {
    const rg = await group();
    const nic = await network(rg);
    await put(vmssPath(rg, 'pool'), scaleSet(1, {}, nic));
    const del = (path: string) => arm.request('DELETE', path);
    refused(
      await del(net(rg, 'networkSecurityGroups', 'nsg')),
      400,
      'InUseNetworkSecurityGroupCannotBeDeleted',
      /virtualNetworks\/vnet\/subnets\/instances/,
    );
    refused(
      await del(net(rg, 'publicIPAddresses', 'pip')),
      400,
      'PublicIPAddressCannotBeDeleted',
      /loadBalancers\/lb\/frontendIPConfigurations\/fe/,
    );
    refused(
      await del(net(rg, 'loadBalancers', 'lb')),
      400,
      'LoadBalancerInUseByVirtualMachineScaleSet',
      /virtualMachineScaleSets\/pool/,
    );
    refused(
      await del(net(rg, 'virtualNetworks', 'vnet')),
      400,
      'InUseSubnetCannotBeDeleted',
      /Subnet instances is in use/,
    );
    for (const path of [
      vmssPath(rg, 'pool'),
      net(rg, 'loadBalancers', 'lb'),
      net(rg, 'publicIPAddresses', 'pip'),
      net(rg, 'virtualNetworks', 'vnet'),
      net(rg, 'networkSecurityGroups', 'nsg'),
    ]) {
      const deleted = await del(path);
      assert.equal(deleted.status, 202, `${path}: ${JSON.stringify(deleted.body)}`);
      assert.equal(await arm.waitFor(deleted), 'Succeeded', path);
    }
  });

  it('sends Retry-After on every polling answer, status and Location alike', async () => {
    const rg = await group();
    const created = await arm.request('PUT', vmssPath(rg, 'poll'), scaleSet(2));
    const statusUrl = created.headers['azure-asyncoperation'];
    assert.ok(statusUrl && created.headers['retry-after']);
    for (;;) {
      const poll = await arm.request('GET', statusUrl);
      assert.equal(poll.headers['retry-after'], '1', 'status poll');
      if ((poll.body as { status: string }).status !== 'InProgress') break;
    }
    const deleted = await arm.request('DELETE', vmssPath(rg, 'poll'));
    const location = deleted.headers['location'];
    assert.ok(location && deleted.headers['retry-after']);
    for (;;) {
      const poll = await arm.request('GET', location);
      assert.equal(poll.headers['retry-after'], '1', `Location poll answering ${poll.status}`);
      if (poll.status !== 202) break;
    }
  });
});
