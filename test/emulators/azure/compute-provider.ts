// Microsoft.Compute/virtualMachineScaleSets: create/update/scale/delete, the power actions on
// the set and on single VMs, VM lists with instance views, and protection policies.
import { randomUUID } from 'node:crypto';
import { ArmError, type ArmErrorBody } from './arm-error';
import type { ArmRequest, ArmResponse, ArmRouter } from './arm-router';
import { queryParam } from './arm-router';
import {
  clone,
  scaleSetInstanceView,
  scaleSetView,
  SCALE_SET_TYPE,
  vmInstanceView,
  vmView,
  withoutSecrets,
} from './compute-views';
import type { EmulatorContext, PutRequest, PutResult, ResourceProvider } from './emulator-context';
import {
  customScriptOutcome,
  isCustomScriptV2,
  modelExtensions,
  prepareCustomScript,
  type CustomScriptJob,
  type CustomScriptResult,
  type ExtensionOutcome,
} from './custom-script';
import { durationMs } from './autoscale-metrics';
import { acceptOperation, providerScope } from './lro';
import { checkOutboundPorts, outboundRulesOfPools, scaleSetNetworkRefs } from './network-rules';
import { buildResourceId, idKey, normalizeLocation, sameId } from './resource-ids';
import type { StoredResource } from './resource-store';
import {
  ScaleSet,
  type PowerState,
  type ProtectionPolicy,
  type VmAction,
  type VmInstance,
} from './scale-set';

type Json = Record<string, unknown>;

const SCALE_SET_PATH =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachineScaleSets/{vmScaleSetName}';

const ACTIONS: Record<string, VmAction> = {
  start: 'start',
  deallocate: 'deallocate',
  poweroff: 'powerOff',
  restart: 'restart',
};

export interface ScaleSetHandle {
  resource: StoredResource;
  set: ScaleSet;
}

/** A VM that can run a CustomScript extension's job (namespace VMs; the ssh2 sandbox cannot). */
export interface ExtensionRunner {
  runCustomScript(job: CustomScriptJob): Promise<CustomScriptResult>;
}

export interface ComputeHooks {
  /** Instances appeared, changed power state or went: NAT ports and SSH endpoints follow. */
  instancesChanged(): Promise<void>;
  /** The VM's runner of extensions, once it is up; undefined when its backend runs none. */
  extensionRunner?(scaleSetId: string, vm: VmInstance): Promise<ExtensionRunner | undefined>;
  /** What a VM downloads for a fileUri (the Azure Files data plane with a SAS, …). */
  fetchFile?(uri: string): Promise<Buffer>;
  /** How long a CustomScript may run (default 90 minutes, as in Azure). */
  extensionTimeoutMs?: number;
  /**
   * A delete of a VM whose model enables terminate notifications: the Terminate scheduled event
   * and its wait (NotBefore = now + `timeoutMs`, or the VM's approval).
   */
  terminateNotice?(scaleSetId: string, vm: VmInstance, timeoutMs: number): Promise<void>;
  /** A VM is gone. */
  vmDeleted?(scaleSetId: string, vm: VmInstance): void;
}

