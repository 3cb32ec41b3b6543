// The Azure pool's parameters: their type, defaults and limits, the names the template gives the
// pool's resources, warnings, and the ARM `parameters` object for resources/templates/pool.json.
// Their validation with Azure's rules is in pool-template-validation.ts.
import poolTemplateJson from '../../../../resources/templates/pool.json' with { type: 'json' };
import { POOL_FIELD_LABELS as L } from '../../../common/pool-fields';
import { agentRuntimePackage } from '../../agent-runtime';
import { parseCidr } from './pool-template-cidr';
import { KNOWN_REGIONS, deriveComputerNamePrefix } from './pool-template-names';
import type { StorageSku } from './pool-template-storage';

/** The template's version (its `metadata.templateVersion` and `dsvm-pool-template` tag). */
export const POOL_TEMPLATE_VERSION = '1.3.1';

/** The current Ubuntu 22.04 Data Science VM; it needs no purchase plan. */
export const DEFAULT_IMAGE: PoolImage = {
  publisher: 'microsoft-dsvm',
  offer: 'ubuntu-2204',
  sku: '2204-gen2',
  version: 'latest',
};

export const DEFAULT_VM_SIZE = 'Standard_D4s_v5';

/** Azure's range of a scale set's terminate notice, in minutes; the pool's default. */
export const TERMINATE_NOTICE_MINUTES = { min: 5, max: 15, default: 10 } as const;

/**
 * A Uniform scale set holds at most 100 instances in a single placement group and 1000 from a
 * marketplace image otherwise; the NAT port range and SNAT ports are sized for that limit, so
 * changing autoscale bounds later never needs a network change.
 */
export const INSTANCE_LIMIT = { singlePlacementGroup: 100, uniform: 1000 } as const;

/** One public IPv4 address gives an outbound rule 64,000 SNAT ports to share. */
export const SNAT_PORTS_PER_IP = 64_000;

export const OS_DISK_TYPES = ['Standard_LRS', 'StandardSSD_LRS', 'Premium_LRS'] as const;
export type OsDiskType = (typeof OS_DISK_TYPES)[number];

export interface PoolImagePlan {
  name: string;
  publisher: string;
  product: string;
}

export interface PoolImage {
  publisher: string;
  offer: string;
  sku: string;
  version: string;
  /** Only for marketplace images that require a purchase plan (the DSVM does not). */
  plan?: PoolImagePlan;
}

/** The pool's parameters as the app keeps them, normalized by `validatePoolParameters`. */
export interface PoolParameters {
  /** The scale set's name — every other resource is named from it. */
  poolName: string;
  /** Region name as the API wants it (`westeurope`). */
  location: string;
  vmSize: string;
  image: PoolImage;
  /** Instances at creation; the autoscale default. */
  instanceCount: number;
  minInstances: number;
  maxInstances: number;
  /** true: at most 100 instances — false: up to 1000. Defaults to `maxInstances <= 100`. */
  singlePlacementGroup: boolean;
  /** Host name prefix; derived from the pool name unless given. */
  computerNamePrefix: string;
  adminUsername: string;
  /** One OpenSSH public key line (RSA ≥ 2048 bits or ed25519). */
  sshPublicKey: string;
  /** Canonical CIDRs allowed to reach SSH. */
  allowedSourceCidrs: string[];
  /** The admin explicitly accepted `0.0.0.0/0` (SSH open to the internet). */
  allowInternetSsh: boolean;
  dnsLabel: string;
  /** First public port of the per-instance SSH NAT range. */
  natFrontendPortStart: number;
  osDiskType: OsDiskType;
  autoscaleEnabled: boolean;
  /**
   * Notice before a scale-in or delete removes an instance (IMDS Terminate event), PT5M–PT15M
   * in whole minutes: the template's allowedValues.
   */
  terminateNotBeforeTimeout: string;
  /**
   * The share every instance mounts; names only, never a key. With both names every instance
   * gets the agent's extension (its secrets only in protectedSettings, see pool.json).
   */
  storageAccountName?: string;
  fileShareName?: string;
  /**
   * Only with the storage names. true (the default): the template creates (or updates) the
   * account and the share in the pool's resource group. false: they exist already, in
   * `storageResourceGroup` or the pool's group, and the template only reads the key.
   */
  createStorage?: boolean;
  /** Only with `createStorage: false`: the existing account's resource group (default: the pool's). */
  storageResourceGroup?: string;
  /** Only with `createStorage: true` (then always set): the new account's redundancy. */
  storageSku?: StorageSku;
  /** Only with `createStorage: true` (then always set): the share's quota in GiB. */
  shareQuotaGiB?: number;
  /**
   * Only with the storage names: an https URL of the agent bundle, typically a read-only SAS
   * URL of `<share>/.pool/agent/dsvm-pool-agent.js`. A secret: it goes only into the
   * extension's protectedSettings (as a secureString parameter) and az previews show a
   * placeholder. Without it each instance copies the bundle from the share with the key.
   */
  agentBundleUri?: string;
}

