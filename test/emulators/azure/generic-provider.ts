// Any resource type the emulator has no special knowledge of (VNets, storage accounts, role
// assignments…): stored as sent, provisioned after a short delay, shown back with what ARM adds.
import { ArmError, type ArmErrorBody } from './arm-error';
import type { EmulatorContext, PutRequest, PutResult, ResourceProvider } from './emulator-context';
import { buildResourceId, normalizeLocation } from './resource-ids';
import type { StoredResource } from './resource-store';

type Json = Record<string, unknown>;

export class GenericProvider implements ResourceProvider {
  readonly types: readonly string[] = [];
  readonly longRunning: boolean = true;

  constructor(protected readonly ctx: EmulatorContext) {}

  put(request: PutRequest): PutResult {
    const { parts } = request;
    const group = this.ctx.store.group(parts.subscriptionId, parts.resourceGroup);
    if (parts.types.length > 1) {
      const parentId = buildResourceId(
        group.subscriptionId,
        group.name,
        parts.type.split('/').slice(0, -1).join('/'),
        parts.names.slice(0, -1),
      );
      if (!this.ctx.store.get(parentId)) {
        throw new ArmError(
          404,
          'ParentResourceNotFound',
          `Can not perform requested operation on nested resource. Parent resource ` +
            `'${parts.names.slice(0, -1).join('/')}' not found.`,
        );
      }
    }
    // An answer-at-once provider fails at once, storing nothing.
    if (!this.longRunning && request.fault) {
      throw new ArmError(500, request.fault.code, request.fault.message);
    }
    const id = buildResourceId(group.subscriptionId, group.name, parts.type, parts.names);
    const existing = this.ctx.store.get(id);
    const body = this.prepare(JSON.parse(JSON.stringify(request.body)) as Json, existing, id);
    delete body.id;
    delete body.name;
    delete body.type;
    const location =
      typeof body.location === 'string' ? normalizeLocation(body.location) : existing?.location;
    if (location !== undefined && this.normalizesLocation) body.location = location;
    const stored = this.ctx.store.put({
      id,
      name: parts.name,
      type: parts.type,
      subscriptionId: group.subscriptionId,
      resourceGroup: group.name,
      location,
      body,
      provisioningState: this.longRunning ? (existing ? 'Updating' : 'Creating') : 'Succeeded',
    });
    const done = this.longRunning ? this.provision(id, request.fault) : Promise.resolve();
    this.changed(stored);
    return { created: !existing, view: this.view(stored, new URLSearchParams()), done };
  }

  patch(resource: StoredResource, body: Json, fault?: ArmErrorBody): PutResult {
    // Most resource types accept only tags in a PATCH.
    if (body.tags !== undefined) resource.body.tags = body.tags;
    this.ctx.store.touch(resource);
    const done = fault
      ? Promise.reject(new ArmError(500, fault.code, fault.message))
      : Promise.resolve();
    return { created: false, view: this.view(resource, new URLSearchParams()), done };
  }

  view(resource: StoredResource, _query: URLSearchParams): unknown {
    const { properties, ...rest } = resource.body;
    return {
      id: resource.id,
      name: resource.name,
      type: resource.type,
      ...rest,
      etag: `W/"${resource.resourceGuid.slice(0, 8)}-${resource.version}"`,
      properties: {
        ...(properties as Json | undefined),
        provisioningState: resource.provisioningState,
      },
    };
  }

  async delete(resource: StoredResource, fault?: ArmErrorBody): Promise<void> {
    resource.provisioningState = 'Deleting';
    this.ctx.store.touch(resource);
    if (this.longRunning) await this.ctx.scheduler.delay(this.ctx.delays.resource);
    if (fault) {
      resource.provisioningState = 'Failed';
      throw new ArmError(500, fault.code, fault.message);
    }
    this.ctx.store.remove(resource.id);
    this.changed(resource);
  }

  /** Network and compute normalize `West Europe` to `westeurope`; Insights keeps it as sent. */
  protected get normalizesLocation(): boolean {
    return true;
  }

  /** A subclass's chance to check or complete the model before it is stored. */
  protected prepare(body: Json, _existing: StoredResource | undefined, _id: string): Json {
    return body;
  }

  /** Called after every store change of a resource of this provider. */
  protected changed(_resource: StoredResource): void {}

  private async provision(id: string, fault: ArmErrorBody | undefined): Promise<void> {
    await this.ctx.scheduler.delay(this.ctx.delays.resource);
    const current = this.ctx.store.get(id);
    if (!current) return;
    current.provisioningState = fault ? 'Failed' : 'Succeeded';
    this.ctx.store.touch(current);
    this.changed(current);
    if (fault) throw new ArmError(500, fault.code, fault.message);
  }
}
