// Keeps the SDK from sending a write again when its answer was lost: a PUT, PATCH, DELETE or
// action whose connection broke after it was sent may have been carried out, so it ends with
// AzureUnknownOutcomeError (the app then reads the pool again) instead of a blind retry. A read
// whose answer was cut mid-way is retried as the SDK retries a reset connection.
import { describeArmCall, isArmRead } from './azure-deadline';

/** A write was sent but its answer never came: Azure may or may not have done it. */
export class AzureUnknownOutcomeError extends Error {
  constructor(
    /** "PATCH virtualMachineScaleSets/team": which call, without its query. */
    readonly call: string,
    /** The network error's code (ECONNRESET, ETIMEDOUT, …). */
    readonly networkCode: string,
  ) {
    super(`The connection to Azure broke before its answer to ${call} arrived (${networkCode}).`);
    this.name = 'AzureUnknownOutcomeError';
  }
}

/**
 * Network errors after which the request may have reached Azure. Refused connections and failed
 * name lookups are not here: nothing was sent, so the SDK's retry is safe.
 */
const MAYBE_SENT = new Set(['ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE']);

/**
 * How core-rest-pipeline reports an answer whose connection was cut after its headers: Node's
 * "aborted" (ECONNRESET) wrapped as a PARSE_ERROR, which its retry policy does not retry.
 */
const CUT_MID_ANSWER = /^Error reading response as text: (aborted|socket hang up|.*ECONNRESET)/;

/** The parts of a core-rest-pipeline request this policy reads. */
interface WriteRequest {
  method: string;
  url: string;
}

/**
 * A per-retry policy: it sees each attempt's failure before the SDK's retry policy does, which
 * retries network errors for every method and rethrows at once anything that is not a RestError.
 * Reads are left to it (a GET repeated is harmless); a write whose connection broke after it was
 * sent ends with AzureUnknownOutcomeError. Answers Azure gave (429, 5xx) are retried as the SDK
 * does: ARM refused those requests, and its PUT, PATCH and DELETE are idempotent.
 */
export function unknownOutcomePolicy() {
  return {
    name: 'dsvmPoolUnknownOutcome',
    async sendRequest<Req extends WriteRequest, Res>(
      request: Req,
      next: (request: Req) => Promise<Res>,
    ): Promise<Res> {
      try {
        return await next(request);
      } catch (err) {
        const e = err as { code?: unknown; message?: unknown; response?: unknown };
        const cut = e.code === 'PARSE_ERROR' && CUT_MID_ANSWER.test(String(e.message));
        const read = isArmRead(request.method, request.url);
        if (cut && read) {
          // The connection was reset: the SDK's retry policy retries that for reads.
          e.code = 'ECONNRESET';
          throw err;
        }
        const lost = cut || (typeof e.code === 'string' && MAYBE_SENT.has(e.code) && !e.response);
        if (lost && !read) {
          const call = describeArmCall(request.method, request.url);
          throw new AzureUnknownOutcomeError(call, cut ? 'ECONNRESET' : String(e.code));
        }
        throw err;
      }
    },
  };
}
