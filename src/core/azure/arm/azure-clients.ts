// Builds the Azure SDK clients for one subscription from a credential and an AzureEnvironment,
// with bounded throttling retries and a deadline on every read; the same code serves Azure,
// sovereign clouds and the emulator.
import { ComputeManagementClient } from '@azure/arm-compute';
import { MonitorClient } from '@azure/arm-monitor';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceManagementClient } from '@azure/arm-resources';
import { DeploymentsClient } from '@azure/arm-resourcesdeployments';
import { StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/identity';
import { type AzureEnvironment, resolveAzureEnvironment } from './azure-environment';
import { DEFAULT_READ_DEADLINE_MS, readDeadlinePolicy } from './azure-deadline';
import { boundedRetryAfterPolicy } from './azure-retry-policy';
import { unknownOutcomePolicy } from './azure-write-policy';

export interface AzureClients {
  subscriptionId: string;
  environment: AzureEnvironment;
  /** Retries per request (for messages that say how often the app tried). */
  maxRetries: number;
  /** How long a read may wait for Azure's answer (each request; a provider's refresh as a whole). */
  readDeadlineMs: number;
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
  resources: ResourceManagementClient;
  /** arm-resources 7 has no deployments: they live in @azure/arm-resourcesdeployments. */
  deployments: DeploymentsClient;
  monitor: MonitorClient;
  /** Storage accounts, their keys and file shares (arm-storage 20 is modular too). */
  storage: StorageManagementClient;
}

export interface AzureClientOptions {
  /** Default: `resolveAzureEnvironment()` (options, then DSVM_POOL_* variables, then Azure). */
  environment?: AzureEnvironment;
  /** Retries of one request after 429/503/5xx/network errors (default 3, the SDK's own). */
  maxRetries?: number;
  /** A Retry-After longer than this ends the call with a clear message (default 30 s). */
  maxRetryAfterMs?: number;
  /** A read (GET, HEAD, read-only POST) unanswered after this ends with AzureDeadlineError (default 30 s; 0: none). */
  readDeadlineMs?: number;
}

export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;

const USER_AGENT = 'dsvm-pool';

/** The pipeline options every client shares: endpoint-independent retry limits and policies. */
function pipelineOptions(options: AzureClientOptions) {
  return {
    userAgentOptions: { userAgentPrefix: USER_AGENT },
    retryOptions: { maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES },
    additionalPolicies: [
      {
        // Per call, so the deadline covers the SDK's retries and their Retry-After waits too.
        policy: readDeadlinePolicy(options.readDeadlineMs ?? DEFAULT_READ_DEADLINE_MS),
        position: 'perCall' as const,
      },
      {
        policy: boundedRetryAfterPolicy(options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS),
        position: 'perRetry' as const,
      },
      {
        // A write whose answer was lost is reported, never sent again blindly.
        policy: unknownOutcomePolicy(),
        position: 'perRetry' as const,
      },
    ],
  };
}

/**
 * The five ARM clients the app uses, for one subscription. Classic clients (network, resources,
 * monitor) take `credentialScopes`; the modular ones (compute 24, deployments 2) take
 * `credentials.scopes` — both get the environment's endpoint and scopes, so a sovereign cloud or
 * the emulator needs no other change.
 */
export function createAzureClients(
  credential: TokenCredential,
  subscriptionId: string,
  options: AzureClientOptions = {},
): AzureClients {
  const environment = options.environment ?? resolveAzureEnvironment();
  const endpoint = environment.resourceManagerEndpoint;
  const scopes = environment.scopes;
  const common = pipelineOptions(options);
  return {
    subscriptionId,
    environment,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    readDeadlineMs: options.readDeadlineMs ?? DEFAULT_READ_DEADLINE_MS,
    compute: new ComputeManagementClient(credential, subscriptionId, {
      ...common,
      endpoint,
      credentials: { scopes },
    }),
    network: new NetworkManagementClient(credential, subscriptionId, {
      ...common,
      endpoint,
      credentialScopes: scopes,
    }),
    resources: createResourceManagementClient(credential, options, subscriptionId),
    deployments: new DeploymentsClient(credential, subscriptionId, {
      ...common,
      endpoint,
      credentials: { scopes },
    }),
    monitor: new MonitorClient(credential, subscriptionId, {
      ...common,
      endpoint,
      credentialScopes: scopes,
    }),
    storage: new StorageManagementClient(credential, subscriptionId, {
      ...common,
      endpoint,
      credentials: { scopes },
    }),
  };
}

/**
 * A ResourceManagementClient, with or without a subscription: without one it still carries
 * tenant-level requests (`/subscriptions`) through the same authenticated, retrying pipeline.
 */
export function createResourceManagementClient(
  credential: TokenCredential,
  options: AzureClientOptions = {},
  subscriptionId?: string,
): ResourceManagementClient {
  const environment = options.environment ?? resolveAzureEnvironment();
  const clientOptions = {
    ...pipelineOptions(options),
    endpoint: environment.resourceManagerEndpoint,
    credentialScopes: environment.scopes,
  };
  return subscriptionId === undefined
    ? new ResourceManagementClient(credential, clientOptions)
    : new ResourceManagementClient(credential, subscriptionId, clientOptions);
}
