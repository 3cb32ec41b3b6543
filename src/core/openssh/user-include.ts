// Adds or removes the one `Include <the app's ssh config>` line at the top of ~/.ssh/config, only
// when the user asks: the rest of the file stays byte for byte, a backup is kept, its mode too.
import { chmod, copyFile, lstat, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, RpcError } from '../../common/errors';
import { replaceFile } from '../keys/key-files';
import { hasControlCharacter } from './openssh-config';

export interface IncludeState {
  /** Our line is in the file (anywhere, as the first Include of our path). */
  included: boolean;
  /** Our line is there but after a Host or Match line, where OpenSSH scopes it to that block. */
  scoped: boolean;
}

/** The line, as it is written and recognised. Quoted: data folders often have spaces. */
export function includeLine(configPath: string): string {
  // Include takes glob(7) patterns (and in some OpenSSH versions tokens and ${VARS}); a path with
  // such characters could include other files, and cannot be escaped for every version.
  if (hasControlCharacter(configPath) || /["*?[\]%$\\]/.test(configPath)) {
    throw new RpcError(
      ErrorCode.BadInput,
      `The app's ssh config file ${JSON.stringify(configPath)} has characters an Include line ` +
        'cannot hold safely (quotes, wildcards, %, $ or backslashes). Use the "Copy ssh command" ' +
        'action instead, which names the file directly.',
    );
  }
  return `Include "${configPath}"`;
}

/** Whether ~/.ssh/config includes the app's file, and whether at the top level. */
export async function includeState(userConfig: string, configPath: string): Promise<IncludeState> {
  const text = await readText(userConfig);
  if (text === undefined) return { included: false, scoped: false };
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => isOurLine(l, configPath));
  if (at < 0) return { included: false, scoped: false };
  // ssh_config(5): an Include inside a Host or Match block applies only to that block.
  const scoped = lines.slice(0, at).some((l) => /^\s*(host|match)\b/i.test(l));
  return { included: true, scoped };
}

/**
 * Puts our line first in ~/.ssh/config (made 0600 in a 0700 ~/.ssh when absent). Before the
 * change the file is copied to `config.dsvm-pool.bak`. Nothing happens when the line is there.
 */
export async function addInclude(userConfig: string, configPath: string): Promise<void> {
  const line = includeLine(configPath);
  const target = await writableTarget(userConfig);
  const text = await readText(target);
  if (text !== undefined && text.split(/\r?\n/).some((l) => isOurLine(l, configPath))) return;
  const eol = text?.includes('\r\n') ? '\r\n' : '\n';
  const mode = await modeOf(target);
  if (text !== undefined) await backup(target, mode);
  else await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  // First in the file: Host blocks in an included file only apply globally from the top level.
  await replaceFile(target, `${line}${eol}${text ?? ''}`, mode);
}

/** Takes our line (every copy of it) out of ~/.ssh/config; every other byte stays. */
export async function removeInclude(userConfig: string, configPath: string): Promise<void> {
  const target = await writableTarget(userConfig);
  const text = await readText(target);
  if (text === undefined) return;
  // Split keeping each line's own ending, so CRLF, LF and a missing last newline all survive.
  const parts = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const kept = parts.filter((p) => !isOurLine(p.replace(/\r?\n$/, ''), configPath));
  if (kept.length === parts.length) return;
  const mode = await modeOf(target);
  await backup(target, mode);
  await replaceFile(target, kept.join(''), mode);
}

function isOurLine(line: string, configPath: string): boolean {
  const m = /^\s*include\s+(?:"([^"]*)"|(\S+))\s*$/i.exec(line);
  return m !== null && (m[1] ?? m[2]) === configPath;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cannot('read', path, err);
  }
}

/** A symlinked ~/.ssh/config (dotfile managers) is changed where it points, keeping the link. */
async function writableTarget(path: string): Promise<string> {
  try {
    return (await lstat(path)).isSymbolicLink() ? await realpath(path) : path;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw cannot('read', path, err);
  }
}

/** The file's own permission bits (OpenSSH refuses a config others may write), else 0600. */
async function modeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return 0o600;
  }
}

async function backup(path: string, mode: number): Promise<void> {
  const copy = `${path}.dsvm-pool.bak`;
  try {
    await copyFile(path, copy);
    // The backup holds the same secrets-adjacent text: never wider than owner-only.
    await chmod(copy, mode & 0o700);
  } catch (err) {
    throw cannot('back up', path, err);
  }
}

function cannot(what: string, path: string, err: unknown): RpcError {
  return new RpcError(
    ErrorCode.Internal,
    `Cannot ${what} ${path} (${(err as Error).message}); it was not changed. Check that it is ` +
      'yours and writable, or add the line by hand.',
  );
}
