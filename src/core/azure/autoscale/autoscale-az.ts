// The az equivalent of a save, as commands that work on any setting the app, the portal or az
// wrote: `az monitor autoscale update` when that is all the save changes (on/off, and default
// bounds when az changes exactly what the app does), else `az rest` with the JSON the app sends.
import type { AutoscaleSettings, AzCommand } from '../../../common/models';
import {
  type AutoscaleTarget,
  azAutoscaleRest,
  azAutoscaleUpdateSetting,
} from './autoscale-az-commands';
import { type Json, arr, canonical, clone, obj, same } from './autoscale-json';
import type { AutoscaleRead } from './autoscale-model';
import { type WriteContext, putBody, writeAutoscale } from './autoscale-write';

/**
 * The commands from `base` (the stored setting as read; undefined when there is none yet) to
 * `next`: none when nothing changes; one otherwise. A new setting is an `az rest --method put` of
 * what the app creates. For an existing one a save changes only `profiles` and `enabled`, so the
 * fallback is an `az rest --method patch` of just those two: the setting's notifications (whose
 * webhook URLs may hold secrets) never appear in the command, and stay as they are in Azure.
 */
export function autoscaleAz(
  target: AutoscaleTarget,
  base: AutoscaleRead | undefined,
  next: AutoscaleSettings,
  context: WriteContext,
): AzCommand[] {
  const body = writeAutoscale(base?.raw, next, context);
  if (!base) {
    return [
      azAutoscaleRest(
        target,
        'put',
        body,
        `Create autoscale setting ${target.autoscaleName} (${profilesOf(body).length} profiles, autoscale ${next.enabled ? 'on' : 'off'})`,
      ),
    ];
  }
  const before = putBody(base.raw);
  if (canonical(body) === canonical(before)) return [];
  const enabledChanged = obj(before.properties).enabled !== next.enabled;
  const enabled = enabledChanged ? { enabled: next.enabled } : {};
  if (same(profilesOf(before), profilesOf(body))) {
    return [azAutoscaleUpdateSetting(target, enabled)];
  }
  const c = next.defaultProfile.capacity;
  const viaUpdate = azUpdateResult(base.raw, c);
  if (viaUpdate && same(viaUpdate, profilesOf(body))) {
    return [
      azAutoscaleUpdateSetting(target, {
        minCount: c.minimum,
        maxCount: c.maximum,
        count: c.default,
        ...enabled,
      }),
    ];
  }
  const patch = { properties: { profiles: profilesOf(body), enabled: next.enabled } };
  return [
    azAutoscaleRest(
      target,
      'patch',
      patch,
      `Save the ${profilesOf(body).length} profiles of autoscale setting ${target.autoscaleName} (autoscale ${next.enabled ? 'on' : 'off'}; notifications and the rest stay as they are)`,
    ),
  ];
}

function profilesOf(body: unknown): Json[] {
  return arr(obj(obj(body).properties).profiles).map(obj);
}

/**
 * The profiles after `az monitor autoscale update --min-count --max-count --count`, or undefined
 * when az would refuse the setting. az sets the capacity of every profile that is neither fixed
 * nor scheduled and of every schedule whose name is JSON (the portal's "end" profiles), and needs
 * them all to agree beforehand to find the default ("unable to resolve default profile").
 */
function azUpdateResult(
  raw: AutoscaleRead['raw'],
  c: AutoscaleSettings['defaultProfile']['capacity'],
): Json[] | undefined {
  const profiles = clone(arr(obj(raw.properties).profiles).map(obj));
  const defaults = profiles.filter((p) => {
    if (p.fixedDate !== undefined) return false;
    if (p.recurrence === undefined) return true;
    try {
      JSON.parse(String(p.name));
      return true;
    } catch {
      return false;
    }
  });
  if (defaults.length === 0) return undefined;
  const capacities = defaults.map((p) => capacityText(p.capacity));
  if (new Set(capacities).size !== 1) return undefined;
  for (const p of defaults) {
    p.capacity = {
      ...obj(p.capacity),
      default: String(c.default),
      minimum: String(c.minimum),
      maximum: String(c.maximum),
    };
  }
  return profiles;
}

function capacityText(capacity: unknown): string {
  const c = obj(capacity);
  return `${String(c.minimum)}/${String(c.maximum)}/${String(c.default)}`;
}
