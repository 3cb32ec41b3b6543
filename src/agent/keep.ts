// `dsvm-pool-agent keep <duration> [--reason TEXT]` / `keep --cancel`, run by a member: their
// ~/.local/state/dsvm-pool/keep.json asks the root agent to count the VM busy until then. The
// root agent reads it only with the safe small-file reader and only when the member owns it.
import { mkdir, unlink } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { z } from 'zod';
import type { KeepObservation } from './busy';
import { minutesWords } from './busy';
import { AgentError, codeOf, messageOf } from './errors';
import { readSmallFileOwned, writeFileAtomic } from './safe-fs';

/** Relative to the member's home. */
export const KEEP_FILE = '.local/state/dsvm-pool/keep.json';
export const KEEP_MAX_MS = 24 * 60 * 60_000;
const KEEP_FILE_MAX_BYTES = 4096;
const REASON_MAX = 200;

export const KeepFileSchema = z.strictObject({
  version: z.literal(1),
  /** ISO: when the keep ends. */
  until: z.string().datetime(),
  /** ISO: when it was set. */
  setAt: z.string().datetime(),
  reason: z.string().max(REASON_MAX).optional(),
});
export type KeepFile = z.output<typeof KeepFileSchema>;

/** "30m", "4h", "1h30m", "90" (minutes) → ms; a clear error for anything else or over 24 h. */
export function parseKeepDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  const match = /^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$/.exec(trimmed);
  let minutes: number | undefined;
  if (/^\d+$/.test(trimmed)) minutes = Number(trimmed);
  else if (match && (match[1] !== undefined || match[2] !== undefined)) {
    minutes = Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
  }
  if (minutes === undefined) {
    throw new AgentError(
      `"${text}" is not a duration; write minutes or hours, e.g. 30m, 4h or 1h30m`,
      2,
    );
  }
  if (minutes < 1) throw new AgentError('the duration must be at least 1 minute', 2);
  if (minutes * 60_000 > KEEP_MAX_MS) {
    throw new AgentError(`a keep lasts at most 24h; "${text}" is longer`, 2);
  }
  return minutes * 60_000;
}

/** One line, printable, at most REASON_MAX characters. */
export function cleanReason(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (clean.length > REASON_MAX) {
    throw new AgentError(`the reason is longer than ${REASON_MAX} characters; shorten it`, 2);
  }
  return clean;
}

export interface KeepCommandOptions {
  duration?: string;
  reason?: string;
  cancel: boolean;
  now: Date;
  write: (text: string) => void;
  /** The member's home (tests); by default the passwd entry of the running user. */
  home?: string;
  uid?: number;
}

/** Runs `keep` as the member: writes or removes their keep file. */
export async function runKeep(options: KeepCommandOptions): Promise<number> {
  const uid = options.uid ?? process.getuid?.() ?? -1;
  if (uid === 0 && options.home === undefined) {
    throw new AgentError(
      'run keep as yourself, not as root: the keep is recorded in your own home',
      2,
    );
  }
  // The passwd entry, not $HOME: the root agent looks in the home the system knows.
  const home = options.home ?? userInfo().homedir;
  const path = `${home}/${KEEP_FILE}`;
  if (options.cancel) {
    if (options.duration !== undefined || options.reason !== undefined) {
      throw new AgentError('keep --cancel takes no duration or reason', 2);
    }
    try {
      await unlink(path);
      options.write('keep cancelled: this VM counts as idle again when nobody is active\n');
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
      options.write('no keep to cancel\n');
    }
    return 0;
  }
  if (options.duration === undefined) {
    throw new AgentError('keep needs a duration, e.g. `dsvm-pool-agent keep 4h`', 2);
  }
  const ms = parseKeepDuration(options.duration);
  const reason = options.reason === undefined ? undefined : cleanReason(options.reason);
  const until = new Date(options.now.getTime() + ms);
  const file: KeepFile = {
    version: 1,
    until: until.toISOString(),
    setAt: options.now.toISOString(),
    ...(reason ? { reason } : {}),
  };
  await mkdir(`${home}/.local/state/dsvm-pool`, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(file)}\n`, { mode: 0o644 });
  options.write(
    `this VM is kept until ${until.toISOString()} (${minutesWords(ms)}); ` +
      'scale-in and idle stop leave it alone until then. `dsvm-pool-agent keep --cancel` ends it.\n',
  );
  return 0;
}

/**
 * A member's keep as the root agent sees it: undefined when there is none, it ended, or the file
 * is not theirs (a link or a file planted from elsewhere); a problem in words when it is bad.
 */
export async function readKeep(
  user: { name: string; uid: number; home: string },
  hostHome: string,
  now: number,
): Promise<{ keep?: KeepObservation; problem?: string }> {
  const path = `${hostHome}/${KEEP_FILE}`;
  let text: string | undefined;
  try {
    const read = await readSmallFileOwned(path, KEEP_FILE_MAX_BYTES);
    if (read === undefined) return {};
    text = read.text;
    // Owned by the member: a link in a parent folder cannot lend them someone else's keep.
    if (read.uid !== user.uid) {
      return { problem: `${user.name}'s keep file is not owned by them; ignored` };
    }
  } catch (error) {
    return { problem: `${user.name}'s keep file: ${messageOf(error)}; ignored` };
  }
  let parsed: KeepFile;
  try {
    parsed = KeepFileSchema.parse(JSON.parse(text));
  } catch {
    return { problem: `${user.name}'s keep file is not a keep; ignored` };
  }
  const until = Math.min(Date.parse(parsed.until), Date.parse(parsed.setAt) + KEEP_MAX_MS);
  if (until <= now) return {};
  return {
    keep: { user: user.name, until, ...(parsed.reason ? { reason: parsed.reason } : {}) },
  };
}
