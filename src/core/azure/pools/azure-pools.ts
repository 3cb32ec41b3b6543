// The Azure pool admin service: list pools, create one from resources/templates/pool.json, act on
// instances, scale, stop, delete, start-on-connect — each a tracked operation with its `az` twin.
import type { VirtualMachineScaleSet } from '@azure/arm-compute';
import { ErrorCode, RpcError } from '../../../common/errors';
import { Emitter, toDisposable, type Disposable, type Event } from '../../../common/event';
import type { AzCommand } from '../az/index';
import {
  type InstanceAction,
  azDeletePool,
  azInstanceAction,
  azScalePool,
  azSetScaleInProtection,
  azStopAll,
  createPoolAz,
} from './pool-az';
import type { AutoscalePreview, AutoscaleSettings, AutoscaleView } from '../../../common/models';
import { AzureAutoscale } from '../autoscale/index';
import {
  type AzureClients,
  type AzurePoolRef,
  CAPACITY_CODES,
  describeAzureFailure,
  translateAzureError,
} from '../arm/index';
import {
  type OperationHandle,
  OperationTracker,
  type TrackedOperation,
} from './azure-operation-tracker';
import {
  planInstanceAction,
  planScale,
  planScaleInProtection,
  planStopAll,
} from './instance-actions';
import { type LroOptions, type PoolActionPlan, target } from './pool-action';
import { type CreatePoolRequest, type CreatedPool, deployPool } from './pool-create';
import { type DeletePoolResult, planDeletePool } from './pool-delete';
import { type RedeployPoolRequest, type RedeployedPool, redeployPool } from './pool-redeploy';
import { POOL_TAG, type AzurePoolSummary, summarize } from './pool-summary';
import { type StartOnConnectResult, planStartOnConnect } from './start-on-connect';
import {
  type PoolParameters,
  poolResourceNames,
  validatePoolParameters,
  resourceGroupProblem,
} from '../template/index';

/** An admin action to preview as `az` commands (what `previewAz` takes). */
export type AdminActionPreview =
  | { action: InstanceAction; instanceIds: string[] }
  | { action: 'scale'; capacity: number }
  | { action: 'stopAll' }
  | { action: 'protect'; instanceIds: string[]; protect: boolean }
  | { action: 'deletePool' };

export interface AzurePoolServiceOptions {
  /** The SDK clients of a subscription (e.g. `azureCredential.clientsFor`). */
  clients: (subscriptionId: string) => AzureClients;
  /** Shared with the UI; default: a tracker of its own. */
  tracker?: OperationTracker;
  /** How often deployment operations are polled while a pool is created (default 2 s). */
  deploymentPollIntervalMs?: number;
  /** The agent bundle to put on new pools' shares (default: the checkout's out/agent). */
  agentBundlePath?: string;
  /** Its Node.js runtime tarballs, put beside it (default: the checkout's out/agent/runtime). */
  agentRuntimeDir?: string;
  /**
   * How often a long-running operation's status is polled (default: the SDK's 2 s, or Azure's
   * Retry-After). Lower it for a snappier UI against a fast endpoint such as the emulator.
   */
  lroPollIntervalMs?: number;
  log?: (line: string) => void;
}

export class AzurePoolService implements Disposable {
  readonly tracker: OperationTracker;
  private readonly ownsTracker: boolean;
  private readonly refreshers = new Map<string, Set<() => Promise<void>>>();
  private readonly poolChanged = new Emitter<AzurePoolRef>();
  /** Fires after every action on a pool has ended (success or failure) and views re-read it. */
  readonly onDidChangePool: Event<AzurePoolRef> = this.poolChanged.event;
  private readonly created = new Emitter<AzurePoolSummary>();
  /** Fires when a pool was created (so the composition root can add its provider). */
  readonly onDidCreatePool: Event<AzurePoolSummary> = this.created.event;
  private readonly deleted = new Emitter<AzurePoolRef>();
  /** Fires when a pool was deleted (so its provider can go). */
  readonly onDidDeletePool: Event<AzurePoolRef> = this.deleted.event;

  /** Options for every long-running call: the poll interval, when one was given. */
  private readonly lro: LroOptions;

