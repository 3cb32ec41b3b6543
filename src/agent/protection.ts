// Scale-in protection of the agent's own instance: set when busy, cleared when idle, one ARM call
// only when the state flips (after a 0–30 s jitter, so a pool's agents do not call at once),
// within a call budget per hour, honouring Retry-After on 409/429. A protection the agent did not
// set is an admin's: reported as such and never cleared.
import type { ActivityEvent, ProtectionState } from '../common/agent-protocol';
import type { Logger } from './agent-system';
import type { ActivityState } from './activity-state';
import { AzureCallError } from './azure-instance';
import { messageOf } from './errors';

/** The ARM side the controller needs (AzureInstanceClient, or a stand-in in tests). */
export interface ProtectionApi {
  protection(): Promise<boolean>;
  setProtection(protect: boolean): Promise<boolean>;
}

/** At most this many ARM calls per instance per hour (reads included). */
export const ARM_CALLS_PER_HOUR = 6;
/** Azure's protection is read again this often while nothing flips (an admin may change it). */
export const PROTECTION_RECHECK_MS = 30 * 60_000;
/** Before setting protection, a read older than this is repeated (an admin may have set it). */
const FRESH_READ_MS = 5 * 60_000;
/** Without a Retry-After, a 409/429 waits this long. */
const DEFAULT_RETRY_MS = 60_000;
const HOUR = 60 * 60_000;

export interface ProtectionInput {
  busy: boolean;
  /** Why busy, in words (the protect event's reason). */
  reasons: string;
  idleMinutes: number;
  now: () => number;
  state: ActivityState;
  api: ProtectionApi;
  log: Logger;
  /** Waits 0–30 s before a flip's call (tests: nothing). */
  jitter: () => Promise<void>;
  budgetPerHour?: number;
}

/** Whether the budget allows a call now; logs once an hour when it does not. */
function mayCall(input: ProtectionInput): boolean {
  const { state, log } = input;
  const now = input.now();
  state.armCalls = state.armCalls.filter((at) => now - at < HOUR);
  if (state.notBefore !== undefined && now < state.notBefore) return false;
  const budget = input.budgetPerHour ?? ARM_CALLS_PER_HOUR;
  if (state.armCalls.length >= budget) {
    if (state.budgetLoggedAt === undefined || now - state.budgetLoggedAt >= HOUR) {
      log.warn(
        `scale-in protection: ${budget} Azure calls in the last hour, the most allowed; the next change waits`,
      );
      state.budgetLoggedAt = now;
    }
    return false;
  }
  return true;
}

async function call<T>(
  input: ProtectionInput,
  what: string,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  const { state, log } = input;
  state.armCalls.push(input.now());
  try {
    const result = await fn();
    delete state.error;
    return result;
  } catch (error) {
    const message = messageOf(error);
    state.error = `could not ${what}: ${message}`;
    if (error instanceof AzureCallError && (error.status === 409 || error.status === 429)) {
      const wait = error.retryAfterMs ?? DEFAULT_RETRY_MS;
      state.notBefore = input.now() + wait;
      log.warn(`scale-in protection: Azure asked to wait ${Math.ceil(wait / 1000)} s (${message})`);
    } else {
      log.error(`scale-in protection: could not ${what}: ${message}`);
    }
    return undefined;
  }
}

/**
 * One cycle: reads Azure's protection when unknown or stale, then flips it if busy and idle
 * disagree with it. Returns the heartbeat's protection and the events to log.
 */
export async function reconcileProtection(
  input: ProtectionInput,
): Promise<{ protection: ProtectionState; events: ActivityEvent[] }> {
  const { state } = input;
  const events: ActivityEvent[] = [];
  const time = () => new Date(input.now()).toISOString();
  const read = async () => {
    const wasAdmin = state.azureProtected === true && !state.agentProtected;
    const value = await call(input, 'read the protection', () => input.api.protection());
    if (value === undefined) return;
    state.azureProtected = value;
    state.checkedAt = input.now();
    if (!value && state.agentProtected) {
      // Cleared by someone else: it is no longer the agent's to clear.
      input.log.info('scale-in protection was cleared outside the agent');
      state.agentProtected = false;
    }
    if (value && !state.agentProtected && !wasAdmin) {
      events.push({
        time: time(),
        kind: 'protect',
        protect: true,
        by: 'admin',
        reason: 'set outside the agent',
      });
    }
  };

  const stale = state.checkedAt === null || input.now() - state.checkedAt >= PROTECTION_RECHECK_MS;
  // A flip reads (or writes) anyway: the periodic re-read is only for steady times.
  const flipDue =
    (input.busy && state.azureProtected === false) ||
    (!input.busy && state.azureProtected === true && state.agentProtected);
  if ((state.azureProtected === null || (stale && !flipDue)) && mayCall(input)) await read();

  const wantOn = input.busy && state.azureProtected === false;
  const wantOff = !input.busy && state.azureProtected === true && state.agentProtected;
  if (wantOn || wantOff) {
    await input.jitter();
    if (wantOn && input.now() - (state.checkedAt ?? 0) >= FRESH_READ_MS && mayCall(input)) {
      await read();
    }
    const still = wantOn ? state.azureProtected === false : state.azureProtected === true;
    if (still && mayCall(input)) {
      const result = await call(input, wantOn ? 'set the protection' : 'clear the protection', () =>
        input.api.setProtection(wantOn),
      );
      if (result !== undefined) {
        state.azureProtected = result;
        state.checkedAt = input.now();
        state.agentProtected = result;
        state.changedAt = time();
        const reason = wantOn ? input.reasons : `idle for ${input.idleMinutes} min`;
        events.push({ time: time(), kind: 'protect', protect: wantOn, by: 'busy', reason });
        input.log.info(`scale-in protection ${wantOn ? 'set' : 'cleared'}: ${reason}`);
      }
    }
  }
  return { protection: protectionState(state), events };
}

/** The heartbeat's protection from what the agent knows. */
export function protectionState(state: ActivityState): ProtectionState {
  const on = state.azureProtected === true;
  return {
    protectFromScaleIn: on,
    by: on ? (state.agentProtected ? 'busy' : 'admin') : null,
    ...(state.changedAt ? { changedAt: state.changedAt } : {}),
    ...(state.error ? { error: state.error } : {}),
  };
}
