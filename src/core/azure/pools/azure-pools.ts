// The Azure pool admin service: list pools, create one from resources/templates/pool.json, act on
// instances, scale, stop, delete, start-on-connect — each a tracked operation with its `az` twin.
import type { VirtualMachineScaleSet } from '@azure/arm-compute';
import { ErrorCode, RpcError } from '../../../common/errors';
import { Emitter, toDisposable, type Disposable, type Event } from '../../../common/event';
import type { AzCommand, PoolTarget } from '../az/index';
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
import { mapInstanceState } from './azure-instance-state';
import {
  type OperationHandle,
  OperationTracker,
  type TrackedOperation,
} from './azure-operation-tracker';
import { type CreatePoolRequest, type CreatedPool, deployPool } from './pool-create';
import { POOL_TAG, type AzurePoolSummary, summarize } from './pool-summary';
import {
  type PoolParameters,
  poolResourceNames,
  validatePoolParameters,
  resourceGroupProblem,
} from '../template/index';

export interface DeletePoolResult {
  /** `type/name` of each resource deleted, in order. */
  deleted: string[];
  /** Resources left alone, and why (not tagged as this pool's). */
  kept: Array<{ resource: string; reason: string }>;
  resourceGroupDeleted: boolean;
}

/** An admin action to preview as `az` commands (what `previewAz` takes). */
export type AdminActionPreview =
  | { action: InstanceAction; instanceIds: string[] }
  | { action: 'scale'; capacity: number }
  | { action: 'stopAll' }
  | { action: 'protect'; instanceIds: string[]; protect: boolean }
  | { action: 'deletePool' };

export interface StartOnConnectResult {
  instanceId: string;
  /** `running`: one was running already; `started`: a stopped one was started; `scaled`: the pool was empty and got one. */
  how: 'running' | 'started' | 'scaled';
}

export interface AzurePoolServiceOptions {
  /** The SDK clients of a subscription (e.g. `azureCredential.clientsFor`). */
  clients: (subscriptionId: string) => AzureClients;
  /** Shared with the UI; default: a tracker of its own. */
  tracker?: OperationTracker;
  /** How often deployment operations are polled while a pool is created (default 2 s). */
  deploymentPollIntervalMs?: number;
  /** The agent bundle to put on new pools' shares (default: next to the app's bundle). */
  agentBundlePath?: string;
  /**
   * How often a long-running operation's status is polled (default: the SDK's 2 s, or Azure's
   * Retry-After). Lower it for a snappier UI against a fast endpoint such as the emulator.
   */
  lroPollIntervalMs?: number;
  log?: (line: string) => void;
}

