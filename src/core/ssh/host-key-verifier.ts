// Decides whether to trust a server's host key: known → go on, new → ask the user (saying when it is
// a new VM behind an address another VM had), changed → refuse (the UI can replace it, confirmed).
import { ErrorCode, RpcError } from '../../common/errors';
import type { PromptService } from '../prompts/prompt-service';
import { algorithmOf, fingerprintOf } from './host-key';
import {
  isMachineIdentity,
  keyAddress,
  type HostKeySubject,
  type KnownHostsStore,
} from './known-hosts-store';

export interface HostKeyVerifierOptions {
  store: KnownHostsStore;
  prompts: PromptService;
  poolId: string;
  /** The instance's id in its pool (so a refused key can be replaced from the UI). */
  instanceId?: string;
  /** What the user calls the VM; shown in the question and in errors. */
  instanceName: string;
  host: string;
  port: number;
  /** Whose key it is (see HostKeySubject); default `host:port`. */
  identity?: string;
  /** Told of a refused changed key, so the user can replace it after confirming its fingerprint. */
  onRefused?: (refused: RefusedHostKey) => void;
  /** Withdraws an open question (e.g. the user cancelled the connect). */
  signal?: AbortSignal;
}

/** A changed key the app refused: kept in memory until the user replaces it or connects again. */
export interface RefusedHostKey {
  subject: HostKeySubject;
  instanceId?: string;
  key: Buffer;
  fingerprint: string;
  knownFingerprint: string;
}

/** Returns the check `SshConnection.open` runs on the server's key; it throws to refuse the key. */
export function createHostKeyVerifier(
  options: HostKeyVerifierOptions,
): (key: Buffer) => Promise<void> {
  const { store, prompts, poolId, instanceId, instanceName, host, port, signal } = options;
  const where = `${instanceName} (${host}:${port})`;
  const subject: HostKeySubject = {
    poolId,
    identity: options.identity ?? keyAddress(host, port),
    host,
    port,
    instanceName,
  };

  // Only an identity that names the machine (an Azure vmId, a sandbox instance) knows it is the
  // same one; an SSH host is known by its address alone.
  const sameWhat = isMachineIdentity(subject.identity)
    ? 'although it is the same machine'
    : 'at the same address';

  return async (key) => {
    const algorithm = algorithmOf(key);
    const fingerprint = fingerprintOf(key);
    const known = store.checkMachine(subject, key);
    if (known.status === 'trusted') return;

    if (known.status === 'mismatch') {
      options.onRefused?.({
        subject,
        ...(instanceId !== undefined ? { instanceId } : {}),
        key: Buffer.from(key),
        fingerprint,
        knownFingerprint: known.knownFingerprint,
      });
      // Never ask here: a user in a hurry clicks "yes", and a changed key is exactly the case
      // where that would hand the session to whoever sits in the middle. Replacing it is a
      // separate, deliberate step (Replace key…), with both fingerprints shown.
      throw new RpcError(
        ErrorCode.HostKeyMismatch,
        `The host key of ${where} changed from ${known.knownAlgorithm} ${known.knownFingerprint} ` +
          `to ${algorithm} ${fingerprint}, ${sameWhat}. This can mean it was reinstalled, or that ` +
          'someone is intercepting the connection, so the connection was refused. Ask the pool ' +
          'admin for the fingerprint the machine shows (ssh-keygen -lf ' +
          '/etc/ssh/ssh_host_ed25519_key.pub); if it matches the new one, use Replace key… and ' +
          `connect again. (The keys you trusted are in ${store.filePath}.)`,
        {
          poolId,
          ...(instanceId !== undefined ? { instanceId } : {}),
          instanceName,
          host,
          port,
          knownAlgorithm: known.knownAlgorithm,
          knownFingerprint: known.knownFingerprint,
          algorithm,
          fingerprint,
          file: store.filePath,
        },
      );
    }

    if (signal?.aborted) throw cancelled(where);
    const accepted = await prompts.ask(
      {
        kind: 'host-key',
        poolId,
        instanceName,
        host,
        port,
        algorithm,
        fingerprint,
        ...(known.replaces ? { replaces: known.replaces } : {}),
      },
      signal,
    );
    // The prompt service answers "no" when the signal aborts; report that as what it was.
    if (signal?.aborted) throw cancelled(where);
    if (!accepted) {
      throw new RpcError(
        ErrorCode.HostKeyRejected,
        `You did not trust the host key ${algorithm} ${fingerprint} of ${where}, so the ` +
          'connection was not made. To connect, connect again and accept the key once the pool ' +
          'admin has confirmed the fingerprint.',
        { poolId, host, port, algorithm, fingerprint },
      );
    }
    store.trustMachine(subject, key);
  };
}

function cancelled(where: string): RpcError {
  return new RpcError(ErrorCode.Cancelled, `Connecting to ${where} was cancelled.`);
}
