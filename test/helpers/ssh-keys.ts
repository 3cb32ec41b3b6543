// Real OpenSSH public key lines for tests, made from keys Node generates (no ssh-keygen needed).
import { generateKeyPairSync } from 'node:crypto';
import ssh2 from 'ssh2';

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An mpint from unsigned big-endian bytes (a zero byte in front when the top bit is set). */
function mpint(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return sshString(trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

const b64url = (text: string) => Buffer.from(text, 'base64url');

export function ed25519Line(comment = 'alice@laptop'): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(b64url(jwk.x as string))]);
  return `ssh-ed25519 ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`;
}

/** Fixed RSA public keys (made by rsaLine once): generating RSA in every test file is slow. */
export const RSA_2048_LINE =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCxSF+1e3pWJlDLc2hJf0uGC4xakr3Rpmwy/xhYofiyUqbnagGiZ1GRpeRUKlXjkGwVPNPQYwydZWrufkRtv3cq24JkNBYHCha+IBSy1aZJ+hNP1k/q7HX7BQ99Adq09VN7BsAAOxU0YJ55qclMH/mBDdVjS6c5Qt8zuhxVcZWRt3hyA2JxChJdB3gwi+qA3kvxmyq/xUrW2VWWh0+FOdRSHOzNrEQwsgFYRz5ju0tiLsWL3zjm1tVknvfyC/JmyMoUbtv1mvJazswDqTbjKzd7B/+KWHZ8KgS6Rb8nbuaTUCVzSPUSiPDsnC9r9AJkipmQN8yPttwrOmfpGvPajhJv bob@desktop';
export const RSA_1024_LINE =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDWpiFdClPcMg84cuok2cTZjQFyS3NcGoKGH1N+7FG8jvnzIKUDwcd70s3eC6mNChd3FsoFwCRb5g1N7vVk3YqlWgxeOK2yTCPO+C/WF+5ZojynqvoE5BgK877uaCMo02I05Db1/sfK6eAaznmlYvoZ7wwfxth905i4hj0iCm4dHw== old@box';

export function rsaLine(bits: number, comment = 'bob@desktop'): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([
    sshString('ssh-rsa'),
    mpint(b64url(jwk.e as string)),
    mpint(b64url(jwk.n as string)),
  ]);
  return `ssh-rsa ${blob.toString('base64')} ${comment}`;
}

export function ecdsaLine(curve: 'P-256' | 'P-384' | 'P-521', comment = 'carol@mac'): string {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const jwk = publicKey.export({ format: 'jwk' });
  const name = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' }[curve];
  const point = Buffer.concat([Buffer.from([4]), b64url(jwk.x as string), b64url(jwk.y as string)]);
  const type = `ecdsa-sha2-${name}`;
  const blob = Buffer.concat([sshString(type), sshString(name), sshString(point)]);
  return `${type} ${blob.toString('base64')} ${comment}`;
}

/** A FIDO security key (sk-ssh-ed25519@openssh.com), application "ssh:". */
export function skEd25519Line(comment = 'dave@yubikey'): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const type = 'sk-ssh-ed25519@openssh.com';
  const blob = Buffer.concat([
    sshString(type),
    sshString(b64url(jwk.x as string)),
    sshString('ssh:'),
  ]);
  return `${type} ${blob.toString('base64')} ${comment}`;
}

/** A line that says one type in front and holds another in its blob. */
export function mismatchedLine(): string {
  const [, blob] = ed25519Line().split(' ');
  return `ssh-rsa ${blob} mallory`;
}

/**
 * ssh2's own ed25519 generator (keys in OpenSSH's private format), retried until the key parses
 * back: about one key in 256 comes out malformed (its public key's leading zero bytes are
 * stripped), which made tests fail at random. Production code does the same (generateEd25519).
 */
export function ssh2Ed25519(
  options: { comment?: string; passphrase?: string; cipher?: string; rounds?: number } = {},
): {
  private: string;
  public: string;
} {
  for (let attempt = 0; attempt < 20; attempt++) {
    const made = ssh2.utils.generateKeyPairSync('ed25519', options);
    const parsed = ssh2.utils.parseKey(made.private, options.passphrase);
    if (!(parsed instanceof Error) && !Array.isArray(parsed)) return made;
  }
  throw new Error('ssh2 made 20 unreadable ed25519 keys in a row');
}
