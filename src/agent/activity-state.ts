// /var/lib/dsvm-pool/activity.json: what the watch remembers across cycles and restarts — whether
// it set the protection itself (else it is an admin's, never cleared), the ARM call budget, the
// last activity, the scheduled events it announced — and the latest snapshot for the heartbeat.
import { z } from 'zod';
import type { AgentActivity } from '../common/agent-protocol';
import { AgentActivitySchema, ScheduledEventSchema } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { messageOf } from './errors';
import { AGENT_PATHS } from './paths';
import { ensureRootDir, readSmallFile, writeFileAtomic } from './safe-fs';

export const ActivityStateSchema = z.object({
  version: z.literal(1),
  /** This agent set protectFromScaleIn and has not cleared it (its `by: 'busy'`). */
  agentProtected: z.boolean().default(false),
  /** Azure's protectFromScaleIn when last read or set; null: not known yet. */
  azureProtected: z.boolean().nullable().default(null),
  /** ms: when Azure's protection was last read or set. */
  checkedAt: z.number().nullable().default(null),
  /** ISO: the agent's last protection change. */
  changedAt: z.string().optional(),
  /** The last protection call's failure in words. */
  error: z.string().optional(),
  /** ms of each ARM call in the last hour (the budget). */
  armCalls: z.array(z.number()).default([]),
  /** ms: no ARM call before this (Azure's Retry-After on 409/429). */
  notBefore: z.number().optional(),
  busy: z.boolean().default(false),
  /** ms: the newest activity seen (input, kernel, keep). */
  lastActivity: z.number().optional(),
  /** ms: when busy last turned false (the heartbeat's idleSince). */
  idleSince: z.number().optional(),
  /** Per kernel, when first seen busy (for "kernel busy 40 min"). */
  busySince: z.record(z.string(), z.number()).default({}),
  sessions: z.number().int().default(0),
  /** This VM's scheduled events as IMDS listed them last. */
  scheduledEvents: z.array(ScheduledEventSchema).default([]),
  /** Scheduled event ids already told to everyone, and those approved. */
  announced: z.array(z.string()).default([]),
  approved: z.array(z.string()).default([]),
  /** ms: when idle stop deallocates, once the warning went out. */
  idleStopAt: z.number().nullable().default(null),
  /** ms: when the budget was last reported as exhausted (logged once per hour). */
  budgetLoggedAt: z.number().optional(),
  /** The heartbeat's `activity`, as the last cycle made it, and when. */
  activity: AgentActivitySchema.optional(),
  updatedAt: z.number().optional(),
});
export type ActivityState = z.output<typeof ActivityStateSchema>;

export function emptyActivityState(): ActivityState {
  return ActivityStateSchema.parse({ version: 1 });
}

/** The saved state; a fresh one when missing or damaged (logged: protection is re-read). */
export async function loadActivityState(system: AgentSystem): Promise<ActivityState> {
  try {
    const text = await readSmallFile(hostPath(system, AGENT_PATHS.activityState), 1024 * 1024);
    if (text === undefined) return emptyActivityState();
    return ActivityStateSchema.parse(JSON.parse(text));
  } catch (error) {
    system.log.warn(
      `${AGENT_PATHS.activityState} could not be read (${messageOf(error).slice(0, 200)}); starting afresh — a protection found on Azure counts as an admin's`,
    );
    return emptyActivityState();
  }
}

export async function saveActivityState(system: AgentSystem, state: ActivityState): Promise<void> {
  await ensureRootDir(hostPath(system, AGENT_PATHS.stateDir), 0o755);
  await writeFileAtomic(hostPath(system, AGENT_PATHS.activityState), `${JSON.stringify(state)}\n`, {
    mode: 0o644,
  });
}

/** How long a snapshot stays good for the heartbeat: a stopped watch must not look busy. */
export const ACTIVITY_MAX_AGE_MS = 3 * 60_000;

/** The latest activity for the heartbeat, when the watch wrote one recently. */
export async function currentActivity(system: AgentSystem): Promise<AgentActivity | undefined> {
  const text = await readSmallFile(hostPath(system, AGENT_PATHS.activityState), 1024 * 1024).catch(
    () => undefined,
  );
  if (text === undefined) return undefined;
  const parsed = ActivityStateSchema.safeParse(safeJson(text));
  if (!parsed.success || !parsed.data.activity || parsed.data.updatedAt === undefined) {
    return undefined;
  }
  if (system.now().getTime() - parsed.data.updatedAt > ACTIVITY_MAX_AGE_MS) return undefined;
  return parsed.data.activity;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
