// The emulator's state: subscriptions, resource groups and every resource by id (case-insensitive).
import { randomUUID } from 'node:crypto';
import { ArmError } from './arm-error';
import { idKey, normalizeLocation, resourceGroupId } from './resource-ids';

export interface Subscription {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
}

export interface ResourceGroup {
  id: string;
  name: string;
  subscriptionId: string;
  location: string;
  tags?: Record<string, string>;
  managedBy?: string;
  provisioningState: 'Succeeded' | 'Deleting';
}

/** One resource as stored: the client's model (secrets removed) plus what ARM adds. */
export interface StoredResource {
  id: string;
  name: string;
  /** `Microsoft.Network/loadBalancers` */
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  /** The model without id/name/type: location, tags, sku, properties, … */
  body: Record<string, unknown>;
  provisioningState: string;
  /** Bumped on every change; the `etag` is `W/"<n>"`. */
  version: number;
  resourceGuid: string;
  createdTime: string;
  changedTime: string;
}

export class ResourceStore {
  readonly subscriptions = new Map<string, Subscription>();
  private readonly groups = new Map<string, ResourceGroup>();
  private readonly resources = new Map<string, StoredResource>();

  addSubscription(subscription: Subscription): void {
    this.subscriptions.set(subscription.subscriptionId.toLowerCase(), subscription);
  }

  /** The subscription, or ARM's 404 SubscriptionNotFound. */
  subscription(subscriptionId: string): Subscription {
    const found = this.subscriptions.get(subscriptionId.toLowerCase());
    if (!found) {
      throw new ArmError(
        404,
        'SubscriptionNotFound',
        `The subscription '${subscriptionId}' could not be found.`,
      );
    }
    return found;
  }

  findGroup(subscriptionId: string, name: string): ResourceGroup | undefined {
    return this.groups.get(idKey(resourceGroupId(subscriptionId, name)));
  }

  /** The group, or ARM's 404 ResourceGroupNotFound. */
  group(subscriptionId: string, name: string): ResourceGroup {
    this.subscription(subscriptionId);
    const found = this.findGroup(subscriptionId, name);
    if (!found) {
      throw new ArmError(
        404,
        'ResourceGroupNotFound',
        `Resource group '${name}' could not be found.`,
      );
    }
    return found;
  }

  listGroups(subscriptionId: string): ResourceGroup[] {
    const prefix = `/subscriptions/${subscriptionId.toLowerCase()}/`;
    return [...this.groups.entries()].filter(([k]) => k.startsWith(prefix)).map(([, g]) => g);
  }

  /** Creates or updates a group; true when created. */
  putGroup(
    subscriptionId: string,
    name: string,
    location: string,
    tags?: Record<string, string>,
    managedBy?: string,
  ): { group: ResourceGroup; created: boolean } {
    const subscription = this.subscription(subscriptionId);
    const existing = this.findGroup(subscriptionId, name);
    if (existing) {
      if (normalizeLocation(existing.location) !== normalizeLocation(location)) {
        throw new ArmError(
          409,
          'InvalidResourceGroupLocation',
          `Invalid resource group location '${location}'. The Resource group already exists in ` +
            `location '${existing.location}'.`,
        );
      }
      if (tags !== undefined) existing.tags = tags;
      return { group: existing, created: false };
    }
    const group: ResourceGroup = {
      id: resourceGroupId(subscription.subscriptionId, name),
      name,
      subscriptionId: subscription.subscriptionId,
      location: normalizeLocation(location),
      provisioningState: 'Succeeded',
    };
    if (tags !== undefined) group.tags = tags;
    if (managedBy !== undefined) group.managedBy = managedBy;
    this.groups.set(idKey(group.id), group);
    return { group, created: true };
  }

  removeGroup(group: ResourceGroup): void {
    this.groups.delete(idKey(group.id));
  }

  get(id: string): StoredResource | undefined {
    return this.resources.get(idKey(id));
  }

  /** Adds or replaces a resource; keeps its guid, creation time and version count. */
  put(
    resource: Omit<StoredResource, 'version' | 'resourceGuid' | 'createdTime' | 'changedTime'>,
  ): StoredResource {
    const existing = this.get(resource.id);
    const now = new Date().toISOString();
    const stored: StoredResource = {
      ...resource,
      version: (existing?.version ?? 0) + 1,
      resourceGuid: existing?.resourceGuid ?? randomUUID(),
      createdTime: existing?.createdTime ?? now,
      changedTime: now,
    };
    this.resources.set(idKey(resource.id), stored);
    return stored;
  }

  /** Marks a change to a stored resource (its etag moves on). */
  touch(resource: StoredResource): void {
    resource.version++;
    resource.changedTime = new Date().toISOString();
  }

  /**
   * Removes a resource and the extension resources scoped to it (`<id>/providers/…`, e.g. its
   * role assignments), which go with it.
   */
  remove(id: string): void {
    const key = idKey(id);
    this.resources.delete(key);
    for (const other of [...this.resources.keys()]) {
      if (other.startsWith(`${key}/providers/`)) this.resources.delete(other);
    }
  }

  /** Resources of a group, optionally of one type (case-insensitive), in creation order. */
  list(subscriptionId: string, resourceGroup?: string, type?: string): StoredResource[] {
    return [...this.resources.values()].filter(
      (r) =>
        r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        (resourceGroup === undefined ||
          r.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()) &&
        (type === undefined || r.type.toLowerCase() === type.toLowerCase()),
    );
  }

  all(): StoredResource[] {
    return [...this.resources.values()];
  }
}
