// The Azure emulator's NAT rule v2 ports, rule by rule as the README lists them with their
// sources: a NIC-based pool (a scale set's) shows no port mappings in the load balancer GET, an
// IP-based pool does, and queryInboundNatRulePortMapping is a long-running operation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { startAzureEmulator, type AzureEmulator } from '../../emulators/azure/azure-emulator';
import { RawArmClient } from '../../emulators/azure/raw-arm-client';

type Json = Record<string, unknown>;

const { utils } = ssh2;
const POOL = 'team';
const TEMPLATE = JSON.parse(
  readFileSync(
    new URL('../../fixtures/azure-emulator/pool-template.json', import.meta.url),
    'utf8',
  ),
) as Json;
const API = '2024-05-01';

/** A port range below Linux's ephemeral ports, different per run so parallel runs rarely meet. */
const natStart = 21_000 + Math.floor(Math.random() * 900) * 10;

describe('Azure emulator: NAT rule v2 ports as Azure gives them', () => {
  let emulator: AzureEmulator;
  let arm: RawArmClient;
  let rg: string;
  let lbId: string;
  let vmssId: string;
  let vnetId: string;

  before(async () => {
    emulator = await startAzureEmulator({
      delays: { vmCreate: 10, vmStart: 10, vmDeallocate: 10, vmDelete: 10, resource: 5 },
    });
    arm = new RawArmClient(emulator);
    rg = `/subscriptions/${emulator.subscriptionId}/resourceGroups/nat-rg`;
    assert.equal((await arm.request('PUT', rg, { location: 'westeurope' })).status, 201);
    const deployment = await arm.request(
      'PUT',
      `${rg}/providers/Microsoft.Resources/deployments/pool`,
      {
        properties: {
          mode: 'Incremental',
          template: TEMPLATE,
          parameters: {
            poolName: { value: POOL },
            sshPublicKey: { value: utils.generateKeyPairSync('ed25519').public },
            natPortRangeStart: { value: natStart },
          },
        },
      },
      '2025-04-01',
    );
    assert.equal(await arm.waitFor(deployment), 'Succeeded');
    lbId = `${rg}/providers/Microsoft.Network/loadBalancers/${POOL}-lb`;
    vmssId = `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${POOL}`;
    vnetId = `${rg}/providers/Microsoft.Network/virtualNetworks/${POOL}-vnet`;
  });
  after(async () => {
    arm.close();
    await emulator.close();
  });

  const ipConfig = (instanceId: string) =>
    `${vmssId}/virtualMachines/${instanceId}/networkInterfaces/nic/ipConfigurations/ipconfig`;

  // Rule: a NIC-based pool names its members only in backendIPConfigurations (REST spec example
  // LoadBalancerBackendAddressPoolGet.json; learn.microsoft.com/azure/load-balancer/backend-pool-management).
  it("a scale set's NIC-based pool lists its members as backendIPConfigurations, with no port mappings", async () => {
    const lb = await arm.request('GET', lbId, undefined, API);
    assert.equal(lb.status, 200);
    const pools = (lb.body as { properties: { backendAddressPools: Json[] } }).properties
      .backendAddressPools;
    assert.equal(pools.length, 1);
    const props = pools[0].properties as Json;
    assert.deepEqual(props.backendIPConfigurations, [{ id: ipConfig('0') }, { id: ipConfig('1') }]);
    assert.equal(props.loadBalancerBackendAddresses, undefined, 'no addresses, so no ports');
    assert.deepEqual(props.inboundNatRules, [{ id: `${lbId}/inboundNatRules/ssh` }]);
    // The pool's own GET says the same.
    const child = await arm.request('GET', `${lbId}/backendAddressPools/pool`, undefined, API);
    assert.equal(child.status, 200);
    const childProps = (child.body as Json).properties as Json;
    assert.deepEqual(childProps.backendIPConfigurations, props.backendIPConfigurations);
    assert.equal(childProps.loadBalancerBackendAddresses, undefined);
  });

  // Rule: queryInboundNatRulePortMapping is a long-running operation (x-ms-long-running-operation,
  // final-state-via: location; 200/202 in the REST spec, example QueryInboundNatRulePortMapping.json:
  // 202 with Location and the mappings in the body); ARM's 202 carries Azure-AsyncOperation,
  // Location and Retry-After (learn.microsoft.com/azure/azure-resource-manager/management/async-operations).
  it('queryInboundNatRulePortMapping answers 202 with Location, Azure-AsyncOperation and Retry-After, then the mappings', async () => {
    const sshPort = emulator.vms('nat-rg', POOL).find((vm) => vm.instanceId === '1')?.sshPort;
    assert.ok(sshPort);
    const expected = {
      inboundNatRulePortMappings: [
        { inboundNatRuleName: 'ssh', protocol: 'Tcp', frontendPort: sshPort, backendPort: 22 },
      ],
    };
    const accepted = await arm.request(
      'POST',
      `${lbId}/backendAddressPools/pool/queryInboundNatRulePortMapping`,
      { ipConfiguration: { id: ipConfig('1') } },
      API,
    );
    assert.equal(accepted.status, 202);
    assert.match(
      accepted.headers['location'] ?? '',
      /\/providers\/Microsoft\.Network\/locations\/westeurope\/operationResults\//,
    );
    assert.match(
      accepted.headers['azure-asyncoperation'] ?? '',
      /\/providers\/Microsoft\.Network\/locations\/westeurope\/operations\//,
    );
    assert.match(accepted.headers['retry-after'] ?? '', /^\d+$/);
    assert.deepEqual(accepted.body, expected, "the example's 202 body");
    assert.equal(await arm.waitFor(accepted), 'Succeeded');
    const result = await arm.request('GET', accepted.headers['location']!);
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, expected, 'final state via the Location URL');
    assert.ok(sshPort >= natStart && sshPort < natStart + 10);
  });

  // Rule: IP-based pools list their addresses with the NAT rule v2 ports (REST spec example
  // LoadBalancerGetInboundNatRulePortMapping.json; networkInterfaceIPConfiguration is the NIC
  // holding the address, read-only in the spec's LoadBalancerBackendAddressPropertiesFormat).
  it('an IP-based pool lists its addresses, each with its NAT rule v2 ports', async () => {
    const ipLbId = `${rg}/providers/Microsoft.Network/loadBalancers/ip-lb`;
    const ipNatStart = natStart + 500;
    const created = await arm.request(
      'PUT',
      ipLbId,
      {
        location: 'westeurope',
        sku: { name: 'Standard' },
        properties: {
          frontendIPConfigurations: [
            { name: 'fe', properties: { subnet: { id: `${vnetId}/subnets/pool` } } },
          ],
          backendAddressPools: [
            {
              name: 'by-ip',
              properties: {
                loadBalancerBackendAddresses: [
                  // Instance 0's address (the scale set's first VM gets 10.0.0.4)...
                  {
                    name: 'vm0',
                    properties: { ipAddress: '10.0.0.4', virtualNetwork: { id: vnetId } },
                  },
                  // ...and an address no NIC holds yet (a pool filled ahead of its VMs).
                  {
                    name: 'spare',
                    properties: { ipAddress: '10.0.0.200', virtualNetwork: { id: vnetId } },
                  },
                ],
              },
            },
          ],
          inboundNatRules: [
            {
              name: 'ssh-by-ip',
              properties: {
                frontendIPConfiguration: { id: `${ipLbId}/frontendIPConfigurations/fe` },
                backendAddressPool: { id: `${ipLbId}/backendAddressPools/by-ip` },
                protocol: 'Tcp',
                frontendPortRangeStart: ipNatStart,
                frontendPortRangeEnd: ipNatStart + 9,
                backendPort: 22,
              },
            },
          ],
        },
      },
      API,
    );
    assert.ok(created.status === 201 || created.status === 200, JSON.stringify(created.body));
    await arm.waitFor(created);
    const lb = await arm.request('GET', ipLbId, undefined, API);
    const pool = (lb.body as { properties: { backendAddressPools: Json[] } }).properties
      .backendAddressPools[0];
    const props = pool.properties as Json;
    assert.equal(props.backendIPConfigurations, undefined);
    const addresses = props.loadBalancerBackendAddresses as Json[];
    assert.deepEqual(
      addresses.map((a) => [a.name, (a.properties as Json).ipAddress]),
      [
        ['vm0', '10.0.0.4'],
        ['spare', '10.0.0.200'],
      ],
    );
    const [vm0, spare] = addresses.map((a) => a.properties as Json);
    assert.deepEqual(vm0.virtualNetwork, { id: vnetId });
    assert.deepEqual(vm0.networkInterfaceIPConfiguration, { id: ipConfig('0') });
    assert.equal(spare.networkInterfaceIPConfiguration, undefined, 'no NIC holds it');
    assert.deepEqual(vm0.inboundNatRulesPortMapping, [
      { inboundNatRuleName: 'ssh-by-ip', frontendPort: ipNatStart, backendPort: 22 },
    ]);
    assert.deepEqual(spare.inboundNatRulesPortMapping, [
      { inboundNatRuleName: 'ssh-by-ip', frontendPort: ipNatStart + 1, backendPort: 22 },
    ]);

    // The query by IP address (the spec example's own request) gives the same port.
    const query = await arm.request(
      'POST',
      `${ipLbId}/backendAddressPools/by-ip/queryInboundNatRulePortMapping`,
      { ipAddress: '10.0.0.200' },
      API,
    );
    assert.equal(query.status, 202);
    assert.equal(await arm.waitFor(query), 'Succeeded');
    const answer = await arm.request('GET', query.headers['location']!);
    assert.deepEqual(answer.body, {
      inboundNatRulePortMappings: [
        {
          inboundNatRuleName: 'ssh-by-ip',
          protocol: 'Tcp',
          frontendPort: ipNatStart + 1,
          backendPort: 22,
        },
      ],
    });
    // The scale set's own NIC-based pool still lists no addresses.
    const own = await arm.request('GET', `${lbId}/backendAddressPools/pool`, undefined, API);
    assert.equal(((own.body as Json).properties as Json).loadBalancerBackendAddresses, undefined);
    assert.equal((await arm.request('DELETE', ipLbId, undefined, API)).status < 300, true);
  });

  // The emulator's own refusals (Azure documents no code for them): a member the pool does not
  // have, and a query that names neither an IP configuration nor an address.
  it('refuses to query what is not a member (404) or nothing at all (400)', async () => {
    const path = `${lbId}/backendAddressPools/pool/queryInboundNatRulePortMapping`;
    const stranger = await arm.request(
      'POST',
      path,
      { ipConfiguration: { id: ipConfig('77') } },
      API,
    );
    assert.equal(stranger.status, 404);
    assert.equal((stranger.body as { error: { code: string } }).error.code, 'NotFound');
    const empty = await arm.request('POST', path, {}, API);
    assert.equal(empty.status, 400);
    assert.equal((empty.body as { error: { code: string } }).error.code, 'InvalidRequestFormat');
  });
});
