// Changed host keys the app refused, kept in memory so the user can replace one deliberately:
// only the exact key that was refused, and only when the fingerprint the user confirmed matches.
import { ErrorCode, RpcError } from '../../common/errors';
import type { RefusedHostKey } from './host-key-verifier';
import type { KnownHostsStore } from './known-hosts-store';

export interface ReplaceHostKeyRequest {
  poolId: string;
  instanceId: string;
  /** The new key's fingerprint as the user saw it in the dialog. */
  fingerprint: string;
}

export class RefusedHostKeys {
  // Memory only: a refusal is a moment's fact; after a restart the user connects again and sees
  // the key again, so nothing stale can be replaced from an old file.
  private readonly refused = new Map<string, RefusedHostKey>();

  constructor(private readonly store: KnownHostsStore) {}

  /** Remembers a refusal (the verifier's `onRefused`); the latest per instance wins. */
  readonly remember = (refused: RefusedHostKey): void => {
    if (refused.instanceId === undefined) return;
    this.refused.set(slot(refused.subject.poolId, refused.instanceId), refused);
  };

  /** Trusts the refused key in place of the old one; the user has compared its fingerprint. */
  replace(request: ReplaceHostKeyRequest): { fingerprint: string; previousFingerprint: string } {
    const key = slot(request.poolId, request.instanceId);
    const refused = this.refused.get(key);
    if (!refused) {
      throw new RpcError(
        ErrorCode.NotFound,
        'There is no refused host key of this instance to replace (the app restarted, or it was ' +
          'replaced already). Connect again: if the key is still different, you can replace it then.',
      );
    }
    if (refused.fingerprint !== request.fingerprint) {
      throw new RpcError(
        ErrorCode.BadInput,
        `The fingerprint you confirmed (${request.fingerprint}) is not the one the instance sent ` +
          `(${refused.fingerprint}), so nothing was replaced. Connect again and compare once more.`,
      );
    }
    this.store.trustMachine(refused.subject, refused.key);
    this.refused.delete(key);
    return { fingerprint: refused.fingerprint, previousFingerprint: refused.knownFingerprint };
  }
}

function slot(poolId: string, instanceId: string): string {
  return JSON.stringify([poolId, instanceId]);
}
