// Reading each instance's SSH NAT port from a load balancer GET (NAT rule v2 port mappings).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { natPortsByInstance } from '../../../../../src/core/azure/pools/azure-nat-ports';

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
