// The seam between a connection id and its SSH link, which changes on every reconnect: forwards
// and terminals ask for "the current link of connection X, or wait for the next one".
import type { Disposable, Event } from '../../common/event';
import type { ConnectionInfo, ConnectionState } from '../../common/models';
import type { SshConnection } from './ssh-connection';

/** Work to finish on a link before the user's close ends it (bounded by the caller). */
export type CloseParticipant = (connectionId: string, connection: SshConnection) => Promise<void>;

export interface LinkSource {
  /** The connection's state, or undefined once it is gone (closed, lost, failed). */
  state(connectionId: string): ConnectionState | undefined;
  /** The live link now, or undefined while connecting, reconnecting, or after the end. */
  current(connectionId: string): SshConnection | undefined;
  /**
   * Resolves with the live link as soon as there is one; rejects (RpcError) when the connection
   * is closed or lost for good, is unknown, or `signal` aborts.
   */
  waitForLink(connectionId: string, signal?: AbortSignal): Promise<SshConnection>;
  /** Every state change of every connection. */
  readonly onDidChange: Event<ConnectionInfo>;
  /**
   * Registers work to do on the link before a user-requested close (e.g. ending tmux sessions
   * so closed tabs leave no shells behind). Optional: a fixed link has nothing to coordinate.
   */
  onWillClose?(participant: CloseParticipant): Disposable;
}
