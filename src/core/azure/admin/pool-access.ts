// Who may reach a pool's SSH: the source ranges its network security group allows to port 22
// (the template's `allow-ssh-from-allowed-sources` rule, or any rule an admin added by hand).
import type { SecurityRule } from '@azure/arm-network';
import type { AzureClients, AzurePoolRef } from '../arm/index';
import { poolResourceNames } from '../template/index';

/** The allowed source ranges (e.g. `203.0.113.0/24`, `Internet`), or undefined when unreadable. */
export async function readAllowedSources(
  clients: Pick<AzureClients, 'network'>,
  pool: AzurePoolRef,
  signal?: AbortSignal,
): Promise<string[] | undefined> {
  try {
    const nsg = await clients.network.networkSecurityGroups.get(
      pool.resourceGroup,
      poolResourceNames(pool.poolName).nsg,
      { abortSignal: signal },
    );
    const sources = new Set<string>();
    for (const rule of nsg.securityRules ?? []) {
      if (!allowsSsh(rule)) continue;
      for (const prefix of [rule.sourceAddressPrefix, ...(rule.sourceAddressPrefixes ?? [])]) {
        if (prefix) sources.add(prefix === '*' ? 'any address (*)' : prefix);
      }
    }
    return [...sources];
  } catch {
    // A member without Reader on the resource group: the hint then speaks of "the ranges".
    return undefined;
  }
}

function allowsSsh(rule: SecurityRule): boolean {
  if (rule.direction !== 'Inbound' || rule.access !== 'Allow') return false;
  if (rule.protocol !== 'Tcp' && rule.protocol !== '*') return false;
  const ports = [rule.destinationPortRange, ...(rule.destinationPortRanges ?? [])];
  return ports.some((range) => {
    if (!range) return false;
    if (range === '*') return true;
    const [from, to = from] = range.split('-').map(Number);
    return from !== undefined && to !== undefined && from <= 22 && 22 <= to;
  });
}
