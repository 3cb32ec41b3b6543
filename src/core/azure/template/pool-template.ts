// The Azure pool's parameters: their type, validation with Azure's rules, and the ARM
// `parameters` object for resources/templates/pool.json.
import { z } from 'zod';
import poolTemplateJson from '../../../../resources/templates/pool.json' with { type: 'json' };
import { ErrorCode, RpcError } from '../../../common/errors';
import { parseCidr } from './pool-template-cidr';
import {
  KNOWN_REGIONS,
  type NameCheck,
  adminUsernameProblem,
  computerNamePrefixProblem,
  deriveComputerNamePrefix,
  dnsLabelProblem,
  fileShareNameProblem,
  imagePartProblem,
  imageVersionProblem,
  locationProblem,
  normalizeLocation,
  poolNameProblem,
  resourceGroupProblem,
  storageAccountNameProblem,
  vmSizeProblem,
} from './pool-template-names';
import { azureAdminKeyProblem, parseSshPublicKey } from './pool-template-ssh-key';
import {
  DEFAULT_STORAGE_SKU,
  SHARE_QUOTA_GIB,
  STORAGE_SKUS,
  type StorageSku,
  agentBundleUriProblem,
} from './pool-template-storage';

/** The template's version (its `metadata.templateVersion` and `dsvm-pool-template` tag). */
export const POOL_TEMPLATE_VERSION = '1.1.0';

/** The current Ubuntu 22.04 Data Science VM; it needs no purchase plan. */
export const DEFAULT_IMAGE: PoolImage = {
  publisher: 'microsoft-dsvm',
  offer: 'ubuntu-2204',
  sku: '2204-gen2',
  version: 'latest',
};

export const DEFAULT_VM_SIZE = 'Standard_D4s_v5';

/**
 * A Uniform scale set holds at most 100 instances in a single placement group and 1000 from a
 * marketplace image otherwise; the NAT port range and SNAT ports are sized for that limit, so
 * changing autoscale bounds later never needs a network change.
 */
export const INSTANCE_LIMIT = { singlePlacementGroup: 100, uniform: 1000 } as const;

/** One public IPv4 address gives an outbound rule 64,000 SNAT ports to share. */
const SNAT_PORTS_PER_IP = 64_000;

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

// ---------------------------------------------------------------------------------------------
// Validation

/** "is required" for a missing field, else what the value must be. */
const required =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? `is required (${what})` : `must be ${what}`;

