// Follows a running template deployment: polls its deployment operations (per resource type,
// name and provisioningState) and its overall status every ~2 s, for a progress view.
import type { DeploymentsClient } from '@azure/arm-resourcesdeployments';
import type { DeploymentResourceProgress } from './azure-operation-tracker';

export interface DeploymentProgress {
  deploymentName: string;
  /** The deployment's provisioningState: Accepted, Running, Succeeded, Failed, Canceled. */
  status: string;
  resources: DeploymentResourceProgress[];
}

/** ARM's error object, as a deployment or one of its operations reports it. */
export interface ArmErrorInfo {
  code?: string;
  message?: string;
  details?: ArmErrorInfo[];
}

export interface DeploymentWatcherOptions {
  client: DeploymentsClient;
  resourceGroup: string;
  deploymentName: string;
  /** Default 2 s: deployments take minutes; ARM's read limits are per hour. */
  intervalMs?: number;
  onProgress: (progress: DeploymentProgress) => void;
  log?: (line: string) => void;
}

export class DeploymentWatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling: Promise<void> | undefined;
  private last = '';
  /** The latest status and error ARM reported for the deployment itself. */
  status = 'Accepted';
  error: ArmErrorInfo | undefined;
  resources: DeploymentResourceProgress[] = [];

  constructor(private readonly options: DeploymentWatcherOptions) {}

  start(): void {
    this.schedule(0);
  }

  /** Stops polling after one last look, so the final states are reported. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    await this.poll();
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        this.schedule(this.options.intervalMs ?? 2_000);
      });
    }, delay);
    // A deployment in progress must not keep the process (or a test) alive by itself.
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const { client, resourceGroup, deploymentName } = this.options;
    try {
      const [deployment, operations] = await Promise.all([
        client.deployments.get(resourceGroup, deploymentName),
        collect(client.deploymentOperations.list(resourceGroup, deploymentName)),
      ]);
      this.status = deployment.properties?.provisioningState ?? this.status;
      this.error = (deployment.properties?.error as ArmErrorInfo | undefined) ?? undefined;
      this.resources = operations
        .filter((op) => op.properties?.targetResource?.resourceType)
        .map((op) => {
          const p = op.properties!;
          const progress: DeploymentResourceProgress = {
            type: p.targetResource?.resourceType ?? '',
            name: p.targetResource?.resourceName ?? '',
            provisioningState: p.provisioningState ?? 'Running',
          };
          const error = p.statusMessage?.error;
          if (error?.code || error?.message) {
            progress.error = {};
            if (error.code) progress.error.code = error.code;
            if (error.message) progress.error.message = error.message;
          }
          return progress;
        })
        .sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));
    } catch (err) {
      // The deployment may not be listed yet right after its PUT; the next poll sees it.
      this.options.log?.(
        `azure: deployment ${deploymentName} progress: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    const snapshot = JSON.stringify([this.status, this.resources]);
    if (snapshot === this.last) return;
    this.last = snapshot;
    this.options.onProgress({
      deploymentName,
      status: this.status,
      resources: this.resources.map((r) => ({ ...r })),
    });
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

/**
 * The most telling error in a deployment's error tree: a capacity, quota or SKU code deep in
 * `details` says more than the outer `DeploymentFailed`.
 */
export function innermostError(error: ArmErrorInfo | undefined): ArmErrorInfo | undefined {
  if (!error) return undefined;
  const leaves: ArmErrorInfo[] = [];
  const walk = (e: ArmErrorInfo) => {
    if (!e.details?.length) leaves.push(e);
    else for (const d of e.details) walk(d);
  };
  walk(error);
  return leaves.find((e) => e.code && e.code !== 'DeploymentFailed') ?? error;
}
