// The create-pool wizard's form: what the admin typed (strings, as inputs hold them), the pool
// parameters it becomes for `azure.validatePool` / `azure.createPool`, and which step owns which
// field, so an error the app reports lands next to the field and on the right step.
import { poolFieldLabel } from '../../../common/pool-fields';
import { asSentence } from '../../shared/field-errors';

export const WIZARD_STEPS = ['basics', 'machines', 'access', 'storage', 'review'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const STEP_LABELS: Record<WizardStep, string> = {
  basics: 'Basics',
  machines: 'Machines',
  access: 'Access',
  storage: 'Storage',
  review: 'Review',
};

export const OS_DISK_TYPES = ['StandardSSD_LRS', 'Premium_LRS', 'Standard_LRS'] as const;

/** The terminate notice Azure allows a scale set (5 to 15 minutes) and the app's default. */
export const TERMINATE_NOTICE_MINUTES = Array.from({ length: 11 }, (_, i) => String(i + 5));
export const TERMINATE_NOTICE_DEFAULT = 10;

/** Sizes most teams start from; any other size can be typed. */
export const COMMON_VM_SIZES = [
  'Standard_D4s_v5',
  'Standard_D8s_v5',
  'Standard_D16s_v5',
  'Standard_E8s_v5',
  'Standard_NC4as_T4_v3',
  'Standard_NC24ads_A100_v4',
] as const;

export interface PoolDraft {
  poolName: string;
  subscriptionId: string;
  resourceGroupMode: 'new' | 'existing';
  /** Empty: `<poolName>-rg`. */
  newResourceGroup: string;
  existingResourceGroup: string;
  location: string;
  vmSize: string;
  imagePublisher: string;
  imageOffer: string;
  imageSku: string;
  imageVersion: string;
  instanceCount: string;
  minInstances: string;
  maxInstances: string;
  osDiskType: string;
  autoscaleEnabled: boolean;
  /** Minutes of notice an instance gets before a scale-in removes it, 5–15 (Azure's range). */
  terminateNoticeMinutes: string;
  adminUsername: string;
  sshPublicKey: string;
  /** One range per line (commas work too). */
  allowedSourceCidrs: string;
  allowInternetSsh: boolean;
  /** Empty: derived from the pool name with `dnsSuffix`. */
  dnsLabel: string;
  /** Six random characters picked when the wizard opens, so the derived label stays put. */
  dnsSuffix: string;
  natFrontendPortStart: string;
  storageAccountName: string;
  fileShareName: string;
  /** The template creates the account and share (else they exist, in the pool's group). */
  createStorage: boolean;
  shareQuotaGiB: string;
}

export function emptyDraft(random: () => number = Math.random): PoolDraft {
  let suffix = '';
  while (suffix.length < 6) suffix += Math.floor(random() * 36).toString(36);
  return {
    poolName: '',
    subscriptionId: '',
    resourceGroupMode: 'new',
    newResourceGroup: '',
    existingResourceGroup: '',
    location: 'westeurope',
    vmSize: 'Standard_D4s_v5',
    imagePublisher: 'microsoft-dsvm',
    imageOffer: 'ubuntu-2204',
    imageSku: '2204-gen2',
    imageVersion: 'latest',
    instanceCount: '2',
    minInstances: '0',
    maxInstances: '10',
    osDiskType: 'StandardSSD_LRS',
    autoscaleEnabled: true,
    terminateNoticeMinutes: String(TERMINATE_NOTICE_DEFAULT),
    adminUsername: 'azureuser',
    sshPublicKey: '',
    allowedSourceCidrs: '',
    allowInternetSsh: false,
    dnsLabel: '',
    dnsSuffix: suffix,
    natFrontendPortStart: '50000',
    storageAccountName: '',
    fileShareName: '',
    createStorage: true,
    shareQuotaGiB: '100',
  };
}

/** A DNS label from the pool name: lower case, letters/digits/hyphens, starting with a letter. */
export function derivedDnsLabel(draft: Pick<PoolDraft, 'poolName' | 'dnsSuffix'>): string {
  let base = draft.poolName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+/g, '-')
    .replace(/-$/, '')
    .slice(0, 50);
  if (!base) base = 'pool';
  return `${base}-${draft.dnsSuffix}`;
}

export function resourceGroupOf(draft: PoolDraft): string {
  if (draft.resourceGroupMode === 'existing') return draft.existingResourceGroup;
  return draft.newResourceGroup.trim() || `${draft.poolName.trim() || 'pool'}-rg`;
}

