// Makes the VM's accounts follow the team registry: creates members' Linux users, their keys,
// share folder and links; locks former members (only accounts the agent itself created) and
// keeps their home and share data.
import { chmod, lstat, mkdir } from 'node:fs/promises';
import type { AgentConfig, TeamMember, TeamRegistry } from '../common/agent-protocol';
import { SHARE_LAYOUT, memberUids } from '../common/agent-protocol';
import type { AgentSystem, PasswdEntry } from './agent-system';
import { hostPath } from './agent-system';
import { messageOf } from './errors';
import type { HomeOp } from './home-ops';
import { homeOpNeeded } from './home-ops';
import type { MountEntry } from './mount';
import { memberFolder, memberMountArgv, mountErrorHint } from './mount';
import type { RunReport } from './run-report';
import { ensureRootDir, lstatOrUndefined, mkdirUnlessPresent } from './safe-fs';
import type { AgentState } from './state';
import type { UserLookup } from './user-db';
import { groupMembers, lookupUsers } from './user-db';

export interface MembersInput {
  system: AgentSystem;
  config: AgentConfig;
  /** undefined: no valid registry at all — nobody is created or locked. */
  registry: TeamRegistry | undefined;
  state: AgentState;
  /** The share is mounted and takes writes. */
  shareUsable: boolean;
  mounts: Map<string, MountEntry>;
  report: RunReport;
  /** Persists the state (called right after each account change). */
  saveState: () => Promise<void>;
}

export interface MembersResult {
  applied: string[];
  locked: string[];
}

/** The `useradd` argv for a new member: no password ever, a private home, its own group. */
export function useraddArgv(name: string, uid: number | undefined): string[] {
  return [
    'useradd',
    '--create-home',
    '--shell',
    '/bin/bash',
    '--user-group',
    // Private homes whatever the distribution's default (Debian's is 0755).
    '--key',
    'HOME_MODE=0750',
    '--comment',
    'dsvm-pool member',
    ...(uid === undefined ? [] : ['--uid', String(uid)]),
    name,
  ];
}

/** `usermod --lock --expiredate 1`: no password login, and the account has expired (no SSH). */
export function lockArgv(name: string): string[] {
  return ['usermod', '--lock', '--expiredate', '1', name];
}

/** Lifts the expiry again (there was never a password to unlock). */
export function unlockArgv(name: string): string[] {
  return ['usermod', '--expiredate', '', name];
}

/** The authorized_keys the agent writes: the registry's keys, replacing whatever was there. */
export function authorizedKeysContent(member: TeamMember): string {
  const keys = [...new Set(member.sshKeys)];
  return [
    '# Written by dsvm-pool-agent from the team registry (.pool/users.json on the share).',
    '# Changes here are replaced within a minute: ask the pool admin to change your keys.',
    ...keys,
    '',
  ].join('\n');
}

