// One wording for a connection's state, shared by the tab, the reconnect bar and the status bar.
import type { ConnectionInfo } from '../../../common/models';

export interface ConnectionStatus {
  /** `data-connection-state`: the contract's state, or `ended` for a shell that ended. */
  state: ConnectionInfo['state'] | 'ended';
  /** Short, for the status bar and tab tooltips, e.g. "Reconnecting in 4 s (attempt 2)…". */
  label: string;
  /** Something is in progress (show a spinner). */
  busy: boolean;
  tone: 'good' | 'busy' | 'bad' | 'quiet';
}

/** Whole seconds until `at`, never negative; 0 means "now". */
export function secondsUntil(at: number | undefined, now: number): number {
  if (at === undefined) return 0;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export function reconnectingLabel(connection: ConnectionInfo, now: number): string {
  const attempt = connection.attempt !== undefined ? ` (attempt ${connection.attempt})` : '';
  const seconds = secondsUntil(connection.nextAttemptAt, now);
  // At zero the attempt is under way: a countdown stuck on "0 s" would look frozen.
  return seconds > 0 ? `Reconnecting in ${seconds} s${attempt}…` : `Reconnecting${attempt}…`;
}

export function connectionStatus(
  connection: ConnectionInfo | undefined,
  ended: boolean,
  now: number,
): ConnectionStatus {
  const state = connection?.state ?? 'connected';
  // A dropped link outranks an ended shell: the shell may come back with it (tmux).
  if (state === 'reconnecting' && connection) {
    return { state, label: reconnectingLabel(connection, now), busy: true, tone: 'busy' };
  }
  if (state === 'lost') return { state, label: 'Lost', busy: false, tone: 'bad' };
  if (ended) return { state: 'ended', label: 'Ended', busy: false, tone: 'quiet' };
  switch (state) {
    case 'connecting':
      return { state, label: 'Connecting…', busy: true, tone: 'busy' };
    case 'connected':
      return { state, label: 'Connected', busy: false, tone: 'good' };
    case 'failed':
      return { state, label: 'Failed', busy: false, tone: 'bad' };
    default:
      return { state, label: 'Closed', busy: false, tone: 'quiet' };
  }
}