/** The ARM `parameters` object of a deployment: `{ name: { value } }`. */
export type ArmParameterValues = Record<string, { value: unknown }>;

/** The ARM template, loosely typed: enough for the app and the self-check tests. */
export interface ArmTemplate {
  $schema: string;
  contentVersion: string;
  metadata: { name: string; templateVersion: string; [key: string]: unknown };
  parameters: Record<string, { type: string; defaultValue?: unknown; [key: string]: unknown }>;
  variables: Record<string, unknown>;
  resources: Array<{ type: string; name: string; [key: string]: unknown }>;
  outputs: Record<string, { type: string; value: unknown }>;
}

/** The names the template gives the pool's resources (mirrors its `variables`). */
export interface PoolResourceNames {
  vmss: string;
  nsg: string;
  vnet: string;
  subnet: string;
  publicIp: string;
  loadBalancer: string;
  frontend: string;
  backendPool: string;
  natRule: string;
  outboundRule: string;
  autoscale: string;
}

export function poolResourceNames(poolName: string): PoolResourceNames {
  return {
    vmss: poolName,
    nsg: `${poolName}-nsg`,
    vnet: `${poolName}-vnet`,
    subnet: 'instances',
    publicIp: `${poolName}-ip`,
    loadBalancer: `${poolName}-lb`,
    frontend: 'frontend',
    backendPool: 'instances',
    natRule: 'ssh',
    outboundRule: 'outbound',
    autoscale: `${poolName}-autoscale`,
  };
}

/** A fresh copy of resources/templates/pool.json (bundled with the code, so always in step). */
export function loadPoolTemplate(): ArmTemplate {
  return structuredClone(poolTemplateJson) as unknown as ArmTemplate;
}

/** The most instances the scale set can ever hold with these parameters. */
export function instanceLimit(params: Pick<PoolParameters, 'singlePlacementGroup'>): number {
  return params.singlePlacementGroup ? INSTANCE_LIMIT.singlePlacementGroup : INSTANCE_LIMIT.uniform;
}

/** The public port range of the SSH NAT rule: one port for every instance the set can hold. */
export function natPortRange(
  params: Pick<PoolParameters, 'singlePlacementGroup' | 'natFrontendPortStart'>,
): { start: number; end: number } {
  const start = params.natFrontendPortStart;
  return { start, end: start + instanceLimit(params) - 1 };
}

/**
 * SNAT ports each instance gets from the outbound rule: the one public IP's 64,000 shared by
 * every instance the set can hold, rounded down to a multiple of 8 as Azure requires — 640 with
 * a single placement group (100 instances), 64 without (1000). Azure refuses a scale set whose
 * instances × ports exceed what the rule's frontend IPs give, so the budget must hold for the
 * most instances the set can ever have.
 */
export function outboundPortsPerInstance(
  params: Pick<PoolParameters, 'singlePlacementGroup'>,
): number {
  return Math.floor(SNAT_PORTS_PER_IP / instanceLimit(params) / 8) * 8;
}

/** A DNS label for a new pool, unique enough: `<prefix>-<6 random base-36 characters>`. */
export function suggestDnsLabel(
  poolName: string,
  random: () => string = () => crypto.randomUUID().replace(/-/g, ''),
): string {
  const suffix = BigInt(`0x${random().slice(0, 12) || '0'}`)
    .toString(36)
    .padStart(6, '0')
    .slice(-6);
  return `${deriveComputerNamePrefix(poolName).slice(0, 50)}-${suffix}`;
}

