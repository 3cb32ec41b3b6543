// Who is on the VM: SSH connections per user, from /proc (sshd's per-connection process is
// titled `sshd: <user>@pts/N` or `sshd: <user>@notty`, `sshd-session:` since OpenSSH 9.8) and
// from utmp login records (which miss pty-less connections such as tunnels).
import { readdir, readFile } from 'node:fs/promises';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { AGENT_PATHS } from './paths';

export interface ProcessInfo {
  pid: number;
  /** argv as the process shows it (sshd rewrites its title into argv[0]). */
  argv: string[];
}

/** Every process's argv from /proc (kernel threads, with an empty cmdline, left out). */
export async function listProcesses(system: AgentSystem): Promise<ProcessInfo[]> {
  const proc = hostPath(system, AGENT_PATHS.proc);
  const names = await readdir(proc).catch(() => [] as string[]);
  const pids = names.filter((name) => /^\d+$/.test(name)).map(Number);
  const infos = await Promise.all(
    pids.map(async (pid) => {
      const raw = await readFile(`${proc}/${pid}/cmdline`, 'utf8').catch(() => '');
      if (raw === '') return undefined;
      return { pid, argv: raw.replace(/\0+$/, '').split('\0') };
    }),
  );
  return infos.filter((info): info is ProcessInfo => info !== undefined);
}

/** The real uid of a process (`Uid:` line of /proc/<pid>/status). */
export async function processUid(system: AgentSystem, pid: number): Promise<number | undefined> {
  const status = await readFile(
    hostPath(system, `${AGENT_PATHS.proc}/${pid}/status`),
    'utf8',
  ).catch(() => '');
  const match = /^Uid:\s+(\d+)/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

const SSHD_SESSION = /^sshd(?:-session)?: ([a-z_][a-z0-9_.-]*)@(?:pts\/\d+|notty)\b/;

/** SSH connections per user from sshd's process titles. */
export function sshSessionsFromProcesses(
  processes: readonly ProcessInfo[],
): Record<string, number> {
  const sessions: Record<string, number> = {};
  for (const info of processes) {
    const match = SSHD_SESSION.exec(info.argv.join(' '));
    if (match) sessions[match[1]] = (sessions[match[1]] ?? 0) + 1;
  }
  return sessions;
}

/** glibc's `struct utmp` on x86_64 and aarch64: 384 bytes per record. */
export const UTMP_RECORD_SIZE = 384;
const USER_PROCESS = 7;

export interface UtmpLogin {
  pid: number;
  line: string;
  user: string;
  host: string;
}

function cString(buffer: Buffer, start: number, length: number): string {
  const slice = buffer.subarray(start, start + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end < 0 ? length : end).toString('utf8');
}

/** USER_PROCESS records of a utmp file (ut_type, ut_pid, ut_line, ut_user, ut_host). */
export function parseUtmp(data: Buffer): UtmpLogin[] {
  const logins: UtmpLogin[] = [];
  for (let offset = 0; offset + UTMP_RECORD_SIZE <= data.length; offset += UTMP_RECORD_SIZE) {
    if (data.readInt16LE(offset) !== USER_PROCESS) continue;
    logins.push({
      pid: data.readInt32LE(offset + 4),
      line: cString(data, offset + 8, 32),
      user: cString(data, offset + 44, 32),
      host: cString(data, offset + 76, 256),
    });
  }
  return logins;
}

/**
 * Remote connections per user from utmp whose process still runs. sshd writes a record for every
 * pty of a connection, all with the connection's own pid (a terminal and a command run in a pty
 * beside it are two records, one pid), so a connection counts once.
 */
export async function sshSessionsFromUtmp(system: AgentSystem): Promise<Record<string, number>> {
  const pids = new Map<string, Set<number>>();
  for (const file of AGENT_PATHS.utmp) {
    let data: Buffer;
    try {
      data = await readFile(hostPath(system, file));
    } catch {
      continue;
    }
    for (const login of parseUtmp(data)) {
      if (!login.host || !login.user) continue;
      const alive = await readFile(hostPath(system, `${AGENT_PATHS.proc}/${login.pid}/stat`)).then(
        () => true,
        () => false,
      );
      if (!alive) continue;
      const seen = pids.get(login.user) ?? new Set<number>();
      pids.set(login.user, seen.add(login.pid));
    }
    break;
  }
  return Object.fromEntries([...pids].map(([user, seen]) => [user, seen.size]));
}

/** Per user, the larger of the two counts (each source can miss some connections). */
export function mergeSessions(
  ...sources: ReadonlyArray<Record<string, number>>
): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const source of sources) {
    for (const [user, count] of Object.entries(source)) {
      merged[user] = Math.max(merged[user] ?? 0, count);
    }
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}
