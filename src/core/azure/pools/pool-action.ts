// What each admin action of the pool service is made of (title, `az` twin, failure wording, work)
// and what the actions share: the long-running call options, a pool's az target, a drained list.
import type { AzureClients, AzurePoolRef } from '../arm/index';
import type { AzCommand, PoolTarget } from '../az/index';
import type { OperationHandle } from './azure-operation-tracker';

/** Options for every long-running call: the poll interval, when one was given. */
export type LroOptions = { updateIntervalInMs?: number };

/**
 * One admin action as `AzurePoolService` runs it: a tracked operation whose failure becomes a
 * specific RpcError, after which every view re-reads the pool.
 */
export interface PoolActionPlan<T> {
  /** The operation's title, e.g. "Scale pool team to 3 instances". */
  title: string;
  /** The `az` commands that do the same. */
  az: AzCommand[];
  /** What was tried, as a failure's message names it, e.g. "scale pool team to 3". */
  action: string;
  work: (op: OperationHandle, clients: AzureClients) => Promise<T>;
}

export function target(pool: AzurePoolRef): PoolTarget {
  return {
    subscription: pool.subscriptionId,
    resourceGroup: pool.resourceGroup,
    poolName: pool.poolName,
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}
