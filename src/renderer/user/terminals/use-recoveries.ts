// When each connection last came back from `reconnecting`, so the UI can say "Reconnected" briefly.
import { useEffect, useState } from 'react';
import type { ConnectionState } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';

/** Connection id → the time (epoch ms) it went from `reconnecting` back to `connected`. */
export type Recoveries = Readonly<Record<string, number>>;

export function useRecoveries(): Recoveries {
  const rpc = useRpc();
  const [recoveries, setRecoveries] = useState<Recoveries>({});
  useEffect(() => {
    // Its own subscription (the client shares one server subscription between listeners), so
    // every transition is seen even for connections whose tab is not the one on screen.
    const last = new Map<string, ConnectionState>();
    const sub = rpc.on('connections.onDidChange', (info) => {
      const before = last.get(info.id);
      last.set(info.id, info.state);
      if (before === 'reconnecting' && info.state === 'connected') {
        setRecoveries((old) => ({ ...old, [info.id]: Date.now() }));
      }
    });
    return () => sub.dispose();
  }, [rpc]);
  return recoveries;
}
