// The error the File service answers with: an HTTP status, the `x-ms-error-code` header and the
// XML body `<Error><Code>…</Code><Message>…</Message></Error>` (no body for HEAD).
import { escapeXml } from './xml';

export class StorageError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra elements of the error body (AuthenticationErrorDetail, HeaderName, …). */
    readonly details: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'StorageError';
  }

  /** The body as the service writes it: the message ends with the request id and the time. */
  toXml(requestId: string, now = new Date()): string {
    const extra = Object.entries(this.details)
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('');
    const message = `${this.message}\nRequestId:${requestId}\nTime:${now.toISOString().replace('Z', '0000Z')}`;
    return (
      '<?xml version="1.0" encoding="utf-8"?>' +
      `<Error><Code>${escapeXml(this.code)}</Code><Message>${escapeXml(message)}</Message>${extra}</Error>`
    );
  }
}

/** The errors the File service answers, worded as it words them. */
export const FilesErrors = {
  shareNotFound: () =>
    new StorageError(404, 'ShareNotFound', 'The specified share does not exist.'),
  shareAlreadyExists: () =>
    new StorageError(409, 'ShareAlreadyExists', 'The specified share already exists.'),
  resourceNotFound: () =>
    new StorageError(404, 'ResourceNotFound', 'The specified resource does not exist.'),
  parentNotFound: () =>
    new StorageError(404, 'ParentNotFound', 'The specified parent path does not exist.'),
  resourceAlreadyExists: () =>
    new StorageError(409, 'ResourceAlreadyExists', 'The specified resource already exists.'),
  resourceTypeMismatch: () =>
    new StorageError(
      409,
      'ResourceTypeMismatch',
      'The specified resource type does not match the type of the resource.',
    ),
  directoryNotEmpty: () =>
    new StorageError(409, 'DirectoryNotEmpty', 'The specified directory is not empty.'),
  cannotDelete: () =>
    new StorageError(
      409,
      'CannotDeleteFileOrDirectory',
      'An attempt has been made to remove a file or directory that cannot be deleted.',
    ),
  invalidResourceName: () =>
    new StorageError(
      400,
      'InvalidResourceName',
      'The specified resource name contains invalid characters.',
    ),
  invalidUri: () =>
    new StorageError(
      400,
      'InvalidUri',
      'The requested URI does not represent any resource on the server.',
    ),
  invalidHeaderValue: (name: string, value: string) =>
    new StorageError(
      400,
      'InvalidHeaderValue',
      'The value for one of the HTTP headers is not in the correct format.',
      { HeaderName: name, HeaderValue: value },
    ),
  missingRequiredHeader: (name: string) =>
    new StorageError(
      400,
      'MissingRequiredHeader',
      'An HTTP header that is mandatory for this request is not specified.',
      { HeaderName: name },
    ),
  missingContentLength: () =>
    new StorageError(411, 'MissingContentLengthHeader', 'Content-Length HTTP header is missing.'),
  invalidQueryParameterValue: (name: string, value: string) =>
    new StorageError(
      400,
      'InvalidQueryParameterValue',
      'Value for one of the query parameters specified in the request URI is invalid.',
      { QueryParameterName: name, QueryParameterValue: value },
    ),
  outOfRangeQueryParameterValue: (name: string, value: string) =>
    new StorageError(
      400,
      'OutOfRangeQueryParameterValue',
      'One of the query parameters specified in the request URI is outside the permissible range.',
      { QueryParameterName: name, QueryParameterValue: value },
    ),
  unsupportedQueryParameter: (name: string, value: string) =>
    new StorageError(
      400,
      'UnsupportedQueryParameter',
      'One of the query parameters specified in the request URI is not supported.',
      { QueryParameterName: name, QueryParameterValue: value },
    ),
  unsupportedHeader: (name: string) =>
    new StorageError(
      400,
      'UnsupportedHeader',
      'One of the HTTP headers specified in the request is not supported.',
      {
        HeaderName: name,
      },
    ),
  unsupportedHttpVerb: (verb: string) =>
    new StorageError(
      405,
      'UnsupportedHttpVerb',
      'The resource doesn\u2019t support the specified HTTP verb.',
      { Verb: verb },
      { Allow: 'GET, HEAD, PUT, DELETE' },
    ),
  conditionHeadersNotSupported: () =>
    new StorageError(400, 'ConditionHeadersNotSupported', 'Condition headers are not supported.'),
  invalidRange: (size?: number) =>
    new StorageError(
      416,
      'InvalidRange',
      'The range specified is invalid for the current size of the resource.',
      {},
      size === undefined ? {} : { 'Content-Range': `bytes */${size}` },
    ),
  requestBodyTooLarge: () =>
    new StorageError(
      413,
      'RequestBodyTooLarge',
      'The request body is too large and exceeds the maximum permissible limit.',
    ),
  md5Mismatch: () =>
    new StorageError(
      400,
      'Md5Mismatch',
      'The MD5 value specified in the request did not match with the MD5 value calculated by the server.',
    ),
  invalidContinuationToken: () =>
    new StorageError(
      400,
      'InvalidContinuationToken',
      'The specified continuation token is not valid.',
    ),
  shareSizeLimitReached: () =>
    new StorageError(403, 'ShareSizeLimitReached', 'The specified share is full.'),
  // Leases: a write to a leased file (412), a lease operation that does not fit the lease (409).
  leaseIdMissing: () =>
    new StorageError(
      412,
      'LeaseIdMissing',
      'There is currently a lease on the file and no lease ID was specified in the request.',
    ),
  leaseIdMismatchWithFileOperation: () =>
    new StorageError(
      412,
      'LeaseIdMismatchWithFileOperation',
      'The lease ID specified did not match the lease ID for the file.',
    ),
  leaseNotPresentWithFileOperation: () =>
    new StorageError(
      412,
      'LeaseNotPresentWithFileOperation',
      'There is currently no lease on the file.',
    ),
  leaseAlreadyPresent: () =>
    new StorageError(409, 'LeaseAlreadyPresent', 'There is already a lease present.'),
  leaseIdMismatchWithLeaseOperation: () =>
    new StorageError(
      409,
      'LeaseIdMismatchWithLeaseOperation',
      'The lease ID specified did not match the lease ID for the file.',
    ),
  leaseNotPresentWithLeaseOperation: () =>
    new StorageError(
      409,
      'LeaseNotPresentWithLeaseOperation',
      'There is currently no lease on the file.',
    ),
  // Authentication.
  noAuthenticationInformation: () =>
    new StorageError(
      401,
      'NoAuthenticationInformation',
      'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.',
    ),
  authenticationFailed: (detail: string) =>
    new StorageError(
      403,
      'AuthenticationFailed',
      'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
      { AuthenticationErrorDetail: detail },
    ),
  // Faults (injected by a test).
  serverBusy: (retryAfterSeconds: number) =>
    new StorageError(
      503,
      'ServerBusy',
      'The server is currently unable to receive requests. Please retry your request.',
      {},
      { 'Retry-After': String(retryAfterSeconds) },
    ),
};
