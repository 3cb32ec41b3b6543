// Redeploying a pool (e.g. to add its share, or to move it to a newer template): the parameters of
// its last deployment with the admin's changes, deployed incrementally so that what was set since
// stays: the autoscale setting is not in the deployment at all (deployAutoscale false), and the
// scale set's capacity is its current one.
import { ErrorCode, RpcError } from '../../../common/errors';
import type { AzureClients, AzurePoolRef } from '../arm/index';
import { describeAzureFailure } from '../arm/index';
import { AzureAutoscale } from '../autoscale/index';
import {
  POOL_TEMPLATE_VERSION,
  buildRedeployParameters,
  loadPoolTemplate,
  poolInputFromDeployment,
  poolParameterWarnings,
  poolResourceNames,
  validatePoolParameters,
} from '../template/index';
import type { OperationHandle } from './azure-operation-tracker';
import type { LroOptions } from './pool-action';
import { azDeployPool } from './pool-az';
import { AzureShareFiles } from '../../storage/azure-share-files';
import { prepareShare, putAgentRuntimes, storageGroupOf } from './pool-create';
import { validateAndDeploy } from './pool-deployment';
import { POOL_TAG, type AzurePoolSummary } from './pool-summary';

export interface RedeployPoolRequest {
  /**
   * What to change, as the wizard's fields (e.g. `storageAccountName` and `fileShareName` to add
   * the share, `allowedSourceCidrs`); the rest comes from the pool's last deployment.
   */
  changes?: Record<string, unknown>;
  /** Default `dsvm-pool-<poolName>`, the deployment that created it. */
  deploymentName?: string;
}

export interface RedeployedPool {
  pool: AzurePoolSummary;
  outputs: Record<string, unknown>;
  /** What stayed as the admin had set it. */
  kept: { capacity: number; autoscaleSetting?: string };
  warnings: string[];
}

/** What redeploying needs from the pool service. */
export interface PoolRedeployContext {
  clients: AzureClients;
  lro: LroOptions;
  deploymentPollIntervalMs?: number;
  agentBundlePath?: string;
  /** Where the agent's runtime tarballs are (default: the checkout's out/agent/runtime). */
  agentRuntimeDir?: string;
  log?: (line: string) => void;
  afterAction: (pool: AzurePoolRef) => Promise<void>;
  getPool: (pool: AzurePoolRef) => Promise<AzurePoolSummary>;
}

/** Set elsewhere than by a redeployment: Scale… and Autoscale… change them. */
const NOT_REDEPLOYED: Record<string, string> = {
  instanceCount: 'the number of instances (use Scale…)',
  minInstances: 'the fewest instances (use Autoscale…)',
  maxInstances: 'the most instances (use Autoscale…)',
  autoscaleEnabled: 'whether autoscale acts (use Autoscale…)',
};