export class ComputeProvider implements ResourceProvider {
  readonly types = ['microsoft.compute/virtualmachinescalesets'];
  readonly longRunning = true;
  readonly longRunningPatch = true;
  private readonly sets = new Map<string, ScaleSet>();
  /** Scale set key → extension name (lower case) → its protectedSettings: kept, never shown. */
  private readonly protectedSettings = new Map<string, Map<string, Json>>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly hooks: ComputeHooks,
    private readonly listPageSize: number,
  ) {}

  /** Every scale set with its stored resource. */
  all(): ScaleSetHandle[] {
    const handles: ScaleSetHandle[] = [];
    for (const [key, set] of this.sets) {
      const resource = this.ctx.store.get(key);
      if (resource) handles.push({ resource, set });
    }
    return handles;
  }

  handle(id: string): ScaleSetHandle | undefined {
    const set = this.sets.get(idKey(id));
    const resource = this.ctx.store.get(id);
    return set && resource ? { resource, set } : undefined;
  }

  put(request: PutRequest): PutResult {
    const { parts } = request;
    const group = this.ctx.store.group(parts.subscriptionId, parts.resourceGroup);
    const id = buildResourceId(group.subscriptionId, group.name, SCALE_SET_TYPE, parts.names);
    const existing = this.ctx.store.get(id);
    const body = withoutSecrets(request.body);
    delete body.id;
    delete body.name;
    delete body.type;
    const props = obj(body.properties);
    if (!existing) {
      if (typeof body.location !== 'string') {
        throw ArmError.badRequest(
          'LocationRequired',
          'The location property is required for this definition.',
        );
      }
      if (!body.sku || typeof obj(body.sku).capacity !== 'number') {
        throw ArmError.badRequest(
          'InvalidParameter',
          "Required parameter 'sku.capacity' is missing (null).",
          'sku.capacity',
        );
      }
      if (!props.virtualMachineProfile) {
        throw ArmError.badRequest(
          'InvalidParameter',
          "Required parameter 'virtualMachineProfile' is missing (null).",
          'virtualMachineProfile',
        );
      }
    }
    if (existing) {
      // A PUT replaces the model; the identity's principal stays that of the same resource.
      const oldIdentity = obj(existing.body.identity);
      if (body.identity && oldIdentity.principalId) {
        Object.assign(obj(body.identity), {
          principalId: oldIdentity.principalId,
          tenantId: oldIdentity.tenantId,
        });
      }
    }
    return this.apply(id, existing, body, request.fault, undefined, request.body);
  }

  patch(resource: StoredResource, patchBody: Json, fault?: ArmErrorBody): PutResult {
    const body = mergePatch(clone(resource.body), withoutSecrets(patchBody));
    return this.apply(resource.id, resource, body, fault, undefined, patchBody);
  }

  view(resource: StoredResource, query: URLSearchParams): unknown {
    const set = this.sets.get(idKey(resource.id));
    return set ? scaleSetView(resource, set, query) : undefined;
  }

  async delete(resource: StoredResource, fault?: ArmErrorBody): Promise<void> {
    const set = this.sets.get(idKey(resource.id));
    resource.provisioningState = 'Deleting';
    this.ctx.store.touch(resource);
    try {
      // All instances go, protected ones too: protection is against scale-in, not deletion.
      if (set) await Promise.all(set.live().map((vm) => set.act('delete', [vm.instanceId], fault)));
    } catch (err) {
      resource.provisioningState = 'Failed';
      this.ctx.store.touch(resource);
      throw err;
    }
    await this.ctx.scheduler.delay(this.ctx.delays.resource);
    set?.dispose();
    this.sets.delete(idKey(resource.id));
    this.protectedSettings.delete(idKey(resource.id));
    this.ctx.store.remove(resource.id);
    await this.hooks.instancesChanged();
  }

  /**
   * A scale set whose instances exist at once, already `state` (default running): for
   * benchmarks that list 1,000 VMs without waiting for them to be created.
   */
  async seed(id: string, body: Json, state: PowerState = 'running'): Promise<ScaleSetHandle> {
    const result = this.apply(id, undefined, withoutSecrets(body), undefined, state);
    await result.done;
    const handle = this.handle(id);
    if (!handle) throw new Error(`seeding ${id} failed`);
    return handle;
  }

  private apply(
    id: string,
    existing: StoredResource | undefined,
    body: Json,
    fault: ArmErrorBody | undefined,
    seedState?: PowerState,
    /** The request as sent, with the extensions' protectedSettings (kept aside once accepted). */
    sent?: Json,
  ): PutResult {
    const props = obj(body.properties);
    this.checkCapacity(id, body);
    checkTerminateNotification(body);
    if (sent) this.keepProtectedSettings(id, sent);
    const location =
      typeof body.location === 'string' ? normalizeLocation(body.location) : existing?.location;
    if (location) body.location = location;
    const identity = obj(body.identity);
    if (String(identity.type ?? '').includes('SystemAssigned') && !identity.principalId) {
      identity.principalId = randomUUID();
      identity.tenantId = [...this.ctx.store.subscriptions.values()][0]?.tenantId;
    }
    const oldProfile = JSON.stringify(obj(existing?.body.properties).virtualMachineProfile ?? null);
    const stored = this.ctx.store.put({
      id,
      name: id.split('/').pop() ?? '',
      type: SCALE_SET_TYPE,
      subscriptionId: id.split('/')[2],
      resourceGroup: id.split('/')[4],
      location,
      body,
      provisioningState: existing ? 'Updating' : 'Creating',
    });
    let set = this.sets.get(idKey(id));
    if (!set) {
      const name = stored.name;
      set = new ScaleSet(
        name,
        () => {
          const current = this.ctx.store.get(id);
          const os = obj(obj(obj(current?.body.properties).virtualMachineProfile).osProfile);
          return String(os.computerNamePrefix ?? name);
        },
        this.ctx.delays,
        this.ctx.scheduler,
        {
          instancesChanged: () => this.hooks.instancesChanged(),
          provision: (vm, action) => this.provision(id, vm, action),
          touched: () => {
            const current = this.ctx.store.get(id);
            if (current) this.ctx.store.touch(current);
          },
          beforeDelete: (vm) => this.terminateNotice(id, vm),
          deleted: (vm) => this.hooks.vmDeleted?.(id, vm),
        },
      );
      this.sets.set(idKey(id), set);
    } else if (JSON.stringify(props.virtualMachineProfile ?? null) !== oldProfile) {
      set.modelChanged(String(obj(props.upgradePolicy).mode ?? 'Manual'));
    }
    const capacity = Number(obj(body.sku).capacity ?? set.live().length);
    const scaleInRule = arr(obj(props.scaleInPolicy).rules)[0] as string | undefined;
    const scaleSet = set;
    const done = (async () => {
      try {
        if (seedState) {
          await scaleSet.add(capacity, undefined, seedState);
        } else {
          // Even with nothing to create, provisioning takes a moment, as in Azure.
          await Promise.all([
            scaleSet.scaleTo(capacity, scaleInRule, fault),
            this.ctx.scheduler.delay(this.ctx.delays.resource),
          ]);
          // A fault fails the update even when no instance had to be created.
          if (fault) throw new ArmError(500, fault.code, fault.message);
        }
        this.setState(id, 'Succeeded');
      } catch (err) {
        this.setState(id, 'Failed');
        throw err;
      }
    })();
    return { created: !existing, view: scaleSetView(stored, set, new URLSearchParams()), done };
  }

  /**
   * The model's extensions keep their protectedSettings here (ARM never returns them). A body
   * whose extension carries none keeps the ones given before for that extension name.
   */
  private keepProtectedSettings(id: string, body: Json): void {
    const profile = obj(obj(body.properties).virtualMachineProfile);
    const extensions = obj(profile.extensionProfile).extensions;
    if (!Array.isArray(extensions)) return;
    const kept = this.protectedSettings.get(idKey(id)) ?? new Map<string, Json>();
    for (const ext of extensions as Json[]) {
      const settings = obj(ext.properties).protectedSettings;
      if (settings && typeof settings === 'object') {
        kept.set(String(ext.name ?? '').toLowerCase(), clone(settings) as Json);
      }
    }
    this.protectedSettings.set(idKey(id), kept);
  }

  /**
   * A created or started VM is up: its CustomScript extensions run once, at the first boot whose
   * backend can run them (CustomScript runs a configuration once, by sequence number); later
   * boots report the same status again. Returns the VM's provisioning error, if any.
   */
  private async provision(
    id: string,
    vm: VmInstance,
    _action: VmAction,
  ): Promise<ArmErrorBody | undefined> {
    if (vm.extensions) return vm.extensionFailure;
    const resource = this.ctx.store.get(id);
    if (!resource) return undefined;
    const profile = obj(obj(resource.body.properties).virtualMachineProfile);
    const extensions = modelExtensions(
      profile,
      this.protectedSettings.get(idKey(id)) ?? new Map(),
    ).filter(isCustomScriptV2);
    if (extensions.length === 0) return undefined;
    const runner = await this.hooks.extensionRunner?.(id, vm);
    if (!runner) return undefined;
    // A later action (deallocate, delete) supersedes this boot: what it ran is not its result.
    const generation = vm.generation;
    const fetchFile =
      this.hooks.fetchFile ??
      ((uri: string) => Promise.reject(new Error(`the emulator cannot download ${uri}`)));
    const outcomes: ExtensionOutcome[] = [];
    for (const ext of extensions) {
      const prepared = await prepareCustomScript(
        ext,
        fetchFile,
        this.hooks.extensionTimeoutMs ?? 90 * 60_000,
      );
      let ended: CustomScriptResult | { error: string };
      if ('job' in prepared) {
        ended = await runner.runCustomScript(prepared.job).catch((err: unknown) => ({
          error: `Enable failed: ${err instanceof Error ? err.message : String(err)}`,
        }));
      } else {
        ended = prepared;
      }
      outcomes.push(customScriptOutcome(ext, ended));
    }
    if (vm.generation !== generation || vm.deleted) return undefined;
    vm.extensions = outcomes.map((o) => o.view);
    vm.extensionFailure = outcomes.find((o) => o.failure)?.failure;
    this.ctx.store.touch(resource);
    return vm.extensionFailure;
  }

  /** The terminate notification's wait before a VM's delete, when the model enables it. */
  private async terminateNotice(id: string, vm: VmInstance): Promise<void> {
    const profile = terminateProfile(this.ctx.store.get(id)?.body);
    if (profile?.enable !== true || !this.hooks.terminateNotice) return;
    await this.hooks.terminateNotice(id, vm, durationMs(profile.notBeforeTimeout) ?? 5 * 60_000);
  }

  /**
   * The most instances a Uniform scale set holds: 100 in a single placement group (the default),
   * 1000 otherwise; and the SNAT ports of the outbound rules its NICs fall under must suffice.
   */
  private checkCapacity(id: string, body: Json): void {
    const capacity = Number(obj(body.sku).capacity ?? 0);
    const single = obj(body.properties).singlePlacementGroup !== false;
    const limit = single ? 100 : 1000;
    if (capacity > limit) {
      throw ArmError.badRequest(
        'InvalidParameter',
        single
          ? `The specified capacity ${capacity} exceeds the maximum of 100 virtual machines of a ` +
              'scale set with singlePlacementGroup set to true. Set singlePlacementGroup to ' +
              'false for up to 1000.'
          : `The specified capacity ${capacity} exceeds the maximum of 1000 virtual machines ` +
              'of a scale set.',
        'sku.capacity',
      );
    }
    const subscriptionId = id.split('/')[2];
    const pools = scaleSetNetworkRefs(body).pools;
    for (const rule of outboundRulesOfPools(this.ctx.store, subscriptionId, pools)) {
      // Every scale set in the rule's pool counts, this one at its new capacity.
      let instances = capacity;
      for (const other of this.all()) {
        if (sameId(other.resource.id, id)) continue;
        if (scaleSetNetworkRefs(other.resource.body).pools.some((p) => sameId(p, rule.poolId))) {
          instances += other.set.live().length;
        }
      }
      checkOutboundPorts(rule.ruleId, rule.ports, rule.frontendIps, instances);
    }
  }

  private setState(id: string, state: string): void {
    const current = this.ctx.store.get(id);
    if (current && current.provisioningState !== 'Deleting') {
      current.provisioningState = state;
      this.ctx.store.touch(current);
    }
  }

  /** Routes under a scale set: actions, VMs, instance views. Added before the generic routes. */
  registerRoutes(router: ArmRouter): void {
    router.add('GET', `${SCALE_SET_PATH}/instanceView`, (req) => {
      const { resource, set } = this.require(req);
      return { status: 200, body: scaleSetInstanceView(resource, set) };
    });
    router.add('POST', `${SCALE_SET_PATH}/{action}`, (req) => this.scaleSetAction(req));
    router.add('GET', `${SCALE_SET_PATH}/virtualMachines`, (req) => this.listVms(req));
    router.add('GET', `${SCALE_SET_PATH}/virtualMachines/{instanceId}`, (req) => {
      const { resource, vm } = this.requireVm(req);
      const expand = (queryParam(req.query, '$expand') ?? '').toLowerCase();
      return {
        status: 200,
        body: vmView(resource, vm, {
          instanceView: expand.includes('instanceview'),
          userData: expand.includes('userdata'),
        }),
      };
    });
    router.add('GET', `${SCALE_SET_PATH}/virtualMachines/{instanceId}/instanceView`, (req) => {
      const { resource, vm } = this.requireVm(req);
      return { status: 200, body: vmInstanceView(resource, vm) };
    });
    router.add('PUT', `${SCALE_SET_PATH}/virtualMachines/{instanceId}`, (req) =>
      this.updateVm(req),
    );
    // The REST API updates a scale set VM with PUT only (VirtualMachineScaleSetVMs_Update).
    router.add('PATCH', `${SCALE_SET_PATH}/virtualMachines/{instanceId}`, () => {
      throw new ArmError(
        405,
        'MethodNotAllowed',
        "The requested resource does not support http method 'PATCH'.",
      );
    });
    router.add('DELETE', `${SCALE_SET_PATH}/virtualMachines/{instanceId}`, (req) => {
      const { resource, set, vm } = this.requireVm(req);
      const fault = this.ctx.faults.takeOperationFault(req.method, req.path);
      const done = set.act('delete', [vm.instanceId], fault);
      return this.accept(req, resource, done, 202);
    });
    router.add('POST', `${SCALE_SET_PATH}/virtualMachines/{instanceId}/{action}`, (req) => {
      const { resource, set, vm } = this.requireVm(req);
      const action = ACTIONS[req.params.action.toLowerCase()];
      if (!action) throw noSuchAction(req.params.action);
      const fault = this.ctx.faults.takeOperationFault(req.method, req.path);
      return this.accept(req, resource, set.act(action, [vm.instanceId], fault), 202);
    });
  }

  private scaleSetAction(req: ArmRequest): ArmResponse {
    const { resource, set } = this.require(req);
    const name = req.params.action.toLowerCase();
    const instanceIds = arr(obj(req.body).instanceIds).map(String);
    const ids = instanceIds.length > 0 ? instanceIds : undefined;
    const fault = this.ctx.faults.takeOperationFault(req.method, req.path);
    let done: Promise<void>;
    if (name === 'delete') {
      if (!ids) {
        throw ArmError.badRequest(
          'InvalidParameter',
          "Required parameter 'instanceIds' is missing (null).",
          'instanceIds',
        );
      }
      set.targets(ids); // unknown ids are a 400 now, not a failed operation later
      done = set.act('delete', ids, fault);
    } else if (name === 'manualupgrade') {
      set.targets(ids);
      done = set.upgrade(ids);
    } else if (ACTIONS[name]) {
      set.targets(ids);
      done = set.act(ACTIONS[name], ids, fault);
    } else {
      throw noSuchAction(req.params.action);
    }
    return this.accept(req, resource, done, 202);
  }

  private listVms(req: ArmRequest): ArmResponse {
    const { resource, set } = this.require(req);
    const expand = (queryParam(req.query, '$expand') ?? '').toLowerCase();
    const skip = Number(queryParam(req.query, '$skiptoken') ?? 0) || 0;
    const vms = [...set.instances.values()].sort(
      (a, b) => Number(a.instanceId) - Number(b.instanceId),
    );
    const page = vms.slice(skip, skip + this.listPageSize);
    const body: Json = {
      value: page.map((vm) =>
        vmView(resource, vm, {
          instanceView: expand.includes('instanceview'),
          userData: expand.includes('userdata'),
        }),
      ),
    };
    if (skip + this.listPageSize < vms.length) {
      const next = new URLSearchParams(req.query);
      for (const key of [...next.keys()]) if (key.toLowerCase() === '$skiptoken') next.delete(key);
      next.set('$skiptoken', String(skip + this.listPageSize));
      body.nextLink = `${req.origin}${req.path}?${next.toString()}`;
    }
    return { status: 200, body };
  }

  private updateVm(req: ArmRequest): ArmResponse {
    const { resource, vm } = this.requireVm(req);
    const props = obj(obj(req.body).properties);
    if (props.protectionPolicy !== undefined) {
      const policy = obj(props.protectionPolicy);
      if (vm.provisioningState === 'Deleting') {
        throw new ArmError(
          409,
          'OperationNotAllowed',
          `Instance protection cannot be changed on the virtual machine scale set VM ` +
            `'${vm.name}' because it is being deleted.`,
        );
      }
      if (policy.protectFromScaleSetActions === true && policy.protectFromScaleIn !== true) {
        throw ArmError.badRequest(
          'InvalidParameter',
          'protectFromScaleSetActions can only be true when protectFromScaleIn is true: ' +
            'protection from scale set actions includes protection from scale-in.',
          'protectionPolicy.protectFromScaleSetActions',
        );
      }
      vm.protectionPolicy = clone(props.protectionPolicy) as ProtectionPolicy;
    }
    vm.generation++;
    this.ctx.store.touch(resource);
    const fault = this.ctx.faults.takeOperationFault(req.method, req.path);
    const done = (async () => {
      await this.ctx.scheduler.delay(this.ctx.delays.resource);
      if (fault) throw new ArmError(500, fault.code, fault.message);
    })();
    const view = vmView(resource, vm, { instanceView: false, userData: false });
    return this.accept(req, resource, done, 200, view);
  }

  private accept(
    req: ArmRequest,
    resource: StoredResource,
    done: Promise<void>,
    status: number,
    body?: unknown,
  ): ArmResponse {
    return acceptOperation(
      this.ctx,
      req,
      providerScope(resource.subscriptionId, 'Microsoft.Compute', resource.location),
      done,
      { status, body, location: req.method !== 'PUT' },
    ).response;
  }

  private require(req: ArmRequest): ScaleSetHandle {
    const { subscriptionId, resourceGroupName, vmScaleSetName } = req.params;
    this.ctx.store.group(subscriptionId, resourceGroupName);
    const id = buildResourceId(subscriptionId, resourceGroupName, SCALE_SET_TYPE, [vmScaleSetName]);
    const handle = this.handle(id);
    if (!handle) throw ArmError.notFound(SCALE_SET_TYPE, vmScaleSetName, resourceGroupName);
    return handle;
  }

  private requireVm(req: ArmRequest) {
    const handle = this.require(req);
    const vm = handle.set.get(req.params.instanceId);
    if (!vm) {
      throw ArmError.notFound(
        `${SCALE_SET_TYPE}/virtualMachines`,
        `${req.params.vmScaleSetName}/${req.params.instanceId}`,
        req.params.resourceGroupName,
      );
    }
    return { ...handle, vm };
  }
}

