// The arm room's public face: which cloud, the SDK clients of a subscription, which pool a call
// is about, Azure's failures as specific RpcErrors. The lowest Azure room: it imports no other.
export {
  AZURE_ENV_VARS,
  type AzureEnvironment,
  resolveAzureEnvironment,
} from './azure-environment';
export {
  type AzureClientOptions,
  type AzureClients,
  createAzureClients,
  createResourceManagementClient,
} from './azure-clients';
export {
  AzureDeadlineError,
  DEFAULT_READ_DEADLINE_MS,
  ReadDeadline,
  formatDeadline,
} from './azure-deadline';
export type { AzurePoolRef } from './azure-pool-ref';
export { AzureUnknownOutcomeError } from './azure-write-policy';
export {
  CAPACITY_CODES,
  IN_USE_CODES,
  NOT_SIGNED_IN,
  describeAzureFailure,
  translateAzureError,
} from './azure-errors';
