// Keeps the agent's own block in /etc/fstab: replaced in place, never duplicated, every other
// line left exactly as it was; written atomically.
import { stat } from 'node:fs/promises';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { AGENT_PATHS } from './paths';
import { readSmallFile, writeFileAtomic } from './safe-fs';

export const FSTAB_BEGIN =
  '# BEGIN dsvm-pool-agent (managed by `dsvm-pool-agent apply`; edits here are replaced)';
export const FSTAB_END = '# END dsvm-pool-agent';

const isBegin = (line: string) => line.startsWith('# BEGIN dsvm-pool-agent');
const isEnd = (line: string) => line.startsWith('# END dsvm-pool-agent');

/**
 * The fstab text with our block holding exactly `entries`. Throws (and changes nothing) when
 * the file has a broken block or another line already mounts one of our mount points.
 */
export function updateFstab(content: string, entries: readonly string[]): string {
  const lines = content === '' ? [] : content.replace(/\n$/, '').split('\n');
  const kept: string[] = [];
  let insertAt: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    if (!isBegin(lines[i])) {
      if (isEnd(lines[i])) {
        throw new Error(
          `/etc/fstab line ${i + 1}: an END dsvm-pool-agent marker without BEGIN — fix it by hand`,
        );
      }
      kept.push(lines[i]);
      continue;
    }
    const end = lines.findIndex((line, j) => j > i && isEnd(line));
    if (end < 0) {
      throw new Error(
        `/etc/fstab line ${i + 1}: a BEGIN dsvm-pool-agent marker without END — fix it by hand`,
      );
    }
    insertAt ??= kept.length;
    i = end;
  }
  const ours = new Set(entries.map((entry) => entry.split(/\s+/)[1]));
  for (const line of kept) {
    const fields = line.trim().split(/\s+/);
    if (line.trim().startsWith('#') || fields.length < 2) continue;
    if (ours.has(fields[1])) {
      throw new Error(
        `/etc/fstab already mounts ${fields[1]} in a line the agent did not write ("${line.trim()}"); remove that line or pick another mountPoint`,
      );
    }
  }
  const block = [FSTAB_BEGIN, ...entries, FSTAB_END];
  const result =
    insertAt === undefined
      ? [...kept, ...block]
      : [...kept.slice(0, insertAt), ...block, ...kept.slice(insertAt)];
  return `${result.join('\n')}\n`;
}

/** Writes our entries into /etc/fstab; true when the file changed. */
export async function writeFstab(
  system: AgentSystem,
  entries: readonly string[],
): Promise<boolean> {
  const path = hostPath(system, AGENT_PATHS.fstab);
  const current = (await readSmallFile(path)) ?? '';
  const next = updateFstab(current, entries);
  if (next === current) return false;
  const info = await stat(path).catch(() => undefined);
  await writeFileAtomic(path, next, {
    mode: info ? info.mode & 0o7777 : 0o644,
    owner: info && system.ownershipEnforced ? { uid: info.uid, gid: info.gid } : undefined,
  });
  return true;
}
