// File helpers for key material: private folders, create-if-absent and atomic replace, so a key is
// never half-written, never world-readable and never silently overwritten.
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';

/** Makes `dir` (and parents) and sets it to 0700 even when it already existed. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode only applies to folders it creates, and the umask trims it: make it exact.
  await chmod(dir, 0o700);
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Writes `path` only if it does not exist yet; false when another writer got there first. Goes
 * through a hard link so two processes racing cannot each hand out a different file.
 */
export async function createExclusive(path: string, text: string, mode: number): Promise<boolean> {
  const tmp = tempName(path);
  await writeFile(tmp, text, { mode, flag: 'wx' });
  try {
    await chmod(tmp, mode);
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Replaces `path` atomically, so a reader never sees half a file. */
export async function replaceFile(path: string, text: string, mode: number): Promise<void> {
  const tmp = tempName(path);
  await writeFile(tmp, text, { mode, flag: 'wx' });
  try {
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/** Two `authorized_keys` lines name the same key when type and base64 match (comments aside). */
export function sameKeyLine(existing: string | undefined, wanted: string): boolean {
  if (existing === undefined) return false;
  const [type, data] = existing.trim().split(/\s+/);
  const [wantedType, wantedData] = wanted.split(' ');
  return type === wantedType && data === wantedData;
}
