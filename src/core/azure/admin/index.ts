// The admin room's public face: the Azure side of the composition root (credential, pool
// service and a provider per tracked pool).
export { AzureAdmin, poolKeyId, smbHost } from './azure-admin';
export { readAllowedSources } from './pool-access';
