// The new pool's settings by the names the create-pool wizard shows them under, so every message
// about them (the app's validation, its warnings, the wizard's own checks) speaks the UI's words.

/** Each pool parameter's field label in the wizard (or, for those it does not show, its words). */
export const POOL_FIELD_LABELS = {
  poolName: 'Pool name',
  location: 'Region',
  vmSize: 'VM size',
  image: 'Image',
  instanceCount: 'Instances now',
  minInstances: 'Fewest (autoscale)',
  maxInstances: 'Most (autoscale)',
  singlePlacementGroup: 'Single placement group',
  computerNamePrefix: 'Host name prefix',
  osDiskType: 'OS disk',
  autoscaleEnabled: 'Autoscale',
  terminateNotBeforeTimeout: 'Notice before an instance is removed',
  adminUsername: 'Admin account',
  sshPublicKey: 'Admin SSH public key',
  allowedSourceCidrs: 'Who may reach SSH',
  allowInternetSsh: 'I accept 0.0.0.0/0',
  dnsLabel: 'DNS label',
  natFrontendPortStart: 'First SSH port',
  storageAccountName: 'Storage account',
  fileShareName: 'File share',
  createStorage: 'They exist already',
  storageResourceGroup: "Storage account's resource group",
  storageSku: 'Storage redundancy',
  shareQuotaGiB: 'Share quota (GiB)',
  agentBundleUri: 'Agent bundle URL',
  resourceGroup: 'Resource group',
  subscriptionId: 'Subscription',
} as const;

export type PoolField = keyof typeof POOL_FIELD_LABELS;

const IMAGE_PARTS: Record<string, string> = {
  publisher: 'Image publisher',
  offer: 'Image offer',
  sku: 'Image SKU',
  version: 'Image version',
  plan: 'Image plan',
};

/**
 * A parameter path in the wizard's words: `poolName` → "Pool name", `image.sku` → "Image SKU",
 * `allowedSourceCidrs.2` → "Who may reach SSH, line 3". Unknown keys keep their own name (the
 * settings came from a file, not from the wizard).
 */
export function poolFieldLabel(path: ReadonlyArray<string | number>): string {
  const [head, ...rest] = path.map(String);
  if (head === undefined) return 'The settings';
  const label = (POOL_FIELD_LABELS as Record<string, string>)[head];
  if (!label) return `“${head}”`;
  if (head === 'image' && rest[0] !== undefined) {
    const part = IMAGE_PARTS[rest[0]] ?? label;
    return rest[0] === 'plan' && rest[1] ? `${part} ${rest[1]}` : part;
  }
  if (rest[0] !== undefined && /^\d+$/.test(rest[0]))
    return `${label}, line ${Number(rest[0]) + 1}`;
  return label;
}
