// Service SAS for a file or share, checked as the File service does: the string to sign of "Create
// a service SAS" (versions 2015-04-05 and later, file service), HMAC-SHA256 with one of the
// account's keys, then the signed window, protocol and permissions. Used where something reads a
// file by URL, e.g. a CustomScript extension's fileUris (../azure/custom-script.ts).
// https://learn.microsoft.com/en-us/rest/api/storageservices/create-service-sas
import { verifySignature } from './shared-key';
import { FilesErrors, StorageError } from './storage-error';

export interface SasTarget {
  account: string;
  keys: string[];
  share: string;
  /** The file's path in the share, no leading slash. */
  path: string;
}

/** The first version whose string to sign is the one below (file service). */
const OLDEST = '2015-04-05';

/**
 * Throws the service's StorageError unless `query` is a service SAS that lets its holder read
 * `target` over HTTPS at `now`. Stored access policies (`si`) and IP ranges (`sip`, no client
 * address exists here) are refused as not supported by the emulator.
 */
export function checkFileReadSas(
  target: SasTarget,
  query: URLSearchParams,
  now = new Date(),
): void {
  const q = (name: string) => query.get(name) ?? '';
  const sig = q('sig');
  if (!sig) {
    throw new StorageError(
      403,
      'AuthenticationFailed',
      'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
      { AuthenticationErrorDetail: 'sig is mandatory' },
    );
  }
  const version = q('sv');
  if (version < OLDEST) {
    throw FilesErrors.authenticationFailed(
      `Signed version ${version || '(none)'} is older than ${OLDEST}, the oldest the emulator checks.`,
    );
  }
  if (q('si') || q('sip')) {
    throw FilesErrors.authenticationFailed(
      'Stored access policies (si) and IP ranges (sip) are not supported by the Azure Files emulator.',
    );
  }
  const resource = q('sr');
  const canonical =
    resource === 'f'
      ? `/file/${target.account}/${target.share}/${target.path}`
      : resource === 's'
        ? `/file/${target.account}/${target.share}`
        : undefined;
  if (!canonical) {
    throw FilesErrors.authenticationFailed(
      `Signed resource (sr) ${resource || '(none)'} is not a file (f) or share (s).`,
    );
  }
  const stringToSign = [
    q('sp'),
    q('st'),
    q('se'),
    canonical,
    q('si'),
    q('sip'),
    q('spr'),
    version,
    q('rscc'),
    q('rscd'),
    q('rsce'),
    q('rscl'),
    q('rsct'),
  ].join('\n');
  if (!verifySignature(stringToSign, sig, target.keys)) {
    throw FilesErrors.authenticationFailed(
      `Signature did not match. String to sign used was ${stringToSign.replace(/\n/g, '\\n')}`,
    );
  }
  const start = q('st') ? Date.parse(q('st')) : undefined;
  const expiry = Date.parse(q('se'));
  if (Number.isNaN(expiry) || (start !== undefined && Number.isNaN(start))) {
    throw FilesErrors.authenticationFailed(
      'Signed start (st) or expiry (se) is not an ISO 8601 time.',
    );
  }
  if (now.getTime() > expiry || (start !== undefined && now.getTime() < start)) {
    throw FilesErrors.authenticationFailed(
      `Signed expiry time [${new Date(expiry).toUTCString()}] must be after signed start time and the current time [${now.toUTCString()}]`,
    );
  }
  if (q('spr') && !q('spr').split(',').includes('https')) {
    throw new StorageError(
      403,
      'AuthorizationProtocolMismatch',
      'This request is not authorized to perform this operation using this protocol.',
    );
  }
  if (!q('sp').includes('r')) {
    throw new StorageError(
      403,
      'AuthorizationPermissionMismatch',
      'This request is not authorized to perform this operation using this permission.',
    );
  }
}
