// Validating and running a deployment of resources/templates/pool.json, its progress watched
// resource by resource: what creating a pool and redeploying one share.
import type { AzureClients } from '../arm/index';
import { POOL_TEMPLATE_VERSION } from '../template/index';
import {
  type ArmErrorInfo,
  type DeploymentProgress,
  DeploymentWatcher,
  innermostError,
} from './azure-deployment-watcher';
import type { OperationHandle } from './azure-operation-tracker';
import type { LroOptions } from './pool-action';

export interface PoolDeployment {
  properties: {
    mode: 'Incremental';
    template: Record<string, unknown>;
    parameters: Record<string, { value: unknown }>;
  };
}

/** Validates, then deploys, reporting each resource's state; the template's outputs. */
export async function validateAndDeploy(
  ctx: {
    clients: AzureClients;
    lro: LroOptions;
    deploymentPollIntervalMs?: number;
    log?: (line: string) => void;
  },
  op: OperationHandle,
  run: {
    resourceGroup: string;
    deploymentName: string;
    poolName: string;
    deployment: PoolDeployment;
    /** Turns a failure into the operation's error (and throws it). */
    fail: (err: unknown, action: string) => Promise<never>;
    /** Runs once the deployment ended, either way (views re-read the pool). */
    after: () => Promise<void>;
    onProgress?: (progress: DeploymentProgress) => void;
  },
): Promise<Record<string, unknown>> {
  const { clients } = ctx;
  const { resourceGroup, deploymentName, deployment, fail } = run;
  try {
    op.progress('Validating the deployment with Azure…');
    const validation = await clients.deployments.deployments.validate(
      resourceGroup,
      deploymentName,
      deployment,
      ctx.lro,
    );
    const problem = (validation as { error?: ArmErrorInfo }).error;
    if (problem?.code) {
      throw Object.assign(new Error(problem.message ?? problem.code), {
        code: problem.code,
        name: 'RestError',
      });
    }
  } catch (err) {
    return fail(err, `validate the deployment of pool ${run.poolName}`);
  }

  op.progress(`Deploying ${deploymentName} (template ${POOL_TEMPLATE_VERSION})…`);
  const states = new Map<string, string>();
  const watcher = new DeploymentWatcher({
    client: clients.deployments,
    resourceGroup,
    deploymentName,
    intervalMs: ctx.deploymentPollIntervalMs,
    log: ctx.log,
    onProgress: (progress) => {
      for (const r of progress.resources) {
        const key = `${r.type}/${r.name}`;
        if (states.get(key) === r.provisioningState) continue;
        states.set(key, r.provisioningState);
        op.progress(`${r.type} ${r.name}: ${r.provisioningState}`);
      }
      op.setResources(progress.resources, progress.status);
      run.onProgress?.(progress);
    },
  });
  try {
    const poller = clients.deployments.deployments.createOrUpdate(
      resourceGroup,
      deploymentName,
      deployment,
      ctx.lro,
    );
    watcher.start();
    const result = await poller;
    await watcher.stop();
    return outputValues(result.properties?.outputs);
  } catch (err) {
    await watcher.stop();
    // core-lro keeps only "DeploymentFailed"; the deployment's error tree says why.
    const inner = innermostError(watcher.error);
    const cause = inner?.code
      ? Object.assign(new Error(inner.message ?? inner.code), {
          code: inner.code,
          name: 'RestError',
        })
      : err;
    for (const r of watcher.resources.filter((x) => x.provisioningState === 'Failed')) {
      op.progress(
        `${r.type} ${r.name} failed: ${r.error?.code ?? ''} ${r.error?.message ?? ''}`.trim(),
      );
    }
    return fail(cause, `deploy pool ${run.poolName}`);
  } finally {
    await run.after();
  }
}

function outputValues(outputs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (outputs && typeof outputs === 'object') {
    for (const [key, value] of Object.entries(outputs as Record<string, { value?: unknown }>)) {
      out[key] = value?.value;
    }
  }
  return out;
}
