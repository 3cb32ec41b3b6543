// One instance's SSH NAT port from Azure: `POST …/backendAddressPools/{pool}/
// queryInboundNatRulePortMapping` by its NIC IP configuration (`az network lb list-mapping`), the
// documented way for a NIC-based pool such as a scale set's. A long-running operation, under one
// read deadline from the POST to its last poll.
import { type AzureClients, ReadDeadline, describeAzureFailure } from '../arm/index';
import { type SshNatRule, pickPort } from './azure-nat-ports';
import type { PortQuery } from './nat-port-cache';

export interface NatPortQueryOptions {
  clients: AzureClients;
  resourceGroup: string;
  loadBalancerName: string;
  /** Which rule and pool; read when the query runs (a refresh may find another). */
  rule: () => SshNatRule | undefined;
  /** Default: the clients' read deadline. */
  deadlineMs?: number;
  /** The poll interval when Azure gives no Retry-After (default the SDK's). */
  pollIntervalMs?: number;
}

/**
 * A PortQuery for the cache: the port of `rule`'s backend port (22) for one member, undefined
 * when Azure maps none (no mapping for that rule, or the member is not in the pool: 404).
 */
export function natPortQuery(options: NatPortQueryOptions): PortQuery {
  return async (target, signal) => {
    const rule = options.rule();
    if (!rule) return undefined;
    const deadline = new ReadDeadline(
      options.deadlineMs ?? options.clients.readDeadlineMs,
      `the NAT port query of instance ${target.instanceId}`,
      signal,
    );
    try {
      const answer = await deadline.run(
        `the NAT port query of instance ${target.instanceId}`,
        (abortSignal) =>
          options.clients.network.loadBalancers.beginListInboundNatRulePortMappingsAndWait(
            options.resourceGroup,
            options.loadBalancerName,
            rule.poolName,
            { ipConfiguration: { id: target.ipConfigurationId } },
            {
              abortSignal,
              ...(options.pollIntervalMs !== undefined
                ? { updateIntervalInMs: options.pollIntervalMs }
                : {}),
            },
          ),
      );
      return pickPort(answer.inboundNatRulePortMappings ?? [], {
        backendPort: rule.backendPort,
        preferredRule: rule.ruleName,
      })?.frontendPort;
    } catch (err) {
      // Not (or no longer) a member of the pool: Azure maps no port to it.
      if (describeAzureFailure(err).status === 404) return undefined;
      throw err;
    } finally {
      deadline.dispose();
    }
  };
}
