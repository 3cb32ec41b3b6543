// Microsoft.Insights/autoscaleSettings: stored and shown as the examples show them (synchronous
// PUT/PATCH/DELETE, location kept as sent, profile names kept). The emulator does not act on them.
import { ArmError } from './arm-error';
import { clone } from './compute-views';
import type { PutResult } from './emulator-context';
import { GenericProvider } from './generic-provider';
import type { StoredResource } from './resource-store';

type Json = Record<string, unknown>;

const PATCHABLE = [
  'profiles',
  'notifications',
  'enabled',
  'predictiveAutoscalePolicy',
  'name',
  'targetResourceUri',
  'targetResourceLocation',
];

export class AutoscaleProvider extends GenericProvider {
  override readonly types = ['microsoft.insights/autoscalesettings'];
  override readonly longRunning = false;

  protected override get normalizesLocation(): boolean {
    return false;
  }

  protected override prepare(body: Json): Json {
    const props = obj(body.properties);
    const profiles = Array.isArray(props.profiles) ? (props.profiles as Json[]) : undefined;
    if (!profiles || profiles.length < 1 || profiles.length > 20) {
      throw ArmError.badRequest(
        'InvalidRequest',
        'An autoscale setting needs 1 to 20 profiles.',
        'profiles',
      );
    }
    for (const profile of profiles) {
      const capacity = obj(profile.capacity);
      const [min, max, def] = [capacity.minimum, capacity.maximum, capacity.default].map(Number);
      if (typeof profile.name !== 'string' || [min, max, def].some((n) => !Number.isInteger(n))) {
        throw ArmError.badRequest(
          'InvalidRequest',
          'Each profile needs a name and capacity minimum, maximum and default (integers as strings).',
          'profiles',
        );
      }
      if (!(min <= def && def <= max)) {
        throw ArmError.badRequest(
          'InvalidRequest',
          `Profile '${profile.name}': the default capacity must lie between minimum and maximum.`,
          'profiles',
        );
      }
      if (Array.isArray(profile.rules) && profile.rules.length > 10) {
        throw ArmError.badRequest(
          'InvalidRequest',
          `Profile '${profile.name}' has more than 10 rules.`,
          'rules',
        );
      }
    }
    if (typeof props.targetResourceUri !== 'string') {
      throw ArmError.badRequest(
        'InvalidRequest',
        'targetResourceUri is required.',
        'targetResourceUri',
      );
    }
    return body;
  }

  override patch(resource: StoredResource, body: Json): PutResult {
    if (body.tags !== undefined) resource.body.tags = clone(body.tags);
    const props = (resource.body.properties = obj(resource.body.properties));
    const patch = obj(body.properties);
    for (const key of PATCHABLE) if (patch[key] !== undefined) props[key] = clone(patch[key]);
    this.prepare(resource.body);
    this.ctx.store.touch(resource);
    return { created: false, view: this.view(resource), done: Promise.resolve() };
  }

  override view(resource: StoredResource): unknown {
    const props = obj(resource.body.properties);
    return {
      // ARM returns this provider's ids in lower case, as in the official examples.
      id: `/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroup}/providers/microsoft.insights/autoscalesettings/${resource.name}`,
      name: resource.name,
      type: 'Microsoft.Insights/autoscaleSettings',
      location: resource.location,
      tags: clone(resource.body.tags ?? {}),
      properties: {
        ...clone(props),
        profiles: clone(props.profiles),
        enabled: props.enabled ?? false,
        name: resource.name,
        targetResourceUri: props.targetResourceUri,
        notifications: clone(props.notifications ?? []),
        predictiveAutoscalePolicy: clone(
          props.predictiveAutoscalePolicy ?? { scaleMode: 'Disabled' },
        ),
      },
    };
  }
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
