// A reconnect's new link: to the same instance, while it is still in the pool and not stopped,
// accepting only the host key trusted at the first connect (a changed key is refused, never asked).
import { ErrorCode, RpcError } from '../../common/errors';
import type { ConnectionInfo } from '../../common/models';
import type { ConnectTarget, PoolProvider } from '../providers/pool-provider';
import { algorithmOf, fingerprintOf } from '../ssh/host-key';
import type { KnownHostsStore } from '../ssh/known-hosts-store';
import type { SshConnection } from '../ssh/ssh-connection';

export interface ReopenLinkDeps {
  providers: ReadonlyMap<string, PoolProvider>;
  knownHosts: KnownHostsStore;
  /** Opens a link with the connection's timings, checking the host key with `verifyHostKey`. */
  open: (
    target: ConnectTarget,
    signal: AbortSignal,
    verifyHostKey: (key: Buffer) => Promise<void>,
  ) => Promise<SshConnection>;
}

/** Opens a new link to the same instance, accepting only the host key trusted before. */
export async function reopenLink(
  info: ConnectionInfo,
  hostKey: Buffer | undefined,
  signal: AbortSignal,
  deps: ReopenLinkDeps,
): Promise<SshConnection> {
  const { poolId, instanceId, instanceName } = info;
  const provider = deps.providers.get(poolId);
  const instance = provider?.listInstances().find((i) => i.id === instanceId);
  if (!provider || !instance) {
    throw new RpcError(
      ErrorCode.NotFound,
      `${instanceName} is no longer part of pool "${poolId}", so the app stopped reconnecting. ` +
        'Connect again to get a session on another instance.',
    );
  }
  if (instance.state === 'stopped') {
    // Stopped or deallocated on purpose (an admin, a schedule, autoscale): its shell and jobs
    // ended with it, and waiting for someone to start it again would keep the tab spinning.
    throw new RpcError(
      ErrorCode.NotFound,
      `${instanceName} was stopped${instance.detail ? ` (${instance.detail})` : ''}, which ended ` +
        'its shell and jobs, so the app stopped reconnecting. Connect again to get a session on ' +
        'a running instance.',
    );
  }
  // The provider is asked again: a starting or restarting instance says so (and is retried),
  // and its credentials may have been refreshed meanwhile.
  const target = await abortable(provider.connectTarget(instanceId), signal);
  return deps.open(target, signal, async (key) => {
    if (hostKey?.equals(key)) return;
    throw hostKeyChanged(info, hostKey, target, key, deps.knownHosts);
  });
}

function hostKeyChanged(
  info: ConnectionInfo,
  hostKey: Buffer | undefined,
  target: ConnectTarget,
  key: Buffer,
  knownHosts: KnownHostsStore,
): RpcError {
  const { poolId, instanceName } = info;
  const { host, port } = target;
  const was = hostKey ? `${algorithmOf(hostKey)} ${fingerprintOf(hostKey)}` : 'unknown';
  const now = `${algorithmOf(key)} ${fingerprintOf(key)}`;
  // Never a question here: nobody is watching a reconnect, and a changed key is exactly the
  // case where a hurried "yes" would hand the session to whoever sits in the middle.
  return new RpcError(
    ErrorCode.HostKeyMismatch,
    `The host key of ${instanceName} (${host}:${port}) changed while reconnecting, from ${was} ` +
      `to ${now}. The VM may have been reinstalled, or someone may be intercepting the ` +
      'connection, so the app stopped reconnecting. Connect again: the app refuses the changed ' +
      'key and, once the pool admin confirms its fingerprint, lets you replace it (Replace key…). ' +
      `The trusted keys of pool "${poolId}" are in ${knownHosts.filePath}.`,
    { poolId, instanceId: info.instanceId, host, port, fingerprint: fingerprintOf(key) },
  );
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RpcError(ErrorCode.Cancelled, 'Reconnecting was stopped.'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
