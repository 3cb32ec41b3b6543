// The contract between the app and the on-VM agent: agent.json, the share's team registry
// (`.pool/users.json`) and the heartbeat (`.pool/status/<computer>.json`), as zod schemas.
import { z } from 'zod';
import { MemberNameSchema } from './names';

export { heartbeatPath, memberNotebooksPath, SHARE_LAYOUT } from './share-layout';
export {
  ComputerNameSchema,
  isSafeAbsolutePath,
  LINUX_USERNAME,
  LinuxUsernameSchema,
  RESERVED_USERNAMES,
} from './names';
export { AgentConfigSchema, ShareConfigSchema, smbAccount } from './agent-config';
export type { AgentConfig, AgentConfigInput, ShareConfig } from './agent-config';

// ---------------------------------------------------------------------------------------------
// SSH public keys (no Node Buffer: common also runs in the browser)

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

// ---------------------------------------------------------------------------------------------
// .pool/users.json

export const TeamMemberSchema = z.object({
  name: MemberNameSchema,
  sshKeys: z.array(AuthorizedKeySchema).max(64),
  /** Pool admin: joins the agent's `adminGroup` (sudo) on every VM. */
  admin: z.boolean().optional(),
  /**
   * Fixed Linux uid. Without it the agent derives one from the name (the same on every VM),
   * so files on an NFS share keep their owner whichever VM wrote them.
   */
  uid: z.number().int().min(1000).max(60000).optional(),
});

export const TeamRegistrySchema = z
  .object({
    version: z.literal(1),
    members: z.array(TeamMemberSchema).max(5000),
  })
  .superRefine((registry, ctx) => {
    const names = new Map<string, number>();
    const uids = new Map<number, number>();
    registry.members.forEach((member, index) => {
      const earlier = names.get(member.name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['members', index, 'name'],
          message: `"${member.name}" is listed twice (also members[${earlier}])`,
        });
      } else names.set(member.name, index);
      if (member.uid !== undefined) {
        const other = uids.get(member.uid);
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['members', index, 'uid'],
            message: `${member.uid} is also the uid of members[${other}]`,
          });
        } else uids.set(member.uid, index);
      }
    });
  });

export type TeamMember = z.output<typeof TeamMemberSchema>;
export type TeamRegistry = z.output<typeof TeamRegistrySchema>;

/** First uid of the range the agent derives member uids from (below login.defs' UID_MAX). */
export const DERIVED_UID_BASE = 20000;
export const DERIVED_UID_SPAN = 40000;

/**
 * The uid of each member: the explicit one, else FNV-1a of the name in
 * [20000, 60000), moving up past collisions in name order — so every VM that reads the same
 * registry computes the same uids.
 */
export function memberUids(members: readonly TeamMember[]): Map<string, number> {
  const result = new Map<string, number>();
  const taken = new Set<number>();
  for (const member of members) {
    if (member.uid !== undefined) {
      result.set(member.name, member.uid);
      taken.add(member.uid);
    }
  }
  const derived = members
    .filter((member) => member.uid === undefined)
    .map((member) => member.name)
    .sort();
  for (const name of derived) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
      hash ^= name.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    let offset = hash % DERIVED_UID_SPAN;
    while (taken.has(DERIVED_UID_BASE + offset)) offset = (offset + 1) % DERIVED_UID_SPAN;
    taken.add(DERIVED_UID_BASE + offset);
    result.set(name, DERIVED_UID_BASE + offset);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Heartbeat and status

export const ApplyReportSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  ok: z.boolean(),
  errors: z.array(z.string()),
  warnings: z.array(z.string()),
  /** What this run changed (capped), e.g. `created user alice`. */
  changes: z.array(z.string()),
  /** Members whose account, keys and links are in place. */
  applied: z.array(z.string()),
  /** Former members the agent locked. */
  locked: z.array(z.string()),
  /** Which registry the run used: the share's, the cached last good copy, or none. */
  registry: z.object({
    source: z.enum(['share', 'last-good', 'none']),
    members: z.number().int(),
  }),
});

export type ApplyReport = z.output<typeof ApplyReportSchema>;

export const MountHealthSchema = z.object({
  protocol: z.enum(['smb', 'nfs', 'bind']),
  mountPoint: z.string(),
  /** The mount point is in the mount table. */
  mounted: z.boolean(),
  /** Writing and reading back a probe file worked (at the last apply) / the share answered. */
  healthy: z.boolean(),
  fsType: z.string().optional(),
  detail: z.string().optional(),
});

export type MountHealth = z.output<typeof MountHealthSchema>;

export const JupyterUsageSchema = z.object({
  servers: z.number().int().nonnegative(),
  kernels: z.number().int().nonnegative(),
  busyKernels: z.number().int().nonnegative(),
});

export type JupyterUsage = z.output<typeof JupyterUsageSchema>;

/** `.pool/status/<computer>.json`, and what `dsvm-pool-agent status --json` prints. */
export const AgentHeartbeatSchema = z.object({
  version: z.literal(1),
  computerName: z.string(),
  agentVersion: z.string(),
  /** ISO time the snapshot was taken. */
  time: z.string(),
  mount: MountHealthSchema.nullable(),
  users: z.object({ applied: z.array(z.string()), locked: z.array(z.string()) }),
  /** Active SSH connections per user. */
  sessions: z.record(z.string(), z.number().int().nonnegative()),
  /** Running Jupyter servers and their kernels per user. */
  jupyter: z.record(z.string(), JupyterUsageSchema),
  load: z.object({
    avg1: z.number(),
    avg5: z.number(),
    avg15: z.number(),
    cpus: z.number().int(),
  }),
  lastApply: ApplyReportSchema.nullable(),
});

export type AgentHeartbeat = z.output<typeof AgentHeartbeatSchema>;
/** `status --json` prints exactly a heartbeat, computed on the spot. */
export type AgentStatus = AgentHeartbeat;

// ---------------------------------------------------------------------------------------------

/** zod issues as lines a person can act on: `members[2].sshKeys[0]: is a 1024-bit RSA key…`. */
export function formatSchemaIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((part, i) =>
        typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
      )
      .join('');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