/** A trimmed string checked by one of Azure's naming rules. */
function named(check: NameCheck, what: string) {
  return z
    .string({ error: required(`text: ${what}`) })
    .trim()
    .superRefine((value, ctx) => {
      const problem = check(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

const count = (what: string) =>
  z
    .number({ error: `must be a whole number (${what})` })
    .int(`must be a whole number (${what})`)
    .min(0, `must be 0 or more (${what})`)
    .max(INSTANCE_LIMIT.uniform, `must be at most ${INSTANCE_LIMIT.uniform} (${what})`);

const imageSchema = z
  .object({
    publisher: named(imagePartProblem, 'image publisher'),
    offer: named(imagePartProblem, 'image offer'),
    sku: named(imagePartProblem, 'image SKU'),
    version: named(imageVersionProblem, 'image version').default('latest'),
    plan: z
      .object({
        name: named(imagePartProblem, 'plan name'),
        publisher: named(imagePartProblem, 'plan publisher'),
        product: named(imagePartProblem, 'plan product'),
      })
      .strict()
      .optional(),
  })
  .strict();

const sshPublicKeySchema = z
  .string({ error: required('text: the line from your .pub file') })
  .transform((value, ctx) => {
    const key = parseSshPublicKey(value);
    const problem = key.ok ? azureAdminKeyProblem(key) : key.reason;
    if (problem || !key.ok) {
      ctx.addIssue({ code: 'custom', message: problem ?? 'is not a public key' });
      return z.NEVER;
    }
    return key.line;
  });

const cidrListSchema = z
  .array(z.string({ error: 'must be text such as "203.0.113.0/24"' }), {
    error: required('a list of source ranges such as ["203.0.113.0/24"]'),
  })
  .min(1, 'needs at least one range (your office or VPN), else nobody can reach SSH')
  .max(100, 'may hold at most 100 ranges — merge them into wider ones');

/** Keys people carry over from the article's template, refused with the reason. */
const REFUSED_KEYS: Record<string, string> = {
  adminpassword: 'the pool uses SSH keys only — remove it and give sshPublicKey',
  password: 'the pool uses SSH keys only — remove it and give sshPublicKey',
  storageaccountkey:
    "a storage key must never be a deployment parameter (anyone with Reader access sees it) — remove it: the template reads the key itself (listKeys) into the agent extension's protected settings",
};

/**
 * The pool parameters' schema: each field with Azure's rules, unknown keys refused, and the
 * cross-field rules (counts, source ranges) run even when another field is wrong, so one error
 * names every wrong field.
 */
export const poolParametersSchema = z
  .object({
    poolName: named(poolNameProblem, 'the pool name'),
    location: z
      .string({ error: required('text: a region such as "westeurope"') })
      .transform(normalizeLocation)
      .superRefine((value, ctx) => {
        const problem = locationProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    vmSize: named(vmSizeProblem, 'a VM size').default(DEFAULT_VM_SIZE),
    image: imageSchema.default(DEFAULT_IMAGE),
    instanceCount: count('instances at creation').optional(),
    minInstances: count('fewest instances').default(0),
    maxInstances: count('most instances').min(1, 'must be at least 1 (most instances)').optional(),
    singlePlacementGroup: z.boolean({ error: 'must be true or false' }).optional(),
    computerNamePrefix: named(computerNamePrefixProblem, 'host name prefix').optional(),
    adminUsername: named(adminUsernameProblem, 'the admin account'),
    sshPublicKey: sshPublicKeySchema,
    allowedSourceCidrs: cidrListSchema,
    allowInternetSsh: z.boolean({ error: 'must be true or false' }).default(false),
    dnsLabel: named(dnsLabelProblem, 'the DNS label'),
    natFrontendPortStart: z
      .number({ error: 'must be a port number' })
      .int('must be a whole port number')
      .min(1024, 'must be 1024 or more (keep the well-known ports free)')
      .default(50_000),
    osDiskType: z
      .enum(OS_DISK_TYPES, { error: `must be one of ${OS_DISK_TYPES.join(', ')}` })
      .default('StandardSSD_LRS'),
    autoscaleEnabled: z.boolean({ error: 'must be true or false' }).default(true),
    storageAccountName: named(storageAccountNameProblem, 'storage account').optional(),
    fileShareName: named(fileShareNameProblem, 'file share').optional(),
    createStorage: z.boolean({ error: 'must be true or false' }).optional(),
    storageResourceGroup: named(
      resourceGroupProblem,
      "the storage account's resource group",
    ).optional(),
    storageSku: z
      .enum(STORAGE_SKUS, { error: `must be one of ${STORAGE_SKUS.join(', ')}` })
      .optional(),
    shareQuotaGiB: z
      .number({ error: 'must be a whole number of GiB' })
      .int('must be a whole number of GiB')
      .min(SHARE_QUOTA_GIB.min, `must be at least ${SHARE_QUOTA_GIB.min} GiB`)
      .max(
        SHARE_QUOTA_GIB.max,
        `must be at most ${SHARE_QUOTA_GIB.max} GiB (100 TiB, Azure's largest share)`,
      )
      .optional(),
    // Never echoed in a message: the URL may carry a SAS signature.
    agentBundleUri: z
      .string({ error: 'must be text: the https URL of the agent bundle' })
      .trim()
      .superRefine((value, ctx) => {
        const problem = agentBundleUriProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  })
  .strict()
  .superRefine(crossFieldChecks, { when: () => true })
  .transform((input): PoolParameters => {
    const counts = resolveCounts(input);
    const params: PoolParameters = {
      poolName: input.poolName,
      location: input.location,
      vmSize: input.vmSize,
      image: input.image.plan
        ? { ...input.image, plan: { ...input.image.plan } }
        : {
            publisher: input.image.publisher,
            offer: input.image.offer,
            sku: input.image.sku,
            version: input.image.version,
          },
      instanceCount: counts.instanceCount,
      minInstances: counts.minInstances,
      maxInstances: counts.maxInstances,
      singlePlacementGroup: counts.singlePlacementGroup,
      computerNamePrefix: input.computerNamePrefix ?? deriveComputerNamePrefix(input.poolName),
      adminUsername: input.adminUsername,
      sshPublicKey: input.sshPublicKey,
      allowedSourceCidrs: canonicalCidrs(input.allowedSourceCidrs),
      allowInternetSsh: input.allowInternetSsh,
      dnsLabel: input.dnsLabel,
      natFrontendPortStart: input.natFrontendPortStart,
      osDiskType: input.osDiskType,
      autoscaleEnabled: input.autoscaleEnabled,
    };
    if (input.storageAccountName !== undefined)
      params.storageAccountName = input.storageAccountName;
    if (input.fileShareName !== undefined) params.fileShareName = input.fileShareName;
    if (input.storageAccountName !== undefined && input.fileShareName !== undefined) {
      const create = input.createStorage ?? input.storageResourceGroup === undefined;
      params.createStorage = create;
      if (create) {
        params.storageSku = input.storageSku ?? DEFAULT_STORAGE_SKU;
        params.shareQuotaGiB = input.shareQuotaGiB ?? SHARE_QUOTA_GIB.default;
      } else if (input.storageResourceGroup !== undefined) {
        params.storageResourceGroup = input.storageResourceGroup;
      }
      if (input.agentBundleUri !== undefined) params.agentBundleUri = input.agentBundleUri;
    }
    return params;
  });

/** What the pool wizard (or an import) hands in; `validatePoolParameters` fills the defaults. */
export type PoolParametersInput = z.input<typeof poolParametersSchema>;

interface ResolvedCounts {
  instanceCount: number;
  minInstances: number;
  maxInstances: number;
  singlePlacementGroup: boolean;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Fills the count defaults from what was given: max defaults to 3 (or the larger of min and the
 * initial count), the initial count to 1 kept within [min, max], and a single placement group
 * whenever the max fits in one.
 */
function resolveCounts(raw: Record<string, unknown>): ResolvedCounts {
  const minInstances = isCount(raw.minInstances) ? raw.minInstances : 0;
  const given = isCount(raw.instanceCount) ? raw.instanceCount : undefined;
  const maxInstances = isCount(raw.maxInstances)
    ? raw.maxInstances
    : Math.max(3, minInstances, given ?? 0);
  const instanceCount = given ?? Math.min(Math.max(1, minInstances), maxInstances);
  const singlePlacementGroup =
    typeof raw.singlePlacementGroup === 'boolean'
      ? raw.singlePlacementGroup
      : maxInstances <= INSTANCE_LIMIT.singlePlacementGroup;
  return { instanceCount, minInstances, maxInstances, singlePlacementGroup };
}

function canonicalCidrs(list: string[]): string[] {
  const out: string[] = [];
  for (const item of list) {
    const parsed = parseCidr(item);
    if (parsed.ok && !out.includes(parsed.cidr)) out.push(parsed.cidr);
  }
  return out;
}

type RefinementContext = z.RefinementCtx;

function crossFieldChecks(value: unknown, ctx: RefinementContext): void {
  if (typeof value !== 'object' || value === null) return;
  const raw = value as Record<string, unknown>;
  const issue = (path: Array<string | number>, message: string) =>
    ctx.addIssue({ code: 'custom', path, message });

  // Counts: min ≤ initial ≤ max ≤ the scale set's limit.
  const counts = resolveCounts(raw);
  const countsValid = ['instanceCount', 'minInstances', 'maxInstances'].every(
    (k) => raw[k] === undefined || isCount(raw[k]),
  );
  if (countsValid) {
    const limit = instanceLimit(counts);
    if (counts.maxInstances > limit) {
      issue(
        ['maxInstances'],
        counts.singlePlacementGroup
          ? `must be at most ${limit} with singlePlacementGroup true — set singlePlacementGroup to false for up to ${INSTANCE_LIMIT.uniform}`
          : `must be at most ${limit} (the limit of a Uniform scale set)`,
      );
    }
    if (counts.minInstances > counts.maxInstances) {
      issue(['minInstances'], `must not exceed maxInstances (${counts.maxInstances})`);
    } else if (
      counts.instanceCount < counts.minInstances ||
      counts.instanceCount > counts.maxInstances
    ) {
      issue(
        ['instanceCount'],
        `must be between minInstances (${counts.minInstances}) and maxInstances (${counts.maxInstances})`,
      );
    }
    const natStart = raw.natFrontendPortStart ?? 50_000;
    if (typeof natStart === 'number' && Number.isInteger(natStart)) {
      const end = natStart + limit - 1;
      if (end > 65_534) {
        issue(
          ['natFrontendPortStart'],
          `must be at most ${65_534 - limit + 1}: the range holds one port for each of up to ${limit} instances and NAT ports stop at 65534`,
        );
      }
    }
  }

  // Source ranges: valid, public, IPv4 (the frontend is IPv4), and not the whole internet
  // unless explicitly accepted.
  const cidrs = raw.allowedSourceCidrs;
  if (Array.isArray(cidrs)) {
    const allowAny = raw.allowInternetSsh === true;
    cidrs.forEach((item, index) => {
      if (typeof item !== 'string') return;
      const parsed = parseCidr(item);
      const path = ['allowedSourceCidrs', index];
      if (!parsed.ok) return issue(path, `"${item}" ${parsed.reason}`);
      if (parsed.version === 6) {
        return issue(
          path,
          `"${item}" is IPv6, but the pool's public address is IPv4 only, so it would never match — give the IPv4 range you connect from`,
        );
      }
      if (parsed.isAny && !allowAny) {
        issue(
          path,
          `"${item}" opens SSH to the whole internet, as the article's template did — give your office or VPN range, or set allowInternetSsh to true to accept the risk`,
        );
      }
    });
  }

  // The share: both names or neither.
  const hasAccount = raw.storageAccountName !== undefined;
  const hasShare = raw.fileShareName !== undefined;
  if (hasAccount !== hasShare) {
    issue(
      [hasAccount ? 'fileShareName' : 'storageAccountName'],
      'is needed too: give both the storage account and the file share, or neither',
    );
  }

  // The agent links the share into the admin's home as ~/<share name>; ~/notebooks is taken.
  if (typeof raw.fileShareName === 'string' && raw.fileShareName.trim() === 'notebooks') {
    issue(
      ['fileShareName'],
      'must not be "notebooks": the agent links the share into the admin\'s home as ~/<share name>, and ~/notebooks holds ~/notebooks/remote — pick another name',
    );
  }

  // What only applies with storage, and what only applies when the template creates it.
  const storageOnly = [
    'createStorage',
    'storageResourceGroup',
    'storageSku',
    'shareQuotaGiB',
    'agentBundleUri',
  ];
  if (!hasAccount && !hasShare) {
    for (const key of storageOnly) {
      if (raw[key] !== undefined) {
        issue(
          [key],
          'applies only with storageAccountName and fileShareName (the pool has no share without them) — remove it or name the storage',
        );
      }
    }
    return;
  }
  const create = raw.createStorage ?? raw.storageResourceGroup === undefined;
  if (create === true && raw.storageResourceGroup !== undefined) {
    issue(
      ['storageResourceGroup'],
      "applies only to an existing account (createStorage false): the template creates storage in the pool's own resource group — remove it, or set createStorage to false",
    );
  }
  if (create === false) {
    for (const key of ['storageSku', 'shareQuotaGiB']) {
      if (raw[key] !== undefined) {
        issue(
          [key],
          'applies only when the template creates the storage (createStorage true): an existing account and share keep their own — remove it',
        );
      }
    }
  }
}

/** Turns zod issues into one sentence naming each wrong field and what to do. */
function describe(issues: z.core.$ZodIssue[]): { message: string; details: unknown } {
  const parts: Array<{ path: string[]; message: string }> = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const refused = REFUSED_KEYS[key.toLowerCase()];
        parts.push({
          path: [...issue.path.map(String), key],
          message: refused ?? 'is not a pool setting — remove it',
        });
      }
      continue;
    }
    const path = issue.path.map(String);
    parts.push({ path, message: issue.message });
  }
  const sentence = parts
    .map((p) => `${p.path.length ? p.path.join('.') : 'the settings'} ${p.message}`)
    .join('; ');
  return { message: `The pool's settings need changes: ${sentence}.`, details: parts };
}

/**
 * Checks the pool's parameters against Azure's rules and fills the defaults; throws
 * RpcError(BadInput) whose message names every wrong field and what to do.
 */
export function validatePoolParameters(input: unknown): PoolParameters {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new RpcError(
      ErrorCode.BadInput,
      "The pool's settings must be an object of named fields.",
    );
  }
  const parsed = poolParametersSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const { message, details } = describe(parsed.error.issues);
  throw new RpcError(ErrorCode.BadInput, message, details);
}

/** Things the admin should see before deploying valid parameters. */
export function poolParameterWarnings(params: PoolParameters): string[] {
  const warnings: string[] = [];
  for (const cidr of params.allowedSourceCidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) continue;
    if (parsed.isAny) {
      warnings.push(
        `allowedSourceCidrs holds ${cidr}: SSH is open to the whole internet and will be probed by bots within minutes — keys only, but prefer your office or VPN range.`,
      );
    } else if (parsed.isPrivate) {
      warnings.push(
        `allowedSourceCidrs holds ${cidr}, a private range: connections to the pool's public address come from public addresses, so this range lets nobody in.`,
      );
    }
  }
  if (!KNOWN_REGIONS.has(params.location)) {
    warnings.push(
      `location "${params.location}" is not a region this app knows — check it with \`az account list-locations -o table\`.`,
    );
  }
  if (params.storageAccountName !== undefined && params.fileShareName !== undefined) {
    const where = `${params.storageAccountName}/${params.fileShareName}`;
    if (params.createStorage !== false) {
      warnings.push(
        `The template creates (or, if it is already in the pool's resource group, updates) storage account ${params.storageAccountName} and share ${where}; an account of that name elsewhere makes the deployment fail — then set createStorage to false and give storageResourceGroup.`,
      );
    }
    if (params.agentBundleUri === undefined) {
      warnings.push(
        `No agentBundleUri: every instance copies the agent from ${where}/.pool/agent/dsvm-pool-agent.js at its first boot, so upload the agent there before instances start.`,
      );
    }
  }
  if (params.minInstances === 0 && params.autoscaleEnabled) {
    warnings.push(
      'minInstances is 0: when the pool is empty, CPU rules cannot wake it — the app starts an instance when someone connects.',
    );
  }
  return warnings;
}

/**
 * The deployment's `parameters` for resources/templates/pool.json. The only secret is
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
    // A multiple of 8 that fits every instance the set can hold into one IP's SNAT ports.
    outboundPortsPerInstance: Math.floor(SNAT_PORTS_PER_IP / instanceLimit(params) / 8) * 8,
    osDiskType: params.osDiskType,
    autoscaleEnabled: params.autoscaleEnabled,
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
  }
  return Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }]));
}
