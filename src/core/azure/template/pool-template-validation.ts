// Checks the pool's parameters against Azure's rules and fills their defaults: one zod schema whose
// error names every wrong field and what to do, cross-field rules included.
import { z } from 'zod';
import { ErrorCode, RpcError } from '../../../common/errors';
import {
  DEFAULT_IMAGE,
  DEFAULT_VM_SIZE,
  INSTANCE_LIMIT,
  OS_DISK_TYPES,
  TERMINATE_NOTICE_MINUTES,
  type PoolParameters,
  instanceLimit,
} from './pool-template';
import { parseCidr } from './pool-template-cidr';
import { fieldLabel } from './pool-template-labels';
import {
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
  agentBundleUriProblem,
} from './pool-template-storage';

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

/**
 * The terminate notice: whole minutes from 5 to 15, as an ISO 8601 duration (`PT10M`) or a plain
 * number of minutes; normalized to `PT<n>M` (the template's allowedValues).
 */
const terminateNoticeSchema = z
  .union([z.string(), z.number()], {
    error: 'must be a number of minutes from 5 to 15, e.g. PT10M',
  })
  .transform((value, ctx) => {
    const { min, max } = TERMINATE_NOTICE_MINUTES;
    const text = String(value).trim();
    const match = /^(?:PT)?(\d+)M?$/i.exec(text);
    const minutes = match ? Number(match[1]) : NaN;
    if (!Number.isInteger(minutes) || minutes < min || minutes > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must be ${min} to ${max} minutes (PT${min}M to PT${max}M; "${text}" is not): Azure gives an instance at most ${max} minutes of notice before a scale-in removes it`,
      });
      return z.NEVER;
    }
    return `PT${minutes}M`;
  });

/** Keys people carry over from the article's template, refused with the reason. */
const REFUSED_KEYS: Record<string, string> = {
  adminpassword: 'the pool uses SSH keys only — remove it and give "Admin SSH public key"',
  password: 'the pool uses SSH keys only — remove it and give "Admin SSH public key"',
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
    terminateNotBeforeTimeout: terminateNoticeSchema.default(
      `PT${TERMINATE_NOTICE_MINUTES.default}M`,
    ),
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
      terminateNotBeforeTimeout: input.terminateNotBeforeTimeout,
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
          ? `must be at most ${limit} while the pool keeps a single placement group ("Single placement group" on) — remove that setting, or turn it off, for up to ${INSTANCE_LIMIT.uniform}`
          : `must be at most ${limit} (the limit of a Uniform scale set)`,
      );
    }
    if (counts.minInstances > counts.maxInstances) {
      issue(
        ['minInstances'],
        `must not exceed "Most (autoscale)" (${counts.maxInstances}) — lower it or raise "Most (autoscale)"`,
      );
    } else if (
      counts.instanceCount < counts.minInstances ||
      counts.instanceCount > counts.maxInstances
    ) {
      issue(
        ['instanceCount'],
        `must be between "Fewest (autoscale)" (${counts.minInstances}) and "Most (autoscale)" (${counts.maxInstances})`,
      );
    }
    const natStart = raw.natFrontendPortStart ?? 50_000;
    if (typeof natStart === 'number' && Number.isInteger(natStart)) {
      const end = natStart + limit - 1;
      if (end > 65_534) {
        issue(
          ['natFrontendPortStart'],
          `must be at most ${65_534 - limit + 1}: the range holds one port for each of up to ${limit} instances and NAT ports stop at 65534 — pick a lower first port`,
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
          `"${item}" opens SSH to the whole internet, as the article's template did — give your office or VPN range, or tick "I accept 0.0.0.0/0" to accept the risk`,
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
      'is needed too: give both "Storage account" and "File share", or neither',
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
          'applies only with "Storage account" and "File share" (the pool has no share without them) — remove it or name the storage',
        );
      }
    }
    return;
  }
  const create = raw.createStorage ?? raw.storageResourceGroup === undefined;
  if (create === true && raw.storageResourceGroup !== undefined) {
    issue(
      ['storageResourceGroup'],
      'applies only to an existing account ("They exist already"): the template creates storage in the pool\'s own resource group — remove it, or tick "They exist already"',
    );
  }
  if (create === false) {
    for (const key of ['storageSku', 'shareQuotaGiB']) {
      if (raw[key] !== undefined) {
        issue(
          [key],
          'applies only when the template creates the storage: an existing account and share keep their own — remove it, or untick "They exist already"',
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
  // Named by the wizard's labels: the admin sees those, not the template's parameter names.
  const sentence = parts.map((p) => `${fieldLabel(p.path)} ${p.message}`).join('; ');
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
