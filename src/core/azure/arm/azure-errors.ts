// Turns what the Azure SDKs throw (RestError, failed long-running operations, identity errors,
// throttling) into RpcErrors whose message says what happened and what to do.
import { ErrorCode, RpcError } from '../../../common/errors';
import { AzureDeadlineError, formatDeadline } from './azure-deadline';
import { AzureThrottledError } from './azure-retry-policy';
import { AzureUnknownOutcomeError } from './azure-write-policy';

/** What the app was doing, so the message can name it and give the right advice. */
export interface AzureErrorContext {
  /** e.g. "start instance 2 of pool team" (lower case, no period). */
  action: string;
  vmSize?: string;
  location?: string;
  /** What a 403 is about, e.g. "resource group pool-rg". */
  scope?: string;
  /** How many times the SDK retried before giving up (for throttling messages). */
  maxRetries?: number;
  /** What happens after a read Azure did not answer in time (default "try again"). */
  afterTimeout?: string;
}

/** What the app knows about one Azure failure, whatever threw it. */
export interface AzureFailure {
  /** ARM's error code (AllocationFailed, AuthorizationFailed, TooManyRequests, …). */
  code?: string;
  /** HTTP status, when there was a response. */
  status?: number;
  message: string;
  retryAfterMs?: number;
  /** The error's class name (RestError, CredentialUnavailableError, AbortError, …). */
  kind: string;
  /** A read's deadline that passed, and which call it was. */
  deadline?: { ms: number; call: string };
}

/** Structured detail on the RpcError, so the UI can offer "try another size" or "sign in". */
export interface AzureErrorDetails {
  azureCode?: string;
  statusCode?: number;
  /** The same request may succeed later without any change (throttling, capacity). */
  retryable: boolean;
  retryAfterSeconds?: number;
  /** The read deadline that passed. */
  deadlineMs?: number;
  /** A write whose answer was lost: Azure may or may not have done it. */
  unknownOutcome?: boolean;
}

