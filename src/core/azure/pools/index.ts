// The pools room's public face: the pool admin service (create, act on instances, scale, delete,
// start on connect) and its tracked operations, and what a provider needs to read a pool.
export { AzurePoolService } from './azure-pools';
// Every method of the service takes one: its users find it here too.
export type { AzurePoolRef } from '../arm/index';
export type { DeploymentProgress } from './azure-deployment-watcher';
export { createPoolAz } from './pool-az';
export type { RedeployPoolRequest, RedeployedPool } from './pool-redeploy';
export { mapInstanceState } from './azure-instance-state';
export { natPortsByInstance } from './azure-nat-ports';
export { capacityLimit } from './scale-limit';
export { resourceGroupOf } from './pool-summary';
export {
  type OperationHandle,
  type OperationInfo,
  OperationTracker,
  type TrackedOperation,
} from './azure-operation-tracker';
