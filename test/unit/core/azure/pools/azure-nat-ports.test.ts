// What one load balancer GET says about SSH NAT ports: the NAT rule v2 to port 22 and its pool,
// each instance's IP configuration in it, and the ports an IP-based pool lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ipConfigurationsByInstance,
  natPortsByInstance,
  pickPort,
  sshNatRule,
} from '../../../../../src/core/azure/pools/azure-nat-ports';

const VMSS =
  '/subscriptions/s/resourceGroups/RG/providers/Microsoft.Compute/virtualMachineScaleSets/team';
const ipConfig = (set: string, id: string) =>
  `${set}/virtualMachines/${id}/networkInterfaces/nic/ipConfigurations/ipconfig`;

test('maps instance ids to the frontend port of the rule leading to port 22', () => {
  const ports = natPortsByInstance(
    {
      backendAddressPools: [
        {
          loadBalancerBackendAddresses: [
            {
              networkInterfaceIPConfiguration: { id: ipConfig(VMSS, '0') },
              inboundNatRulesPortMapping: [
                { inboundNatRuleName: 'jupyter', frontendPort: 60_000, backendPort: 8888 },
                { inboundNatRuleName: 'ssh', frontendPort: 50_000, backendPort: 22 },
              ],
            },
            // ARM ids compare case-insensitively.
            {
              networkInterfaceIPConfiguration: { id: ipConfig(VMSS.toLowerCase(), '3') },
              inboundNatRulesPortMapping: [
                { inboundNatRuleName: 'ssh', frontendPort: 50_001, backendPort: 22 },
              ],
            },
            // Another scale set behind the same load balancer, and an address without mapping.
            {
              networkInterfaceIPConfiguration: { id: ipConfig(`${VMSS}-other`, '0') },
              inboundNatRulesPortMapping: [{ frontendPort: 50_002, backendPort: 22 }],
            },
            { networkInterfaceIPConfiguration: { id: ipConfig(VMSS, '4') } },
            {},
          ],
        },
      ],
    },
    VMSS,
  );
  assert.deepEqual(
    [...ports],
    [
      ['0', 50_000],
      ['3', 50_001],
    ],
  );
});

test('prefers the named rule when several lead to port 22', () => {
  const lb = {
    backendAddressPools: [
      {
        loadBalancerBackendAddresses: [
          {
            networkInterfaceIPConfiguration: { id: ipConfig(VMSS, '1') },
            inboundNatRulesPortMapping: [
              { inboundNatRuleName: 'ssh', frontendPort: 50_001, backendPort: 22 },
              { inboundNatRuleName: 'legacy', frontendPort: 40_001, backendPort: 22 },
            ],
          },
        ],
      },
    ],
  };
  assert.equal(natPortsByInstance(lb, VMSS, { preferredRule: 'ssh' }).get('1'), 50_001);
  assert.equal(natPortsByInstance(lb, VMSS, { preferredRule: 'legacy' }).get('1'), 40_001);
  assert.equal(natPortsByInstance(lb, VMSS).get('1'), 50_001, 'the first, without a preference');
  assert.equal(natPortsByInstance({}, VMSS).size, 0);
});

const LB = '/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/loadBalancers/team-lb';

test('finds the NAT rule v2 that leads to port 22, the named one first, and its pool', () => {
  const lb = {
    id: LB,
    inboundNatRules: [
      // A v1 rule (one VM, no port range) and a rule to another port do not count.
      { name: 'v1', backendPort: 22 },
      {
        name: 'jupyter',
        backendPort: 8888,
        frontendPortRangeStart: 60_000,
        backendAddressPool: { id: `${LB}/backendAddressPools/pool` },
      },
      {
        name: 'legacy',
        backendPort: 22,
        frontendPortRangeStart: 40_000,
        backendAddressPool: { id: `${LB}/backendAddressPools/old` },
      },
      {
        name: 'ssh',
        backendPort: 22,
        frontendPortRangeStart: 50_000,
        backendAddressPool: { id: `${LB}/backendAddressPools/pool` },
      },
    ],
  };
  assert.deepEqual(sshNatRule(lb, { preferredRule: 'SSH' }), {
    loadBalancerId: LB,
    ruleName: 'ssh',
    poolName: 'pool',
    poolId: `${LB}/backendAddressPools/pool`,
    backendPort: 22,
    frontendPortRangeStart: 50_000,
  });
  assert.equal(sshNatRule(lb)?.ruleName, 'legacy', 'the first, without a preference');
  assert.equal(sshNatRule(lb, { preferredRule: 'gone' })?.ruleName, 'legacy');
  assert.equal(sshNatRule({ inboundNatRules: [{ name: 'v1', backendPort: 22 }] }), undefined);
  assert.equal(sshNatRule({}), undefined);
});

test("maps each instance to its IP configuration from the pool's backendIPConfigurations", () => {
  const poolId = `${LB}/backendAddressPools/pool`;
  const members = ipConfigurationsByInstance(
    {
      backendAddressPools: [
        {
          id: `${LB}/backendAddressPools/other`,
          backendIPConfigurations: [{ id: ipConfig(VMSS, '9') }],
        },
        {
          id: poolId.toLowerCase(),
          backendIPConfigurations: [
            { id: ipConfig(VMSS, '0') },
            { id: ipConfig(VMSS.toUpperCase(), '12') },
            { id: ipConfig(`${VMSS}-other`, '1') },
            {},
          ],
        },
      ],
    },
    poolId,
    VMSS,
  );
  assert.deepEqual(
    [...members],
    [
      ['0', ipConfig(VMSS, '0')],
      ['12', ipConfig(VMSS.toUpperCase(), '12')],
    ],
  );
});

test('picks the port of a query answer: the backend port asked, the named rule first', () => {
  const answer = [
    { inboundNatRuleName: 'jupyter', frontendPort: 60_001, backendPort: 8888 },
    { inboundNatRuleName: 'legacy', frontendPort: 40_001, backendPort: 22 },
    { inboundNatRuleName: 'ssh', frontendPort: 50_001, backendPort: 22 },
  ];
  assert.deepEqual(pickPort(answer, { preferredRule: 'ssh' }), {
    frontendPort: 50_001,
    preferred: true,
  });
  assert.deepEqual(pickPort(answer), { frontendPort: 40_001, preferred: false });
  assert.deepEqual(pickPort(answer, { backendPort: 8888 }), {
    frontendPort: 60_001,
    preferred: false,
  });
  assert.equal(pickPort([], { preferredRule: 'ssh' }), undefined);
});
