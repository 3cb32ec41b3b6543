// The data shapes that cross the contract: pools, instances, connections, terminals, prompts.

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
}

export type ConnectionState = 'connecting' | 'connected' | 'closed' | 'failed';

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
}

export interface TerminalInfo {
  id: string;
  connectionId: string;
  poolId: string;
  instanceId: string;
  instanceName: string;
  cols: number;
  rows: number;
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

export type Prompt = HostKeyPrompt;

export interface AppInfo {
  version: string;
  /** `electron` or `headless` (the browser host). */
  shell: 'electron' | 'headless';
  platform: string;
  /** Where the app keeps keys, trusted host keys and settings. */
  dataDir: string;
}
