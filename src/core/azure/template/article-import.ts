// Imports the article's ARM parameters file (dsvm-vmss-cluster.parameters.json) into the pool
// wizard's parameters, saying what was taken, what was left and what is refused, and why.
import { ErrorCode, RpcError } from '../../../common/errors';
import type { PoolParameters } from './pool-template';

export interface ArticleImportResult {
  parameters: Partial<PoolParameters>;
  /** The article's parameter names whose values were taken. */
  mapped: string[];
  /** Parameters left out, with the reason (no danger, just not used or not yet set). */
  notMapped: Array<{ name: string; reason: string }>;
  /** Parameters the pool will not take (passwords), with what to do instead. */
  refused: Array<{ name: string; reason: string }>;
}

const PARAMETERS_SCHEMA = /\/deploymentParameters\.json#?$/i;
const TEMPLATE_SCHEMA = /\/deploymentTemplate\.json#?$/i;

/** The sample file's placeholders (`GEN-UNIQUE-8`, `ENTER-YO-KEY`, `YOUR-AZURE-FILES-SHARE`). */
const PLACEHOLDER = /^(?:GEN|ENTER|YOUR)-[A-Z0-9-]*$/;

const PASSWORD_REASON = 'the pool uses SSH keys only; add your SSH public key';
const STORAGE_KEY_REASON =
  "not imported: a storage key in a deployment parameter is a secret anyone with Reader access can read from the deployment history; the on-VM agent gets storage access through its extension's protected settings (or the managed identity) in a later step";
const MOUNT_REASON =
  "not needed: the agent mounts the share itself (remounted after every reboot) and keeps the article's layout, <share>/notebooks/<user> linked to ~/notebooks/remote for every team member";

type Target = { name: string } & (
  | { kind: 'string'; apply: (value: string, out: Partial<PoolParameters>) => void }
  | { kind: 'int'; apply: (value: number, out: Partial<PoolParameters>) => void }
);

/**
 * The article template's parameters (Azure/DataScienceVM, Scripts/CreateDSVM/Ubuntu/
 * dsvm-vmss-cluster.json) and where each goes. ARM parameter names are case-insensitive.
 * `fileShareName` is accepted as an alias of the article's `shareName`.
 */
const MAPPING: Record<string, Target> = {
  vmssname: {
    name: 'vmssName',
    kind: 'string',
    apply: (v, out) => (out.poolName = v),
  },
  vmsku: { name: 'vmSku', kind: 'string', apply: (v, out) => (out.vmSize = v) },
  instancecount: {
    name: 'instanceCount',
    kind: 'int',
    // The article's pool had a fixed size and no autoscale, so its size is also the upper bound.
    apply: (v, out) => {
      out.instanceCount = v;
      out.maxInstances = Math.max(v, 1);
    },
  },
  adminusername: {
    name: 'adminUsername',
    kind: 'string',
    apply: (v, out) => (out.adminUsername = v),
  },
  storageaccountname: {
    name: 'storageAccountName',
    kind: 'string',
    apply: (v, out) => (out.storageAccountName = v),
  },
  sharename: {
    name: 'shareName',
    kind: 'string',
    apply: (v, out) => (out.fileShareName = v),
  },
  filesharename: {
    name: 'fileShareName',
    kind: 'string',
    apply: (v, out) => (out.fileShareName = v),
  },
};

const REFUSED: Record<string, string> = {
  adminpassword: PASSWORD_REASON,
  password: PASSWORD_REASON,
};

const NOT_MAPPED: Record<string, string> = {
  storageaccountkey: STORAGE_KEY_REASON,
  mountpointpath: MOUNT_REASON,
};

function fail(message: string): never {
  throw new RpcError(ErrorCode.BadInput, message);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return fail(
      `This file is not valid JSON (${why}); pick the article's dsvm-vmss-cluster.parameters.json.`,
    );
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the article's parameters file (its text, or the parsed JSON) and returns what the pool
 * wizard can prefill. Throws RpcError(BadInput) for malformed JSON or another kind of file.
 */
export function importArticleParameters(json: unknown): ArticleImportResult {
  const doc = typeof json === 'string' ? parseJson(json) : json;
  if (!isObject(doc)) {
    fail('This is not an ARM parameters file: expected a JSON object with "parameters".');
  }
  const schema = typeof doc.$schema === 'string' ? doc.$schema : '';
  if (TEMPLATE_SCHEMA.test(schema) || Array.isArray(doc.resources)) {
    fail(
      "This is the article's template (dsvm-vmss-cluster.json), not its parameters file; pick dsvm-vmss-cluster.parameters.json.",
    );
  }
  if (schema && !PARAMETERS_SCHEMA.test(schema)) {
    fail(`This file's $schema (${schema}) is not an ARM deployment parameters schema.`);
  }
  if (!isObject(doc.parameters)) {
    fail('This is not an ARM parameters file: it has no "parameters" object.');
  }

  const result: ArticleImportResult = { parameters: {}, mapped: [], notMapped: [], refused: [] };
  for (const [name, entry] of Object.entries(doc.parameters)) {
    const key = name.toLowerCase();
    if (REFUSED[key]) {
      result.refused.push({ name, reason: REFUSED[key] });
      continue;
    }
    if (NOT_MAPPED[key]) {
      result.notMapped.push({ name, reason: NOT_MAPPED[key] });
      continue;
    }
    const target = MAPPING[key];
    if (!target) {
      result.notMapped.push({
        name,
        reason: "not a parameter of the article's template; ignored",
      });
      continue;
    }
    if (!isObject(entry) || !('value' in entry)) {
      result.notMapped.push({
        name,
        reason:
          isObject(entry) && 'reference' in entry
            ? 'a Key Vault reference, which the import does not resolve; enter the value in the wizard'
            : 'has no "value"; enter it in the wizard',
      });
      continue;
    }
    const value = entry.value;
    if (target.kind === 'int') {
      const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        result.notMapped.push({ name, reason: 'is not a whole number; enter it in the wizard' });
        continue;
      }
      target.apply(n, result.parameters);
    } else {
      if (typeof value !== 'string') {
        result.notMapped.push({ name, reason: 'is not text; enter it in the wizard' });
        continue;
      }
      const text = value.trim();
      if (PLACEHOLDER.test(text)) {
        result.notMapped.push({
          name,
          reason: `still holds the sample's placeholder "${text}"; enter the real value in the wizard`,
        });
        continue;
      }
      target.apply(text, result.parameters);
    }
    result.mapped.push(name);
  }
  return result;
}