  constructor(private readonly options: AzurePoolServiceOptions) {
    this.lro =
      options.lroPollIntervalMs === undefined
        ? {}
        : { updateIntervalInMs: options.lroPollIntervalMs };
    this.ownsTracker = options.tracker === undefined;
    this.tracker = options.tracker ?? new OperationTracker();
  }

  /**
   * Lets a view (the pool's provider) re-read the pool after each action, before the action's
   * result settles: whatever happened, the list shown afterwards is Azure's.
   */
  registerRefresher(pool: AzurePoolRef, refresh: () => Promise<void>): Disposable {
    const key = poolKey(pool);
    let set = this.refreshers.get(key);
    if (!set) this.refreshers.set(key, (set = new Set()));
    set.add(refresh);
    return toDisposable(() => {
      set.delete(refresh);
      if (set.size === 0) this.refreshers.delete(key);
    });
  }

  /** The pools of a subscription: scale sets carrying the `dsvm-pool` tag. */
  async listPools(subscriptionId: string): Promise<AzurePoolSummary[]> {
    const clients = this.options.clients(subscriptionId);
    const pools: AzurePoolSummary[] = [];
    try {
      for await (const vmss of clients.compute.virtualMachineScaleSets.listAll()) {
        if (vmss.tags?.[POOL_TAG] === undefined) continue;
        pools.push(summarize(subscriptionId, vmss));
      }
    } catch (err) {
      throw translateAzureError(err, {
        action: `list the pools of subscription ${subscriptionId}`,
        scope: `subscription ${subscriptionId}`,
      });
    }
    return pools.sort((a, b) =>
      `${a.resourceGroup}/${a.poolName}`.localeCompare(`${b.resourceGroup}/${b.poolName}`),
    );
  }

  /** One pool's scale set, summarized; NotFound when it is not there (or not a pool). */
  async getPool(pool: AzurePoolRef): Promise<AzurePoolSummary> {
    const vmss = await this.scaleSet(pool, `read pool ${pool.poolName}`);
    if (vmss.tags?.[POOL_TAG] === undefined) {
      throw new RpcError(
        ErrorCode.NotFound,
        `The scale set ${pool.poolName} in ${pool.resourceGroup} carries no "${POOL_TAG}" tag, so it is not a pool this app made.`,
      );
    }
    return summarize(pool.subscriptionId, vmss);
  }

  /**
   * Creates a pool: the resource group if asked, then a deployment of resources/templates/pool.json
   * with the validated parameters, its progress polled from the deployment operations. Throws
   * BadInput at once for invalid parameters (before anything is created).
   */
  createPool(request: CreatePoolRequest): TrackedOperation<CreatedPool> {
    const params = validatePoolParameters(request.parameters);
    const { subscriptionId, resourceGroup } = request;
    const rgProblem = resourceGroupProblem(resourceGroup);
    if (rgProblem) throw new RpcError(ErrorCode.BadInput, `resourceGroup ${rgProblem}.`);
    const deploymentName = request.deploymentName ?? `dsvm-pool-${params.poolName}`.slice(0, 64);
    const az = createPoolAz(request, params, deploymentName);
    const ref: AzurePoolRef = { subscriptionId, resourceGroup, poolName: params.poolName };
    return this.tracker.run(
      { title: `Create pool ${params.poolName} in ${resourceGroup}`, az, pool: ref },
      (op) => this.deploy(op, ref, params, deploymentName, request),
    );
  }

  /**
   * Redeploys a pool's template (e.g. to add its share, or to move to a newer template) with the
   * parameters of its last deployment and the given changes, keeping what the admin set since:
   * the autoscale setting stays exactly as it is (profiles, portal-made ones too) and the scale set
   * keeps its current capacity. Its `az` equivalent is known once the parameters are read.
   */
  redeployPool(
    pool: AzurePoolRef,
    request: RedeployPoolRequest = {},
  ): TrackedOperation<RedeployedPool> {
    return this.act(pool, {
      title: `Redeploy pool ${pool.poolName}`,
      az: [],
      action: `redeploy pool ${pool.poolName}`,
      work: (op, clients) =>
        redeployPool(
          {
            clients,
            lro: this.lro,
            deploymentPollIntervalMs: this.options.deploymentPollIntervalMs,
            agentBundlePath: this.options.agentBundlePath,
            agentRuntimeDir: this.options.agentRuntimeDir,
            log: this.options.log,
            // act() re-reads the pool afterwards; the deployment's own ending need not.
            afterAction: async () => {},
            getPool: (ref) => this.getPool(ref),
          },
          op,
          pool,
          request,
        ),
    });
  }

