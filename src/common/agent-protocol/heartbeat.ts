// `.pool/status/<computer>.json`, the heartbeat each VM's agent writes (and `status --json`
// prints): mount health, members applied, sessions, Jupyter use, load and the last apply.
import { z } from 'zod';
import { AgentActivitySchema } from './activity';

export const ApplyReportSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  ok: z.boolean(),
  errors: z.array(z.string()),
  warnings: z.array(z.string()),
  /** What this run changed (capped), e.g. `created user alice`. */
  changes: z.array(z.string()),
  /** Members whose account, keys and links are in place. */
  applied: z.array(z.string()),
  /** Former members the agent locked. */
  locked: z.array(z.string()),
  /** Which registry the run used: the share's, the cached last good copy, or none. */
  registry: z.object({
    source: z.enum(['share', 'last-good', 'none']),
    members: z.number().int(),
  }),
});

export type ApplyReport = z.output<typeof ApplyReportSchema>;

export const MountHealthSchema = z.object({
  protocol: z.enum(['smb', 'nfs', 'bind']),
  mountPoint: z.string(),
  /** The mount point is in the mount table. */
  mounted: z.boolean(),
  /** Writing and reading back a probe file worked (at the last apply) / the share answered. */
  healthy: z.boolean(),
  fsType: z.string().optional(),
  detail: z.string().optional(),
});

export type MountHealth = z.output<typeof MountHealthSchema>;

export const JupyterUsageSchema = z.object({
  servers: z.number().int().nonnegative(),
  kernels: z.number().int().nonnegative(),
  busyKernels: z.number().int().nonnegative(),
});

export type JupyterUsage = z.output<typeof JupyterUsageSchema>;

/** `.pool/status/<computer>.json`, and what `dsvm-pool-agent status --json` prints. */
export const AgentHeartbeatSchema = z.object({
  version: z.literal(1),
  computerName: z.string(),
  agentVersion: z.string(),
  /** ISO time the snapshot was taken. */
  time: z.string(),
  mount: MountHealthSchema.nullable(),
  users: z.object({ applied: z.array(z.string()), locked: z.array(z.string()) }),
  /** Active SSH connections per user. */
  sessions: z.record(z.string(), z.number().int().nonnegative()),
  /** Running Jupyter servers and their kernels per user. */
  jupyter: z.record(z.string(), JupyterUsageSchema),
  load: z.object({
    avg1: z.number(),
    avg5: z.number(),
    avg15: z.number(),
    cpus: z.number().int(),
  }),
  lastApply: ApplyReportSchema.nullable(),
  /** Busy or idle and why, scale-in protection, scheduled events (agents from issue 11 on). */
  activity: AgentActivitySchema.optional(),
});

export type AgentHeartbeat = z.output<typeof AgentHeartbeatSchema>;
/** `status --json` prints exactly a heartbeat, computed on the spot. */
export type AgentStatus = AgentHeartbeat;
