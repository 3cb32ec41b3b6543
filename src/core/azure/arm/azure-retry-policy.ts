// Keeps the SDK's own 429/503 retries bounded: a Retry-After longer than the app will wait ends
// the call at once with AzureThrottledError instead of a request that hangs for minutes.

/** Thrown (not retried) when Azure asks the app to wait longer than it is willing to. */
export class AzureThrottledError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number,
  ) {
    super(
      `Azure Resource Manager is throttling this app (HTTP ${status}) and asked it to wait ` +
        `${Math.ceil(retryAfterMs / 1000)} s before the next request.`,
    );
    this.name = 'AzureThrottledError';
  }
}

/** The parts of a pipeline response this policy reads (structurally a core-rest-pipeline one). */
interface ThrottleResponse {
  status: number;
  headers: { get(name: string): string | undefined };
}

export interface BoundedRetryAfterPolicy {
  name: string;
  sendRequest<Req, Res extends ThrottleResponse>(
    request: Req,
    next: (request: Req) => Promise<Res>,
  ): Promise<Res>;
}

/**
 * A per-retry policy: it sees every response before the SDK's retry policy does. The retry
 * policy waits out any Retry-After however long, but rethrows errors that are not RestErrors at
 * once — so throwing AzureThrottledError here is how a too-long wait ends the call.
 */
export function boundedRetryAfterPolicy(maxRetryAfterMs: number): BoundedRetryAfterPolicy {
  return {
    name: 'dsvmPoolBoundedRetryAfter',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429 || response.status === 503) {
        const wait = retryAfterMs(response.headers);
        if (wait !== undefined && wait > maxRetryAfterMs) {
          throw new AzureThrottledError(response.status, wait);
        }
      }
      return response;
    },
  };
}

/** Reads `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or an HTTP date). */
export function retryAfterMs(
  headers: { get(name: string): string | undefined },
  now = Date.now(),
): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(headers.get(name));
    if (headers.get(name) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = headers.get('retry-after');
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
