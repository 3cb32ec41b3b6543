// The pools and their instances: `pools.list` once, then every `pools.onDidChange`.
import { useEffect, useState } from 'react';
import { RpcError } from '../../common/errors';
import type { PoolInfo } from '../../common/models';
import { useRpc } from './rpc-context';

export interface PoolsState {
  /** Undefined until the first answer. */
  pools?: PoolInfo[];
  error?: string;
}

export function usePools(): PoolsState {
  const rpc = useRpc();
  const [state, setState] = useState<PoolsState>({});
  useEffect(() => {
    let changed = false;
    let live = true;
    // Subscribe before asking, so a change between the answer and the subscription is not lost;
    // once a change arrived, the (older) list answer is ignored.
    const sub = rpc.on('pools.onDidChange', (pools) => {
      changed = true;
      setState({ pools });
    });
    rpc.call('pools.list', {}).then(
      (pools) => {
        if (live && !changed) setState({ pools });
      },
      (err: unknown) => {
        if (live && !changed) setState({ error: RpcError.from(err).message });
      },
    );
    return () => {
      live = false;
      sub.dispose();
    };
  }, [rpc]);
  return state;
}
