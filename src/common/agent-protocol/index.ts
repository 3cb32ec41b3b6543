// The contract between the app and the on-VM agent: agent.json, the share's team registry
// (`.pool/users.json`) and the heartbeat (`.pool/status/<computer>.json`), as zod schemas.
// One file per thing; the app and the agent import them all from here:
//
//   share-layout.ts     where things live on the share (DESIGN.md §7)
//   names.ts            user, computer and path names the agent accepts
//   agent-config.ts     /etc/dsvm-pool/agent.json: the share and how it is mounted
//   authorized-keys.ts  SSH public keys, parsed and checked for authorized_keys
//   team-registry.ts    .pool/users.json: the members and their uids
//   heartbeat.ts        .pool/status/<computer>.json, and `status --json`
//   activity.ts         busy/idle, protection, scheduled events, .pool/activity.json, .pool/events/
//   schema-issues.ts    zod issues as lines a person can act on

export {
  activityEventsPath,
  heartbeatPath,
  memberNotebooksPath,
  SHARE_LAYOUT,
} from './share-layout';
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
export {
  ActivityEventSchema,
  ActivityPolicySchema,
  AgentActivitySchema,
  BusyReasonSchema,
  IDLE_MINUTES_DEFAULT,
  ProtectionStateSchema,
  SCHEDULED_EVENT_TYPES,
  ScheduledEventSchema,
} from './activity';
export type {
  ActivityEvent,
  ActivityPolicy,
  AgentActivity,
  BusyReason,
  ProtectionState,
  ScheduledEvent,
} from './activity';
export { formatSchemaIssues } from './schema-issues';
