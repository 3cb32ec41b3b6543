// The data shapes that cross the contract: pools, instances, connections, terminals, prompts.
import type { AgentActivity } from './agent-protocol/activity';

/** Which implementation backs a pool (DESIGN.md §3). */
export type PoolKind = 'local' | 'ssh-hosts' | 'azure';

export type InstanceState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface InstanceInfo {
  /** Stable id within the pool (e.g. `local-0`, a VMSS instance id). */
  id: string;
  /** What people call it (computer name). */
  name: string;
  state: InstanceState;
  /** Address and port the app connects to for SSH. */
  host: string;
  port: number;
  /** Active SSH sessions on the instance, by user name. */
  sessions: Record<string, number>;
  /** A human explanation when `state` is `failed`. */
  detail?: string;
  /** For an Azure pool: what the admin view shows beyond the state. */
  azure?: AzureInstanceFacts;
  /** What the instance's agent last reported about activity (issue 11): busy or idle and why,
   *  protection and who set it, idle stop, scheduled events. Absent without a fresh heartbeat. */
  activity?: AgentActivity;
}

/** Azure's extra facts about an instance of an Azure pool. */
export interface AzureInstanceFacts {
  /** running, starting, stopping, stopped, deallocating, deallocated. */
  powerState?: string;
  /** succeeded, creating, updating, failed, deleting. */
  provisioningState?: string;
  /** The code of a failed provisioning, e.g. AllocationFailed. */
  failureCode?: string;
  /** false: the instance runs an older model of the scale set. */
  latestModelApplied?: boolean;
  protectFromScaleIn: boolean;
  /** The load balancer's public port that leads to its port 22. */
  natPort?: number;
  /** The pool agent's extension (CustomScript) as the instance reported it; absent until it has. */
  agentExtension?: AgentExtensionState;
}

/** What an instance's agent extension reported: Azure's status and the extension's message. */
export interface AgentExtensionState {
  name: string;
  /** `running`: still installing (Azure's "transitioning"). */
  status: 'succeeded' | 'failed' | 'running';
  /** The extension's message, e.g. `Enable failed: … exit status=1\n[stdout]\n…\n[stderr]\n…`. */
  message: string;
}

export interface PoolInfo {
  id: string;
  name: string;
  kind: PoolKind;
  /** One line that says what this pool is, e.g. "Local sandbox: SSH servers on this computer". */
  description: string;
  /** The user name this app signs in as. */
  user: string;
  instances: InstanceInfo[];
  /** For an ssh-hosts pool: its hosts as configured, so the editor can show them. */
  sshHosts?: SshHostEntry[];
  /** For an ssh-hosts pool: the share its agents mount, when one is set (no secret in it). */
  sshShare?: SshPoolShare;
  /** Why the pool cannot be read now (e.g. an Azure pool while signed out); the last list stays. */
  detail?: string;
  /** For an Azure pool: where it lives, and the most instances Scale may ask for (once read). */
  azure?: {
    subscriptionId: string;
    resourceGroup: string;
    poolName: string;
    capacityLimit?: CapacityLimit;
  };
  /** What the app is doing with the pool for you right now, e.g. starting an instance to connect. */
  activity?: string;
}

/** The most instances an Azure pool's scale set can hold, and what sets that limit. */
export interface CapacityLimit {
  max: number;
  /** Why, in a phrase: "a scale set in a single placement group holds at most 100 instances". */
  reason: string;
}

/**
 * `reconnecting`: the link dropped and the app is getting it back on the same instance; forwards
 * keep their local ports meanwhile. `lost`: it gave up (the instance is gone or refuses us).
 */
export type ConnectionState =
  'connecting' | 'connected' | 'reconnecting' | 'lost' | 'closed' | 'failed';

export interface ConnectionInfo {
  id: string;
  poolId: string;
  instanceId: string;
  instanceName: string;
  host: string;
  port: number;
  user: string;
  state: ConnectionState;
  /** Why the connection failed or closed, in words a user can act on. */
  detail?: string;
  /** While `reconnecting`: the attempt number and when the next try starts (epoch ms). */
  attempt?: number;
  nextAttemptAt?: number;
}

export interface TerminalInfo {
  id: string;
  connectionId: string;
  poolId: string;
  /** The pool's name when the terminal opened: the tab keeps it after the pool is deleted. */
  poolName: string;
  instanceId: string;
  instanceName: string;
  cols: number;
  rows: number;
  /**
   * `tmux`: the shell runs in a tmux session on the instance and survives a dropped link;
   * `plain`: a plain shell, which a dropped link ends.
   */
  persistence: 'tmux' | 'plain';
}

/** A terminal taken over by a UI that (re)appeared, e.g. after a page or window reload. */
/** The user's terminal settings (settings.json `terminal`). */
export interface TerminalSettings {
  /** Lines of scrollback each terminal keeps (SCROLLBACK_LINES in the contract). */
  scrollback: number;
}