/** A number field: a number when it reads as one, else the text (the app then says what is wrong). */
function numeric(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The pool parameters for the app; empty optional fields are left out (the app's defaults). */
export function draftParameters(draft: PoolDraft): Record<string, unknown> {
  const p: Record<string, unknown> = {
    poolName: draft.poolName.trim(),
    location: draft.location.trim(),
    vmSize: draft.vmSize.trim(),
    image: {
      publisher: draft.imagePublisher.trim(),
      offer: draft.imageOffer.trim(),
      sku: draft.imageSku.trim(),
      version: draft.imageVersion.trim() || 'latest',
    },
    osDiskType: draft.osDiskType,
    autoscaleEnabled: draft.autoscaleEnabled,
    adminUsername: draft.adminUsername.trim(),
    sshPublicKey: draft.sshPublicKey.trim(),
    allowedSourceCidrs: splitList(draft.allowedSourceCidrs),
    allowInternetSsh: draft.allowInternetSsh,
    dnsLabel: draft.dnsLabel.trim() || derivedDnsLabel(draft),
  };
  const counts = {
    instanceCount: numeric(draft.instanceCount),
    minInstances: numeric(draft.minInstances),
    maxInstances: numeric(draft.maxInstances),
    natFrontendPortStart: numeric(draft.natFrontendPortStart),
  };
  for (const [key, value] of Object.entries(counts)) if (value !== undefined) p[key] = value;
  // The app's default (10 minutes) needs no parameter.
  const notice = draft.terminateNoticeMinutes.trim();
  if (notice && notice !== String(TERMINATE_NOTICE_DEFAULT)) {
    p.terminateNotBeforeTimeout = `PT${notice}M`;
  }
  if (draft.storageAccountName.trim()) p.storageAccountName = draft.storageAccountName.trim();
  if (draft.fileShareName.trim()) p.fileShareName = draft.fileShareName.trim();
  if (p.storageAccountName !== undefined || p.fileShareName !== undefined) {
    if (!draft.createStorage) p.createStorage = false;
    else {
      const quota = numeric(draft.shareQuotaGiB);
      if (quota !== undefined) p.shareQuotaGiB = quota;
    }
  }
  return p;
}

/** Fills a draft from imported parameters (the article's file), keeping what they do not name. */
export function draftWithParameters(draft: PoolDraft, params: Record<string, unknown>): PoolDraft {
  const next = { ...draft };
  const text = (v: unknown) =>
    typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  const set = <K extends keyof PoolDraft>(key: K, value: PoolDraft[K] | undefined) => {
    if (value !== undefined) next[key] = value;
  };
  set('poolName', text(params.poolName));
  set('location', text(params.location));
  set('vmSize', text(params.vmSize));
  set('instanceCount', text(params.instanceCount));
  set('minInstances', text(params.minInstances));
  set('maxInstances', text(params.maxInstances));
  set('adminUsername', text(params.adminUsername));
  set('sshPublicKey', text(params.sshPublicKey));
  set('dnsLabel', text(params.dnsLabel));
  set('natFrontendPortStart', text(params.natFrontendPortStart));
  set('storageAccountName', text(params.storageAccountName));
  set('fileShareName', text(params.fileShareName));
  if (typeof params.osDiskType === 'string') next.osDiskType = params.osDiskType;
  if (typeof params.autoscaleEnabled === 'boolean') next.autoscaleEnabled = params.autoscaleEnabled;
  const notice = /^PT(\d+)M$/i.exec(String(params.terminateNotBeforeTimeout ?? ''));
  if (notice) next.terminateNoticeMinutes = String(Number(notice[1]));
  if (typeof params.allowInternetSsh === 'boolean') next.allowInternetSsh = params.allowInternetSsh;
  if (Array.isArray(params.allowedSourceCidrs)) {
    next.allowedSourceCidrs = params.allowedSourceCidrs.map(String).join('\n');
  }
  const image = params.image as Record<string, unknown> | undefined;
  if (image && typeof image === 'object') {
    set('imagePublisher', text(image.publisher));
    set('imageOffer', text(image.offer));
    set('imageSku', text(image.sku));
    set('imageVersion', text(image.version));
  }
  return next;
}

const FIELD_STEP: Record<string, WizardStep> = {
  poolName: 'basics',
  location: 'basics',
  resourceGroup: 'basics',
  subscriptionId: 'basics',
  vmSize: 'machines',
  image: 'machines',
  instanceCount: 'machines',
  minInstances: 'machines',
  maxInstances: 'machines',
  singlePlacementGroup: 'machines',
  computerNamePrefix: 'machines',
  osDiskType: 'machines',
  autoscaleEnabled: 'machines',
  terminateNotBeforeTimeout: 'machines',
  adminUsername: 'access',
  sshPublicKey: 'access',
  allowedSourceCidrs: 'access',
  allowInternetSsh: 'access',
  dnsLabel: 'access',
  natFrontendPortStart: 'access',
  storageAccountName: 'storage',
  fileShareName: 'storage',
  createStorage: 'storage',
  storageResourceGroup: 'storage',
  storageSku: 'storage',
  shareQuotaGiB: 'storage',
  agentBundleUri: 'storage',
};

/** The step that shows a field (`image.sku`, `allowedSourceCidrs.2` → their top-level field). */
export function stepOfField(field: string): WizardStep {
  return FIELD_STEP[field.split('.')[0] ?? ''] ?? 'review';
}

/**
 * Every error of a field and of its parts, one sentence after the other (`image` shows
 * `image.sku`'s as "Image SKU: …", `allowedSourceCidrs.2`'s as "Line 3: …"), so a step that says
 * "(2 to fix)" shows both.
 */
export function errorFor(
  errors: Readonly<Record<string, string>>,
  field: string,
): string | undefined {
  const messages: string[] = [];
  if (errors[field]) messages.push(asSentence(errors[field]));
  for (const key of Object.keys(errors)) {
    if (!key.startsWith(`${field}.`)) continue;
    const rest = key.slice(field.length + 1).split('.');
    const where = /^\d+$/.test(rest[0] ?? '')
      ? `Line ${Number(rest[0]) + 1}`
      : poolFieldLabel([field, ...rest]);
    messages.push(`${where}: ${asSentence(errors[key]!)}`);
  }
  return messages.length ? messages.join(' ') : undefined;
}

/** The fields each step shows with a Field of their own (their errors appear beside them). */
const SHOWN_FIELDS: Record<WizardStep, readonly string[]> = {
  basics: ['poolName', 'subscriptionId', 'resourceGroup', 'location'],
  machines: [
    'vmSize',
    'instanceCount',
    'minInstances',
    'maxInstances',
    'image',
    'osDiskType',
    'autoscaleEnabled',
    'terminateNotBeforeTimeout',
  ],
  access: [
    'adminUsername',
    'sshPublicKey',
    'allowedSourceCidrs',
    'dnsLabel',
    'natFrontendPortStart',
  ],
  storage: ['storageAccountName', 'fileShareName', 'shareQuotaGiB'],
  review: [],
};

/**
 * The errors of a step that no field of it shows (a checkbox, a setting from an imported file,
 * anything the app refused as a whole), as "Label: message" sentences: every error a step counts
 * is shown somewhere.
 */
export function unshownErrors(
  errors: Readonly<Record<string, string>>,
  step: WizardStep,
): string[] {
  const shown = SHOWN_FIELDS[step];
  return Object.keys(errors)
    .filter((field) => stepOfField(field) === step && !shown.includes(field.split('.')[0] ?? ''))
    .map((field) => `${poolFieldLabel(field.split('.'))}: ${asSentence(errors[field]!)}`);
}

/** Local checks the app cannot make (it never sees the subscription choice as a field). */
export function localErrors(draft: PoolDraft, upTo: number): Record<string, string> {
  const e: Record<string, string> = {};
  if (upTo >= 0) {
    if (!draft.poolName.trim()) e.poolName = 'Name the pool (e.g. "ds-team").';
    if (!draft.subscriptionId) e.subscriptionId = 'Pick the subscription to pay for the pool.';
    if (draft.resourceGroupMode === 'existing' && !draft.existingResourceGroup) {
      e.resourceGroup = 'Pick a resource group, or create a new one.';
    }
    if (!draft.location.trim()) e.location = 'Pick a region.';
  }
  if (upTo >= 2 && !draft.sshPublicKey.trim()) {
    e.sshPublicKey = "Paste an SSH public key (a .pub file's line), or use the app's key.";
  }
  if (upTo >= 2 && !draft.allowedSourceCidrs.trim()) {
    e.allowedSourceCidrs =
      'Give the address ranges allowed to reach SSH (your office or VPN, e.g. 203.0.113.0/24).';
  }
  return e;
}
