// `dsvm-pool-agent watch [--once]`: runs the activity watch (watch.ts) until stopped — a cycle
// every minute, scheduled events every 15 s — or one cycle and one poll with --once (tests).
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { AzureInstanceClient, azureEndpoints } from './azure-instance';
import { computerNameOf, loadConfig } from './config';
import { messageOf } from './errors';
import { AGENT_PATHS } from './paths';
import { readSmallFile } from './safe-fs';
import { ActivityWatch, CYCLE_MS, EVENTS_POLL_MS, JITTER_MAX_MS } from './watch';
import { readTestClock, testKnobs } from './watch-test-knobs';

export interface WatchCommandOptions {
  configPath?: string;
  once: boolean;
  /** Ends the loop (SIGTERM from systemd). */
  signal?: AbortSignal;
  write: (text: string) => void;
}

export async function runWatch(
  realSystem: AgentSystem,
  options: WatchCommandOptions,
): Promise<number> {
  // Test-only knobs (namespace VMs behind the emulator): shorter periods, the emulator's clock.
  const knobs = testKnobs(process.env, (line) => realSystem.log.warn(line));
  let clockAt: number | undefined;
  const system: AgentSystem = knobs.clockFile
    ? { ...realSystem, now: () => new Date(clockAt ?? Date.now()) }
    : realSystem;
  const tick = async () => {
    if (knobs.clockFile) clockAt = await readTestClock(knobs.clockFile);
  };
  await tick();
  const config = await loadConfig(system, options.configPath);
  const computerName = computerNameOf(system, config);
  const file = (path: string) => readSmallFile(hostPath(system, path), 4096).catch(() => undefined);
  const endpoints = azureEndpoints(process.env, {
    imds: await file(AGENT_PATHS.imdsEndpoint),
    arm: await file(AGENT_PATHS.armEndpoint),
  });
  const azure = new AzureInstanceClient({ endpoints, now: () => system.now().getTime() });
  const watch = new ActivityWatch({
    system,
    config,
    computerName,
    azure,
    ...(knobs.idleMinuteMs !== undefined ? { idleMinuteMs: knobs.idleMinuteMs } : {}),
    ...(options.once
      ? { jitter: () => Promise.resolve() }
      : knobs.jitterMaxMs !== undefined
        ? { jitter: () => sleep(Math.random() * (knobs.jitterMaxMs ?? JITTER_MAX_MS)) }
        : {}),
  });
  const cycleMs = knobs.cycleMs ?? CYCLE_MS;
  const pollMs = knobs.eventsPollMs ?? EVENTS_POLL_MS;
  if (options.once) {
    // A decision first (nothing is approved early before one), then the events, which the
    // activity printed (and the heartbeat) then carries.
    const decided = await watch.cycle();
    await watch.pollScheduledEvents();
    const activity = (await watch.current()) ?? decided;
    options.write(`${JSON.stringify({ ...activity, armCalls: azure.armCalls }, null, 2)}\n`);
    return 0;
  }
  system.log.info(`watching activity on ${computerName} (IMDS ${endpoints.imds})`);
  let nextCycle = 0;
  while (!options.signal?.aborted) {
    const now = Date.now();
    try {
      await tick();
      if (now >= nextCycle) {
        nextCycle = now + cycleMs;
        await watch.cycle();
      }
      await watch.pollScheduledEvents();
    } catch (error) {
      // One bad cycle (a share that did not answer) must not end the watch.
      system.log.error(`activity cycle: ${messageOf(error)}`);
    }
    await sleep(pollMs, options.signal);
  }
  return 0;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
