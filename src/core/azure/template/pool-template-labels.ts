// The create-pool wizard's field labels by parameter path, so that a validation error names what
// the admin sees ("Most (autoscale)"), not the template's parameter ("maxInstances").

/** Label of each pool parameter, as the wizard (src/renderer/admin/create-pool) shows it. */
export const POOL_FIELD_LABELS: Record<string, string> = {
  poolName: 'Pool name',
  location: 'Region',
  vmSize: 'VM size',
  image: 'Image',
  'image.publisher': 'Image publisher',
  'image.offer': 'Image offer',
  'image.sku': 'Image SKU',
  'image.version': 'Image version',
  'image.plan': 'Image plan',
  instanceCount: 'Instances now',
  minInstances: 'Fewest (autoscale)',
  maxInstances: 'Most (autoscale)',
  singlePlacementGroup: 'Single placement group',
  computerNamePrefix: 'Host name prefix',
  adminUsername: 'Admin account',
  sshPublicKey: 'Admin SSH public key',
  allowedSourceCidrs: 'Who may reach SSH',
  allowInternetSsh: 'SSH open to the whole internet',
  dnsLabel: 'DNS label',
  natFrontendPortStart: 'First SSH port',
  osDiskType: 'OS disk',
  autoscaleEnabled: 'Autoscale',
  storageAccountName: 'Storage account',
  fileShareName: 'File share',
  createStorage: 'They exist already',
  storageResourceGroup: "Storage account's resource group",
  storageSku: 'Storage redundancy',
  shareQuotaGiB: 'Share quota (GiB)',
  agentBundleUri: 'Agent bundle URL',
};

/**
 * How an error names a field: its label in quotes (`"Who may reach SSH" range 2` for an item),
 * or the key itself when the wizard has no such field (an imported key it does not know).
 */
export function fieldLabel(path: readonly string[]): string {
  if (path.length === 0) return 'The settings';
  const whole = POOL_FIELD_LABELS[path.join('.')];
  if (whole) return `"${whole}"`;
  const top = POOL_FIELD_LABELS[path[0]];
  if (!top) return path.join('.');
  const rest = path.slice(1);
  if (rest.length === 1 && /^\d+$/.test(rest[0])) return `"${top}" range ${Number(rest[0]) + 1}`;
  return `"${top}" (${rest.join('.')})`;
}
