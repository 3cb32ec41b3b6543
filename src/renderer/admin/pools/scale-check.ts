// Scale…'s check of the number typed: a whole number the pool can hold (its SSH ports, its
// placement limit), and a question when autoscale would take the pool back within its bounds.
import { autoscaleConflict, capacityProblem, type ScaleLimits } from '../../../common/scale-limits';

export interface ScaleCheck {
  capacity?: number;
  /** Refused: Scale stays off. */
  error?: string;
  /** Allowed only once the admin confirms it (autoscale would undo it). */
  warning?: string;
}

/** `limits` undefined: not read (yet); the contract's 0–1000 still holds and the app checks again. */
export function checkScale(text: string, limits: ScaleLimits | undefined): ScaleCheck {
  const max = limits?.maxCapacity ?? 1000;
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) > 1000) {
    return { error: `Enter a whole number from 0 to ${max}.` };
  }
  const capacity = Number(t);
  if (!limits) return { capacity };
  const error = capacityProblem(capacity, limits);
  if (error) return { capacity, error };
  const warning = autoscaleConflict(capacity, limits);
  return warning ? { capacity, warning } : { capacity };
}
