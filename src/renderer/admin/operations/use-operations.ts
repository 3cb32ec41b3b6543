// Azure operations kept current: `operations.list` once, then each `operations.onDidChange` (one
// operation at a time) merged in by id, newest first.
import { useCallback, useEffect, useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { OperationInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';

export interface Operations {
  items?: OperationInfo[];
  error?: string;
  /** Forgets a finished operation here at once (the app forgets it too). */
  dismiss: (operationId: string) => Promise<void>;
  /** Shows an operation an action just returned, before its first event arrives. */
  upsert: (op: OperationInfo) => void;
}

function merge(list: OperationInfo[] | undefined, op: OperationInfo): OperationInfo[] {
  const rest = (list ?? []).filter((o) => o.id !== op.id);
  return [op, ...rest].sort((a, b) => b.startedAt - a.startedAt);
}

export function useOperations(): Operations {
  const rpc = useRpc();
  const [items, setItems] = useState<OperationInfo[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    // Subscribe before asking; events that arrive first win over the older list answer.
    const seen = new Map<string, OperationInfo>();
    const sub = rpc.on('operations.onDidChange', (op) => {
      seen.set(op.id, op);
      setItems((old) => merge(old, op));
    });
    rpc.call('operations.list', {}).then(
      (list) => {
        if (!live) return;
        let merged = list.filter((o) => !seen.has(o.id));
        for (const op of seen.values()) merged = merge(merged, op);
        setItems(merged);
      },
      (err: unknown) => live && setError(RpcError.from(err).message),
    );
    return () => {
      live = false;
      sub.dispose();
    };
  }, [rpc]);

  const upsert = useCallback((op: OperationInfo) => setItems((old) => merge(old, op)), []);
  const dismiss = useCallback(
    async (operationId: string) => {
      await rpc.call('operations.dismiss', { operationId });
      setItems((old) => old?.filter((o) => o.id !== operationId));
    },
    [rpc],
  );
  return { items, error, dismiss, upsert };
}
