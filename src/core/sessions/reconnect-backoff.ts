// How long to wait before reconnect attempt n: exponential, capped, with jitter.

export interface BackoffOptions {
  /** Delay before the first attempt; it doubles with each further attempt. */
  initialMs: number;
  /** The doubling stops here. */
  maxMs: number;
  /** Spread as a fraction of the delay (0.2 = ±20 %). */
  jitter: number;
}

/**
 * Jitter matters on a pool: when a network blip drops every teammate's links at once, equal
 * delays would bring all of them back to the same sshd in the same instant, every time.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  const spread = base * options.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}
