// The one interface every kind of pool implements (DESIGN.md §3): local sandbox, ssh-hosts, azure.
import type { Disposable, Event } from '../../common/event';
import type { InstanceInfo, PoolKind } from '../../common/models';

/** Everything the SSH layer needs to open a connection to one instance. */
export interface ConnectTarget {
  host: string;
  port: number;
  username: string;
  /** Private key (OpenSSH or PEM text). Never logged. */
  privateKey?: string;
  /** Passphrase for an encrypted `privateKey`. Never logged. */
  passphrase?: string;
  /** Path of an ssh-agent socket (`SSH_AUTH_SOCK`) to authenticate with. */
  agent?: string;
  /**
   * Whose host key to expect (see HostKeySubject): `vm/<vmId>` on Azure, `instance/<id>` in the
   * sandbox. Absent: `host:port` (an SSH host, known by nothing better).
   */
  hostKeyId?: string;
}

/** How OpenSSH reaches an instance (the app's ssh config file): no secret, no prompt, no I/O. */
export interface OpenSshEndpoint {
  host: string;
  port: number;
  user: string;
  /** The private key file to offer; absent when the ssh-agent is used instead. */
  identityFile?: string;
  /** As ConnectTarget.hostKeyId. */
  hostKeyId?: string;
}

export interface PoolProvider extends Disposable {
  readonly id: string;
  readonly kind: PoolKind;
  readonly name: string;
  /** One line for the UI, e.g. "Local sandbox: SSH servers on this computer". */
  readonly description: string;
  /** The user the app signs in as on this pool's instances. */
  readonly user: string;
  /** Brings the pool up (the local sandbox starts its servers); resolves when usable. */
  start(): Promise<void>;
  /** The current instances (a snapshot; cheap to call). */
  listInstances(): InstanceInfo[];
  /** Fires whenever an instance appears, goes, or changes state or session count. */
  readonly onDidChangeInstances: Event<void>;
  /** How to reach one instance over SSH. Throws RpcError(E_NOT_FOUND) for an unknown id. */
  connectTarget(instanceId: string): Promise<ConnectTarget>;
  /**
   * How OpenSSH (a terminal, VS Code) reaches the instance, or undefined while it cannot (no
   * port yet). Optional: a provider without it has no entries in the app's ssh config file.
   */
  openSshEndpoint?(instanceId: string): OpenSshEndpoint | undefined;
}
