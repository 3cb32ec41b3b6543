// File helpers that never follow a planted symlink at the last step and never leave a
// half-written file: temp file (O_EXCL|O_NOFOLLOW) + fsync + rename.
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, unlink, chmod } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { codeOf } from './errors';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_DIRECTORY } = constants;

export interface WriteOptions {
  /** File mode, set with fchmod so the umask cannot widen or narrow it. */
  mode: number;
  /** Owner to give the file before it is renamed into place. */
  owner?: { uid: number; gid: number };
}

/**
 * Writes a file atomically: readers see the old or the new content, never a mix, and a crash
 * leaves at most a `.name.tmp-*` file behind. The temp file is created exclusively and without
 * following symlinks; `rename` replaces a symlink at `path` rather than writing through it.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, options.mode);
  try {
    try {
      await handle.chmod(options.mode);
      if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

/** fsync a directory so a rename survives a crash; some filesystems (cifs) refuse: ignored. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, O_RDONLY | O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort.
  }
}

/**
 * Reads a small file without following a symlink at the last path component; undefined when
 * it does not exist. Refuses anything but a regular file, and files larger than `maxBytes`.
 * Safe on paths a member controls: O_NONBLOCK makes opening a FIFO return at once instead of
 * waiting for a writer (which would hang the root agent), and at most `maxBytes + 1` bytes are
 * read even if the file grows meanwhile.
 */
export async function readSmallFile(
  path: string,
  maxBytes = 1024 * 1024,
): Promise<string | undefined> {
  return (await readSmallFileOwned(path, maxBytes))?.text;
}

/** readSmallFile, with the owner of the very file it read (no second lookup by path). */
export async function readSmallFileOwned(
  path: string,
  maxBytes = 1024 * 1024,
): Promise<{ text: string; uid: number } | undefined> {
  let handle;
  try {
    handle = await open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    if (codeOf(error) === 'ELOOP') {
      throw new Error(`${path} is a symbolic link; refusing to read it`, { cause: error });
    }
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
    return { text: buffer.toString('utf8', 0, length), uid: info.uid };
  } finally {
    await handle.close();
  }
}

/**
 * Makes sure `path` is a real directory (not a symlink) with `mode`, creating it (and missing
 * parents with 0755) when absent. Returns true when it created it. Without `mode` (an SMB share,
 * whose modes come from the mount options) it creates with 0755 and changes no mode.
 */
/** mkdir that answers false, instead of throwing, when something (another VM's agent on the share) made the path first. */
export async function mkdirUnlessPresent(path: string, mode: number): Promise<boolean> {
  try {
    await mkdir(path, { mode });
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw error;
  }
}

export async function ensureRootDir(path: string, mode?: number): Promise<boolean> {
  let created = false;
  const info = await lstat(path).catch((error: unknown) => {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    created = await mkdirUnlessPresent(path, mode ?? 0o755);
  }
  const now = await lstat(path);
  if (now.isSymbolicLink() || !now.isDirectory()) {
    throw new Error(
      `${path} should be a directory but is ${now.isSymbolicLink() ? 'a symbolic link' : 'a file'}`,
    );
  }
  if (mode !== undefined && (now.mode & 0o7777) !== mode) await chmod(path, mode);
  return created;
}

/** lstat that answers undefined for a missing path. */
export async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}
