// Session-aware autoscale (issue 11), the app's side of the agents' activity: the pool's policy
// on the share (`.pool/activity.json`: idle window, idle stop) and "Keep this VM" (a keep run as
// the user on that instance, which the agent counts busy).
import { z } from 'zod';
import type { ActivityPolicy } from '../agent-protocol/activity';
import { id, method, safeText } from './define';

export const activityMethods = {
  'activity.policy': method(
    z.object({ poolId: id('poolId') }).strict(),
    "The pool's activity policy from its share; the defaults when it has none.",
  ).returns<ActivityPolicy>(),

  'activity.setPolicy': method(
    z
      .object({
        poolId: id('poolId'),
        idleMinutes: z
          .number({ error: 'must be a number of minutes' })
          .int('must be a whole number of minutes')
          .min(5, 'must be at least 5 minutes')
          .max(1440, 'must be at most 1440 minutes (24 hours)')
          .describe('Idle after (minutes)'),
        idleStop: z.boolean({ error: 'must be on or off' }).describe('Stop idle VMs'),
      })
      .strict(),
    "Writes the pool's activity policy to its share (admin); every agent uses it from its next cycle.",
  ).returns<ActivityPolicy>(),

  'activity.keep': method(
    z
      .object({
        poolId: id('poolId'),
        instanceId: id('instanceId'),
        minutes: z
          .number({ error: 'must be a number of minutes' })
          .int('must be a whole number of minutes')
          .min(1, 'must be at least 1 minute')
          .max(1440, 'must be at most 1440 minutes (24 hours)')
          .describe('Keep for (minutes)'),
        reason: safeText().max(200, 'must be at most 200 characters').optional().describe('Reason'),
      })
      .strict(),
    'Keep this VM: runs `dsvm-pool-agent keep` as you on that instance, so scale-in and idle stop leave it alone for that long.',
  ).returns<{ until: string; message: string }>(),
} as const;
