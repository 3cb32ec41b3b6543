// Deadlines on ARM reads: a read Azure does not answer in time ends with AzureDeadlineError (which
// names the call) through the SDK's own abortSignal, so the request is cut and nothing stays pending.

/** How long the app waits for Azure to answer a read (default; clients and providers take others). */
export const DEFAULT_READ_DEADLINE_MS = 30_000;

/** Azure did not answer a read in time. `call` says which (e.g. "the VM list of scale set team"). */
export class AzureDeadlineError extends Error {
  constructor(
    readonly deadlineMs: number,
    readonly call: string,
  ) {
    super(`Azure did not answer in ${formatDeadline(deadlineMs)} (${call}).`);
    this.name = 'AzureDeadlineError';
  }
}

/** "30 s", "1.5 s", "200 ms". */
export function formatDeadline(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/**
 * One deadline for the reads of one task (a refresh, a port query): they share one AbortSignal,
 * passed to the SDK as `abortSignal`. When the time is up the signal aborts with an
 * AzureDeadlineError naming the reads still waiting; `run` turns the SDK's AbortError back into
 * it. `abort()` stops the others when one read fails (no retry is sent after the task failed).
 */
export class ReadDeadline {
  private readonly controller = new AbortController();
  private readonly pending = new Map<number, string>();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly unlink: (() => void) | undefined;
  private next = 0;

  constructor(
    readonly ms: number,
    /** What the task is, named when nothing is pending at the deadline. */
    private readonly task: string,
    parent?: AbortSignal,
  ) {
    if (ms > 0) {
      this.timer = setTimeout(() => {
        const calls = [...new Set(this.pending.values())];
        this.controller.abort(new AzureDeadlineError(ms, calls.join(', ') || task));
      }, ms);
      // A deadline must never keep the app (or a test) alive by itself.
      this.timer.unref();
    }
    if (parent) {
      if (parent.aborted) this.controller.abort(parent.reason);
      else {
        const onAbort = () => this.controller.abort(parent.reason);
        parent.addEventListener('abort', onAbort, { once: true });
        this.unlink = () => parent.removeEventListener('abort', onAbort);
      }
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The deadline's error once it passed (else undefined). */
  get expired(): AzureDeadlineError | undefined {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof AzureDeadlineError ? reason : undefined;
  }

  /** Runs one read with this deadline's signal; its abort by the deadline rejects as the deadline. */
  async run<T>(call: string, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const id = this.next++;
    this.pending.set(id, call);
    try {
      if (this.expired) throw this.expired;
      return await read(this.controller.signal);
    } catch (err) {
      throw this.expired ?? err;
    } finally {
      this.pending.delete(id);
    }
  }

  /** Stops every read of the task (a sibling failed); the deadline's own error wins if it passed. */
  abort(reason?: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** The task ended: no timer is left behind. */
  dispose(): void {
    clearTimeout(this.timer);
    this.unlink?.();
  }
}

/** The parts of a core-rest-pipeline request this policy reads and sets. */
interface DeadlineRequest {
  method: string;
  url: string;
  abortSignal?: AbortSignalLike;
}

/** core-rest-pipeline's AbortSignalLike: what a request may carry. */
interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** POST actions that only read (their answers change nothing in Azure). */
const READ_ACTIONS = new Set([
  'queryinboundnatruleportmapping',
  'listkeys',
  'checknameavailability',
]);

/** GET and HEAD, and the POST actions that only read. */
export function isArmRead(method: string, url: string): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD') return true;
  if (m !== 'POST') return false;
  const last = new URL(url).pathname.split('/').filter(Boolean).pop() ?? '';
  return READ_ACTIONS.has(last.toLowerCase());
}

/**
 * "GET virtualMachineScaleSets/team/virtualMachines": the method and the path after the provider
 * namespace (or after the subscription), short enough for a message, with no query (no secrets).
 */
export function describeArmCall(method: string, url: string): string {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  const providers = parts.map((p) => p.toLowerCase()).lastIndexOf('providers');
  const tail =
    providers >= 0 && providers + 2 <= parts.length
      ? parts.slice(providers + 2)
      : parts.slice(parts[0]?.toLowerCase() === 'subscriptions' ? 2 : 0);
  return `${method.toUpperCase()} ${tail.join('/') || '/subscriptions'}`;
}

/**
 * A per-call pipeline policy (before the SDK's retries): every ARM read — each page of a list,
 * each poll of a long-running operation — ends with AzureDeadlineError when Azure has not
 * answered in `deadlineMs`, retries and their Retry-After waits included. It cuts the request
 * through the request's own abortSignal, chained to the caller's, so a caller's abort still works.
 */
export function readDeadlinePolicy(deadlineMs: number) {
  return {
    name: 'dsvmPoolReadDeadline',
    async sendRequest<Req extends DeadlineRequest, Res>(
      request: Req,
      next: (request: Req) => Promise<Res>,
    ): Promise<Res> {
      const parent = request.abortSignal;
      if (deadlineMs <= 0 || parent?.aborted || !isArmRead(request.method, request.url)) {
        return next(request);
      }
      const controller = new AbortController();
      let expired = false;
      const timer = setTimeout(() => {
        expired = true;
        controller.abort();
      }, deadlineMs);
      timer.unref();
      const onAbort = () => controller.abort(parent?.reason);
      parent?.addEventListener('abort', onAbort, { once: true });
      request.abortSignal = controller.signal;
      try {
        return await next(request);
      } catch (err) {
        if (expired) {
          throw new AzureDeadlineError(deadlineMs, describeArmCall(request.method, request.url));
        }
        throw err;
      } finally {
        clearTimeout(timer);
        parent?.removeEventListener('abort', onAbort);
        request.abortSignal = parent;
      }
    },
  };
}
