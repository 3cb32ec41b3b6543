// Jupyter per connection: starts `jupyter.open`, remembers its URL, and opens it in the browser.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ErrorCode, RpcError } from '../../../common/errors';
import type { ForwardInfo, JupyterInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';

export type JupyterMode = JupyterInfo['mode'];

export interface JupyterRun {
  connectionId: string;
  mode: JupyterMode;
  instanceName: string;
  status: 'starting' | 'ready' | 'failed';
  /** When this attempt began (epoch ms), for the elapsed time while it starts. */
  startedAt: number;
  info?: JupyterInfo;
  error?: string;
  /** The user closed the bar; the next open shows it again. */
  hidden?: boolean;
}

export interface JupyterRuns {
  /** By connection id: the latest attempt on each connection. */
  runs: Readonly<Record<string, JupyterRun>>;
  open(connectionId: string, mode: JupyterMode, instanceName: string): void;
  cancel(connectionId: string): void;
  hide(connectionId: string): void;
}

/** Opens an address in the system browser (Electron's main routes http(s) there). */
export function openInBrowser(url: string): void {
  // noopener: the page must not be able to script this window through `opener`.
  window.open(url, '_blank', 'noopener');
}

export function useJupyter(forwards: ForwardInfo[] | undefined): JupyterRuns {
  const rpc = useRpc();
  const [runs, setRuns] = useState<Record<string, JupyterRun>>({});
  const controllers = useRef(new Map<string, AbortController>());
  const seenForwards = useRef(new Set<string>());

  useEffect(() => {
    const all = controllers.current;
    return () => {
      for (const controller of all.values()) controller.abort();
      all.clear();
    };
  }, [rpc]);

  // A Jupyter whose forward was removed (from the forwards panel, or its connection closed) no
  // longer answers at its URL: forget it rather than show an address that leads nowhere. Only a
  // forward seen once counts as removed, since its first event may come after the answer.
  useEffect(() => {
    if (!forwards) return;
    const ids = new Set(forwards.map((f) => f.id));
    const gone = new Set<string>();
    for (const id of seenForwards.current) if (!ids.has(id)) gone.add(id);
    for (const id of ids) seenForwards.current.add(id);
    for (const id of gone) seenForwards.current.delete(id);
    if (!gone.size) return;
    setRuns((old) => {
      let next = old;
      for (const [connectionId, run] of Object.entries(old)) {
        if (run.status === 'ready' && run.info && gone.has(run.info.forwardId)) {
          if (next === old) next = { ...old };
          delete next[connectionId];
        }
      }
      return next;
    });
  }, [forwards]);

  const open = useCallback(
    (connectionId: string, mode: JupyterMode, instanceName: string) => {
      // A second press while it starts would only start a second wait for the same server.
      if (controllers.current.has(connectionId)) return;
      const controller = new AbortController();
      controllers.current.set(connectionId, controller);
      const started: JupyterRun = {
        connectionId,
        mode,
        instanceName,
        status: 'starting',
        startedAt: Date.now(),
      };
      setRuns((old) => ({ ...old, [connectionId]: started }));
      rpc.call('jupyter.open', { connectionId, mode }, { signal: controller.signal }).then(
        (info) => {
          controllers.current.delete(connectionId);
          setRuns((old) => ({
            ...old,
            [connectionId]: { ...started, status: 'ready', info },
          }));
          openInBrowser(info.url);
        },
        (err: unknown) => {
          controllers.current.delete(connectionId);
          const error = RpcError.from(err);
          setRuns((old) => {
            const next = { ...old };
            // Cancelled by the user: nothing to report, and nothing to show.
            if (error.code === ErrorCode.Cancelled) delete next[connectionId];
            else
              next[connectionId] = {
                ...old[connectionId]!,
                status: 'failed',
                error: error.message,
              };
            return next;
          });
        },
      );
    },
    [rpc],
  );

  const cancel = useCallback((connectionId: string) => {
    controllers.current.get(connectionId)?.abort();
  }, []);

  const hide = useCallback((connectionId: string) => {
    setRuns((old) => {
      const run = old[connectionId];
      if (!run) return old;
      // A failure has nothing to come back to; a running Jupyter stays reachable from the menu.
      if (run.status === 'failed') {
        const next = { ...old };
        delete next[connectionId];
        return next;
      }
      return { ...old, [connectionId]: { ...run, hidden: true } };
    });
  }, []);

  return { runs, open, cancel, hide };
}
