// The most instances Scale may ask for: the placement group's limit, the SSH NAT port range,
// and the outbound rule's SNAT budget, whichever is smallest, with the reason in words.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LoadBalancer } from '@azure/arm-network';
import { capacityLimit, capacityProblem } from '../../../../../src/core/azure/pools/scale-limit';

const pool = { id: '/lb/backendAddressPools/instances' };

function loadBalancer(nat: [number, number] | undefined, ports?: number, ips = 1): LoadBalancer {
  return {
    inboundNatRules: nat
      ? [
          {
            name: 'ssh',
            frontendPortRangeStart: nat[0],
            frontendPortRangeEnd: nat[1],
            backendAddressPool: pool,
          },
        ]
      : [],
    outboundRules:
      ports === undefined
        ? []
        : [
            {
              name: 'outbound',
              allocatedOutboundPorts: ports,
              frontendIPConfigurations: Array.from({ length: ips }, (_, i) => ({ id: `/fe${i}` })),
              backendAddressPool: pool,
              protocol: 'All',
            },
          ],
  };
}

describe('capacityLimit', () => {
  test('100 in a single placement group (the default), 1000 without', () => {
    assert.equal(capacityLimit({}, undefined).max, 100);
    assert.match(
      capacityLimit({ singlePlacementGroup: true }, undefined).reason,
      /single placement group/,
    );
    assert.equal(capacityLimit({ singlePlacementGroup: false }, undefined).max, 1000);
  });

  test("the template's own network allows exactly the placement group's limit", () => {
    assert.equal(
      capacityLimit({ singlePlacementGroup: true }, loadBalancer([50_000, 50_099], 640)).max,
      100,
    );
    assert.equal(
      capacityLimit({ singlePlacementGroup: false }, loadBalancer([50_000, 50_999], 64)).max,
      1000,
    );
  });

  test('a smaller NAT range or a larger SNAT allocation lowers it, and says why', () => {
    const nat = capacityLimit({ singlePlacementGroup: false }, loadBalancer([50_000, 50_049], 64));
    assert.deepEqual(nat.max, 50);
    assert.match(nat.reason, /SSH port range 50000–50049 has one port for each of 50 instances/);
    // An old pool: 640 ports per instance on one IP, though no longer in one placement group.
    const snat = capacityLimit(
      { singlePlacementGroup: false },
      loadBalancer([50_000, 50_999], 640),
    );
    assert.equal(snat.max, 100);
    assert.match(snat.reason, /640 SNAT ports of the 64,000 its public IP offers/);
    // Two frontend IPs double the budget.
    assert.equal(
      capacityLimit({ singlePlacementGroup: false }, loadBalancer(undefined, 640, 2)).max,
      200,
    );
  });

  test("capacityProblem refuses over the limit in the dialog's words and passes the rest", () => {
    const limit = capacityLimit({ singlePlacementGroup: true }, undefined);
    assert.equal(capacityProblem('team', 100, limit), undefined);
    assert.match(
      capacityProblem('team', 101, limit) ?? '',
      /^Pool team can hold at most 100 instances: .*Enter 100 or fewer for "Number of instances"; nothing was changed\.$/,
    );
  });
});
