// One apply at a time: an exclusive lock file (open with O_EXCL) holding the owner's pid and
// process start time. A lock whose owner is gone (crash, kill -9) is stale and is broken — under a
// second "break" lock, so two waiters can never both break it and both run.
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { codeOf } from './errors';
import { AGENT_PATHS } from './paths';

interface LockOwner {
  pid: number;
  start: string | undefined;
  at: string;
  /** Tells two holders in one process apart (tests run applies side by side). */
  nonce: string;
}

export interface HeldLock {
  release(): Promise<void>;
}

export type LockResult = { acquired: true; lock: HeldLock } | { acquired: false; holder: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Takes the apply lock, waiting up to `waitMs` for another apply to finish. Returns who holds
 * it when the wait runs out.
 */
export async function acquireApplyLock(system: AgentSystem, waitMs: number): Promise<LockResult> {
  const path = hostPath(system, AGENT_PATHS.lock);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const me: LockOwner = {
    pid: system.pid,
    start: system.processStartTime(system.pid),
    at: system.now().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
  const content = JSON.stringify(me);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await createExclusive(path, content)) {
      return { acquired: true, lock: { release: () => releaseIfMine(path, content) } };
    }
    const owner = await readOwner(path);
    if (owner && !isAlive(system, owner)) {
      await breakStaleLock(path, owner);
      continue;
    }
    if (!owner && (await isOld(path, 10_000))) {
      // Unreadable and old: a writer died between create and write.
      await breakStaleLock(path, undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      return { acquired: false, holder: owner ? `pid ${owner.pid} since ${owner.at}` : 'unknown' };
    }
    await sleep(100);
  }
}

function isAlive(system: AgentSystem, owner: LockOwner): boolean {
  const start = system.processStartTime(owner.pid);
  return start !== undefined && (owner.start === undefined || owner.start === start);
}

async function isOld(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
}

async function breakStaleLock(path: string, stale: LockOwner | undefined): Promise<void> {
  const breaker = `${path}.break`;
  if (!(await createExclusive(breaker, ''))) {
    // Someone else is breaking it; a breaker left by a crash is removed after 30 s.
    if (await isOld(breaker, 30_000)) await unlink(breaker).catch(() => undefined);
    await sleep(50);
    return;
  }
  try {
    // Still the same stale owner? (Another process may have broken and re-taken it meanwhile.)
    const now = await readOwner(path);
    const same =
      stale === undefined ? now === undefined : now?.pid === stale.pid && now.start === stale.start;
    if (same) {
      const aside = `${path}.stale-${process.pid}`;
      await rename(path, aside).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
    }
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

async function releaseIfMine(path: string, content: string): Promise<void> {
  try {
    if ((await readFile(path, 'utf8')) === content) await unlink(path);
  } catch {
    // Already gone.
  }
}
