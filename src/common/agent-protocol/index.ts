// The contract between the app and the on-VM agent: agent.json, the share's team registry
// (`.pool/users.json`) and the heartbeat (`.pool/status/<computer>.json`), as zod schemas.
import { z } from 'zod';
import { AuthorizedKeySchema } from './authorized-keys';
import { MemberNameSchema } from './names';

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

// ---------------------------------------------------------------------------------------------
// .pool/users.json

export const TeamMemberSchema = z.object({
  name: MemberNameSchema,
  sshKeys: z.array(AuthorizedKeySchema).max(64),
  /** Pool admin: joins the agent's `adminGroup` (sudo) on every VM. */
  admin: z.boolean().optional(),
  /**
   * Fixed Linux uid. Without it the agent derives one from the name (the same on every VM),
   * so files on an NFS share keep their owner whichever VM wrote them.
   */
  uid: z.number().int().min(1000).max(60000).optional(),
});

export const TeamRegistrySchema = z
  .object({
    version: z.literal(1),
    members: z.array(TeamMemberSchema).max(5000),
  })
  .superRefine((registry, ctx) => {
    const names = new Map<string, number>();
    const uids = new Map<number, number>();
    registry.members.forEach((member, index) => {
      const earlier = names.get(member.name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['members', index, 'name'],
          message: `"${member.name}" is listed twice (also members[${earlier}])`,
        });
      } else names.set(member.name, index);
      if (member.uid !== undefined) {
        const other = uids.get(member.uid);
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['members', index, 'uid'],
            message: `${member.uid} is also the uid of members[${other}]`,
          });
        } else uids.set(member.uid, index);
      }
    });
  });

export type TeamMember = z.output<typeof TeamMemberSchema>;
export type TeamRegistry = z.output<typeof TeamRegistrySchema>;

/** First uid of the range the agent derives member uids from (below login.defs' UID_MAX). */
export const DERIVED_UID_BASE = 20000;
export const DERIVED_UID_SPAN = 40000;

/**
 * The uid of each member: the explicit one, else FNV-1a of the name in
 * [20000, 60000), moving up past collisions in name order — so every VM that reads the same
 * registry computes the same uids.
 */
export function memberUids(members: readonly TeamMember[]): Map<string, number> {
  const result = new Map<string, number>();
  const taken = new Set<number>();
  for (const member of members) {
    if (member.uid !== undefined) {
      result.set(member.name, member.uid);
      taken.add(member.uid);
    }
  }
  const derived = members
    .filter((member) => member.uid === undefined)
    .map((member) => member.name)
    .sort();
  for (const name of derived) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
      hash ^= name.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    let offset = hash % DERIVED_UID_SPAN;
    while (taken.has(DERIVED_UID_BASE + offset)) offset = (offset + 1) % DERIVED_UID_SPAN;
    taken.add(DERIVED_UID_BASE + offset);
    result.set(name, DERIVED_UID_BASE + offset);
  }
  return result;
}

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
