// `.pool/events/<computer>.jsonl`: the VM's activity events (busy/idle, protection, sessions,
// scheduled events, idle stop), one JSON line each, appended; rotated to `<computer>.jsonl.1`
// past a size cap so a long-lived VM cannot fill the share.
import { constants } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import type { ActivityEvent, AgentConfig } from '../common/agent-protocol';
import { SHARE_LAYOUT, activityEventsPath } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { ensureRootDir } from './safe-fs';

/** Past this size the file becomes `.1` (the previous `.1` is dropped): ~2 000 lines kept. */
export const EVENTS_MAX_BYTES = 256 * 1024;

export async function appendActivityEvents(
  system: AgentSystem,
  config: AgentConfig,
  computerName: string,
  events: readonly ActivityEvent[],
  maxBytes = EVENTS_MAX_BYTES,
): Promise<void> {
  if (events.length === 0) return;
  const root = hostPath(system, config.share.mountPoint);
  const smb = config.share.protocol === 'smb';
  await ensureRootDir(`${root}/${SHARE_LAYOUT.poolDir}`, smb ? undefined : 0o755);
  await ensureRootDir(`${root}/${SHARE_LAYOUT.eventsDir}`, smb ? undefined : 0o755);
  const path = `${root}/${activityEventsPath(computerName)}`;
  const size = (await stat(path).catch(() => undefined))?.size ?? 0;
  if (size > 0 && size >= maxBytes) await rename(path, `${path}.1`);
  const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW } = constants;
  const handle = await open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o644);
  try {
    // One write per batch: readers on other VMs see whole lines.
    await handle.write(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
  } finally {
    await handle.close();
  }
}
