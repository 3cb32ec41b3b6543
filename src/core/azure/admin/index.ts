// The admin room's public face: the Azure side of the composition root (credential, pool
// service and a provider per tracked pool).
export { AzureAdmin } from './azure-admin';
export { poolKeyId, smbHost } from './pool-names';
export { readAllowedSources } from './pool-access';
export { poolScalingHistory } from './pool-scaling';
