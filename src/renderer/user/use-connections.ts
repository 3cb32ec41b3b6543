// Open connections by id, kept current by `connections.onDidChange`.
import { useEffect, useState } from 'react';
import type { ConnectionInfo } from '../../common/models';
import { useRpc } from '../shared/rpc-context';

export type ConnectionMap = ReadonlyMap<string, ConnectionInfo>;

export function useConnections(): ConnectionMap {
  const rpc = useRpc();
  const [connections, setConnections] = useState<ConnectionMap>(new Map());
  useEffect(() => {
    let live = true;
    const seen = new Set<string>();
    const sub = rpc.on('connections.onDidChange', (info) => {
      seen.add(info.id);
      setConnections((old) => new Map(old).set(info.id, info));
    });
    // Connections made before this page loaded (e.g. from the tray); events win over the list.
    rpc.call('connections.list', {}).then(
      (list) => {
        if (!live) return;
        setConnections((old) => {
          const next = new Map(old);
          for (const info of list) if (!seen.has(info.id)) next.set(info.id, info);
          return next;
        });
      },
      () => {
        // Not fatal: the status bar then only knows connections made from this page.
      },
    );
    return () => {
      live = false;
      sub.dispose();
    };
  }, [rpc]);
  return connections;
}
