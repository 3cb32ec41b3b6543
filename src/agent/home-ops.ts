// Changes inside a user's home (authorized_keys, ~/notebooks/remote, the admin's share link).
// They run with the user's own privileges (see AgentSystem.asUser), so a symlink the user
// planted can only lead where the user could write anyway.
import { lstat, mkdir, readlink, rename, stat, symlink, unlink, chmod } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { codeOf, messageOf } from './errors';
import { lstatOrUndefined, readSmallFile, writeFileAtomic } from './safe-fs';

export type HomeOp =
  /** Replace `~/.ssh/authorized_keys` (0600, in a real `~/.ssh` directory with 0700). */
  | { kind: 'authorized-keys'; content: string }
  /** Remove `~/.ssh/authorized_keys{,2}` of a former member. */
  | { kind: 'remove-authorized-keys' }
  /** `~/<path>` is a symlink to `target`; a wrong link is replaced, anything else moved aside. */
  | { kind: 'link'; path: string; target: string };

export interface HomeOpsResult {
  changes: string[];
  errors: string[];
}

export interface HomeOpsRequest {
  home: string;
  /** Suffix for things moved aside: `remote.moved-20261128T103000Z`. */
  stamp: string;
  ops: HomeOp[];
}

/** `2026-11-28T10:30:00.123Z` → `20261128T103000Z`. */
export function timestampSuffix(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Runs the operations in order; one failing does not stop the others. */
export async function runHomeOps(request: HomeOpsRequest): Promise<HomeOpsResult> {
  const result: HomeOpsResult = { changes: [], errors: [] };
  const { home, stamp } = request;
  const info = await lstatOrUndefined(home);
  if (!info?.isDirectory()) {
    result.errors.push(`${home} is not a directory`);
    return result;
  }
  for (const op of request.ops) {
    try {
      if (op.kind === 'authorized-keys') await writeKeys(home, op.content, stamp, result);
      else if (op.kind === 'remove-authorized-keys') await removeKeys(home, stamp, result);
      else await ensureLink(home, op.path, op.target, stamp, result);
    } catch (error) {
      result.errors.push(`${describe(op)}: ${messageOf(error)}`);
    }
  }
  return result;
}

function describe(op: HomeOp): string {
  if (op.kind === 'link') return `link ~/${op.path}`;
  return op.kind === 'authorized-keys'
    ? '~/.ssh/authorized_keys'
    : 'removing ~/.ssh/authorized_keys';
}

/** Renames `path` to `<path>.moved-<stamp>[-n]`; never deletes. Returns the new name. */
async function moveAside(path: string, stamp: string): Promise<string> {
  for (let n = 1; ; n++) {
    const aside = `${path}.moved-${stamp}${n === 1 ? '' : `-${n}`}`;
    if ((await lstatOrUndefined(aside)) === undefined) {
      await rename(path, aside);
      return aside;
    }
  }
}

async function writeKeys(home: string, content: string, stamp: string, result: HomeOpsResult) {
  const sshDir = join(home, '.ssh');
  const info = await lstatOrUndefined(sshDir);
  if (info && (info.isSymbolicLink() || !info.isDirectory())) {
    const aside = await moveAside(sshDir, stamp);
    result.changes.push(
      `moved ~/.ssh (${info.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}) aside to ~/${basename(aside)}`,
    );
  }
  if (!info || info.isSymbolicLink() || !info.isDirectory()) {
    await mkdir(sshDir, { mode: 0o700 });
    await chmod(sshDir, 0o700);
    result.changes.push('created ~/.ssh');
  } else if ((info.mode & 0o777) !== 0o700) {
    await chmod(sshDir, 0o700);
    result.changes.push('made ~/.ssh private (0700)');
  }
  const keysPath = join(sshDir, 'authorized_keys');
  const current = await readSmallFile(keysPath).catch(() => undefined);
  const currentInfo = await lstatOrUndefined(keysPath);
  if (current === content && currentInfo?.isFile() && (currentInfo.mode & 0o777) === 0o600) return;
  await writeFileAtomic(keysPath, content, { mode: 0o600 });
  result.changes.push('wrote ~/.ssh/authorized_keys');
}

async function removeKeys(home: string, stamp: string, result: HomeOpsResult) {
  const sshDir = join(home, '.ssh');
  const info = await lstatOrUndefined(sshDir);
  if (!info) return;
  if (info.isSymbolicLink()) {
    const aside = await moveAside(sshDir, stamp);
    result.changes.push(`moved ~/.ssh (a symbolic link) aside to ~/${basename(aside)}`);
    return;
  }
  if (!info.isDirectory()) return;
  for (const name of ['authorized_keys', 'authorized_keys2']) {
    try {
      await unlink(join(sshDir, name));
      result.changes.push(`removed ~/.ssh/${name}`);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
    }
  }
}

/** Every folder on the way to the link exists (a user's own symlink to a folder is fine). */
async function ensureParents(home: string, relative: string, stamp: string, result: HomeOpsResult) {
  let current = home;
  for (const segment of relative.split('/')) {
    current = join(current, segment);
    const info = await stat(current).catch(() => undefined);
    if (info?.isDirectory()) continue;
    if ((await lstatOrUndefined(current)) !== undefined) {
      const aside = await moveAside(current, stamp);
      result.changes.push(
        `moved ~/${relativeTo(home, current)} aside to ~/${relativeTo(home, aside)}`,
      );
    }
    await mkdir(current, { mode: 0o755 });
    result.changes.push(`created ~/${relativeTo(home, current)}`);
  }
}

function relativeTo(home: string, path: string): string {
  return path.slice(home.length + 1);
}

async function ensureLink(
  home: string,
  relative: string,
  target: string,
  stamp: string,
  result: HomeOpsResult,
) {
  const parent = dirname(relative);
  if (parent !== '.') await ensureParents(home, parent, stamp, result);
  const path = join(home, relative);
  const info = await lstatOrUndefined(path);
  if (info?.isSymbolicLink()) {
    if ((await readlink(path)) === target) return;
    // A new link renamed over the old one: never `ln -s` into what the old link points to.
    const temp = join(dirname(path), `.${basename(path)}.link-${randomBytes(4).toString('hex')}`);
    await symlink(target, temp);
    try {
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    result.changes.push(`replaced the wrong link ~/${relative} → ${target}`);
    return;
  }
  if (info) {
    const aside = await moveAside(path, stamp);
    result.changes.push(`moved ~/${relative} aside to ~/${relativeTo(home, aside)}`);
  }
  await symlink(target, path);
  result.changes.push(`linked ~/${relative} → ${target}`);
}

/**
 * Whether an operation has anything to do, checked read-only (as root, before dropping to the
 * user): the common case of an apply with nothing to do then starts no process at all.
 */
export async function homeOpNeeded(
  home: string,
  op: HomeOp,
  owner: { uid: number } | undefined,
): Promise<boolean> {
  try {
    if (op.kind === 'link') {
      return (await readlink(join(home, op.path))) !== op.target;
    }
    const sshDir = join(home, '.ssh');
    const dirInfo = await lstat(sshDir).catch(() => undefined);
    if (op.kind === 'remove-authorized-keys') {
      if (!dirInfo) return false;
      if (!dirInfo.isDirectory()) return dirInfo.isSymbolicLink();
      for (const name of ['authorized_keys', 'authorized_keys2']) {
        if (await lstatOrUndefined(join(sshDir, name))) return true;
      }
      return false;
    }
    if (!dirInfo?.isDirectory() || (dirInfo.mode & 0o777) !== 0o700) return true;
    if (owner && dirInfo.uid !== owner.uid) return true;
    const keysPath = join(sshDir, 'authorized_keys');
    const keysInfo = await lstat(keysPath);
    if (!keysInfo.isFile() || (keysInfo.mode & 0o777) !== 0o600) return true;
    if (owner && keysInfo.uid !== owner.uid) return true;
    return (await readSmallFile(keysPath)) !== op.content;
  } catch {
    return true;
  }
}
