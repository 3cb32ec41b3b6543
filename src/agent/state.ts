// /var/lib/dsvm-pool/state.json: which accounts the agent created (the only ones it ever locks
// or changes) and the last apply's report, which `status` and the heartbeat show.
import { z } from 'zod';
import { ApplyReportSchema, MountHealthSchema } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { AgentError, messageOf } from './errors';
import { AGENT_PATHS } from './paths';
import { ensureRootDir, readSmallFile, writeFileAtomic } from './safe-fs';

const ManagedUserSchema = z.object({
  uid: z.number().int(),
  createdAt: z.string(),
  /** Set while the user is not in the registry: account locked, keys removed. */
  lockedAt: z.string().optional(),
});

export const AgentStateSchema = z.object({
  version: z.literal(1),
  managedUsers: z.record(z.string(), ManagedUserSchema),
  lastApply: ApplyReportSchema.nullable(),
  lastMount: MountHealthSchema.nullable(),
});

export type AgentState = z.output<typeof AgentStateSchema>;
export type ManagedUser = z.output<typeof ManagedUserSchema>;

export function emptyState(): AgentState {
  return { version: 1, managedUsers: {}, lastApply: null, lastMount: null };
}

/**
 * The saved state; an empty one on the first run. A damaged file stops the apply: acting on a
 * wrong list of managed users could touch accounts the agent did not create.
 */
export async function loadState(system: AgentSystem): Promise<AgentState> {
  const text = await readSmallFile(hostPath(system, AGENT_PATHS.state), 8 * 1024 * 1024);
  if (text === undefined) return emptyState();
  try {
    return AgentStateSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new AgentError(
      `${AGENT_PATHS.state} is damaged (${messageOf(error).slice(0, 200)}); the agent will not guess which accounts it manages — repair the file`,
    );
  }
}

export async function saveState(system: AgentSystem, state: AgentState): Promise<void> {
  await ensureRootDir(hostPath(system, AGENT_PATHS.stateDir), 0o755);
  await writeFileAtomic(
    hostPath(system, AGENT_PATHS.state),
    `${JSON.stringify(state, null, 2)}\n`,
    {
      mode: 0o644,
    },
  );
}
