// `.pool/users.json`, the team registry on the share: the members, their keys and admin flags,
// and the uids every VM derives alike.
import { z } from 'zod';
import { AuthorizedKeySchema } from './authorized-keys';
import { MemberNameSchema } from './names';

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
