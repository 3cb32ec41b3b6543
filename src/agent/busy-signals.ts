// What the agent observes each cycle to decide busy or idle: terminal input per member (the
// atime of their /dev/pts/*), their Jupyter kernels, their keeps; see busy.ts for the decision.
import { readdir, stat } from 'node:fs/promises';
import type { AgentSystem, PasswdEntry } from './agent-system';
import { hostPath } from './agent-system';
import type { KeepObservation, KernelObservation, TerminalObservation } from './busy';
import type { UserKernels } from './jupyter';
import { readKeep } from './keep';
import { AGENT_PATHS } from './paths';

/**
 * Newest atime of each uid's /dev/pts/N. The kernel sets a tty's atime when it is read from, so
 * it is the time of the last input (what `w` shows as IDLE): an SSH pty, and each tmux pane
 * (tmux writes the keys into the pane's pty, the shell reads them).
 */
export async function terminalInputByUid(system: AgentSystem): Promise<Map<number, number>> {
  const dir = hostPath(system, AGENT_PATHS.devPts);
  const names = await readdir(dir).catch(() => [] as string[]);
  const last = new Map<number, number>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const info = await stat(`${dir}/${name}`).catch(() => undefined);
    if (!info || info.uid === 0) continue;
    last.set(info.uid, Math.max(last.get(info.uid) ?? 0, info.atimeMs));
  }
  return last;
}

/** Per member: SSH connections (the heartbeat's count) and newest terminal input. */
export function terminalObservations(
  inputByUid: ReadonlyMap<number, number>,
  sessions: Readonly<Record<string, number>>,
  usersByUid: ReadonlyMap<number, PasswdEntry>,
): TerminalObservation[] {
  const byUser = new Map<string, TerminalObservation>();
  for (const [uid, at] of inputByUid) {
    const name = usersByUid.get(uid)?.name ?? String(uid);
    byUser.set(name, { user: name, sessions: sessions[name] ?? 0, lastInput: at });
  }
  for (const [name, count] of Object.entries(sessions)) {
    if (!byUser.has(name)) byUser.set(name, { user: name, sessions: count, lastInput: undefined });
  }
  return [...byUser.values()];
}

/** Every kernel of every member, with its state and last activity. */
export function kernelObservations(kernels: ReadonlyMap<string, UserKernels>): KernelObservation[] {
  const out: KernelObservation[] = [];
  for (const [user, entry] of kernels) {
    entry.kernels.forEach((k, index) => {
      const at = k.last_activity === undefined ? NaN : Date.parse(k.last_activity);
      out.push({
        user,
        id: `${user}/${typeof k.id === 'string' ? k.id : index}`,
        executionState: k.execution_state,
        lastActivity: Number.isFinite(at) ? at : undefined,
      });
    });
  }
  return out;
}

/** The running keeps of these users; problems (a planted file, bad JSON) in words for the log. */
export async function keepObservations(
  system: AgentSystem,
  users: readonly PasswdEntry[],
  now: number,
): Promise<{ keeps: KeepObservation[]; problems: string[] }> {
  const keeps: KeepObservation[] = [];
  const problems: string[] = [];
  for (const user of users) {
    if (user.uid === 0) continue;
    const found = await readKeep(user, hostPath(system, user.home), now);
    if (found.keep) keeps.push(found.keep);
    if (found.problem) problems.push(found.problem);
  }
  return { keeps, problems };
}
