// Faults queued by a test on the emulator object (not over HTTP): throttling, failing requests,
// failing long-running operations, slow responses, connections reset mid-response.
import type { ArmErrorBody } from './arm-error';

/**
 * Which requests a fault applies to. A string matches case-insensitively anywhere in
 * `"<METHOD> <path>"` (so `'/start'`, `'POST /subscriptions'` and `'virtualMachineScaleSets'` all
 * work); a RegExp is tested against the same text; a function gets the parts.
 */
export type RequestMatch =
  string | RegExp | ((request: { method: string; path: string }) => boolean);

export interface ThrottleOptions {
  /** The Retry-After the 429 carries (default 1 s: the SDK honours whole seconds only). */
  retryAfterSeconds?: number;
  /** Only requests matching this (default: every ARM request; never the token endpoint). */
  match?: RequestMatch;
}

export interface FailOptions {
  code?: string;
  message?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface OperationFault {
  code: string;
  message?: string;
  /** How many matching operations fail (default 1). */
  times?: number;
}

export interface ResetOptions {
  /** How many matching requests get their answer cut (default 1). */
  times?: number;
  /** Where the answer is cut: after its headers and half its body (default), or before it. */
  at?: 'mid-answer' | 'before-answer';
}

export interface SlowOptions {
  /** How many matching requests are slowed (default: all, until `clear()`). */
  times?: number;
}

export type RequestFault =
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'fail'; status: number; code: string; message: string };

interface Queued<T> {
  match: RequestMatch | undefined;
  remaining: number;
  fault: T;
}

/** What a test queued, consumed by the server in the order it was queued. */
export class FaultInjector {
  private readonly requestFaults: Queued<RequestFault>[] = [];
  private readonly operationFaults: Queued<ArmErrorBody>[] = [];
  private readonly delays: Queued<number>[] = [];
  private readonly resets: Queued<'mid-answer' | 'before-answer'>[] = [];
  /** How many 429s and injected failures were served: tests assert the SDK really retried. */
  readonly served = { throttled: 0, failed: 0, operationsFailed: 0, slowed: 0, reset: 0 };

  /** The next `count` ARM requests (that match) get 429 Too Many Requests with Retry-After. */
  throttleNext(count: number, options: ThrottleOptions = {}): void {
    this.requestFaults.push({
      match: options.match,
      remaining: count,
      fault: { kind: 'throttle', retryAfterSeconds: options.retryAfterSeconds ?? 1 },
    });
  }

  /** The next matching request(s) fail with `status` and an ARM error body. */
  failNext(match: RequestMatch, status = 500, options: FailOptions = {}): void {
    this.requestFaults.push({
      match,
      remaining: options.times ?? 1,
      fault: {
        kind: 'fail',
        status,
        code: options.code ?? (status >= 500 ? 'InternalServerError' : 'BadRequest'),
        message: options.message ?? `Injected failure (HTTP ${status}) from the Azure emulator.`,
      },
    });
  }

  /**
   * The next long-running operation started by a matching request is accepted (201/202) and
   * then ends `Failed` with this error, e.g. `{ code: 'AllocationFailed' }`. Resources a
   * deployment creates match as `PUT <resource id>`.
   */
  failOperation(match: RequestMatch, fault: OperationFault): void {
    this.operationFaults.push({
      match,
      remaining: fault.times ?? 1,
      fault: {
        code: fault.code,
        message:
          fault.message ??
          `Injected ${fault.code} from the Azure emulator: the operation could not complete.`,
      },
    });
  }

  /** Matching requests are answered only after `ms` milliseconds. */
  slow(match: RequestMatch, ms: number, options: SlowOptions = {}): void {
    this.delays.push({ match, remaining: options.times ?? Infinity, fault: ms });
  }

  /**
   * The next matching request(s) are carried out as usual, then the connection is reset (TCP
   * RST) after the answer's headers and half its body, or before any of it: the client cannot
   * tell whether a write took effect.
   */
  resetNext(match: RequestMatch, options: ResetOptions = {}): void {
    const at = options.at ?? 'mid-answer';
    this.resets.push({ match, remaining: options.times ?? 1, fault: at });
  }

  /** Drops every queued fault. */
  clear(): void {
    this.requestFaults.length = 0;
    this.operationFaults.length = 0;
    this.delays.length = 0;
    this.resets.length = 0;
  }

  /** The fault for this request, if one is queued for it; consumes one use. */
  takeRequestFault(method: string, path: string, isIdentity: boolean): RequestFault | undefined {
    const fault = take(this.requestFaults, method, path, (q) =>
      // Throttling without a match means ARM throttling: the token endpoint is not ARM.
      q.match === undefined && q.fault.kind === 'throttle' ? !isIdentity : true,
    );
    if (fault?.kind === 'throttle') this.served.throttled++;
    if (fault?.kind === 'fail') this.served.failed++;
    return fault;
  }

  takeOperationFault(method: string, path: string): ArmErrorBody | undefined {
    const fault = take(this.operationFaults, method, path);
    if (fault) this.served.operationsFailed++;
    return fault;
  }

  /** Where this request's answer is to be cut, if it is; consumes one use. */
  takeReset(method: string, path: string): 'mid-answer' | 'before-answer' | undefined {
    const at = take(this.resets, method, path);
    if (at) this.served.reset++;
    return at;
  }

  takeDelay(method: string, path: string): number {
    const ms = take(this.delays, method, path) ?? 0;
    if (ms > 0) this.served.slowed++;
    return ms;
  }
}

function take<T>(
  queue: Queued<T>[],
  method: string,
  path: string,
  eligible: (q: Queued<T>) => boolean = () => true,
): T | undefined {
  const index = queue.findIndex((q) => eligible(q) && matches(q.match, method, path));
  if (index < 0) return undefined;
  const entry = queue[index];
  entry.remaining--;
  if (entry.remaining <= 0) queue.splice(index, 1);
  return entry.fault;
}

export function matches(match: RequestMatch | undefined, method: string, path: string): boolean {
  if (match === undefined) return true;
  const text = `${method.toUpperCase()} ${path}`;
  if (typeof match === 'string') return text.toLowerCase().includes(match.toLowerCase());
  if (match instanceof RegExp) return match.test(text);
  return match({ method: method.toUpperCase(), path });
}
