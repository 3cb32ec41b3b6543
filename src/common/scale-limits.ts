// How many instances an Azure pool can be scaled to, and what Scale… says about a number: refused
// beyond what the load balancer's SSH ports and the scale set can hold, a question when autoscale
// would take it back. Shared by the app's check and the dialog's, so both say the same.
import { plural } from './user-text';

/** What `azure.scaleLimits` returns. */
export interface ScaleLimits {
  /** The most instances the pool can hold and still reach each one over SSH. */
  maxCapacity: number;
  /** The SSH NAT port range of the pool's load balancer (one port per instance), when found. */
  natPorts?: { start: number; end: number };
  /** 100 in a single placement group, else 1000. */
  placementLimit: number;
  /** The autoscale setting's default bounds, when one targets the pool. */
  autoscale?: { enabled: boolean; minimum: number; maximum: number };
}

/** Why `capacity` cannot be set (a sentence), or undefined when it can. */
export function capacityProblem(capacity: number, limits: ScaleLimits): string | undefined {
  if (!Number.isInteger(capacity) || capacity < 0) {
    return `Enter a whole number from 0 to ${limits.maxCapacity}.`;
  }
  if (capacity <= limits.maxCapacity) return undefined;
  const nat = limits.natPorts;
  if (nat && nat.end - nat.start + 1 === limits.maxCapacity) {
    return `At most ${limits.maxCapacity}: the pool's load balancer has ${plural(limits.maxCapacity, 'SSH port')} (${nat.start}–${nat.end}), one for each instance, so an instance beyond them could not be reached.`;
  }
  return `At most ${limits.maxCapacity}: a scale set in a single placement group holds at most ${limits.placementLimit} instances.`;
}

/**
 * What to ask before setting `capacity` when autoscale is on and keeps the pool between other
 * bounds: it would bring the pool back within them at its next evaluation.
 */
export function autoscaleConflict(capacity: number, limits: ScaleLimits): string | undefined {
  const a = limits.autoscale;
  if (!a?.enabled) return undefined;
  if (capacity > a.maximum) {
    return `Autoscale keeps this pool between ${a.minimum} and ${plural(a.maximum, 'instance')}: within minutes it scales back down to ${a.maximum}. To keep ${capacity}, raise autoscale's maximum instead (Autoscale…).`;
  }
  if (capacity < a.minimum) {
    return `Autoscale keeps this pool between ${a.minimum} and ${plural(a.maximum, 'instance')}: within minutes it scales back up to ${a.minimum}. To keep ${capacity}, lower autoscale's minimum instead (Autoscale…).`;
  }
  return undefined;
}