const ARM_TYPES = {
  autoscale: 'Microsoft.Insights/autoscaleSettings',
  vmss: 'Microsoft.Compute/virtualMachineScaleSets',
  loadBalancer: 'Microsoft.Network/loadBalancers',
  publicIp: 'Microsoft.Network/publicIPAddresses',
  vnet: 'Microsoft.Network/virtualNetworks',
  nsg: 'Microsoft.Network/networkSecurityGroups',
} as const;

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
  private readonly lro: { updateIntervalInMs?: number };

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

  /** start / deallocate / restart / delete the given instances (one request for all). */
  instanceAction(
    pool: AzurePoolRef,
    action: InstanceAction,
    instanceIds: readonly string[],
  ): TrackedOperation<void> {
    const command = azInstanceAction(target(pool), action, instanceIds);
    const ids = [...new Set(instanceIds)];
    const what = `${ids.length > 1 ? 'instances' : 'instance'} ${ids.join(', ')} of pool ${pool.poolName}`;
    const verb = {
      start: 'start',
      deallocate: 'stop (deallocate)',
      restart: 'restart',
      delete: 'delete',
    }[action];
    return this.act(
      pool,
      `${capitalize(verb)} ${what}`,
      [command],
      `${verb} ${what}`,
      async (op, clients) => {
        const vmss = poolResourceNames(pool.poolName).vmss;
        const sets = clients.compute.virtualMachineScaleSets;
        const options = { ...this.lro, vmInstanceIDs: { instanceIds: ids } };
        op.progress(`${capitalize(verb)}: asked Azure for ${what}…`);
        if (action === 'start') await sets.start(pool.resourceGroup, vmss, options);
        else if (action === 'deallocate') await sets.deallocate(pool.resourceGroup, vmss, options);
        else if (action === 'restart') await sets.restart(pool.resourceGroup, vmss, options);
        else await sets.deleteInstances(pool.resourceGroup, vmss, { instanceIds: ids }, this.lro);
        op.progress(`${capitalize(verb)}: done.`);
      },
    );
  }

  /** Protects an instance from scale-in (autoscale or a smaller capacity will not remove it). */
  setScaleInProtection(
    pool: AzurePoolRef,
    instanceId: string,
    protect: boolean,
  ): TrackedOperation<void> {
    const command = azSetScaleInProtection(target(pool), instanceId, protect);
    const title = `${protect ? 'Protect' : 'Unprotect'} instance ${instanceId} of pool ${pool.poolName} from scale-in`;
    return this.act(
      pool,
      title,
      [command],
      `change the scale-in protection of instance ${instanceId}`,
      async (op, clients) => {
        const vmss = poolResourceNames(pool.poolName).vmss;
        const vms = clients.compute.virtualMachineScaleSetVMs;
        const vm = await vms.get(pool.resourceGroup, vmss, instanceId);
        // A minimal PUT, as Azure documents for protection: location and the policy only; the
        // other protection flag keeps its value.
        await vms.update(
          pool.resourceGroup,
          vmss,
          instanceId,
          {
            location: vm.location,
            protectionPolicy: { ...vm.protectionPolicy, protectFromScaleIn: protect },
          },
          this.lro,
        );
        op.progress(
          `Instance ${instanceId} is ${protect ? 'now' : 'no longer'} protected from scale-in.`,
        );
      },
    );
  }

  /** Sets the scale set's capacity (instances are added or removed per its scale-in policy). */
  scale(pool: AzurePoolRef, capacity: number): TrackedOperation<void> {
    const command = azScalePool(target(pool), capacity);
    const title = `Scale pool ${pool.poolName} to ${capacity} instance${capacity === 1 ? '' : 's'}`;
    return this.act(
      pool,
      title,
      [command],
      `scale pool ${pool.poolName} to ${capacity}`,
      async (op, clients) => {
        const names = poolResourceNames(pool.poolName);
        await this.warnAboutAutoscale(op, clients, pool, capacity);
        op.progress(`Setting the capacity of ${names.vmss} to ${capacity}…`);
        await clients.compute.virtualMachineScaleSets.update(
          pool.resourceGroup,
          names.vmss,
          {
            sku: { capacity },
          },
          this.lro,
        );
        op.progress(`${names.vmss} has ${capacity} instance${capacity === 1 ? '' : 's'}.`);
      },
    );
  }

  /** Deallocates every instance: nothing is deleted, compute charges stop. */
  stopAll(pool: AzurePoolRef): TrackedOperation<void> {
    const command = azStopAll(target(pool));
    return this.act(
      pool,
      `Stop every instance of pool ${pool.poolName}`,
      [command],
      `stop every instance of pool ${pool.poolName}`,
      async (op, clients) => {
        op.progress('Deallocating every instance…');
        await clients.compute.virtualMachineScaleSets.deallocate(
          pool.resourceGroup,
          poolResourceNames(pool.poolName).vmss,
          this.lro,
        );
        op.progress('Every instance is deallocated.');
      },
    );
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
    if (confirmation.confirmName.trim() !== pool.poolName) {
      throw new RpcError(
        ErrorCode.BadInput,
        `To delete the pool, type its name "${pool.poolName}" exactly; "${confirmation.confirmName}" does not match, so nothing was deleted.`,
      );
    }
    const az = azDeletePool({ ...target(pool), ownsResourceGroup: false });
    return this.act(
      pool,
      `Delete pool ${pool.poolName}`,
      az,
      `delete pool ${pool.poolName}`,
      async (op, clients) => {
        const result = await this.deleteResources(op, clients, pool);
        if (result.deleted.length > 0 || result.kept.length > 0) this.deleted.fire({ ...pool });
        return result;
      },
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
    return this.act(
      pool,
      `Start an instance of pool ${pool.poolName}`,
      [],
      `start an instance of pool ${pool.poolName}`,
      async (op, clients) => {
        const vmss = poolResourceNames(pool.poolName).vmss;
        op.progress('Looking for a running instance…');
        const vms = await collect(
          clients.compute.virtualMachineScaleSetVMs.list(pool.resourceGroup, vmss, {
            expand: 'instanceView',
          }),
        );
        const states = vms.map((vm) => ({ id: vm.instanceId ?? '', ...mapInstanceState(vm) }));
        const running = states.find((s) => s.state === 'running');
        if (running) {
          op.progress(`Instance ${running.id} is running.`);
          return { instanceId: running.id, how: 'running' };
        }
        const startable = pickStartable(states);
        if (startable) {
          const command = azInstanceAction(target(pool), 'start', [startable]);
          op.setAz([command]);
          op.progress(`No instance is running: starting instance ${startable}…`);
          await clients.compute.virtualMachineScaleSets.start(pool.resourceGroup, vmss, {
            ...this.lro,
            vmInstanceIDs: { instanceIds: [startable] },
          });
          op.progress(`Instance ${startable} is running.`);
          return { instanceId: startable, how: 'started' };
        }
        const capacity = states.filter((s) => s.provisioningState !== 'deleting').length + 1;
        op.setAz([azScalePool(target(pool), capacity)]);
        op.progress(`The pool has no instance: scaling to ${capacity}…`);
        await clients.compute.virtualMachineScaleSets.update(
          pool.resourceGroup,
          vmss,
          { sku: { capacity } },
          this.lro,
        );
        const after = await collect(
          clients.compute.virtualMachineScaleSetVMs.list(pool.resourceGroup, vmss, {
            expand: 'instanceView',
          }),
        );
        const fresh = after.find((vm) => mapInstanceState(vm).state === 'running');
        if (!fresh?.instanceId) {
          throw new RpcError(
            ErrorCode.NoInstance,
            `Pool ${pool.poolName} was scaled to ${capacity}, but no instance is running yet. Try Connect again in a minute.`,
          );
        }
        op.progress(`Instance ${fresh.instanceId} is running.`);
        return { instanceId: fresh.instanceId, how: 'scaled' };
      },
    );
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
    return this.act(
      pool,
      `Change the autoscale setting of pool ${pool.poolName}`,
      autoscale.plannedAz(settings),
      `change the autoscale setting of pool ${pool.poolName}`,
      (op) => autoscale.save(settings, op),
    );
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
    title: string,
    az: AzCommand[],
    action: string,
    work: (op: OperationHandle, clients: AzureClients) => Promise<T>,
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

  private async warnAboutAutoscale(
    op: OperationHandle,
    clients: AzureClients,
    pool: AzurePoolRef,
    capacity: number,
  ): Promise<void> {
    try {
      const setting = await clients.monitor.autoscaleSettings.get(
        pool.resourceGroup,
        poolResourceNames(pool.poolName).autoscale,
      );
      const profile = setting.profiles.find((p) => p.name === 'default') ?? setting.profiles[0];
      if (!setting.enabled || !profile) return;
      const min = Number(profile.capacity.minimum);
      const max = Number(profile.capacity.maximum);
      if (capacity < min || capacity > max) {
        op.progress(
          `Note: autoscale is on with ${min}–${max} instances; it will bring the pool back within that range. Change the autoscale bounds to keep ${capacity}.`,
        );
      }
    } catch {
      // No autoscale setting (or no right to read it): nothing to warn about.
    }
  }

  private async deleteResources(
    op: OperationHandle,
    clients: AzureClients,
    pool: AzurePoolRef,
  ): Promise<DeletePoolResult> {
    const rg = pool.resourceGroup;
    const n = poolResourceNames(pool.poolName);
    const { compute, network, monitor } = clients;
    // Dependants first: autoscale targets the scale set; the scale set's NICs sit in the load
    // balancer's pool and the subnet; the load balancer holds the public IP; the subnet the NSG.
    const steps: Array<{
      type: string;
      name: string;
      get: () => Promise<{ tags?: Record<string, string> }>;
      remove: () => Promise<unknown>;
    }> = [
      {
        type: ARM_TYPES.autoscale,
        name: n.autoscale,
        get: () => monitor.autoscaleSettings.get(rg, n.autoscale),
        remove: () => monitor.autoscaleSettings.delete(rg, n.autoscale),
      },
      {
        type: ARM_TYPES.vmss,
        name: n.vmss,
        get: () => compute.virtualMachineScaleSets.get(rg, n.vmss),
        remove: () => compute.virtualMachineScaleSets.delete(rg, n.vmss, this.lro),
      },
      {
        type: ARM_TYPES.loadBalancer,
        name: n.loadBalancer,
        get: () => network.loadBalancers.get(rg, n.loadBalancer),
        remove: () => network.loadBalancers.beginDeleteAndWait(rg, n.loadBalancer, this.lro),
      },
      {
        type: ARM_TYPES.publicIp,
        name: n.publicIp,
        get: () => network.publicIPAddresses.get(rg, n.publicIp),
        remove: () => network.publicIPAddresses.beginDeleteAndWait(rg, n.publicIp, this.lro),
      },
      {
        type: ARM_TYPES.vnet,
        name: n.vnet,
        get: () => network.virtualNetworks.get(rg, n.vnet),
        remove: () => network.virtualNetworks.beginDeleteAndWait(rg, n.vnet, this.lro),
      },
      {
        type: ARM_TYPES.nsg,
        name: n.nsg,
        get: () => network.networkSecurityGroups.get(rg, n.nsg),
        remove: () => network.networkSecurityGroups.beginDeleteAndWait(rg, n.nsg, this.lro),
      },
    ];
    const result: DeletePoolResult = { deleted: [], kept: [], resourceGroupDeleted: false };
    let found = 0;
    for (const step of steps) {
      const label = `${step.type}/${step.name}`;
      let resource: { tags?: Record<string, string> };
      try {
        resource = await step.get();
      } catch (err) {
        if (describeAzureFailure(err).status === 404) {
          op.progress(`${label}: not there (already deleted).`);
          continue;
        }
        throw err;
      }
      found++;
      if (resource.tags?.[POOL_TAG] !== pool.poolName) {
        const reason = `it does not carry the tag ${POOL_TAG}=${pool.poolName}, so the pool did not create it`;
        op.progress(`${label}: left alone — ${reason}.`);
        result.kept.push({ resource: label, reason });
        continue;
      }
      op.progress(`${label}: deleting…`);
      await step.remove();
      result.deleted.push(label);
      op.progress(`${label}: deleted.`);
    }
    if (found === 0) {
      throw new RpcError(
        ErrorCode.NotFound,
        `Pool ${pool.poolName} has no resources in resource group ${rg}: it may have been deleted already.`,
      );
    }

    // The group: only when the pool created it (its tag) and nothing else lives in it.
    const group = await clients.resources.resourceGroups.get(rg);
    if (group.tags?.[POOL_TAG] !== pool.poolName) {
      op.progress(`Resource group ${rg} kept: the pool did not create it.`);
      return result;
    }
    const left = await collect(clients.resources.resources.listByResourceGroup(rg));
    if (left.length > 0) {
      op.progress(
        `Resource group ${rg} kept: it still holds ${left.length} other resource${left.length === 1 ? '' : 's'}.`,
      );
      return result;
    }
    op.setAz([
      ...azDeletePool({ ...target(pool), ownsResourceGroup: false }),
      ...azDeletePool({ ...target(pool), ownsResourceGroup: true }),
    ]);
    op.progress(`Resource group ${rg}: deleting (the pool created it and it is empty)…`);
    await clients.resources.resourceGroups.beginDeleteAndWait(rg, this.lro);
    result.resourceGroupDeleted = true;
    op.progress(`Resource group ${rg}: deleted.`);
    return result;
  }
}

function target(pool: AzurePoolRef): PoolTarget {
  return {
    subscription: pool.subscriptionId,
    resourceGroup: pool.resourceGroup,
    poolName: pool.poolName,
  };
}

function poolKey(pool: AzurePoolRef): string {
  // ARM names compare case-insensitively.
  return `${pool.subscriptionId}/${pool.resourceGroup}/${pool.poolName}`.toLowerCase();
}

/**
 * Which instance to start for a user: one already starting, else the lowest-numbered stopped one
 * (a failed start leaves it deallocated with a failed provisioning state: still startable).
 */
function pickStartable(
  states: Array<{ id: string; state: string; powerState?: string; provisioningState?: string }>,
): string | undefined {
  const byId = [...states].sort((a, b) => Number(a.id) - Number(b.id));
  const starting = byId.find((s) => s.state === 'starting');
  if (starting) return starting.id;
  const stopped = byId.find(
    (s) =>
      s.provisioningState !== 'deleting' &&
      (s.state === 'stopped' ||
        s.state === 'stopping' ||
        (s.state === 'failed' && s.powerState !== undefined)),
  );
  return stopped?.id;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
