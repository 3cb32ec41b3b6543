// The contract between the app and the on-VM agent: agent.json, the share's team registry
// (`.pool/users.json`) and the heartbeat (`.pool/status/<computer>.json`), as zod schemas.
import type { z } from 'zod';

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
export {
  AgentHeartbeatSchema,
  ApplyReportSchema,
  JupyterUsageSchema,
  MountHealthSchema,
} from './heartbeat';
export type {
  AgentHeartbeat,
  AgentStatus,
  ApplyReport,
  JupyterUsage,
  MountHealth,
} from './heartbeat';

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
