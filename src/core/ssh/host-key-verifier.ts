// Decides whether to trust a server's host key: known → go on, new → ask the user, changed → refuse.
import { ErrorCode, RpcError } from '../../common/errors';
import type { PromptService } from '../prompts/prompt-service';
import { algorithmOf, fingerprintOf } from './host-key';
import type { KnownHostsStore } from './known-hosts-store';

export interface HostKeyVerifierOptions {
  store: KnownHostsStore;
  prompts: PromptService;
  poolId: string;
  /** What the user calls the VM; shown in the question and in errors. */
  instanceName: string;
  host: string;
  port: number;
  /** Withdraws an open question (e.g. the user cancelled the connect). */
  signal?: AbortSignal;
}

/** Returns the check `SshConnection.open` runs on the server's key; it throws to refuse the key. */
export function createHostKeyVerifier(
  options: HostKeyVerifierOptions,
): (key: Buffer) => Promise<void> {
  const { store, prompts, poolId, instanceName, host, port, signal } = options;
  const where = `${instanceName} (${host}:${port})`;

  return async (key) => {
    const algorithm = algorithmOf(key);
    const fingerprint = fingerprintOf(key);
    const known = store.check(poolId, host, port, key);
    if (known.status === 'trusted') return;

    if (known.status === 'mismatch') {
      // Never ask here: a user in a hurry clicks "yes", and a changed key is exactly the case
      // where that would hand the session to whoever sits in the middle.
      throw new RpcError(
        ErrorCode.HostKeyMismatch,
        `The host key of ${where} changed from ${known.knownAlgorithm} ${known.knownFingerprint} ` +
          `to ${algorithm} ${fingerprint}. This can mean the VM was recreated, or that someone is ` +
          'intercepting the connection, so the connection was refused. If the pool admin confirms ' +
          `the VM was rebuilt, remove the old key: delete the "${host}:${port}" entry under pool ` +
          `"${poolId}" in ${store.filePath}, then connect again and check the new fingerprint.`,
        {
          poolId,
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
      { kind: 'host-key', poolId, instanceName, host, port, algorithm, fingerprint },
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
    store.trust(poolId, host, port, key);
  };
}

function cancelled(where: string): RpcError {
  return new RpcError(ErrorCode.Cancelled, `Connecting to ${where} was cancelled.`);
}
