// The VM's status (the heartbeat): mount health, members applied, SSH sessions and Jupyter
// kernels per user, load, version and the last apply; written to the share atomically.
import { stat } from 'node:fs/promises';
import type {
  AgentActivity,
  AgentConfig,
  AgentHeartbeat,
  MountHealth,
} from '../common/agent-protocol';
import { SHARE_LAYOUT, heartbeatPath } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { currentActivity } from './activity-state';
import { jupyterUsage } from './jupyter';
import { readMounts, staleReason, withTimeout } from './mount';
import { ensureRootDir, writeFileAtomic } from './safe-fs';
import {
  listProcesses,
  mergeSessions,
  sshSessionsFromProcesses,
  sshSessionsFromUtmp,
} from './sessions';
import type { AgentState } from './state';
import { AGENT_VERSION } from './version';

export interface StatusInput {
  config: AgentConfig | undefined;
  state: AgentState;
  computerName: string;
  /** The health an apply just measured; without it the mount is checked now (read-only). */
  mount?: MountHealth;
  /** The watch's latest activity; without it, read from its state (when recent). */
  activity?: AgentActivity;
}

/** Mount health without writing anything: in the mount table, and answering a stat. */
export async function liveMountHealth(
  system: AgentSystem,
  config: AgentConfig,
  state: AgentState,
): Promise<MountHealth> {
  const share = config.share;
  const entry = (await readMounts(system)).get(share.mountPoint);
  const health: MountHealth = {
    protocol: share.protocol,
    mountPoint: share.mountPoint,
    mounted: entry !== undefined,
    healthy: false,
  };
  if (!entry) {
    health.detail = 'not mounted';
    return health;
  }
  health.fsType = entry.fsType;
  try {
    await withTimeout(
      stat(hostPath(system, `${share.mountPoint}/${SHARE_LAYOUT.poolDir}`)),
      3000,
      'the share did not answer within 3 s',
    );
    health.healthy = state.lastMount?.healthy ?? true;
    if (!health.healthy) health.detail = state.lastMount?.detail;
  } catch (error) {
    const gone = staleReason(error);
    health.detail = gone
      ? `the share is mounted but ${gone}; the next apply mounts it again`
      : error instanceof Error
        ? error.message
        : String(error);
  }
  return health;
}

export async function collectStatus(
  system: AgentSystem,
  input: StatusInput,
): Promise<AgentHeartbeat> {
  const { config, state } = input;
  const processes = await listProcesses(system);
  const [utmpSessions, jupyter, mount, activity] = await Promise.all([
    sshSessionsFromUtmp(system),
    jupyterUsage(system, processes),
    input.mount ?? (config ? liveMountHealth(system, config, state) : Promise.resolve(null)),
    input.activity ?? currentActivity(system),
  ]);
  const [avg1, avg5, avg15] = system.loadavg();
  const lastApply = state.lastApply;
  const managed = Object.entries(state.managedUsers);
  return {
    version: 1,
    computerName: input.computerName,
    agentVersion: AGENT_VERSION,
    time: system.now().toISOString(),
    mount,
    users: {
      applied: lastApply?.applied ?? [],
      locked: managed
        .filter(([, user]) => user.lockedAt !== undefined)
        .map(([name]) => name)
        .sort(),
    },
    sessions: mergeSessions(sshSessionsFromProcesses(processes), utmpSessions),
    jupyter,
    load: { avg1, avg5, avg15, cpus: system.cpuCount() },
    lastApply,
    ...(activity ? { activity } : {}),
  };
}

/** Writes `<share>/.pool/status/<computer>.json` (temp file + rename: readers never see half). */
export async function writeHeartbeat(
  system: AgentSystem,
  config: AgentConfig,
  heartbeat: AgentHeartbeat,
): Promise<void> {
  const smb = config.share.protocol === 'smb';
  const root = hostPath(system, config.share.mountPoint);
  await ensureRootDir(`${root}/${SHARE_LAYOUT.poolDir}`, smb ? undefined : 0o755);
  await ensureRootDir(`${root}/${SHARE_LAYOUT.statusDir}`, smb ? undefined : 0o755);
  await writeFileAtomic(
    `${root}/${heartbeatPath(heartbeat.computerName)}`,
    `${JSON.stringify(heartbeat, null, 2)}\n`,
    { mode: 0o644 },
  );
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `status` without --json. */
export function formatStatus(status: AgentHeartbeat): string {
  const lines = [
    `dsvm-pool-agent ${status.agentVersion} on ${status.computerName} at ${status.time}`,
  ];
  const mount = status.mount;
  lines.push(
    mount
      ? `share:    ${mount.mountPoint} (${mount.protocol}${mount.fsType ? `, ${mount.fsType}` : ''}) ${mount.mounted ? 'mounted' : 'NOT MOUNTED'}, ${mount.healthy ? 'healthy' : 'NOT HEALTHY'}${mount.detail ? ` — ${mount.detail}` : ''}`
      : 'share:    no configuration',
  );
  lines.push(
    `members:  ${status.users.applied.length ? status.users.applied.join(', ') : 'none'}${status.users.locked.length ? ` (locked: ${status.users.locked.join(', ')})` : ''}`,
  );
  const sessions = Object.entries(status.sessions);
  lines.push(
    `ssh:      ${sessions.length ? sessions.map(([user, n]) => `${user} ${n}`).join(', ') : 'no sessions'}`,
  );
  const jupyter = Object.entries(status.jupyter);
  lines.push(
    `jupyter:  ${
      jupyter.length
        ? jupyter
            .map(
              ([user, j]) =>
                `${user} ${plural(j.servers, 'server')}, ${plural(j.kernels, 'kernel')} (${j.busyKernels} busy)`,
            )
            .join('; ')
        : 'no servers'
    }`,
  );
  const load = status.load;
  lines.push(
    `load:     ${load.avg1.toFixed(2)} ${load.avg5.toFixed(2)} ${load.avg15.toFixed(2)} (${plural(load.cpus, 'CPU')})`,
  );
  const activity = status.activity;
  if (activity) {
    const why = activity.reasons.map((r) => `${r.user}: ${r.text}`).join('; ');
    lines.push(
      `activity: ${activity.busy ? `busy — ${why}` : `idle since ${activity.idleSince ?? '?'}`} (idle after ${activity.idleMinutes} min)`,
    );
    const p = activity.protection;
    if (p) {
      lines.push(
        `scale-in: ${p.protectFromScaleIn ? `protected (${p.by === 'admin' ? 'by an admin' : 'while busy'})` : 'not protected'}${p.error ? ` — ${p.error}` : ''}`,
      );
    }
    if (activity.idleStopAt) lines.push(`idle stop: at ${activity.idleStopAt}`);
    for (const e of activity.scheduledEvents) {
      lines.push(
        `azure:    ${e.eventType} ${e.eventStatus}${e.notBefore ? ` not before ${e.notBefore}` : ''}`,
      );
    }
  }
  const last = status.lastApply;
  if (!last) lines.push('apply:    never ran');
  else {
    lines.push(
      `apply:    ${last.ok ? 'ok' : 'FAILED'} at ${last.finishedAt} (${(last.durationMs / 1000).toFixed(1)} s, registry: ${last.registry.source})`,
    );
    for (const error of last.errors) lines.push(`  error:   ${error}`);
    for (const warning of last.warnings) lines.push(`  warning: ${warning}`);
  }
  return `${lines.join('\n')}\n`;
}
