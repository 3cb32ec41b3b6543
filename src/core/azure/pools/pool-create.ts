// Creating a pool: the resource group, the share with the agent on it, then a validated
// deployment of resources/templates/pool.json whose progress comes from its deployment operations.
import { ErrorCode, RpcError } from '../../../common/errors';
import { type AzureClients, type AzurePoolRef, describeAzureFailure } from '../arm/index';
import {
  type PoolParameters,
  buildDeploymentParameters,
  loadPoolTemplate,
  poolParameterWarnings,
  poolResourceNames,
} from '../template/index';
import { readAgentBundle } from '../../agent-bundle';
import { findAgentRuntimes } from '../../agent-runtime';
import { AzureShareFiles } from '../../storage/azure-share-files';
import type { DeploymentProgress } from './azure-deployment-watcher';
import type { OperationHandle } from './azure-operation-tracker';
import type { LroOptions } from './pool-action';
import { validateAndDeploy } from './pool-deployment';
import { POOL_TAG, type AzurePoolSummary } from './pool-summary';

export interface CreatePoolRequest {
  subscriptionId: string;
  resourceGroup: string;
  /** Create the resource group (tagged as the pool's) when it does not exist. */
  createResourceGroup?: boolean;
  /** What the wizard collected; validated with validatePoolParameters. */
  parameters: unknown;
  /** Default `dsvm-pool-<poolName>`. */
  deploymentName?: string;
  /** Deployment progress, on every change (also on the operation's `resources`). */
  onProgress?: (progress: DeploymentProgress) => void;
}

export interface CreatedPool {
  pool: AzurePoolSummary;
  /** The template's outputs: fqdn, publicIpAddress, NAT range, resource names. */
  outputs: Record<string, unknown>;
  createdResourceGroup: boolean;
  /** poolParameterWarnings: things the admin should know (e.g. SSH open to the internet). */
  warnings: string[];
}

/** Where the app puts the agent bundle on a pool's share; the template's script looks there. */
export const AGENT_ON_SHARE = '.pool/agent/dsvm-pool-agent.js';
/** …and the agent's Node.js runtime tarballs, beside it under their registry names. */
export const AGENT_DIR_ON_SHARE = '.pool/agent';

/** What creating a pool needs from the pool service. */
export interface PoolCreateContext {
  /** The SDK clients of the pool's subscription. */
  clients: AzureClients;
  lro: LroOptions;
  deploymentPollIntervalMs?: number;
  agentBundlePath?: string;
  /** Where the agent's runtime tarballs are (default: the checkout's out/agent/runtime). */
  agentRuntimeDir?: string;
  log?: (line: string) => void;
  /** The service's translation of a failure (size and region make capacity errors actionable). */
  translate: (
    err: unknown,
    pool: AzurePoolRef,
    action: string,
    known: { vmSize?: string; location?: string },
  ) => Promise<RpcError>;
  /** Lets every view re-read the pool, then announces the change. */
  afterAction: (pool: AzurePoolRef) => Promise<void>;
  getPool: (pool: AzurePoolRef) => Promise<AzurePoolSummary>;
  /** Announces the new pool. */
  created: (pool: AzurePoolSummary) => void;
}

/**
 * The work of `AzurePoolService.createPool`: the resource group (if asked), the share, then the
 * validated deployment, watched; the pool as Azure has it afterwards.
 */
export async function deployPool(
  ctx: PoolCreateContext,
  op: OperationHandle,
  ref: AzurePoolRef,
  params: PoolParameters,
  deploymentName: string,
  request: CreatePoolRequest,
): Promise<CreatedPool> {
  const { clients } = ctx;
  const { resourceGroup } = ref;
  const known = { vmSize: params.vmSize, location: params.location };
  const fail = async (err: unknown, action: string): Promise<never> => {
    const error = await ctx.translate(err, ref, action, known);
    op.progress(`Failed: ${error.message}`);
    throw error;
  };
  const warnings = poolParameterWarnings(params);
  for (const warning of warnings) op.progress(`Note: ${warning}`);

  // 1. The resource group.
  let createdResourceGroup = false;
  try {
    const exists = (await clients.resources.resourceGroups.checkExistence(resourceGroup)).body;
    if (!exists) {
      if (!request.createResourceGroup) {
        throw new RpcError(
          ErrorCode.NotFound,
          `Resource group ${resourceGroup} does not exist in subscription ${ref.subscriptionId}. Choose an existing one, or let the app create it.`,
        );
      }
      op.progress(`Creating resource group ${resourceGroup} in ${params.location}…`);
      // The tag marks the group as the pool's own: deleting the pool may delete it (if empty).
      await clients.resources.resourceGroups.createOrUpdate(resourceGroup, {
        location: params.location,
        tags: { [POOL_TAG]: params.poolName },
      });
      createdResourceGroup = true;
    } else {
      op.progress(`Using resource group ${resourceGroup}.`);
    }
  } catch (err) {
    return fail(err, `create resource group ${resourceGroup}`);
  }

  // 2. No existing scale set of that name: an incremental deployment would silently change it.
  let taken: boolean;
  try {
    taken = await exists(() =>
      clients.compute.virtualMachineScaleSets.get(
        resourceGroup,
        poolResourceNames(params.poolName).vmss,
      ),
    );
  } catch (err) {
    return fail(err, `create pool ${params.poolName}`);
  }
  if (taken) {
    return fail(
      new RpcError(
        ErrorCode.BadInput,
        `A scale set named ${params.poolName} already exists in resource group ${resourceGroup}. Choose another pool name, or manage the existing pool.`,
      ),
      `create pool ${params.poolName}`,
    );
  }

  // 3. The share first, with the agent on it, so every instance finds the agent at its first
  //    boot (the template's own storage resources then change nothing).
  if (params.storageAccountName && params.fileShareName) {
    try {
      await prepareShare(op, clients, params, resourceGroup, ctx.lro, {
        bundlePath: ctx.agentBundlePath,
        runtimeDir: ctx.agentRuntimeDir,
      });
    } catch (err) {
      return fail(err, `prepare the share ${params.storageAccountName}/${params.fileShareName}`);
    }
  }

  // 4. Validate, then deploy, watching the deployment operations.
  const outputs = await validateAndDeploy(ctx, op, {
    resourceGroup,
    deploymentName,
    poolName: params.poolName,
    deployment: {
      properties: {
        mode: 'Incremental',
        template: loadPoolTemplate() as unknown as Record<string, unknown>,
        parameters: buildDeploymentParameters(params),
      },
    },
    fail,
    after: () => ctx.afterAction(ref),
    onProgress: request.onProgress,
  });

  const pool = await ctx.getPool(ref);
  op.progress(
    `Pool ${params.poolName} is ready: ${pool.capacity} instance${pool.capacity === 1 ? '' : 's'}.`,
  );
  ctx.created({ ...pool, tags: { ...pool.tags } });
  return { pool, outputs, createdResourceGroup, warnings };
}

