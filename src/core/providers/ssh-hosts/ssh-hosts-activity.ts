// The agents' activity (busy or idle and why, idle stop) of ssh-hosts pools: their heartbeats are
// read over the user's own open connection to each host, the way diagnostics reads them, since
// the app has no other way to the share; a host without a connection shows no activity.
import type { ConnectionInfo } from '../../../common/models';
import { readHeartbeatOverSsh } from '../../diagnostics/diagnostics-service';
import type { SshConnection } from '../../ssh/ssh-connection';
import type { SshHostsPools } from './ssh-hosts-pools';

/** Older than this (three agent cycles): the agent stopped; its activity is not shown. */
const MAX_AGE_MS = 3 * 60_000;

export interface ActivityConnections {
  list(): ConnectionInfo[];
  get(connectionId: string): { connection: Pick<SshConnection, 'exec' | 'where'> };
}

/** One round: each connected host's heartbeat activity into its provider. Never throws. */
export async function readSshHostsActivity(
  pools: Pick<SshHostsPools, 'list'>,
  connections: ActivityConnections,
  now = Date.now(),
): Promise<void> {
  const open = connections.list().filter((c) => c.state === 'connected');
  for (const provider of pools.list()) {
    for (const instance of provider.listInstances()) {
      const info = open.find((c) => c.poolId === provider.id && c.instanceId === instance.id);
      if (!info) {
        provider.setActivity(instance.id, undefined);
        continue;
      }
      try {
        const { connection } = connections.get(info.id);
        const read = await readHeartbeatOverSsh(connection as SshConnection);
        const beat = 'heartbeat' in read ? read.heartbeat : undefined;
        const fresh = beat && now - Date.parse(beat.time) <= MAX_AGE_MS;
        provider.setActivity(instance.id, fresh ? beat.activity : undefined);
      } catch {
        // The connection dropped or the file is not a heartbeat: nothing to show this round.
        provider.setActivity(instance.id, undefined);
      }
    }
  }
}
