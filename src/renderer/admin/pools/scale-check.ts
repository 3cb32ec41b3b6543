// Scale…'s check of the number typed: a whole number the pool can hold (what the app read of its
// placement group, SSH ports and SNAT ports), and a question when autoscale would take the pool
// back within its bounds.
import type { CapacityLimit } from '../../../common/models';
import {
  type AutoscaleBounds,
  autoscaleConflict,
  capacityLimitProblem,
} from '../../../common/scale-limits';

export interface ScaleCheck {
  capacity?: number;
  /** Refused: Scale stays off. */
  error?: string;
  /** Allowed only once the admin confirms it (autoscale would undo it). */
  warning?: string;
}

/** `limit` undefined: not read (yet); 0–1000 still holds and the app checks again. */
export function checkScale(
  text: string,
  limit: CapacityLimit | undefined,
  autoscale: AutoscaleBounds | undefined,
): ScaleCheck {
  const max = limit?.max ?? 1000;
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) > 1000) {
    return { error: `Enter a whole number from 0 to ${max}.` };
  }
  const capacity = Number(t);
  const error = limit ? capacityLimitProblem(capacity, limit) : undefined;
  if (error) return { capacity, error };
  const warning = autoscaleConflict(capacity, autoscale);
  return warning ? { capacity, warning } : { capacity };
}
