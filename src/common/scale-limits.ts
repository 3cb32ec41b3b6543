// What Scale… says about a number of instances: beyond what the pool can hold it is refused
// (CapacityLimit, read by the app from the scale set and its load balancer), and a number that
// autoscale would take back is asked about first.
import type { CapacityLimit } from './models';
import { plural } from './user-text';

/** An autoscale setting's default bounds, as Scale… weighs a new capacity against them. */
export interface AutoscaleBounds {
  enabled: boolean;
  minimum: number;
  maximum: number;
}

/** Why `capacity` cannot be asked for (a sentence), or undefined when it can. */
export function capacityLimitProblem(capacity: number, limit: CapacityLimit): string | undefined {
  return capacity > limit.max ? `At most ${limit.max}: ${limit.reason}.` : undefined;
}

/**
 * What to ask before setting `capacity` when autoscale is on and keeps the pool between other
 * bounds: it would bring the pool back within them at its next evaluation.
 */
export function autoscaleConflict(
  capacity: number,
  autoscale: AutoscaleBounds | undefined,
): string | undefined {
  const a = autoscale;
  if (!a?.enabled) return undefined;
  if (capacity > a.maximum) {
    return `Autoscale keeps this pool between ${a.minimum} and ${plural(a.maximum, 'instance')}: within minutes it scales back down to ${a.maximum}. To keep ${capacity}, raise autoscale's maximum instead (Autoscale…).`;
  }
  if (capacity < a.minimum) {
    return `Autoscale keeps this pool between ${a.minimum} and ${plural(a.maximum, 'instance')}: within minutes it scales back up to ${a.minimum}. To keep ${capacity}, lower autoscale's minimum instead (Autoscale…).`;
  }
  return undefined;
}
