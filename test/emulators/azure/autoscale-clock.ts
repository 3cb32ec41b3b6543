// The autoscale engine's sense of time: the system clock, or one a test sets and moves on.

export interface AutoscaleClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: AutoscaleClock = { now: () => Date.now() };

/** A clock that stands still until the test moves it (`advance`, `set`). */
export class ManualClock implements AutoscaleClock {
  private at: number;

  constructor(start: Date | string | number) {
    this.at = new Date(start).getTime();
    if (Number.isNaN(this.at)) throw new Error(`ManualClock: not a time: ${String(start)}`);
  }

  now(): number {
    return this.at;
  }

  /** Moves on by `ms` (minutes: `advance(10 * 60_000)`); returns the new time. */
  advance(ms: number): number {
    this.at += ms;
    return this.at;
  }

  set(at: Date | string | number): void {
    this.at = new Date(at).getTime();
  }
}