export async function syncMembers(input: MembersInput): Promise<MembersResult> {
  const { system, config, registry, state, report } = input;
  const result: MembersResult = { applied: [], locked: [] };
  const members = [...(registry?.members ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const uids = memberUids(members);
  const managedNames = Object.keys(state.managedUsers);
  const lookup = await lookupUsers(system, [
    ...members.map((member) => member.name),
    ...uids.values(),
    ...managedNames,
    config.adminUser,
  ]);
  const group = config.adminGroup;
  let groupSet: Set<string> | undefined;
  if (group !== null && (members.some((m) => m.admin) || managedNames.length > 0)) {
    groupSet = await groupMembers(system, group);
    if (groupSet === undefined && members.some((m) => m.admin)) {
      report.warn(
        `the group "${group}" (adminGroup) does not exist: registry admins get no extra rights`,
      );
    }
  }

  for (const member of members) {
    try {
      const entry = await ensureAccount(input, member, uids.get(member.name), lookup);
      if (!entry) continue;
      if (input.shareUsable) await ensureMemberFolder(input, entry);
      await applyHomeOps(input, entry, [
        { kind: 'authorized-keys', content: authorizedKeysContent(member) },
        {
          kind: 'link',
          path: 'notebooks/remote',
          target: memberFolder(config, member.name),
        },
      ]);
      if (group !== null && groupSet !== undefined) {
        await syncGroup(input, member.name, member.admin === true, groupSet, group);
      }
      result.applied.push(member.name);
    } catch (error) {
      report.error(`member ${member.name}: ${messageOf(error)}`);
    }
  }

  if (registry !== undefined) {
    const current = new Set(members.map((member) => member.name));
    for (const name of managedNames.sort()) {
      if (current.has(name)) continue;
      try {
        if (await retireMember(input, name, lookup, groupSet, group)) result.locked.push(name);
      } catch (error) {
        report.error(`former member ${name}: ${messageOf(error)}`);
      }
    }
  } else {
    result.locked.push(...managedNames.filter((name) => state.managedUsers[name].lockedAt));
  }

  await syncAdmin(input, lookup);
  return result;
}

/** The member's account: created when missing; undefined when it must be left alone. */
async function ensureAccount(
  input: MembersInput,
  member: TeamMember,
  uid: number | undefined,
  lookup: UserLookup,
): Promise<PasswdEntry | undefined> {
  const { system, config, state, report } = input;
  const name = member.name;
  const managed = state.managedUsers[name];
  let entry = lookup.byName.get(name);
  if (entry && !managed) {
    if (name === config.adminUser) {
      report.warn(
        `member ${name} is the VM's admin account, which the agent does not manage (its keys come from the VM's settings)`,
      );
    } else {
      report.error(
        `a user named "${name}" already exists on this VM and was not created by the agent; it is left alone — rename the member in the registry`,
      );
    }
    return undefined;
  }
  if (!entry) {
    let wanted = uid;
    const holder = uid === undefined ? undefined : lookup.byUid.get(uid);
    if (holder && holder.name !== name) {
      report.warn(
        `uid ${uid} (derived for ${name}) already belongs to ${holder.name} on this VM; ${name} gets another uid here, so NFS ownership differs on this VM — give ${name} a fixed "uid" in the registry`,
      );
      wanted = undefined;
    }
    const created = await system.run(useraddArgv(name, wanted));
    if (created.code !== 0) {
      throw new Error(`useradd failed (exit ${created.code}): ${created.stderr.trim()}`);
    }
    entry = (await lookupUsers(system, [name])).byName.get(name);
    if (!entry) throw new Error('useradd succeeded but the user cannot be found');
    lookup.byName.set(name, entry);
    state.managedUsers[name] = { uid: entry.uid, createdAt: system.now().toISOString() };
    await input.saveState();
    report.change(`created user ${name} (uid ${entry.uid})`);
    return entry;
  }
  if (managed.lockedAt !== undefined) {
    const unlocked = await system.run(unlockArgv(name));
    if (unlocked.code !== 0) {
      throw new Error(
        `usermod failed to lift the expiry (exit ${unlocked.code}): ${unlocked.stderr.trim()}`,
      );
    }
    delete managed.lockedAt;
    await input.saveState();
    report.change(`unlocked ${name} (back in the registry)`);
  }
  return entry;
}

/** `<share>/notebooks/<user>`: owned by the user and private (0700 at creation) on bind/NFS; on SMB the member's own mount. */
async function ensureMemberFolder(input: MembersInput, entry: PasswdEntry): Promise<void> {
  const { system, config, report } = input;
  const smb = config.share.protocol === 'smb';
  const base = hostPath(system, `${config.share.mountPoint}/${SHARE_LAYOUT.notebooksDir}`);
  // Members may pass through notebooks/ but not list it.
  await ensureRootDir(base, smb ? undefined : 0o711);
  const folder = `${base}/${entry.name}`;
  const shown = memberFolder(config, entry.name);
  let info = await lstatOrUndefined(folder);
  // Every VM's agent runs on the same share: another may create the folder between our look and our mkdir.
  if (!info && !(await mkdirUnlessPresent(folder, 0o700))) info = await lstatOrUndefined(folder);
  if (!info) {
    if (!smb) {
      await chmod(folder, 0o700);
      if (system.ownershipEnforced) await system.lchown(folder, entry.uid, entry.gid);
    }
    report.change(`created ${shown}`);
  } else if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new Error(`${shown} is not a directory; leaving it alone`);
  } else if (
    !smb &&
    system.ownershipEnforced &&
    (info.uid !== entry.uid || info.gid !== entry.gid)
  ) {
    await system.lchown(folder, entry.uid, entry.gid);
    report.change(`gave ${shown} to ${entry.name}`);
  }
  if (smb && !input.mounts.has(shown)) {
    const mounted = await system.run(memberMountArgv(config, entry), { timeoutMs: 60_000 });
    if (mounted.code !== 0) {
      const stderr = mounted.stderr.trim();
      throw new Error(
        `mounting ${shown} failed (exit ${mounted.code}): ${stderr}${mountErrorHint('smb', stderr)}`,
      );
    }
    report.change(`mounted ${shown} for ${entry.name} (private to them)`);
  }
}

/** Runs the home operations that have something to do, as the user. */
async function applyHomeOps(input: MembersInput, entry: PasswdEntry, ops: HomeOp[]): Promise<void> {
  const { system, report } = input;
  const home = hostPath(system, entry.home);
  const owner = system.ownershipEnforced ? { uid: entry.uid } : undefined;
  const needed: HomeOp[] = [];
  for (const op of ops) if (await homeOpNeeded(home, op, owner)) needed.push(op);
  if (needed.length === 0) return;
  const homeInfo = await lstatOrUndefined(home);
  if (!homeInfo) {
    if (!input.state.managedUsers[entry.name])
      throw new Error(`the home ${entry.home} does not exist`);
    await mkdir(home, { recursive: true, mode: 0o750 });
    if (system.ownershipEnforced) await system.lchown(home, entry.uid, entry.gid);
    report.change(`recreated the missing home ${entry.home}`);
  } else if (homeInfo.isSymbolicLink() || !homeInfo.isDirectory()) {
    throw new Error(`the home ${entry.home} is not a directory`);
  }
  if (system.ownershipEnforced && needed.some((op) => op.kind === 'authorized-keys')) {
    // A ~/.ssh folder made by root would stop the user's own process from writing in it.
    const ssh = await lstat(`${home}/.ssh`).catch(() => undefined);
    if (ssh?.isDirectory() && ssh.uid !== entry.uid)
      await system.lchown(`${home}/.ssh`, entry.uid, entry.gid);
  }
  const result = await system.asUser(entry, needed);
  for (const change of result.changes) report.change(`${entry.name}: ${change}`);
  for (const error of result.errors) report.error(`${entry.name}: ${error}`);
}

async function syncGroup(
  input: MembersInput,
  name: string,
  wanted: boolean,
  members: Set<string>,
  group: string,
): Promise<void> {
  const { system, report } = input;
  if (wanted === members.has(name)) return;
  const argv = wanted
    ? ['usermod', '--append', '--groups', group, name]
    : ['gpasswd', '--delete', name, group];
  const answer = await system.run(argv);
  if (answer.code !== 0) {
    throw new Error(`${argv[0]} failed (exit ${answer.code}): ${answer.stderr.trim()}`);
  }
  if (wanted) members.add(name);
  else members.delete(name);
  report.change(
    wanted ? `added ${name} to ${group} (registry admin)` : `removed ${name} from ${group}`,
  );
}

/** Locks a former member's account and removes their keys; keeps home and share data. */
async function retireMember(
  input: MembersInput,
  name: string,
  lookup: UserLookup,
  groupSet: Set<string> | undefined,
  group: string | null,
): Promise<boolean> {
  const { system, config, state, report } = input;
  const managed = state.managedUsers[name];
  const entry = lookup.byName.get(name);
  if (!entry) return false;
  if (managed.lockedAt === undefined) {
    const locked = await system.run(lockArgv(name));
    if (locked.code !== 0)
      throw new Error(`usermod --lock failed (exit ${locked.code}): ${locked.stderr.trim()}`);
    managed.lockedAt = system.now().toISOString();
    await input.saveState();
    report.change(`locked ${name} (no longer in the registry; home and share data kept)`);
  }
  await applyHomeOps(input, entry, [{ kind: 'remove-authorized-keys' }]);
  if (group !== null && groupSet?.has(name)) await syncGroup(input, name, false, groupSet, group);
  const folder = memberFolder(config, name);
  if (config.share.protocol === 'smb' && input.mounts.has(folder)) {
    const answer = await system.run(['umount', folder]);
    if (answer.code === 0) report.change(`unmounted ${folder}`);
    else report.warn(`could not unmount ${folder}: ${answer.stderr.trim()}`);
  }
  return true;
}

/** The VM's admin: `~/<shareName>` → the share and their own notebooks link, like the article. */
async function syncAdmin(input: MembersInput, lookup: UserLookup): Promise<void> {
  const { config, report } = input;
  const admin = lookup.byName.get(config.adminUser);
  if (!admin) {
    report.warn(`the admin user ${config.adminUser} does not exist on this VM; no share link made`);
    return;
  }
  try {
    if (input.shareUsable) await ensureMemberFolder(input, admin);
    await applyHomeOps(input, admin, [
      { kind: 'link', path: config.shareName, target: config.share.mountPoint },
      { kind: 'link', path: 'notebooks/remote', target: memberFolder(config, admin.name) },
    ]);
  } catch (error) {
    report.error(`admin ${admin.name}: ${messageOf(error)}`);
  }
}
