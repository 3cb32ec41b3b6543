// Which pool an Azure call is about: subscription, resource group and pool name. Every room
// above arm takes one, so it lives here (autoscale needs it without importing pools).

/** One pool: a scale set carrying the `dsvm-pool` tag, named like the pool. */
export interface AzurePoolRef {
  subscriptionId: string;
  resourceGroup: string;
  poolName: string;
}
