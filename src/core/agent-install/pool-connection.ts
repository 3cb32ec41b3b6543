// An SSH connection to one instance of a pool for a short admin job (install the agent, edit the
// team through a host's share), through the app's own ConnectionService: the pool's key, host-key
// trust and prompts as for any connect. A connection the user already has is used as it is and
// left open; one opened here is closed when the job is done.
import { ErrorCode, RpcError } from '../../common/errors';
import type { ConnectionInfo } from '../../common/models';
import type { ConnectionService } from '../sessions/connection-service';
import type { SshConnection } from '../ssh/ssh-connection';

export interface BorrowedConnection {
  info: ConnectionInfo;
  connection: SshConnection;
  /** Whether this job opened it (and so `release` closes it). */
  opened: boolean;
  release(): Promise<void>;
}

type Connections = Pick<ConnectionService, 'list' | 'connect' | 'get' | 'close' | 'provider'>;

/** A connection to `instanceId` (or, without one, to a running instance of the pool). */
export async function borrowConnection(
  connections: Connections,
  poolId: string,
  instanceId?: string,
  signal?: AbortSignal,
): Promise<BorrowedConnection> {
  const existing = connections
    .list()
    .find(
      (c) =>
        c.poolId === poolId &&
        c.state === 'connected' &&
        (instanceId === undefined || c.instanceId === instanceId),
    );
  if (existing) {
    try {
      const { info, connection } = connections.get(existing.id);
      return { info, connection, opened: false, release: async () => {} };
    } catch {
      // It dropped meanwhile: open one of our own.
    }
  }
  let target = instanceId;
  if (target === undefined) {
    const provider = connections.provider(poolId);
    target = provider.listInstances().find((i) => i.state === 'running')?.id;
    if (target === undefined) {
      throw new RpcError(
        ErrorCode.NoInstance,
        `No instance of ${provider.name} is reachable now; start one (or check the hosts) and try again.`,
      );
    }
  }
  const info = await connections.connect(poolId, target, signal);
  let released = false;
  try {
    const { connection } = connections.get(info.id);
    return {
      info,
      connection,
      opened: true,
      release: async () => {
        if (released) return;
        released = true;
        await connections.close(info.id).catch(() => {});
      },
    };
  } catch (err) {
    await connections.close(info.id).catch(() => {});
    throw err;
  }
}
