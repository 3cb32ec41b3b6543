// The app's updates in the UI: the status (asked once, then every updates.onDidChange) and the
// actions the banner and the Updates menu offer.
import { useCallback, useEffect, useState } from 'react';
import { ErrorCode, RpcError, isRpcError } from '../../common/errors';
import type { UpdateStatus } from '../../common/update-models';
import { useRpc } from '../shared/rpc-context';
import type { UpdateAction } from './update-banner-model';

export interface Updates {
  /** Undefined until the first answer. */
  status?: UpdateStatus;
  /** A refused action (e.g. the setting where the environment decides), in the app's words. */
  error?: string;
  clearError(): void;
  run(action: UpdateAction): void;
  setEnabled(enabled: boolean): void;
}

export function useUpdates(): Updates {
  const rpc = useRpc();
  const [status, setStatus] = useState<UpdateStatus>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let changed = false;
    let live = true;
    // Subscribe before asking; once an event came, the (older) answer is ignored.
    const sub = rpc.on('updates.onDidChange', (next) => {
      changed = true;
      setStatus(next);
    });
    rpc.call('updates.status', {}).then(
      (first) => {
        if (live && !changed) setStatus(first);
      },
      (err: unknown) => {
        if (live) setError(RpcError.from(err).message);
      },
    );
    return () => {
      live = false;
      sub.dispose();
    };
  }, [rpc]);

  const fail = useCallback((err: unknown) => setError(RpcError.from(err).message), []);

  const run = useCallback(
    (action: UpdateAction) => {
      setError(undefined);
      // The outcome arrives as updates.onDidChange; only a refusal needs showing here.
      const call =
        action === 'download'
          ? rpc.call('updates.download', {})
          : action === 'restart'
            ? rpc.call('updates.restart', {})
            : rpc.call('updates.check', {});
      call.catch((err: unknown) => {
        // Restarting closes the app, and with it this page's link: that is no failure.
        if (action === 'restart' && isRpcError(err, ErrorCode.Closed)) return;
        fail(err);
      });
    },
    [rpc, fail],
  );

  const setEnabled = useCallback(
    (enabled: boolean) => {
      setError(undefined);
      rpc.call('updates.setEnabled', { enabled }).then(setStatus, fail);
    },
    [rpc, fail],
  );

  return { status, error, clearError: () => setError(undefined), run, setEnabled };
}