export const CAPACITY_CODES = new Set([
  'AllocationFailed',
  'ZonalAllocationFailed',
  'OverconstrainedAllocationRequest',
  'OverconstrainedZonalAllocationRequest',
  'AllocationFailedVMSizeNotAvailable',
]);
const QUOTA_CODES = new Set([
  'QuotaExceeded',
  'OperationNotAllowed', // ARM's code for "exceeds approved … cores quota"
  'ResourceQuotaExceeded',
  'SubscriptionQuotaExceeded',
]);
const THROTTLE_CODES = new Set(['TooManyRequests', 'Throttled', 'RequestThrottled']);
const AUTH_CODES = new Set([
  'AuthenticationFailed',
  'InvalidAuthenticationToken',
  'InvalidAuthenticationTokenTenant',
  'InvalidAuthenticationTokenAudience',
  'ExpiredAuthenticationToken',
]);
const FORBIDDEN_CODES = new Set([
  'AuthorizationFailed',
  'LinkedAuthorizationFailed',
  'LinkedAccessCheckFailed',
]);
const NOT_FOUND_CODES = new Set([
  'ResourceNotFound',
  'ResourceGroupNotFound',
  'NotFound',
  'SubscriptionNotFound',
  'DeploymentNotFound',
]);
const BAD_INPUT_CODES = new Set([
  'InvalidTemplate',
  'InvalidTemplateDeployment',
  'InvalidParameter',
  'InvalidRequestContent',
  'InvalidResourceName',
  'BadRequest',
]);
/** A delete Azure refuses because another resource still uses the one being deleted. */
export const IN_USE_CODES = new Set([
  'InUseNetworkSecurityGroupCannotBeDeleted',
  'PublicIPAddressCannotBeDeleted',
  'LoadBalancerInUseByVirtualMachineScaleSet',
  'InUseSubnetCannotBeDeleted',
  'InUseNatGatewayCannotBeDeleted',
]);
const NETWORK_CODES = new Set([
  'REQUEST_SEND_ERROR',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);
const IDENTITY_ERRORS = new Set([
  'CredentialUnavailableError',
  'AuthenticationError',
  'AuthenticationRequiredError',
  'AggregateAuthenticationError',
]);

/**
 * How the app's credential starts the error it throws while nobody is signed in, so that the
 * failure of any call made then says "Sign in to Azure", not that the account lacks a role.
 */
export const NOT_SIGNED_IN = 'Not signed in to Azure';

/** An action only Owner and User Access Administrator have among the usual roles. */
const ROLE_WRITE = /Microsoft\.Authorization\/role(?:Assignments|Definitions)\/write/i;

/** core-lro's message for a failed operation: the code is only in the text. */
const LRO_FAILED = /^The long-running operation has failed\.\s+([A-Za-z][\w.-]*)\.\s*([\s\S]*)$/;

/** Azure's messages can be long (a deployment's error lists every resource): keep one screen. */
const MAX_MESSAGE = 600;

export function describeAzureFailure(err: unknown): AzureFailure {
  if (err instanceof AzureThrottledError) {
    return {
      kind: err.name,
      code: 'TooManyRequests',
      status: err.status,
      message: err.message,
      retryAfterMs: err.retryAfterMs,
    };
  }
  if (err instanceof AzureDeadlineError) {
    return {
      kind: err.name,
      message: err.message,
      deadline: { ms: err.deadlineMs, call: err.call },
    };
  }
  if (!(err instanceof Error)) return { kind: typeof err, message: String(err) };
  const e = err as Error & {
    code?: unknown;
    statusCode?: unknown;
    details?: unknown;
    response?: { headers?: { get?(name: string): string | undefined } };
  };
  const failure: AzureFailure = { kind: e.name, message: e.message };
  const lro = LRO_FAILED.exec(e.message);
  if (lro) {
    failure.code = lro[1];
    failure.message = lro[2].trim() || e.message;
  }
  if (typeof e.code === 'string' && e.code) failure.code = e.code;
  if (typeof e.statusCode === 'number') failure.status = e.statusCode;
  // A RestError's `details` is the response body: its `error.code` is ARM's (more precise).
  const body = e.details as { error?: { code?: unknown; message?: unknown } } | undefined;
  if (typeof body?.error?.code === 'string') failure.code = body.error.code;
  if (typeof body?.error?.message === 'string' && body.error.message) {
    failure.message = body.error.message;
  }
  const retryAfter = e.response?.headers?.get?.('retry-after');
  if (retryAfter && Number.isFinite(Number(retryAfter))) {
    failure.retryAfterMs = Number(retryAfter) * 1000;
  }
  return failure;
}

/**
 * An RpcError a person can act on. `err` may be anything the SDKs throw; an RpcError passes
 * through unchanged. The message never carries a token or secret: it is built from ARM's error
 * code and message only.
 */
export function translateAzureError(err: unknown, context: AzureErrorContext): RpcError {
  if (err instanceof RpcError) return err;
  const failure = describeAzureFailure(err);
  const code = failure.code;
  const azure = trimMessage(failure.message);
  const size = context.vmSize ?? 'this VM size';
  const region = context.location ?? 'this region';
  const details = (retryable: boolean): AzureErrorDetails => {
    const d: AzureErrorDetails = { retryable };
    if (code !== undefined) d.azureCode = code;
    if (failure.status !== undefined) d.statusCode = failure.status;
    if (failure.retryAfterMs !== undefined) {
      d.retryAfterSeconds = Math.ceil(failure.retryAfterMs / 1000);
    }
    return d;
  };

  if (failure.deadline) {
    const d = failure.deadline;
    return new RpcError(
      ErrorCode.Unreachable,
      `Azure did not answer in ${formatDeadline(d.ms)} (${context.action}: ${d.call}); ` +
        `${context.afterTimeout ?? 'try again'}.`,
      { retryable: true, deadlineMs: d.ms } satisfies AzureErrorDetails,
    );
  }
  if (err instanceof AzureUnknownOutcomeError) {
    return new RpcError(
      ErrorCode.Unreachable,
      `The connection to Azure broke before Azure answered the request to ${context.action} ` +
        `(${err.networkCode}), so the app cannot tell whether Azure did it, and did not send it ` +
        'again. The pool is read again: check there what Azure did, and try again only if it ' +
        'was not done.',
      { retryable: false, unknownOutcome: true } satisfies AzureErrorDetails,
    );
  }
  if (failure.kind === 'AbortError' || failure.kind === 'AbortSignalError') {
    return new RpcError(ErrorCode.Cancelled, `Cancelled: ${context.action}.`);
  }
  if (code !== undefined && CAPACITY_CODES.has(code)) {
    return new RpcError(
      ErrorCode.Internal,
      `Azure could not allocate ${size} in ${region} right now (${code}). ` +
        'Try another size or region, or try again later.',
      details(true),
    );
  }
  if (code === 'SkuNotAvailable') {
    return new RpcError(
      ErrorCode.Internal,
      `${capitalize(size)} is not available to this subscription in ${region} (SkuNotAvailable). ` +
        'Choose another size or region' +
        (context.vmSize && context.location
          ? ` (az vm list-skus --location ${context.location} --size ${context.vmSize} --output table shows where it is offered).`
          : '.'),
      details(false),
    );
  }
  if (
    code !== undefined &&
    QUOTA_CODES.has(code) &&
    (code !== 'OperationNotAllowed' || /quota/i.test(azure))
  ) {
    return new RpcError(
      ErrorCode.Internal,
      `This subscription has no quota left for ${size} in ${region} (${code}): ${azure}. ` +
        'Ask for a higher vCPU quota (Azure portal → Quotas → Compute), or choose a smaller size or fewer instances.',
      details(false),
    );
  }
  if (failure.status === 429 || (code !== undefined && THROTTLE_CODES.has(code))) {
    const wait = failure.retryAfterMs;
    const waitText =
      wait !== undefined && wait > 0 ? `about ${Math.ceil(wait / 1000)} s` : 'a minute';
    const retries = context.maxRetries ?? 3;
    const after =
      failure.kind === 'AzureThrottledError'
        ? 'asked the app to wait longer than it waits by itself'
        : `still refused after ${retries} ${retries === 1 ? 'retry' : 'retries'}`;
    return new RpcError(
      ErrorCode.Internal,
      `Azure is throttling requests from this subscription (${code ?? 'TooManyRequests'}) and ${after}, ` +
        `so the app could not ${context.action}. Try again in ${waitText}.`,
      details(true),
    );
  }
  if (failure.status === 401 || (code !== undefined && AUTH_CODES.has(code))) {
    return new RpcError(
      ErrorCode.AuthFailed,
      `Azure did not accept the app's sign-in (${code ?? 'HTTP 401'}). Sign in to Azure again, then ${context.action}.`,
      details(false),
    );
  }
  if (IDENTITY_ERRORS.has(failure.kind) && failure.message.startsWith(NOT_SIGNED_IN)) {
    return new RpcError(
      ErrorCode.NotSignedIn,
      `Sign in to Azure to ${context.action}: the app is not signed in (Admin → Azure → Sign in).`,
      details(false),
    );
  }
  if (IDENTITY_ERRORS.has(failure.kind)) {
    return new RpcError(
      ErrorCode.AuthFailed,
      `Could not sign in to Azure to ${context.action}: ${azure}.`,
      details(false),
    );
  }
  if (failure.status === 403 || (code !== undefined && FORBIDDEN_CODES.has(code))) {
    const scope = context.scope ? ` on ${context.scope}` : '';
    // The pool template gives its scale set's identity a role (the agent protects busy
    // instances): creating that takes more than Contributor.
    const roleAction = ROLE_WRITE.exec(azure)?.[0];
    if (roleAction) {
      return new RpcError(
        ErrorCode.AuthFailed,
        `You are not allowed to ${context.action} (${code ?? 'HTTP 403'}): the pool gives its ` +
          `instances a role of their own (so that a busy instance can protect itself from ` +
          `scale-in), and creating it needs ${roleAction}, which Contributor does not have. ` +
          `Ask an Owner or User Access Administrator${scope || ' of the resource group'} to ` +
          'do it, or to give you one of those roles there.',
        details(false),
      );
    }
    return new RpcError(
      ErrorCode.AuthFailed,
      `You are not allowed to ${context.action} (${code ?? 'HTTP 403'}). ` +
        `Ask an owner${scope} for a role that allows it (e.g. Virtual Machine Contributor), or ask a pool admin to do it.`,
      details(false),
    );
  }
  if (code !== undefined && IN_USE_CODES.has(code)) {
    return new RpcError(
      ErrorCode.BadInput,
      `Azure refused to ${context.action} because another resource still uses it: ${azure} (${code}). ` +
        'Delete or detach that resource first (Delete pool does this in the order Azure accepts), then try again.',
      details(false),
    );
  }
  if (failure.status === 404 || (code !== undefined && NOT_FOUND_CODES.has(code))) {
    return new RpcError(
      ErrorCode.NotFound,
      `Could not ${context.action}: ${azure} (${code ?? 'HTTP 404'}). It may have been deleted meanwhile — refresh the list.`,
      details(false),
    );
  }
  if (code !== undefined && BAD_INPUT_CODES.has(code)) {
    return new RpcError(
      ErrorCode.BadInput,
      `Azure refused to ${context.action}: ${azure} (${code}).`,
      details(false),
    );
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new RpcError(
      ErrorCode.Unreachable,
      `Could not reach Azure to ${context.action}: ${azure} (${code}). Check the network, proxy or VPN.`,
      details(true),
    );
  }
  const suffix = code ? ` (${code})` : '';
  return new RpcError(
    ErrorCode.Internal,
    `Could not ${context.action}: ${azure}${suffix}.`,
    details(failure.status !== undefined && failure.status >= 500),
  );
}

function trimMessage(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  const cut = clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE - 1)}…` : clean;
  // Callers put the code and a period after it.
  return cut.replace(/\.+$/, '');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
