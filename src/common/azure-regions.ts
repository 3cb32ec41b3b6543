// Azure's public region names (as the API spells them), for the create-pool wizard's picker and
// core's "is this a typo?" warning. A name outside the list is still accepted: new regions appear.
// prettier-ignore
export const AZURE_REGIONS: readonly string[] = [
  'australiacentral', 'australiacentral2', 'australiaeast', 'australiasoutheast', 'austriaeast',
  'belgiumcentral', 'brazilsouth', 'brazilsoutheast', 'canadacentral', 'canadaeast',
  'centralindia', 'centralus', 'centraluseuap', 'chilecentral', 'eastasia', 'eastus', 'eastus2',
  'eastus2euap', 'francecentral', 'francesouth', 'germanynorth', 'germanywestcentral',
  'indonesiacentral', 'israelcentral', 'italynorth', 'japaneast', 'japanwest', 'jioindiacentral',
  'jioindiawest', 'koreacentral', 'koreasouth', 'malaysiawest', 'mexicocentral', 'newzealandnorth',
  'northcentralus', 'northeurope', 'norwayeast', 'norwaywest', 'polandcentral', 'qatarcentral',
  'southafricanorth', 'southafricawest', 'southcentralus', 'southeastasia', 'southindia',
  'spaincentral', 'swedencentral', 'swedensouth', 'switzerlandnorth', 'switzerlandwest',
  'uaecentral', 'uaenorth', 'uksouth', 'ukwest', 'westcentralus', 'westeurope', 'westindia',
  'westus', 'westus2', 'westus3', 'usgovarizona', 'usgovtexas', 'usgovvirginia', 'usdodcentral',
  'usdodeast', 'chinaeast', 'chinaeast2', 'chinaeast3', 'chinanorth', 'chinanorth2', 'chinanorth3',
];
