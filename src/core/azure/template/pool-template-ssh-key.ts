// Parses OpenSSH public key lines and checks which of them Azure accepts for a VM's admin.

export type SshKeyType =
  'ssh-ed25519' | 'ssh-rsa' | 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521';

export interface ParsedSshPublicKey {
  ok: true;
  type: SshKeyType;
  /** Key size: the RSA modulus' bits, 256 for ed25519, the curve's size for ECDSA. */
  bits: number;
  comment: string;
  /** `type base64[ comment]`, single spaces, no surrounding whitespace. */
  line: string;
}

export interface SshKeyProblem {
  ok: false;
  /** What is wrong and what to do, as a phrase: `sshPublicKey <reason>`. */
  reason: string;
}

/** ECDSA point sizes: 0x04 ‖ X ‖ Y. */
const ECDSA = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', bits: 256, pointLength: 65 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', bits: 384, pointLength: 97 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', bits: 521, pointLength: 133 },
} as const;

const KNOWN_TYPES = new Set<string>(['ssh-ed25519', 'ssh-rsa', ...Object.keys(ECDSA)]);

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reads SSH wire-format strings (uint32 length, bytes) from a buffer. */
class WireReader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}

  string(): Buffer | undefined {
    if (this.offset + 4 > this.data.length) return undefined;
    const length = this.data.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.data.length) return undefined;
    this.offset = start + length;
    return this.data.subarray(start, start + length);
  }

  get done(): boolean {
    return this.offset === this.data.length;
  }
}

/** Bit length of an SSH mpint (big-endian, a leading zero byte when the top bit is set). */
function mpintBits(value: Buffer): number {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  if (i === value.length) return 0;
  return (value.length - i - 1) * 8 + (32 - Math.clz32(value[i]));
}

const problem = (reason: string): SshKeyProblem => ({ ok: false, reason });

/**
 * Parses one public key line as found in `id_ed25519.pub` or `authorized_keys` (without
 * options): checks that the base64 blob is canonical, that the type written in it matches the
 * one in front, and that the key material has the right shape for its type.
 */
export function parseSshPublicKey(input: string): ParsedSshPublicKey | SshKeyProblem {
  const text = input.trim();
  if (text === '') return problem('is empty — paste the contents of your .pub file');
  if (/PRIVATE KEY-----/.test(text)) {
    return problem(
      'is a PRIVATE key: never share it. Paste the public key instead (the .pub file next to it)',
    );
  }
  if (/^---- BEGIN SSH2 PUBLIC KEY ----/.test(text)) {
    return problem(
      'is in the SSH2 (RFC 4716) format — convert it with `ssh-keygen -i -f key.pub` and paste the one-line result',
    );
  }
  if (/[\r\n]/.test(text)) return problem('must be a single line: one public key');
  const [type = '', blob = '', ...rest] = text.split(/[ \t]+/);
  const comment = rest.join(' ');
  if (!KNOWN_TYPES.has(type)) {
    if (/^(?:sk-|.*-cert-v01@openssh\.com$)/.test(type)) {
      return problem(
        `is a ${type} key (security key or certificate), which Azure cannot install — use an ed25519 or RSA key`,
      );
    }
    return problem(
      'must start with ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521 followed by the base64 key (the line from your .pub file, without options)',
    );
  }
  if (!BASE64.test(blob) || blob.length % 4 !== 0) {
    return problem('has a damaged base64 part — copy the whole line from your .pub file again');
  }
  const data = Buffer.from(blob, 'base64');
  if (data.toString('base64') !== blob) {
    return problem('has a damaged base64 part — copy the whole line from your .pub file again');
  }
  if ([...comment].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return problem('has control characters in its comment — remove them');
  }
  const reader = new WireReader(data);
  const embedded = reader.string()?.toString('latin1');
  if (embedded !== type) {
    return problem(
      embedded === undefined
        ? 'has a damaged base64 part — copy the whole line from your .pub file again'
        : `says ${type} in front but holds a ${embedded} key — copy the line from your .pub file unchanged`,
    );
  }
  const damaged = problem(
    `is not a valid ${type} key — copy the whole line from your .pub file again`,
  );
  let bits: number;
  if (type === 'ssh-ed25519') {
    const key = reader.string();
    if (key?.length !== 32) return damaged;
    bits = 256;
  } else if (type === 'ssh-rsa') {
    const exponent = reader.string();
    const modulus = reader.string();
    if (
      !exponent ||
      !modulus ||
      mpintBits(exponent) < 2 ||
      (exponent[exponent.length - 1] & 1) === 0
    ) {
      return damaged;
    }
    bits = mpintBits(modulus);
    if (bits < 512) return damaged;
  } else {
    const spec = ECDSA[type as keyof typeof ECDSA];
    const curve = reader.string()?.toString('latin1');
    const point = reader.string();
    if (curve !== spec.curve || point?.length !== spec.pointLength || point[0] !== 4)
      return damaged;
    bits = spec.bits;
  }
  if (!reader.done) return damaged;
  const line = comment ? `${type} ${blob} ${comment}` : `${type} ${blob}`;
  return { ok: true, type: type as SshKeyType, bits, comment, line };
}

/**
 * What Azure accepts as a Linux VM's admin key (osProfile.linuxConfiguration.ssh.publicKeys):
 * SSH-2 RSA of at least 2048 bits, and Ed25519 (now supported for Linux VMs; older
 * documentation, tools and some Azure paths still say RSA only). ECDSA keys are refused by Azure there, though
 * they work fine for team members, whose keys the agent writes to authorized_keys itself.
 */
export function azureAdminKeyProblem(key: ParsedSshPublicKey): string | undefined {
  if (key.type === 'ssh-rsa' && key.bits < 2048) {
    return `is a ${key.bits}-bit RSA key; Azure requires at least 2048 bits: make a new one with \`ssh-keygen -t ed25519\``;
  }
  if (key.type.startsWith('ecdsa-')) {
    return 'is an ECDSA key, which Azure does not accept for a VM admin — use an ed25519 key (`ssh-keygen -t ed25519`) or RSA of 2048 bits or more';
  }
  return undefined;
}