  /** start / deallocate / restart / delete the given instances (one request for all). */
  instanceAction(
    pool: AzurePoolRef,
    action: InstanceAction,
    instanceIds: readonly string[],
  ): TrackedOperation<void> {
    return this.act(pool, planInstanceAction(pool, action, instanceIds, this.lro));
  }

  /** Protects an instance from scale-in (autoscale or a smaller capacity will not remove it). */
  setScaleInProtection(
    pool: AzurePoolRef,
    instanceId: string,
    protect: boolean,
  ): TrackedOperation<void> {
    return this.act(pool, planScaleInProtection(pool, instanceId, protect, this.lro));
  }

  /** Sets the scale set's capacity (instances are added or removed per its scale-in policy). */
  scale(pool: AzurePoolRef, capacity: number): TrackedOperation<void> {
    return this.act(pool, planScale(pool, capacity, this.lro));
  }

  /** Deallocates every instance: nothing is deleted, compute charges stop. */
  stopAll(pool: AzurePoolRef): TrackedOperation<void> {
    return this.act(pool, planStopAll(pool, this.lro));
  }

  /**
   * Deletes exactly what the template created — autoscale setting, scale set, load balancer,
   * public IP, virtual network, NSG, dependants first — each only if it carries this pool's tag.
   * The resource group goes only if the pool created it and it is empty afterwards. `confirmName`
   * must be the pool's name, typed by the admin.
   */
  deletePool(
    pool: AzurePoolRef,
    confirmation: { confirmName: string },
  ): TrackedOperation<DeletePoolResult> {
    return this.act(
      pool,
      planDeletePool(pool, confirmation, this.lro, (ref) => this.deleted.fire(ref)),
    );
  }

  /** The `az` commands an admin action would run, exactly as the action reports them after. */
  previewAz(pool: AzurePoolRef, action: AdminActionPreview): AzCommand[] {
    const t = target(pool);
    switch (action.action) {
      case 'start':
      case 'deallocate':
      case 'restart':
      case 'delete':
        return [azInstanceAction(t, action.action, action.instanceIds)];
      case 'scale':
        return [azScalePool(t, action.capacity)];
      case 'stopAll':
        return [azStopAll(t)];
      case 'protect':
        return action.instanceIds.map((id) => azSetScaleInProtection(t, id, action.protect));
      case 'deletePool':
        return azDeletePool({ ...t, ownsResourceGroup: false });
    }
  }

  /**
   * Makes sure one instance runs, for a user who clicked Connect: one running already is
   * returned; else a stopped one is started; else (no instance at all) the pool is scaled to 1.
   */
  startOnConnect(pool: AzurePoolRef): TrackedOperation<StartOnConnectResult> {
    return this.act(pool, planStartOnConnect(pool, this.lro));
  }

  /**
   * The pool's autoscale setting as the admin view edits it: the one that targets its scale set
   * (the template's `<pool>-autoscale`, or one an admin made in the portal), with notes.
   */
  getAutoscale(pool: AzurePoolRef): Promise<AutoscaleView> {
    return this.autoscaleOf(pool).view();
  }

  /** Problems, notes and the `az` commands of an edited autoscale setting, before it is saved. */
  previewAutoscale(pool: AzurePoolRef, settings: AutoscaleSettings): Promise<AutoscalePreview> {
    return this.autoscaleOf(pool).preview(settings);
  }

  /**
   * Saves an edited autoscale setting (on/off, default capacity, rules, schedules). What a recent
   * read shows to be invalid is refused at once (BadInput, per field); a setting changed in Azure
   * since it was read fails the operation. Whatever the model does not show is written back as is.
   */
  setAutoscale(pool: AzurePoolRef, settings: AutoscaleSettings): TrackedOperation<AutoscaleView> {
    const autoscale = this.autoscaleOf(pool);
    autoscale.check(settings);
    return this.act(pool, {
      title: `Change the autoscale setting of pool ${pool.poolName}`,
      az: autoscale.plannedAz(settings),
      action: `change the autoscale setting of pool ${pool.poolName}`,
      work: (op) => autoscale.save(settings, op),
    });
  }