/** Things the admin should see before deploying valid parameters. */
export function poolParameterWarnings(params: PoolParameters): string[] {
  const warnings: string[] = [];
  for (const cidr of params.allowedSourceCidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) continue;
    if (parsed.isAny) {
      warnings.push(
        `${L.allowedSourceCidrs} holds ${cidr}: SSH is open to the whole internet and will be probed by bots within minutes — keys only, but prefer your office or VPN range.`,
      );
    } else if (parsed.isPrivate) {
      warnings.push(
        `${L.allowedSourceCidrs} holds ${cidr}, a private range: connections to the pool's public address come from public addresses, so this range lets nobody in.`,
      );
    }
  }
  if (!KNOWN_REGIONS.has(params.location)) {
    warnings.push(
      `${L.location} "${params.location}" is not a region this app knows — check it with \`az account list-locations -o table\`.`,
    );
  }
  if (params.storageAccountName !== undefined && params.fileShareName !== undefined) {
    const where = `${params.storageAccountName}/${params.fileShareName}`;
    if (params.createStorage !== false) {
      warnings.push(
        `The template creates (or, if it is already in the pool's resource group, updates) storage account ${params.storageAccountName} and share ${where}; an account of that name elsewhere makes the deployment fail — then tick “${L.createStorage}” and give the ${L.storageResourceGroup}.`,
      );
    }
    if (params.agentBundleUri === undefined) {
      warnings.push(
        `No ${L.agentBundleUri}: every instance copies the agent from ${where}/.pool/agent/dsvm-pool-agent.js at its first boot, so upload the agent there before instances start.`,
      );
    }
  }
  if (params.minInstances === 0 && params.autoscaleEnabled) {
    warnings.push(
      `${L.minInstances} is 0: when the pool is empty, CPU rules cannot wake it — the app starts an instance when someone connects.`,
    );
  }
  return warnings;
}

/**
 * The deployment's `parameters` for resources/templates/pool.json (with a share, also the pinned
 * sha512 of the agent's Node.js runtime per arch). The only secret is
 * `agentBundleUri` (a secureString in the template, shown as a placeholder by az previews:
 * see `redactDeploymentParameters`); the storage key is never a parameter.
 */
export function buildDeploymentParameters(params: PoolParameters): ArmParameterValues {
  const nat = natPortRange(params);
  const values: Record<string, unknown> = {
    poolName: params.poolName,
    location: params.location,
    vmSize: params.vmSize,
    imagePublisher: params.image.publisher,
    imageOffer: params.image.offer,
    imageSku: params.image.sku,
    imageVersion: params.image.version,
    imagePlan: params.image.plan ? { ...params.image.plan } : {},
    instanceCount: params.instanceCount,
    minInstances: params.minInstances,
    maxInstances: params.maxInstances,
    singlePlacementGroup: params.singlePlacementGroup,
    computerNamePrefix: params.computerNamePrefix,
    adminUsername: params.adminUsername,
    sshPublicKey: params.sshPublicKey,
    allowedSourceCidrs: [...params.allowedSourceCidrs],
    dnsLabel: params.dnsLabel,
    natFrontendPortStart: nat.start,
    natFrontendPortEnd: nat.end,
    outboundPortsPerInstance: outboundPortsPerInstance(params),
    osDiskType: params.osDiskType,
    autoscaleEnabled: params.autoscaleEnabled,
    terminateNotBeforeTimeout: params.terminateNotBeforeTimeout,
  };
  // Absent until the pool has a share; the template's defaults ('') leave the tags empty.
  if (params.storageAccountName !== undefined)
    values.storageAccountName = params.storageAccountName;
  if (params.fileShareName !== undefined) values.fileShareName = params.fileShareName;
  if (params.storageAccountName !== undefined && params.fileShareName !== undefined) {
    values.createStorage = params.createStorage ?? true;
    if (params.storageResourceGroup !== undefined)
      values.storageResourceGroup = params.storageResourceGroup;
    if (params.storageSku !== undefined) values.storageSku = params.storageSku;
    if (params.shareQuotaGiB !== undefined) values.shareQuotaGiB = params.shareQuotaGiB;
    if (params.agentBundleUri !== undefined) values.agentBundleUri = params.agentBundleUri;
    // The agent's own Node.js (resources/agent-runtime.json): the installer checks the tarball
    // it takes from the share against these, so the VM never needs the image's Node.js.
    values.agentRuntimeVersion = agentRuntimePackage('x64').version;
    values.agentRuntimeSha512X64 = agentRuntimePackage('x64').sha512;
    values.agentRuntimeSha512Arm64 = agentRuntimePackage('arm64').sha512;
  }
  return Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }]));
}
