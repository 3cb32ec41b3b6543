// Why did / didn't the pool scale: the timeline of an Azure pool's instance count and sessions
// with its autoscale actions, protections and scheduled events, and the "now" line.
import { z } from 'zod';
import type { ScalingHistory } from '../scaling-models';
import { id, method } from './define';

export const scalingMethods = {
  'scaling.history': method(
    z
      .object({
        poolId: id('poolId'),
        /** How far back, in hours (default a day). */
        hours: z
          .number({ error: 'must be a number of hours' })
          .int('must be a whole number of hours')
          .min(1, 'must be at least 1 hour')
          .max(24 * 7, 'must be at most a week (168 hours)')
          .default(24),
      })
      .strict(),
    "An Azure pool's scaling over the last hours: instance count and sessions, autoscale actions from the Activity Log (profile, rule, from → to), protections set and cleared with their reasons, scheduled events, and the plain-language 'now' line; with the az commands of what it read.",
  ).returns<ScalingHistory>(),
} as const;
