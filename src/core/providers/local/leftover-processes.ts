// Finds and ends what a stopped sandbox instance's users left running (nohup jobs, tmux, Jupyter).
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Ends this user's processes whose environment holds `entry` (`NAME=value`): SIGTERM, up to a
 * second to go, then SIGKILL. Linux only (/proc); elsewhere it finds none.
 */
export async function endLeftoverProcesses(entry: string): Promise<void> {
  let pids = await findProcessesWithEnv(entry);
  if (pids.length === 0) return;
  signalAll(pids, 'SIGTERM');
  for (let waited = 0; waited < 1000 && pids.length > 0; waited += 100) {
    await delay(100);
    pids = await findProcessesWithEnv(entry);
  }
  signalAll(pids, 'SIGKILL');
}

/** Pids of this user's processes whose environment holds `entry` (Linux /proc; else none). */
async function findProcessesWithEnv(entry: string): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  const wanted = Buffer.from(`\0${entry}\0`);
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
      try {
        const environ = Buffer.concat([Buffer.from('\0'), await readFile(`/proc/${pid}/environ`)]);
        if (environ.includes(wanted)) found.push(pid);
      } catch {
        // Not ours, or gone meanwhile.
      }
    }),
  );
  return found;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone meanwhile.
    }
  }
}
