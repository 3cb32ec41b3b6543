// Test-only knobs of the watch, from the environment: the emulator's namespace VMs set them so an
// end-to-end test fits in minutes (shorter cycle, poll, jitter and idle minute; the emulator's
// test clock).
// systemd's unit sets none of them, so on a real VM the product's periods and clock hold.
import { readFile } from 'node:fs/promises';

/** Decision cycle in ms (product: 60 000). */
export const TEST_CYCLE_ENV = 'DSVM_POOL_AGENT_TEST_CYCLE_MS';
/** Scheduled-events poll in ms (product: 15 000). */
export const TEST_EVENTS_POLL_ENV = 'DSVM_POOL_AGENT_TEST_EVENTS_POLL_MS';
/** Largest jitter before a protection flip's ARM call, in ms (product: 30 000). */
export const TEST_JITTER_ENV = 'DSVM_POOL_AGENT_TEST_JITTER_MAX_MS';
/** How long one minute of the pool's idle window lasts, in ms (product: 60 000). */
export const TEST_IDLE_MINUTE_ENV = 'DSVM_POOL_AGENT_TEST_IDLE_MINUTE_MS';
/**
 * A file holding the time (ms since the epoch, or ISO) the watch takes as "now", read again before
 * each cycle and poll: the Azure emulator's test clock, so a test moves minutes without waiting.
 */
export const TEST_CLOCK_FILE_ENV = 'DSVM_POOL_AGENT_TEST_CLOCK_FILE';

export interface WatchTestKnobs {
  cycleMs?: number;
  eventsPollMs?: number;
  jitterMaxMs?: number;
  idleMinuteMs?: number;
  clockFile?: string;
}

/** The knobs set in `env`; a malformed one is ignored and said so (the product value holds). */
export function testKnobs(env: NodeJS.ProcessEnv, warn: (line: string) => void): WatchTestKnobs {
  const knobs: WatchTestKnobs = {};
  const ms = (name: string, min: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min && value <= 3_600_000) {
      warn(`test knob ${name}=${value} (not for production)`);
      return value;
    }
    warn(
      `${name} must be a whole number of ms from ${min} to 3600000, not ${JSON.stringify(raw)}; ignored`,
    );
    return undefined;
  };
  const cycle = ms(TEST_CYCLE_ENV, 100);
  if (cycle !== undefined) knobs.cycleMs = cycle;
  const poll = ms(TEST_EVENTS_POLL_ENV, 100);
  if (poll !== undefined) knobs.eventsPollMs = poll;
  const jitter = ms(TEST_JITTER_ENV, 0);
  if (jitter !== undefined) knobs.jitterMaxMs = jitter;
  const minute = ms(TEST_IDLE_MINUTE_ENV, 100);
  if (minute !== undefined) knobs.idleMinuteMs = minute;
  const clock = env[TEST_CLOCK_FILE_ENV];
  if (clock) {
    if (clock.startsWith('/')) {
      warn(
        `test knob ${TEST_CLOCK_FILE_ENV}=${clock}: the clock is the test's (not for production)`,
      );
      knobs.clockFile = clock;
    } else
      warn(
        `${TEST_CLOCK_FILE_ENV} must be an absolute path, not ${JSON.stringify(clock)}; ignored`,
      );
  }
  return knobs;
}

/** The test clock's time now, or undefined (the real clock) when the file is missing or bad. */
export async function readTestClock(file: string): Promise<number | undefined> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (text === '') return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(value) ? value : undefined;
}
