// Error codes and the error type that travels over RPC, so both sides speak of failures alike.

export const ErrorCode = {
  /** The input did not match the method's schema. */
  BadInput: 'E_BAD_INPUT',
  /** No such method on the contract. */
  NoMethod: 'E_NO_METHOD',
  /** A message that is not an RPC message at all. */
  BadMessage: 'E_BAD_MESSAGE',
  /** The caller cancelled the request. */
  Cancelled: 'E_CANCELLED',
  /** The transport closed before the answer came. */
  Closed: 'E_CLOSED',
  /** A pool, instance, connection or terminal id that does not exist. */
  NotFound: 'E_NOT_FOUND',
  /** No instance of the pool can take a session. */
  NoInstance: 'E_NO_INSTANCE',
  /** The server's host key differs from the trusted one. */
  HostKeyMismatch: 'E_HOST_KEY_MISMATCH',
  /** The user declined to trust a host key. */
  HostKeyRejected: 'E_HOST_KEY_REJECTED',
  /** The server refused our credentials. */
  AuthFailed: 'E_AUTH_FAILED',
  /** The server could not be reached. */
  Unreachable: 'E_UNREACHABLE',
  /** The action needs an Azure account and the app is not signed in: the UI offers "Sign in to Azure". */
  NotSignedIn: 'E_NOT_SIGNED_IN',
  /** Anything else; the message says what. */
  Internal: 'E_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What an error looks like on the wire. */
export interface RpcErrorData {
  code: ErrorCode;
  message: string;
  /** Optional structured detail, e.g. the fields that failed validation. */
  details?: unknown;
}

/** An error with a code that the UI can show and act on. */
export class RpcError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }

  toData(): RpcErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromData(data: RpcErrorData): RpcError {
    return new RpcError(data.code, data.message, data.details);
  }

  /** Wraps anything thrown into an RpcError, keeping a code it already has. */
  static from(err: unknown): RpcError {
    if (err instanceof RpcError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new RpcError(ErrorCode.Internal, message);
  }
}

export function isRpcError(err: unknown, code?: ErrorCode): err is RpcError {
  return err instanceof RpcError && (code === undefined || err.code === code);
}