export interface TerminalAttachment {
  terminal: TerminalInfo;
  /**
   * Its most recent output, as many lines as the scrollback setting plus a screen, to show before
   * the next `terminals.onData`.
   */
  backlog: string;
  /** `reconnecting` while its link is down. */
  link: 'live' | 'reconnecting';
}

/** A local port forwarded over a connection's SSH link to a port on the instance. */
export interface ForwardInfo {
  id: string;
  connectionId: string;
  poolId: string;
  instanceName: string;
  /** What it is for, e.g. "Jupyter" or "TensorBoard". */
  label: string;
  kind: 'jupyter' | 'custom';
  /** Always 127.0.0.1: forwards never listen on other interfaces. */
  localHost: string;
  localPort: number;
  remoteHost: string;
  remotePort: number;
  /** `active`: carrying traffic; `waiting`: its connection is reconnecting, the port stays bound. */
  state: 'active' | 'waiting' | 'closed';
  /** Sockets open through it now. */
  sockets: number;
  /** Readable one-liner for logs and the UI, e.g. "127.0.0.1:8888 → local-0 127.0.0.1:8888 (Jupyter)". */
  description: string;
}

export interface JupyterInfo {
  connectionId: string;
  forwardId: string;
  /** `notebook`: the user's own server; `hub`: a JupyterHub on the instance (port 8000). */
  mode: 'notebook' | 'hub';
  localPort: number;
  /** The address to open, on 127.0.0.1, with the server's token. */
  url: string;
  /** The app started the server (else it found one running). */
  started: boolean;
  /** The notebook folder on the instance. */
  notebookDir?: string;
}

/** A machine of an ssh-hosts pool. */
export interface SshHostEntry {
  name: string;
  address: string;
  port: number;
  user: string;
  /** A private key file; omit to use the app's key or the ssh-agent. */
  keyPath?: string;
  /** Offer the ssh-agent's keys (SSH_AUTH_SOCK, or Pageant/OpenSSH agent on Windows). */
  useAgent: boolean;
}

/** A host from ~/.ssh/config that can be imported into an ssh-hosts pool. */
export interface SshConfigHost extends SshHostEntry {
  /** The `Host` alias in ~/.ssh/config. */
  alias: string;
}

/** Asked when a host key is seen for the first time; the user answers with `prompts.answer`. */
export interface HostKeyPrompt {
  kind: 'host-key';
  id: string;
  poolId: string;
  instanceName: string;
  host: string;
  port: number;
  /** Key algorithm, e.g. `ssh-ed25519`. */
  algorithm: string;
  /** OpenSSH-style `SHA256:…` fingerprint. */
  fingerprint: string;
}

/** Asked when an encrypted private key needs its passphrase; answered with a `value`. */
export interface PassphrasePrompt {
  kind: 'passphrase';
  id: string;
  poolId: string;
  /** The key file (the passphrase itself never leaves the prompt answer). */
  keyPath: string;
  /** Set when an earlier answer was wrong. */
  retry: boolean;
}

/**
 * Asked when an operation needs a secret it must not keep (e.g. the storage account key an SMB
 * share's agents need); answered with a `value`, or declined. The secret goes to its asker only.
 */
export interface SecretPrompt {
  kind: 'secret';
  id: string;
  poolId: string;
  /** e.g. "Storage account key". */
  title: string;
  /** What it is for and what declining does, as sentences. */
  detail: string;
  /** The field's label, e.g. "Key of storage account teamstore". */
  label: string;
  /** Declining is fine (e.g. the hosts keep the key they have); the dialog says so on its button. */
  declineLabel?: string;
}

export type Prompt = HostKeyPrompt | PassphrasePrompt | SecretPrompt;

/**
 * The share of an ssh-hosts pool, as its agents mount it (agent.json `share`, src/agent/README.md):
 * `nfs` (`server:/export`), `bind` (a folder on each host) or `smb` (`//host/share`, whose key the
 * app asks for at install and never stores).
 */
export interface SshPoolShare {
  protocol: 'nfs' | 'bind' | 'smb';
  source: string;
  /** Default /mnt/dsvm-pool. */
  mountPoint?: string;
  /** SMB: the storage account (default: the first label of the host). */
  account?: string;
}

export interface AppInfo {
  version: string;
  /** `electron` or `headless` (the browser host). */
  shell: 'electron' | 'headless';
  platform: string;
  /** Where the app keeps keys, trusted host keys and settings. */
  dataDir: string;
  /** Set only by `npm run demo`: the app talks to the Azure emulator, and says so everywhere. */
  demo?: DemoInfo;
}

/** The demo's Azure emulator (`npm run demo`): every label shows its address. */
export interface DemoInfo {
  /** `https://127.0.0.1:<port>`: the emulator's ARM and sign-in endpoint. */
  emulatorUrl: string;
}

// --- Azure (mirrors src/core/azure; plain data) ------------------------------------------------

export type AzureSignInKind =
  'cli' | 'browser' | 'device-code' | 'environment' | 'service-principal';

