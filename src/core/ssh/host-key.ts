// Reads what a user needs to recognise an SSH host key: its algorithm and OpenSSH fingerprint.
import { createHash } from 'node:crypto';
import { ErrorCode, RpcError } from '../../common/errors';

/** The OpenSSH fingerprint of a raw public key blob, as `ssh-keygen -l` prints it. */
export function fingerprintOf(key: Buffer): string {
  // OpenSSH drops the base64 padding, so strip it to match what admins see on the VM.
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key algorithm named by the ssh-string at the start of the blob, e.g. `ssh-ed25519`. */
export function algorithmOf(key: Buffer): string {
  if (key.length < 4) throw malformed('it is shorter than its length field');
  const length = key.readUInt32BE(0);
  // Algorithm names are short printable ASCII (RFC 4251 §6); anything else is not a key blob.
  if (length === 0 || length > 64 || 4 + length > key.length) {
    throw malformed('its algorithm name has an impossible length');
  }
  const name = key.subarray(4, 4 + length).toString('latin1');
  if (!/^[\x21-\x7e]+$/.test(name)) throw malformed('its algorithm name is not printable');
  return name;
}

function malformed(why: string): RpcError {
  return new RpcError(
    ErrorCode.Internal,
    `The server sent a host key that cannot be read (${why}). Check that the address points to an SSH server.`,
  );
}
