// The contract between the app and the on-VM agent: agent.json, the share's team registry
// (`.pool/users.json`) and the heartbeat (`.pool/status/<computer>.json`), as zod schemas.
import { z } from 'zod';

export { heartbeatPath, memberNotebooksPath, SHARE_LAYOUT } from './share-layout';
export {
  ComputerNameSchema,
  isSafeAbsolutePath,
  LINUX_USERNAME,
  LinuxUsernameSchema,
  RESERVED_USERNAMES,
} from './names';
export { AgentConfigSchema, ShareConfigSchema, smbAccount } from './agent-config';
export type { AgentConfig, AgentConfigInput, ShareConfig } from './agent-config';
export { AuthorizedKeySchema, MIN_RSA_BITS, parseAuthorizedKey } from './authorized-keys';
export type { ParsedAuthorizedKey, SshKeyType } from './authorized-keys';
export {
  DERIVED_UID_BASE,
  DERIVED_UID_SPAN,
  memberUids,
  TeamMemberSchema,
  TeamRegistrySchema,
} from './team-registry';
export type { TeamMember, TeamRegistry } from './team-registry';

// ---------------------------------------------------------------------------------------------
// Heartbeat and status

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
});

export type AgentHeartbeat = z.output<typeof AgentHeartbeatSchema>;
/** `status --json` prints exactly a heartbeat, computed on the spot. */
export type AgentStatus = AgentHeartbeat;

// ---------------------------------------------------------------------------------------------

/** zod issues as lines a person can act on: `members[2].sshKeys[0]: is a 1024-bit RSA key…`. */
export function formatSchemaIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((part, i) =>
        typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
      )
      .join('');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