/** What the instances' extension takes from the share: where this build has them. */
export interface AgentFiles {
  /** The agent bundle (default: the checkout's out/agent/dsvm-pool-agent.js). */
  bundlePath?: string;
  /** The folder of the agent's runtime tarballs (default: the checkout's out/agent/runtime). */
  runtimeDir?: string;
}

/**
 * Creates the pool's storage account and share (unless they exist already), as the template
 * describes them, and uploads the agent bundle and its Node.js runtimes to `.pool/agent/` for
 * the instances' extension.
 */
export async function prepareShare(
  op: OperationHandle,
  clients: AzureClients,
  params: PoolParameters,
  poolGroup: string,
  lro: LroOptions,
  agent: AgentFiles = {},
): Promise<void> {
  const account = params.storageAccountName!;
  const share = params.fileShareName!;
  const group = storageGroupOf(params, poolGroup);
  if (params.createStorage !== false) {
    const quota = params.shareQuotaGiB ?? 100;
    op.progress(`Creating storage account ${account}…`);
    await clients.storage.storageAccounts.create(
      group,
      account,
      {
        location: params.location,
        kind: 'StorageV2',
        sku: { name: params.storageSku ?? 'Standard_LRS' },
        minimumTlsVersion: 'TLS1_2',
        enableHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        ...(quota > 5120 ? { largeFileSharesState: 'Enabled' } : {}),
        tags: { [POOL_TAG]: params.poolName },
      },
      lro,
    );
    op.progress(`Creating file share ${share} (${quota} GiB)…`);
    await clients.storage.fileShares.create(group, account, share, {
      shareQuota: quota,
      enabledProtocols: 'SMB',
    });
  }
  const files = await AzureShareFiles.open(clients.storage, {
    resourceGroup: group,
    account,
    share,
  });
  if (params.agentBundleUri === undefined) {
    op.progress(`Putting the pool agent on the share (${AGENT_ON_SHARE})…`);
    const bundle = await readAgentBundle(agent.bundlePath);
    await files.writeAtomic(AGENT_ON_SHARE, bundle);
  }
  await putAgentRuntimes(op, files, agent.runtimeDir);
}

/**
 * The agent's own Node.js beside the bundle, which the installer checks against the template's
 * pinned sha512, so instances never depend on the image's Node.js (Ubuntu 22.04's is 12). A
 * tarball already there under its name (release and arch in it) is left alone.
 */
export async function putAgentRuntimes(
  op: OperationHandle,
  files: AzureShareFiles,
  runtimeDir: string | undefined,
): Promise<void> {
  const runtimes = await findAgentRuntimes(runtimeDir);
  if (runtimes.length === 0) {
    op.progress(
      "Note: this build has no Node.js runtime for the agent (npm run build:agent fetches it); instances fall back to their image's Node.js 18+.",
    );
    return;
  }
  const there = new Map(
    (await files.list(AGENT_DIR_ON_SHARE)).map((entry) => [entry.name, entry.size]),
  );
  for (const runtime of runtimes) {
    const path = `${AGENT_DIR_ON_SHARE}/${runtime.fileName}`;
    if (there.get(runtime.fileName) === runtime.size) continue;
    op.progress(
      `Putting the agent's Node.js ${runtime.version} for ${runtime.arch} (${Math.round(runtime.size / 1_048_576)} MB) on the share (${path})…`,
    );
    await files.uploadFileAtomic(path, runtime.path);
  }
}

/** The storage account's resource group: the pool's, unless an existing account lives elsewhere. */
export function storageGroupOf(params: PoolParameters, poolGroup: string): string {
  return params.createStorage === false ? (params.storageResourceGroup ?? poolGroup) : poolGroup;
}

/** Whether a GET finds the resource (404: no); other failures are thrown. */
async function exists(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return true;
  } catch (err) {
    if (describeAzureFailure(err).status === 404) return false;
    throw err;
  }
}
