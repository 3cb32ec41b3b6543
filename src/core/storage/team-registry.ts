// The team registry on a pool's share (`.pool/users.json`, read by the agent on every VM): list,
// add, change and remove members. Every change is a read-modify-write under the share's registry
// lock, written atomically, and validated with the same schema the agent uses, so the agent never
// meets a registry the app wrote wrong.
import {
  SHARE_LAYOUT,
  TeamMemberSchema,
  TeamRegistrySchema,
  formatSchemaIssues,
  type TeamMember,
  type TeamRegistry,
} from '../../common/agent-protocol';
import { LINUX_USERNAME, memberNameProblem } from '../../common/agent-protocol/names';
import { ErrorCode, RpcError } from '../../common/errors';
import { pathWords, unsafeTextProblem } from '../../common/user-text';
import type { ShareFiles } from './share-files';

const EMPTY: TeamRegistry = { version: 1, members: [] };

/** The member as the UI sends it; keys as lines (one per key). */
export interface MemberInput {
  name: string;
  sshKeys: string[];
  admin?: boolean;
}

export class TeamRegistryService {
  constructor(private readonly share: ShareFiles) {}

  /** The members now (an empty team when the share has no registry yet). */
  async list(): Promise<TeamMember[]> {
    return (await this.read()).members;
  }

  /**
   * Adds a member, or replaces the one with the same name when `replace` is set. `adminAccounts`
   * (the pool's admin login) are refused as names: every VM has that account already.
   */
  async add(
    input: MemberInput,
    options: { replace?: boolean; adminAccounts?: readonly string[] } = {},
  ): Promise<TeamMember[]> {
    const member = parseMember(input, options.adminAccounts);
    return this.change((members) => {
      const at = members.findIndex((m) => m.name === member.name);
      if (at >= 0 && !options.replace) {
        throw new RpcError(
          ErrorCode.BadInput,
          `${member.name} is already a member. Edit them instead, or pick another name.`,
          [{ path: ['name'], message: 'is already a member' }],
        );
      }
      if (at >= 0) {
        // Keep what the UI does not edit (a fixed uid).
        const merged: TeamMember = { ...members[at]!, ...member };
        if (member.admin === undefined) delete merged.admin;
        return members.map((m, i) => (i === at ? merged : m));
      }
      return [...members, member];
    });
  }

  async remove(name: string): Promise<TeamMember[]> {
    return this.change((members) => {
      if (!members.some((m) => m.name === name)) {
        throw new RpcError(ErrorCode.NotFound, `${name} is not a member (any more).`);
      }
      return members.filter((m) => m.name !== name);
    });
  }

  private async read(): Promise<TeamRegistry> {
    const text = await this.share.read(SHARE_LAYOUT.registry);
    if (text === undefined) return structuredClone(EMPTY);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new RpcError(
        ErrorCode.Internal,
        `${SHARE_LAYOUT.registry} on ${this.share.label} is not JSON (${err instanceof Error ? err.message : String(err)}). The agents keep using the last good copy; fix or delete the file.`,
      );
    }
    const parsed = TeamRegistrySchema.safeParse(json);
    if (!parsed.success) {
      throw new RpcError(
        ErrorCode.Internal,
        `${SHARE_LAYOUT.registry} on ${this.share.label} is not a valid registry: ${formatSchemaIssues(parsed.error).join('; ')}. The agents keep using the last good copy; fix the file.`,
      );
    }
    return parsed.data;
  }

  private change(edit: (members: TeamMember[]) => TeamMember[]): Promise<TeamMember[]> {
    return this.share.withLock('users', async () => {
      const registry = await this.read();
      const next = TeamRegistrySchema.safeParse({
        version: 1,
        members: edit(registry.members),
      });
      if (!next.success) {
        throw new RpcError(
          ErrorCode.BadInput,
          `The team would not be valid: ${formatSchemaIssues(next.error).join('; ')}`,
        );
      }
      await this.share.writeAtomic(
        SHARE_LAYOUT.registry,
        `${JSON.stringify(next.data, null, 2)}\n`,
      );
      return next.data.members;
    });
  }
}

/** Checks a member as the agent will: name rules, every key parsed; errors by field for the UI. */
export function parseMember(input: MemberInput, adminAccounts: readonly string[] = []): TeamMember {
  const keys = input.sshKeys.map((k) => k.trim()).filter(Boolean);
  const name = input.name.trim();
  const unsafe = unsafeTextProblem(name);
  const problem =
    unsafe ?? (LINUX_USERNAME.test(name) ? memberNameProblem(name, adminAccounts) : undefined);
  if (problem && (unsafe || adminAccounts.includes(name))) {
    throw new RpcError(ErrorCode.BadInput, `The member's name ${problem}.`, [
      { path: ['name'], message: problem },
    ]);
  }
  const candidate: Record<string, unknown> = { name, sshKeys: keys };
  if (input.admin) candidate.admin = true;
  const parsed = TeamMemberSchema.safeParse(candidate);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String),
      message: issue.message,
    }));
    // Fields in words ("SSH key 1: …"), as the Team dialog shows them.
    const sentence = parsed.error.issues
      .map((issue) => `${pathWords(issue.path)}: ${issue.message}`)
      .join('; ');
    throw new RpcError(ErrorCode.BadInput, `The member needs changes: ${sentence}`, details);
  }
  if (parsed.data.sshKeys.length === 0) {
    throw new RpcError(
      ErrorCode.BadInput,
      'The member needs at least one SSH public key (the line from their .pub file) to sign in.',
      [{ path: ['sshKeys'], message: 'needs at least one SSH public key' }],
    );
  }
  return parsed.data;
}
