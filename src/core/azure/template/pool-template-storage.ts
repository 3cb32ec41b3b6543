// The pool's storage and agent-install parameters (resources/templates/pool.json 1.1): storage
// SKUs, the share quota, the agent bundle's URL (a secret: a SAS URL) and how it is kept out of
// every public place (az command previews, messages, tags, public extension settings).

/** Redundancy of a storage account the template creates (StorageV2, standard performance). */
export const STORAGE_SKUS = [
  'Standard_LRS',
  'Standard_ZRS',
  'Standard_GRS',
  'Standard_GZRS',
] as const;
export type StorageSku = (typeof STORAGE_SKUS)[number];

export const DEFAULT_STORAGE_SKU: StorageSku = 'Standard_LRS';

/** Share quota in GiB: Azure's range; above 5120 the account needs large file shares (set by the template). */
export const SHARE_QUOTA_GIB = { min: 1, max: 102_400, default: 100, largeAbove: 5_120 } as const;

/** Where the app uploads the agent bundle on the share, and the file name the installer looks for. */
export const AGENT_BUNDLE_SHARE_PATH = '.pool/agent/dsvm-pool-agent.js';
export const AGENT_BUNDLE_FILE = 'dsvm-pool-agent.js';

/** The installed agent's mount point of the share on every instance (the template's `agentMountPoint`). */
export const AGENT_MOUNT_POINT = '/mnt/dsvm-pool';

/**
 * Deployment parameters that are secrets, with what a copy-pasteable command shows instead of
 * the value. The template declares them `secureString` (ARM never echoes them) and uses them
 * only in the extension's protectedSettings.
 */
export const SECRET_DEPLOYMENT_PARAMETERS: Readonly<Record<string, string>> = {
  agentBundleUri: '<SAS URL of the agent bundle>',
};

/** A copy of deployment parameters with every secret replaced by its placeholder. */
export function redactDeploymentParameters<T extends Record<string, { value: unknown }>>(
  parameters: T,
): T {
  const out: Record<string, { value: unknown }> = {};
  for (const [name, entry] of Object.entries(parameters)) {
    const placeholder = SECRET_DEPLOYMENT_PARAMETERS[name];
    out[name] = placeholder === undefined ? entry : { value: placeholder };
  }
  return out as T;
}

/** A value that carries a signature or credentials (a SAS URL, a URL with a password). */
export function looksLikeSecretUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (/[?&](sig|se|skoid|sktid)=/i.test(value)) return true;
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value);
}

/**
 * What is wrong with an agent bundle URL, in words that never repeat the URL (it may carry a
 * SAS signature): https only, no user:password, and the path ends in `dsvm-pool-agent.js`, the
 * name the installer looks for (the extension names the download after the URL's last segment).
 */
export function agentBundleUriProblem(uri: string): string | undefined {
  if (uri.length > 4096) return 'must be at most 4096 characters';
  if ([...uri].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)) {
    return 'must be one URL without spaces or line breaks';
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an https URL (such as a read-only SAS URL of the bundle on the share)';
  }
  if (url.protocol !== 'https:') {
    return 'must be an https URL: the extension downloads the agent it runs as root, so the transfer must be authenticated';
  }
  if (url.username || url.password) {
    return 'must not carry a user name or password: use a SAS token in the query';
  }
  const last = url.pathname.split('/').pop() ?? '';
  if (last !== AGENT_BUNDLE_FILE) {
    return `must point at a file named ${AGENT_BUNDLE_FILE} (e.g. <share>/${AGENT_BUNDLE_SHARE_PATH}): the installer looks for that name`;
  }
  return undefined;
}
