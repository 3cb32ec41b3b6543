// `apply`: one idempotent pass — config, mount (+ fstab, + probe), registry, members, former
// members, heartbeat — under the apply lock. Errors are collected, logged and recorded in the
// state; any error makes the run fail (non-zero exit), nothing is reported as success falsely.
import { plural } from '../common/user-text';
import type { AgentConfig, ApplyReport, MountHealth } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { computerNameOf, loadConfig } from './config';
import { AgentError, messageOf } from './errors';
import { acquireApplyLock } from './lock';
import { syncMembers } from './members';
import { ensureShareMounted, readMounts } from './mount';
import { loadRegistry } from './registry';
import { RunReport } from './run-report';
import type { AgentState } from './state';
import { loadState, saveState } from './state';
import { collectStatus, writeHeartbeat } from './status';
import { lookupUsers } from './user-db';

export interface ApplyOptions {
  /** Another agent.json than /etc/dsvm-pool/agent.json. */
  configPath?: string;
  /** How long to wait for a running apply to finish before giving up (exit 0). */
  waitMs?: number;
}

export interface ApplyOutcome {
  exitCode: number;
  /** Set when another apply held the lock for the whole wait. */
  skipped?: string;
  report?: ApplyReport;
}

/** Default wait for the lock: longer than a normal apply, shorter than the timer's minute. */
export const DEFAULT_LOCK_WAIT_MS = 30_000;
const MAX_CHANGES = 200;

export async function runApply(
  system: AgentSystem,
  options: ApplyOptions = {},
): Promise<ApplyOutcome> {
  const lock = await acquireApplyLock(system, options.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  if (!lock.acquired) {
    system.log.info(`another apply is running (${lock.holder}); this one stops here`);
    return { exitCode: 0, skipped: lock.holder };
  }
  try {
    return await applyLocked(system, options);
  } finally {
    await lock.lock.release();
  }
}

async function applyLocked(system: AgentSystem, options: ApplyOptions): Promise<ApplyOutcome> {
  const startedAt = system.now();
  const started = performance.now();
  const report = new RunReport(system.log);
  let state: AgentState;
  try {
    state = await loadState(system);
  } catch (error) {
    system.log.error(messageOf(error));
    return { exitCode: 1 };
  }
  const finish = (
    registry: ApplyReport['registry'],
    applied: string[],
    locked: string[],
  ): ApplyReport => ({
    startedAt: startedAt.toISOString(),
    finishedAt: system.now().toISOString(),
    durationMs: Math.round(performance.now() - started),
    ok: report.errors.length === 0,
    errors: [...report.errors],
    warnings: [...report.warnings],
    changes:
      report.changes.length > MAX_CHANGES
        ? [
            ...report.changes.slice(0, MAX_CHANGES),
            `… and ${report.changes.length - MAX_CHANGES} more`,
          ]
        : [...report.changes],
    applied,
    locked,
    registry,
  });
  const save = async (applyReport: ApplyReport) => {
    state.lastApply = applyReport;
    try {
      await saveState(system, state);
    } catch (error) {
      system.log.error(`could not save the state: ${messageOf(error)}`);
    }
  };

  let config: AgentConfig;
  let computerName: string;
  try {
    config = await loadConfig(system, options.configPath);
    computerName = computerNameOf(system, config);
  } catch (error) {
    report.error(messageOf(error));
    const applyReport = finish({ source: 'none', members: 0 }, [], []);
    await save(applyReport);
    return { exitCode: error instanceof AgentError ? error.exitCode : 1, report: applyReport };
  }

  let mount: MountHealth;
  let registrySummary: ApplyReport['registry'] = { source: 'none', members: 0 };
  let applied: string[] = [];
  let locked: string[] = [];
  try {
    const admin = (await lookupUsers(system, [config.adminUser])).byName.get(config.adminUser);
    mount = await ensureShareMounted(
      system,
      config,
      { adminGid: admin?.gid ?? 0 },
      computerName,
      report,
    );
    state.lastMount = mount;
    const loaded = await loadRegistry(system, config, mount.healthy, report);
    registrySummary = { source: loaded.source, members: loaded.registry?.members.length ?? 0 };
    const members = await syncMembers({
      system,
      config,
      registry: loaded.registry,
      state,
      shareUsable: mount.healthy,
      mounts: await readMounts(system),
      report,
      saveState: () => saveState(system, state),
    });
    applied = members.applied;
    locked = members.locked;
  } catch (error) {
    report.error(messageOf(error));
    mount = state.lastMount ?? {
      protocol: config.share.protocol,
      mountPoint: config.share.mountPoint,
      mounted: false,
      healthy: false,
    };
  }

  let applyReport = finish(registrySummary, applied, locked);
  if (mount.healthy) {
    try {
      state.lastApply = applyReport;
      const heartbeat = await collectStatus(system, { config, state, computerName, mount });
      await writeHeartbeat(system, config, heartbeat);
    } catch (error) {
      report.error(`could not write the heartbeat: ${messageOf(error)}`);
      applyReport = finish(registrySummary, applied, locked);
    }
  } else {
    report.error('no heartbeat written: the share is not usable');
    applyReport = finish(registrySummary, applied, locked);
  }
  await save(applyReport);
  system.log.info(
    applyReport.ok
      ? `apply ok: ${plural(applied.length, 'member')}, ${plural(applyReport.changes.length, 'change')}, ${applyReport.durationMs} ms`
      : `apply failed with ${applyReport.errors.length} error(s)`,
  );
  return { exitCode: applyReport.ok ? 0 : 1, report: applyReport };
}
