// How long each step of a connection's life may take (keepalive, connect, reconnect backoff,
// giving up, closing) and the defaults the app runs with.

/** Every timing of a connection's life; injectable so tests can cut and heal links in ms. */
export interface ConnectionTimings {
  /** Ping the server this often when idle (Azure's load balancer drops flows idle for 4 min). */
  keepaliveIntervalMs: number;
  /** Unanswered pings before the link counts as dead. */
  keepaliveCountMax: number;
  /** TCP connect + handshake + login budget per attempt (host-key questions excluded). */
  readyTimeoutMs: number;
  /** First reconnect delay; doubles per attempt up to `backoffMaxMs`, ± `backoffJitter`. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  backoffJitter: number;
  /** After this long without a link, the connection is `lost`. */
  giveUpAfterMs: number;
  /** How long a user's close waits for close participants (e.g. ending tmux sessions). */
  closeGraceMs: number;
}

export const DEFAULT_TIMINGS: ConnectionTimings = {
  keepaliveIntervalMs: 30_000,
  keepaliveCountMax: 3,
  readyTimeoutMs: 20_000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  backoffJitter: 0.2,
  giveUpAfterMs: 10 * 60_000,
  closeGraceMs: 2_000,
};