  private autoscaleOf(pool: AzurePoolRef): AzureAutoscale {
    return new AzureAutoscale(this.options.clients(pool.subscriptionId), pool, {
      [POOL_TAG]: pool.poolName,
    });
  }

  dispose(): void {
    this.poolChanged.dispose();
    this.created.dispose();
    this.deleted.dispose();
    this.refreshers.clear();
    if (this.ownsTracker) this.tracker.dispose();
  }

  // --- internals -----------------------------------------------------------------------------

  /**
   * Runs one action as a tracked operation: failures become specific RpcErrors, and afterwards
   * (either way) every registered view re-reads the pool before the result settles.
   */
  private act<T>(
    pool: AzurePoolRef,
    { title, az, action, work }: PoolActionPlan<T>,
  ): TrackedOperation<T> {
    const clients = this.options.clients(pool.subscriptionId);
    return this.tracker.run({ title, az, pool }, async (op) => {
      try {
        return await work(op, clients);
      } catch (err) {
        const error = await this.translate(err, clients, pool, action);
        op.progress(`Failed: ${error.message}`);
        throw error;
      } finally {
        await this.afterAction(pool);
      }
    });
  }

  private async afterAction(pool: AzurePoolRef): Promise<void> {
    const refreshers = [...(this.refreshers.get(poolKey(pool)) ?? [])];
    await Promise.allSettled(refreshers.map((refresh) => refresh()));
    this.poolChanged.fire({ ...pool });
  }

  /** Size and region make capacity errors actionable; they are read only when needed. */
  private async translate(
    err: unknown,
    clients: AzureClients,
    pool: AzurePoolRef,
    action: string,
    known?: { vmSize?: string; location?: string },
  ): Promise<RpcError> {
    const context = {
      action,
      scope: `resource group ${pool.resourceGroup}`,
      maxRetries: clients.maxRetries,
      ...known,
    };
    const code = describeAzureFailure(err).code;
    const needsModel =
      code !== undefined &&
      (CAPACITY_CODES.has(code) ||
        code === 'SkuNotAvailable' ||
        /quota/i.test(code) ||
        code === 'OperationNotAllowed');
    if (needsModel && !known) {
      try {
        const vmss = await clients.compute.virtualMachineScaleSets.get(
          pool.resourceGroup,
          poolResourceNames(pool.poolName).vmss,
        );
        if (vmss.sku?.name) context.vmSize = vmss.sku.name;
        if (vmss.location) context.location = vmss.location;
      } catch {
        // The message is still specific without them.
      }
    }
    return translateAzureError(err, context);
  }

  private async scaleSet(pool: AzurePoolRef, action: string): Promise<VirtualMachineScaleSet> {
    const clients = this.options.clients(pool.subscriptionId);
    try {
      return await clients.compute.virtualMachineScaleSets.get(
        pool.resourceGroup,
        poolResourceNames(pool.poolName).vmss,
      );
    } catch (err) {
      throw translateAzureError(err, { action, scope: `resource group ${pool.resourceGroup}` });
    }
  }

  private async deploy(
    op: OperationHandle,
    ref: AzurePoolRef,
    params: PoolParameters,
    deploymentName: string,
    request: CreatePoolRequest,
  ): Promise<CreatedPool> {
    const clients = this.options.clients(ref.subscriptionId);
    return deployPool(
      {
        clients,
        lro: this.lro,
        deploymentPollIntervalMs: this.options.deploymentPollIntervalMs,
        agentBundlePath: this.options.agentBundlePath,
        agentRuntimeDir: this.options.agentRuntimeDir,
        log: this.options.log,
        translate: (err, pool, action, known) => this.translate(err, clients, pool, action, known),
        afterAction: (pool) => this.afterAction(pool),
        getPool: (pool) => this.getPool(pool),
        created: (pool) => this.created.fire(pool),
      },
      op,
      ref,
      params,
      deploymentName,
      request,
    );
  }
}

function poolKey(pool: AzurePoolRef): string {
  // ARM names compare case-insensitively.
  return `${pool.subscriptionId}/${pool.resourceGroup}/${pool.poolName}`.toLowerCase();
}
