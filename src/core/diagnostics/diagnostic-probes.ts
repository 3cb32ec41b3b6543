// What connection diagnostics need to ask the network, the trust store, the instance and its share,
// as an interface: the runner is tested with stand-ins, the service gives it the real probes.
import type { AgentHeartbeat } from '../../common/agent-protocol';
import type { PoolKind } from '../../common/models';
import type { HostKeyCheck } from '../ssh/known-hosts-store';

/** Why a network probe failed, in the categories the hints tell apart. */
export type ProbeFailureKind =
  'not-found' | 'refused' | 'timeout' | 'unreachable' | 'reset' | 'not-ssh' | 'closed' | 'other';

export class ProbeFailure extends Error {
  constructor(
    readonly kind: ProbeFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

/** A signed-in SSH session of the test, kept for the heartbeat and Jupyter steps. */
export interface DiagnosticSession {
  /** How it signed in, e.g. "the pool's key" or "the ssh-agent". */
  readonly method: string;
  close(): void;
}

export type HeartbeatRead =
  | { heartbeat: AgentHeartbeat; source: string }
  /**
   * The share holds no heartbeat of this computer (`source` says where it looked);
   * `unmountedAt`: read over SSH, the share is not even mounted there.
   */
  | { missing: true; source: string; unmountedAt?: string }
  /** The share could not be read (no rights, no session). */
  | { unreadable: string };

export type JupyterCheck =
  | { state: 'running'; where: string; answeredInMs: number; tunnel?: string }
  | { state: 'none' }
  | { state: 'not-installed'; message: string }
  | { state: 'error'; message: string };

export interface DiagnosticProbes {
  /** The addresses a name resolves to (rejects ProbeFailure 'not-found'). */
  resolve(name: string, signal?: AbortSignal): Promise<string[]>;
  /** A TCP connection, closed at once (rejects ProbeFailure). */
  connectTcp(host: string, port: number, signal?: AbortSignal): Promise<void>;
  /** The server's SSH identification line, e.g. `SSH-2.0-OpenSSH_9.2p1` (rejects ProbeFailure). */
  readBanner(host: string, port: number, signal?: AbortSignal): Promise<string>;
  /** The server's host key blob, from a key exchange without signing in. */
  fetchHostKey(host: string, port: number, signal?: AbortSignal): Promise<Buffer>;
  /** The key against what the user trusted for this pool, host and port. */
  checkHostKey(host: string, port: number, key: Buffer): HostKeyCheck;
  /** Signs in as Connect would, accepting only `hostKey` (rejects an RpcError with the reason). */
  signIn(hostKey: Buffer, signal?: AbortSignal): Promise<DiagnosticSession>;
  /** The agent's heartbeat of `computerName` on the pool's share. */
  readHeartbeat(
    session: DiagnosticSession | undefined,
    computerName: string,
    signal?: AbortSignal,
  ): Promise<HeartbeatRead>;
  /** The user's Jupyter on the instance, through the tunnel (the app's own forward first). */
  checkJupyter(session: DiagnosticSession, signal?: AbortSignal): Promise<JupyterCheck>;
  /** Milliseconds, for step times and the heartbeat's age. */
  now(): number;
}

/** What the service found out about the pool and instance before any probe runs. */
export interface DiagnosticSubject {
  poolId: string;
  poolName: string;
  poolKind: PoolKind;
  /** The instance to test, or why there is none. */
  instance:
    | { id: string; name: string; host: string; port: number; user: string; chosen: boolean }
    | { problem: string; hint: string };
  /** The name to resolve when it is not the host itself (an Azure pool's public DNS name). */
  dnsName?: string;
  /** Azure: the source ranges the pool's network security group lets reach SSH, if readable. */
  allowedSources?: string[];
  /** Where agents report: none, the local sandbox (no agent), or a share. */
  share: 'none' | 'sandbox' | 'share';
  /** Where the trusted host keys live, for the mismatch hint. */
  knownHostsFile: string;
}