export interface AzureAccount {
  kind: AzureSignInKind;
  tenantId?: string;
  /** The object id of the user or service principal. */
  objectId?: string;
  /** user@contoso.com for a person; the application (client) id for a service principal. */
  userName?: string;
  displayName?: string;
  /** A service principal (no person behind it). */
  isServicePrincipal: boolean;
}

/**
 * Where the Azure token cache is kept: encrypted with the OS keyring (the desktop app), in files
 * only the user can read, not encrypted (no keyring: the headless host), or in memory only.
 */
export type AzureTokenStorage = 'keyring' | 'owner-only-file' | 'memory';

export interface AzureSignInStatus {
  signedIn: boolean;
  account?: AzureAccount;
  /** Tokens survive a restart (kept in the keyring-encrypted or the owner-only files). */
  persistentCache: boolean;
  /** How they are kept (absent: memory). */
  tokenStorage?: AzureTokenStorage;
  /** The folder of the token cache files, when they are on disk. */
  tokenCacheDir?: string;
}

export interface AzureSubscription {
  subscriptionId: string;
  displayName: string;
  /** Enabled, Disabled, Warned, PastDue, Deleted. */
  state: string;
}

export interface AzureResourceGroup {
  name: string;
  location: string;
}

export interface AzurePoolSummary {
  subscriptionId: string;
  resourceGroup: string;
  poolName: string;
  /** The scale set's ARM id. */
  id: string;
  location: string;
  vmSize: string;
  capacity: number;
  adminUsername?: string;
  provisioningState?: string;
  templateVersion?: string;
  tags: Record<string, string>;
}

/** The `az` CLI equivalent of an action. */
export interface AzCommand {
  /** argv, starting with `az`, for a process spawn without a shell. */
  args: string[];
  /** The same command for a POSIX shell (bash, zsh, Cloud Shell), each argument quoted. */
  shell: string;
  /** What it does, in one line. */
  summary: string;
  /**
   * What the command reads on standard input (the JSON of `az rest … --body @-`); `shell` carries
   * it as a here-document.
   */
  stdin?: string;
}

export type OperationStatus = 'running' | 'succeeded' | 'failed';

export interface OperationInfo {
  id: string;
  title: string;
  status: OperationStatus;
  startedAt: number;
  endedAt?: number;
  progress: Array<{ at: number; text: string }>;
  az: AzCommand[];
  pool?: { subscriptionId: string; resourceGroup: string; poolName: string };
  resources?: Array<{
    type: string;
    name: string;
    provisioningState: string;
    error?: { code?: string; message?: string };
  }>;
  deploymentStatus?: string;
  error?: { code: string; message: string };
}

/** What `azure.importArticleParameters` found in the article's parameters file. */
export interface ArticleImportResult {
  parameters: Record<string, unknown>;
  mapped: string[];
  notMapped: Array<{ name: string; reason: string }>;
  refused: Array<{ name: string; reason: string }>;
}

// --- Autoscale: a pool's autoscale setting as the admin edits it (src/core/azure/autoscale/azure-autoscale.ts)
export type {
  AutoscaleDay,
  AutoscaleCapacity,
  AutoscaleOperator,
  AutoscaleRule,
  AutoscaleSchedule,
  AutoscaleFixedDate,
  AutoscaleSettings,
  AutoscaleTimeZone,
  AutoscaleProblem,
  AutoscaleWarning,
  AutoscaleView,
  AutoscalePreview,
} from './autoscale-models';

// --- The team and the share ---------------------------------------------------------------------

/** One member of a pool's team, as the registry on the share holds them. */
export interface TeamMemberInfo {
  name: string;
  /** authorized_keys lines. */
  sshKeys: string[];
  /** Pool admin: sudo on every VM. */
  admin?: boolean;
  uid?: number;
}

export interface TeamInfo {
  /** "Azure Files share teamstore/notebooks". */
  share: string;
  members: TeamMemberInfo[];
  /** The pool's admin account(s) (Azure's adminUsername, an ssh-hosts pool's logins): never a member. */
  adminAccounts?: string[];
}

export interface StorageInfo {
  share: string;
  account: string;
  usedBytes: number;
  quotaGiB?: number;
  /** Bytes under notebooks/<user>. */
  perUser: Record<string, number>;
  /** The per-user walk stopped at its limit: the sizes are lower bounds. */
  approximate: boolean;
}

/** Whether the pool's share is right on an instance, for the user about to open Jupyter. */
export interface ShareCheck {
  /** `no-agent`: the instance is not managed by the pool agent (e.g. the local sandbox). */
  state: 'ok' | 'problem' | 'no-agent';
  mountPoint?: string;
  /** Where ~/notebooks/remote points now. */
  link?: string;
  /** Where it should point: <mountPoint>/notebooks/<user>. */
  expected?: string;
  /** Each problem as a sentence. */
  problems: string[];
  summary: string;
}
