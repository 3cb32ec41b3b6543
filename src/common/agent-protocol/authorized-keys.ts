// SSH public keys for authorized_keys: parsed and checked byte by byte, with no Node Buffer
// (common also runs in the browser).
import { z } from 'zod';

export type SshKeyType =
  | 'ssh-ed25519'
  | 'ssh-rsa'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521'
  | 'sk-ssh-ed25519@openssh.com'
  | 'sk-ecdsa-sha2-nistp256@openssh.com';

export type ParsedAuthorizedKey =
  | { ok: true; type: SshKeyType; bits: number; comment: string; line: string }
  | { ok: false; reason: string };

/** ECDSA point sizes: 0x04 ‖ X ‖ Y. */
const ECDSA_CURVES: Record<string, { curve: string; bits: number; pointLength: number }> = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', bits: 256, pointLength: 65 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', bits: 384, pointLength: 97 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', bits: 521, pointLength: 133 },
  'sk-ecdsa-sha2-nistp256@openssh.com': { curve: 'nistp256', bits: 256, pointLength: 65 },
};

const KEY_TYPES = new Set<string>([
  'ssh-ed25519',
  'ssh-rsa',
  'sk-ssh-ed25519@openssh.com',
  ...Object.keys(ECDSA_CURVES),
]);

/** Smallest RSA modulus the agent installs. */
export const MIN_RSA_BITS = 2048;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  // Only the canonical encoding: the same key always makes the same authorized_keys line.
  if (btoa(binary) !== text) return undefined;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Reads SSH wire-format strings (uint32 length, bytes). */
class WireReader {
  private offset = 0;
  constructor(private readonly data: Uint8Array) {}

  bytes(): Uint8Array | undefined {
    const d = this.data;
    if (this.offset + 4 > d.length) return undefined;
    const length =
      ((d[this.offset] << 24) >>> 0) +
      (d[this.offset + 1] << 16) +
      (d[this.offset + 2] << 8) +
      d[this.offset + 3];
    const start = this.offset + 4;
    if (start + length > d.length) return undefined;
    this.offset = start + length;
    return d.subarray(start, start + length);
  }

  text(): string | undefined {
    const value = this.bytes();
    return value === undefined ? undefined : String.fromCharCode(...value);
  }

  get done(): boolean {
    return this.offset === this.data.length;
  }
}

/** Bit length of an SSH mpint (big-endian, a leading zero byte when the top bit is set). */
function mpintBits(value: Uint8Array): number {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  if (i === value.length) return 0;
  return (value.length - i - 1) * 8 + (32 - Math.clz32(value[i]));
}

const keyProblem = (reason: string): ParsedAuthorizedKey => ({ ok: false, reason });

/**
 * Parses one public key line (`type base64 [comment]`, as in a `.pub` file) for
 * `authorized_keys`: the blob must be canonical base64 whose embedded type matches the one in
 * front, with key material of the right shape. No options (`command=`, `from=`): the agent
 * writes the file and a member must not smuggle options into it. Returns the normalized line.
 */
export function parseAuthorizedKey(input: string): ParsedAuthorizedKey {
  const text = input.trim();
  if (text === '') return keyProblem('is empty — paste the contents of a .pub file');
  if (/PRIVATE KEY-----/.test(text)) {
    return keyProblem('is a PRIVATE key: never share it — use the .pub file next to it');
  }
  // Newlines would add lines (with options) to authorized_keys; other controls hide text.
  if ([...text].some((c) => (c < ' ' && c !== '\t') || c === '\u007f')) {
    return keyProblem('must be a single line without control characters');
  }
  const [type = '', blob = '', ...rest] = text.split(/[ \t]+/);
  const comment = rest.join(' ');
  if (!KEY_TYPES.has(type)) {
    if (type === 'ssh-dss') return keyProblem('is a DSA key, which OpenSSH no longer accepts');
    if (type.endsWith('-cert-v01@openssh.com')) {
      return keyProblem('is an SSH certificate; the registry takes plain public keys');
    }
    if (/[=,"]/.test(type) || /^(no-|restrict|cert-authority)/.test(type)) {
      return keyProblem(
        'starts with authorized_keys options, which are not allowed: give only "type base64 [comment]"',
      );
    }
    return keyProblem(
      `has an unknown key type "${type.slice(0, 40)}": use ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521 or their sk- (security key) variants`,
    );
  }
  const data = decodeBase64(blob);
  if (data === undefined) {
    return keyProblem('has a damaged base64 part — copy the whole line from the .pub file again');
  }
  const reader = new WireReader(data);
  const embedded = reader.text();
  if (embedded !== type) {
    return keyProblem(
      embedded === undefined
        ? 'has a damaged base64 part — copy the whole line from the .pub file again'
        : `says ${type} in front but holds a ${embedded.slice(0, 40)} key`,
    );
  }
  const damaged = keyProblem(`is not a valid ${type} key — copy the whole line again`);
  let bits: number;
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    if (reader.bytes()?.length !== 32) return damaged;
    bits = 256;
  } else if (type === 'ssh-rsa') {
    const exponent = reader.bytes();
    const modulus = reader.bytes();
    if (
      !exponent ||
      !modulus ||
      mpintBits(exponent) < 2 ||
      (exponent[exponent.length - 1] & 1) === 0 ||
      (modulus[0] ?? 0) & 0x80
    ) {
      return damaged;
    }
    bits = mpintBits(modulus);
    if (bits < MIN_RSA_BITS) {
      return keyProblem(
        `is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are needed — make a new key with \`ssh-keygen -t ed25519\``,
      );
    }
  } else {
    const spec = ECDSA_CURVES[type];
    const curve = reader.text();
    const point = reader.bytes();
    if (curve !== spec.curve || point?.length !== spec.pointLength || point[0] !== 4) {
      return damaged;
    }
    bits = spec.bits;
  }
  if (type.startsWith('sk-')) {
    // The FIDO application string, usually "ssh:".
    const application = reader.text();
    if (application === undefined || application.length === 0) return damaged;
  }
  if (!reader.done) return damaged;
  const line = comment ? `${type} ${blob} ${comment}` : `${type} ${blob}`;
  return { ok: true, type: type as SshKeyType, bits, comment, line };
}

/** A key line, checked and normalized (single spaces, no surrounding whitespace). */
export const AuthorizedKeySchema = z
  .string()
  .max(16_384, 'is too long for a public key')
  .transform((value, ctx) => {
    const parsed = parseAuthorizedKey(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.reason });
      return z.NEVER;
    }
    return parsed.line;
  });
