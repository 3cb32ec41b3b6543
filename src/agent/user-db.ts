// Looks users and groups up through `getent` (so LDAP/AAD accounts count too), one call for many.
import type { AgentSystem, PasswdEntry } from './agent-system';

export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const fields = line.split(':');
  if (fields.length < 7) return undefined;
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
  return { name: fields[0], uid, gid, home: fields[5], shell: fields[6] };
}

export interface UserLookup {
  byName: Map<string, PasswdEntry>;
  byUid: Map<number, PasswdEntry>;
}

/**
 * `getent passwd <keys…>` for names and uids at once. Exit 2 only means some keys were not
 * found; anything else is an error.
 */
export async function lookupUsers(
  system: AgentSystem,
  keys: ReadonlyArray<string | number>,
): Promise<UserLookup> {
  const result: UserLookup = { byName: new Map(), byUid: new Map() };
  const unique = [...new Set(keys.map(String))];
  // getent takes many keys per call; chunks keep argv small for big teams.
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const answer = await system.run(['getent', 'passwd', ...chunk]);
    if (answer.code !== 0 && answer.code !== 2) {
      throw new Error(`getent passwd failed (exit ${answer.code}): ${answer.stderr.trim()}`);
    }
    for (const line of answer.stdout.split('\n')) {
      const entry = parsePasswdLine(line);
      if (!entry) continue;
      result.byName.set(entry.name, entry);
      result.byUid.set(entry.uid, entry);
    }
  }
  return result;
}

/** Members of a group (`getent group <name>`); undefined when the group does not exist. */
export async function groupMembers(
  system: AgentSystem,
  group: string,
): Promise<Set<string> | undefined> {
  const answer = await system.run(['getent', 'group', group]);
  if (answer.code === 2) return undefined;
  if (answer.code !== 0) {
    throw new Error(`getent group ${group} failed (exit ${answer.code}): ${answer.stderr.trim()}`);
  }
  const fields = answer.stdout.trim().split('\n')[0].split(':');
  return new Set((fields[3] ?? '').split(',').filter(Boolean));
}