/** The model's `scheduledEventsProfile.terminateNotificationProfile`, if any. */
function terminateProfile(body: Json | undefined): Json | undefined {
  const profile = obj(
    obj(obj(body?.properties).virtualMachineProfile).scheduledEventsProfile,
  ).terminateNotificationProfile;
  return profile && typeof profile === 'object' ? (profile as Json) : undefined;
}

/** notBeforeTimeout is an ISO 8601 duration of 5 to 15 minutes (the terminate notification page). */
function checkTerminateNotification(body: Json): void {
  const profile = terminateProfile(body);
  if (profile?.notBeforeTimeout === undefined) return;
  const ms = durationMs(profile.notBeforeTimeout);
  if (ms === undefined || ms < 5 * 60_000 || ms > 15 * 60_000) {
    throw ArmError.badRequest(
      'InvalidParameter',
      `The value '${String(profile.notBeforeTimeout)}' of notBeforeTimeout is invalid: it must ` +
        'be an ISO 8601 duration between 5 and 15 minutes (PT5M to PT15M).',
      'virtualMachineProfile.scheduledEventsProfile.terminateNotificationProfile.notBeforeTimeout',
    );
  }
}

function noSuchAction(action: string): ArmError {
  return new ArmError(
    404,
    'InvalidResourceType',
    `The resource type '${action}' could not be found in the namespace 'Microsoft.Compute'.`,
  );
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** JSON merge patch (RFC 7386), which ARM's PATCH follows: objects merge, the rest replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      target[key] = mergePatch(obj(target[key]), value as Json);
    } else target[key] = value;
  }
  return target;
}