export async function redeployPool(
  ctx: PoolRedeployContext,
  op: OperationHandle,
  ref: AzurePoolRef,
  request: RedeployPoolRequest,
): Promise<RedeployedPool> {
  const { clients } = ctx;
  const changes = request.changes ?? {};
  const refused = Object.keys(changes).filter((k) => k in NOT_REDEPLOYED);
  if (refused.length) {
    throw new RpcError(
      ErrorCode.BadInput,
      `A redeployment keeps ${refused.map((k) => NOT_REDEPLOYED[k]).join(', ')} as they are; change them there instead.`,
    );
  }
  const deploymentName = request.deploymentName ?? `dsvm-pool-${ref.poolName}`.slice(0, 64);

  // 1. The scale set as it is now: its capacity stays.
  op.progress(`Reading pool ${ref.poolName}…`);
  const vmss = await clients.compute.virtualMachineScaleSets.get(
    ref.resourceGroup,
    poolResourceNames(ref.poolName).vmss,
  );
  if (vmss.tags?.[POOL_TAG] === undefined) {
    throw new RpcError(
      ErrorCode.NotFound,
      `The scale set ${ref.poolName} in ${ref.resourceGroup} carries no "${POOL_TAG}" tag, so it is not a pool this app made.`,
    );
  }
  const capacity = vmss.sku?.capacity ?? 0;

  // 2. The parameters it was deployed with, and the admin's changes.
  let previous: Record<string, { value?: unknown }>;
  try {
    const last = await clients.deployments.deployments.get(ref.resourceGroup, deploymentName);
    previous = (last.properties?.parameters ?? {}) as Record<string, { value?: unknown }>;
  } catch (err) {
    if (describeAzureFailure(err).status !== 404) throw err;
    throw new RpcError(
      ErrorCode.NotFound,
      `Pool ${ref.poolName} has no deployment named ${deploymentName} in ${ref.resourceGroup} (Azure keeps a group's last 800), so the app does not know the parameters it was made with. Create the pool anew, or redeploy it with az deployment group create.`,
    );
  }
  const input: Record<string, unknown> = {
    ...poolInputFromDeployment(previous),
    ...changes,
    instanceCount: capacity,
  };
  // Autoscale bounds are not deployed again; they need only hold the current capacity.
  input.minInstances = Math.min(Number(input.minInstances ?? 0), capacity);
  input.maxInstances = Math.max(Number(input.maxInstances ?? 1), capacity, 1);
  const params = validatePoolParameters(input);
  if (params.poolName !== ref.poolName) {
    throw new RpcError(ErrorCode.BadInput, 'A redeployment cannot rename the pool.');
  }
  const warnings = poolParameterWarnings(params).filter((w) => !/^minInstances is 0/.test(w));
  for (const warning of warnings) op.progress(`Note: ${warning}`);
  op.setAz([
    azDeployPool({
      resourceGroup: ref.resourceGroup,
      subscription: ref.subscriptionId,
      params,
      deploymentName,
      redeploy: true,
    }),
  ]);

  // 3. The autoscale setting is left out of the deployment: whatever it holds stays.
  const setting = await new AzureAutoscale(clients, ref).find();
  if (setting) {
    const profiles = Array.isArray(setting.raw.properties?.profiles)
      ? setting.raw.properties.profiles.length
      : 0;
    op.progress(
      `Keeping autoscale setting ${setting.name} (${profiles} profile${profiles === 1 ? '' : 's'}) as it is.`,
    );
  } else {
    op.progress('The pool has no autoscale setting; a redeployment adds none (Autoscale… does).');
  }

  // 4. A share added now gets its account, share and agent first, as at creation.
  const hadShare =
    typeof previous.storageAccountName?.value === 'string' &&
    previous.storageAccountName.value !== '';
  if (params.storageAccountName && params.fileShareName && !hadShare) {
    await prepareShare(op, clients, params, ref.resourceGroup, ctx.lro, {
      bundlePath: ctx.agentBundlePath,
      runtimeDir: ctx.agentRuntimeDir,
    });
  } else if (params.storageAccountName && params.fileShareName) {
    // A pool made by an older template (or app) may lack this release's runtime on its share.
    const files = await AzureShareFiles.open(clients.storage, {
      resourceGroup: storageGroupOf(params, ref.resourceGroup),
      account: params.storageAccountName,
      share: params.fileShareName,
    });
    await putAgentRuntimes(op, files, ctx.agentRuntimeDir);
  }

  // 5. Deploy, keeping the capacity: instanceCount is the current one.
  op.progress(
    `Redeploying pool ${ref.poolName} with template ${POOL_TEMPLATE_VERSION}, keeping ${capacity} instance${capacity === 1 ? '' : 's'}…`,
  );
  const outputs = await validateAndDeploy(ctx, op, {
    resourceGroup: ref.resourceGroup,
    deploymentName,
    poolName: ref.poolName,
    deployment: {
      properties: {
        mode: 'Incremental',
        template: loadPoolTemplate() as unknown as Record<string, unknown>,
        parameters: buildRedeployParameters(params),
      },
    },
    fail: (err) => Promise.reject(err),
    after: () => ctx.afterAction(ref),
  });
  const pool = await ctx.getPool(ref);
  op.progress(
    `Pool ${ref.poolName} redeployed: ${pool.capacity} instance${pool.capacity === 1 ? '' : 's'}.`,
  );
  return {
    pool,
    outputs,
    kept: { capacity, ...(setting ? { autoscaleSetting: setting.name } : {}) },
    warnings,
  };
}
