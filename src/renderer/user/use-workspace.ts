// The terminal tabs and the Connect flow (connect → fit a new terminal → open it → show its tab).
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { ErrorCode, RpcError } from '../../common/errors';
import type { ConnectionInfo, PoolInfo, TerminalInfo, TerminalSettings } from '../../common/models';
import { TerminalRouter } from './terminals/xterm/terminal-router';
import { TerminalSession } from './terminals/xterm/terminal-session';
import { useRpc } from '../shared/rpc-context';
import { useEvent } from '../shared/use-event';
import { SCROLLBACK_LINES } from '../../common/contract';
import type { ConnectionMap } from './use-connections';

export interface TerminalTab {
  terminalId: string;
  connectionId: string;
  poolId: string;
  poolName: string;
  instanceId: string;
  instanceName: string;
  host: string;
  port: number;
  session: TerminalSession;
  /** `tmux`: the shell survives a dropped link; `plain`: a drop ends it. */
  persistence: TerminalInfo['persistence'];
  /** The terminal's own link: `reconnecting` while its connection is being brought back. */
  link: 'live' | 'reconnecting';
  /** When the app last replaced a lost plain shell with a new one (epoch ms). */
  replacedAt?: number;
  /** Why the shell ended, once it has. */
  ended?: string;
  /** The pool is no longer in the app (deleted or removed): nothing can reconnect the tab. */
  poolGone?: boolean;
  /** The app's message when typing or resizing failed. */
  error?: string;
}

export interface PendingConnect {
  /** Set when the user picked the instance, or once the app said which one it chose. */
  instanceId?: string;
  instanceName?: string;
  step: 'connecting' | 'opening';
}

export interface ConnectError {
  code: string;
  message: string;
  /** The error's details (a refused host key's fingerprints and instance, for Replace key…). */
  details?: unknown;
}

export interface Workspace {
  tabs: TerminalTab[];
  /** The app's open terminals are being taken over (at start, e.g. after a reload). */
  restoring: boolean;
  activeId?: string;
  /** Connects in progress, by pool id. */
  pending: Record<string, PendingConnect>;
  /** The last failed Connect of each pool, by pool id. */
  errors: Record<string, ConnectError>;
  /** Where terminals live; TerminalArea renders this element and nothing else inside it. */
  areaRef: RefObject<HTMLDivElement | null>;
  /** `replace`: a dead tab the new terminal takes the place of, once it is open. */
  connect(poolId: string, instanceId?: string, replace?: string): void;
  activate(terminalId: string): void;
  closeTab(terminalId: string): void;
  dismissError(poolId: string): void;
  dismissTabError(terminalId: string): void;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

/** Connection states in which a terminal cannot take input. */
const DOWN_STATES = new Set<ConnectionInfo['state']>(['reconnecting', 'lost', 'closed', 'failed']);

export function useWorkspace(
  pools: PoolInfo[] | undefined,
  connections: ConnectionMap,
  dark: boolean,
): Workspace {
  const rpc = useRpc();
  const [tabs, setTabs] = useState<TerminalTab[]>([]);
  const [activeId, setActiveId] = useState<string>();
  const [pending, setPending] = useState<Record<string, PendingConnect>>({});
  const [errors, setErrors] = useState<Record<string, ConnectError>>({});
  const areaRef = useRef<HTMLDivElement | null>(null);
  const routerRef = useRef<TerminalRouter | undefined>(undefined);
  // The connect flow is async and outlives renders; it reads the latest values through refs.
  const tabsRef = useRef(tabs);
  const poolsRef = useRef(pools);
  const darkRef = useRef(dark);
  const inFlight = useRef(new Set<string>());
  // The scrollback setting: every terminal follows it, new ones start with it.
  const [scrollback, setScrollback] = useState<number>(SCROLLBACK_LINES.default);
  const scrollbackRef = useRef(scrollback);
  useEffect(() => {
    tabsRef.current = tabs;
    poolsRef.current = pools;
    darkRef.current = dark;
    scrollbackRef.current = scrollback;
  });
  useEvent('terminals.onDidChangeSettings', (settings) => setScrollback(settings.scrollback));
  useEffect(() => {
    for (const tab of tabs) tab.session.setScrollback(scrollback);
  }, [tabs, scrollback]);

  useEffect(() => {
    const router = new TerminalRouter(rpc);
    routerRef.current = router;
    return () => {
      router.dispose();
      routerRef.current = undefined;
      for (const tab of tabsRef.current) tab.session.dispose();
    };
  }, [rpc]);

  const updateTab = useCallback((terminalId: string, change: Partial<TerminalTab>) => {
    setTabs((old) => old.map((t) => (t.terminalId === terminalId ? { ...t, ...change } : t)));
  }, []);

  /** Closes a connection nobody shows any more, so it does not linger (and count as a session). */
  const releaseConnection = useCallback(
    (connectionId: string, remaining: TerminalTab[]) => {
      if (remaining.some((t) => t.connectionId === connectionId)) return;
      rpc.call('connections.close', { connectionId }).catch(() => {});
    },
    [rpc],
  );

  /** The tab of a terminal attached to `session`, its events wired to the tab row. */
  const makeTab = useCallback(
    (
      info: TerminalInfo,
      conn: ConnectionInfo,
      session: TerminalSession,
      link: TerminalTab['link'],
    ): TerminalTab => {
      session.onDidEnd((reason) => updateTab(info.id, { ended: reason }));
      session.onDidChangeLink((change) =>
        updateTab(info.id, {
          link: change.state,
          ...(change.replaced ? { replacedAt: Date.now() } : {}),
        }),
      );
      session.onDidError((message) => updateTab(info.id, { error: message }));
      session.onDidRequestSwitch((step) => {
        const all = tabsRef.current;
        const at = all.findIndex((t) => t.terminalId === info.id);
        const next = all[(at + step + all.length) % all.length];
        if (next) setActiveId(next.terminalId);
      });
      return {
        terminalId: info.id,
        connectionId: conn.id,
        poolId: info.poolId,
        poolName:
          poolsRef.current?.find((p) => p.id === info.poolId)?.name ?? info.poolName ?? info.poolId,
        instanceId: info.instanceId,
        instanceName: info.instanceName,
        host: conn.host,
        port: conn.port,
        session,
        persistence: info.persistence,
        link,
      };
    },
    [updateTab],
  );

  // After a reload (a browser refresh of the headless host, Ctrl+R in the window) the app's
  // terminals are still open: take each over, with its recent output, in its old order.
  const restored = useRef(false);
  const [restoring, setRestoring] = useState(true);
  useEffect(() => {
    if (restored.current) return;
    restored.current = true;
    void (async () => {
      try {
        await restore();
      } finally {
        setRestoring(false);
      }
    })();
    async function restore(): Promise<void> {
      let terminals: TerminalInfo[];
      let conns: ConnectionInfo[];
      try {
        let settings: TerminalSettings | undefined;
        [terminals, conns, settings] = await Promise.all([
          rpc.call('terminals.list', {}),
          rpc.call('connections.list', {}),
          // Without it the terminals still come back, with the default scrollback.
          rpc.call('terminals.settings', {}).catch(() => undefined),
        ]);
        // Before any terminal is made: a backlog longer than a default scrollback must fit.
        if (settings) {
          scrollbackRef.current = settings.scrollback;
          setScrollback(settings.scrollback);
        }
      } catch {
        return; // The app is unreachable; the connection banner says so.
      }
      const adopted: TerminalTab[] = [];
      for (const info of terminals) {
        const conn = conns.find((c) => c.id === info.connectionId);
        const area = areaRef.current;
        const router = routerRef.current;
        if (!conn || !area || !router || tabsRef.current.some((t) => t.terminalId === info.id)) {
          continue;
        }
        const session = new TerminalSession({
          rpc,
          dark: darkRef.current,
          scrollback: scrollbackRef.current,
        });
        session.setVisible(false);
        try {
          await session.mount(area);
          const attachment = await rpc.call('terminals.attach', { terminalId: info.id });
          // At once, before any await: what the router held is in the backlog.
          router.forgetHeld(info.id);
          session.adopt(attachment, router);
          adopted.push(makeTab(attachment.terminal, conn, session, attachment.link));
        } catch {
          // It ended meanwhile: nothing to show.
          session.dispose();
        }
      }
      if (adopted.length === 0) return;
      setTabs((old) => [...old, ...adopted]);
      setActiveId((active) => active ?? adopted.at(-1)?.terminalId);
    }
  }, [rpc, makeTab]);

  // A renamed pool's tabs follow its name; a deleted pool's keep the name they had, marked gone.
  useEffect(() => {
    if (!pools) return;
    setTabs((old) => {
      let changed = false;
      const next = old.map((tab) => {
        const name = pools.find((p) => p.id === tab.poolId)?.name;
        const poolGone = name === undefined;
        if ((poolGone || name === tab.poolName) && poolGone === (tab.poolGone ?? false)) return tab;
        changed = true;
        return { ...tab, poolName: name ?? tab.poolName, poolGone };
      });
      return changed ? next : old;
    });
  }, [pools]);

  const connect = useCallback(
    (poolId: string, instanceId?: string, replace?: string) => {
      // One Connect per pool at a time: the button is disabled, but the tray can ask too.
      if (inFlight.current.has(poolId)) return;
      inFlight.current.add(poolId);
      const pool = poolsRef.current?.find((p) => p.id === poolId);
      const chosen = pool?.instances.find((i) => i.id === instanceId);
      setPending((old) => ({
        ...old,
        [poolId]: { instanceId, instanceName: chosen?.name, step: 'connecting' },
      }));
      setErrors((old) => without(old, poolId));

      void (async () => {
        let connection: ConnectionInfo | undefined;
        let session: TerminalSession | undefined;
        try {
          connection = await rpc.call(
            'connections.connect',
            instanceId ? { poolId, instanceId } : { poolId },
          );
          const conn = connection;
          setPending((old) => ({
            ...old,
            [poolId]: {
              instanceId: conn.instanceId,
              instanceName: conn.instanceName,
              step: 'opening',
            },
          }));
          const area = areaRef.current;
          const router = routerRef.current;
          if (!area || !router) throw new Error('The terminal area is not ready; reload the page.');
          // Fit a hidden terminal first so the pty starts at the size it will be shown at:
          // a shell started at 80×24 and resized a moment later redraws its prompt twice.
          session = new TerminalSession({
            rpc,
            dark: darkRef.current,
            scrollback: scrollbackRef.current,
          });
          session.setVisible(false);
          await session.mount(area);
          const info = await rpc.call('terminals.open', {
            connectionId: conn.id,
            cols: session.cols,
            rows: session.rows,
          });
          session.attach(info.id, router, info.persistence);
          const tab = makeTab(info, conn, session, 'live');
          const replaced = replace
            ? tabsRef.current.find((t) => t.terminalId === replace)
            : undefined;
          if (replaced) {
            // The new terminal takes the dead one's place in the row, so Reconnect feels like
            // the same tab coming back rather than one more tab at the end.
            replaced.session.dispose();
            if (!replaced.session.hasEnded) {
              rpc.call('terminals.close', { terminalId: replaced.terminalId }).catch(() => {});
            }
            const remaining = [
              ...tabsRef.current.filter((t) => t.terminalId !== replaced.terminalId),
              tab,
            ];
            releaseConnection(replaced.connectionId, remaining);
          }
          setTabs((old) => {
            const at = replaced ? old.findIndex((t) => t.terminalId === replaced.terminalId) : -1;
            if (at < 0) return [...old, tab];
            const next = [...old];
            next.splice(at, 1, tab);
            return next;
          });
          setActiveId(info.id);
        } catch (err) {
          session?.dispose();
          if (connection) releaseConnection(connection.id, tabsRef.current);
          const error = RpcError.from(err);
          setErrors((old) => ({
            ...old,
            [poolId]: { code: error.code, message: error.message, details: error.details },
          }));
        } finally {
          inFlight.current.delete(poolId);
          setPending((old) => without(old, poolId));
        }
      })();
    },
    [rpc, makeTab, releaseConnection],
  );

  const closeTab = useCallback(
    (terminalId: string) => {
      const all = tabsRef.current;
      const index = all.findIndex((t) => t.terminalId === terminalId);
      const tab = all[index];
      if (!tab) return;
      if (!tab.session.hasEnded) rpc.call('terminals.close', { terminalId }).catch(() => {});
      tab.session.dispose();
      const remaining = all.filter((t) => t.terminalId !== terminalId);
      releaseConnection(tab.connectionId, remaining);
      setTabs(remaining);
      // Like browsers: the neighbour to the right takes over, else the one to the left.
      setActiveId((active) =>
        active === terminalId ? (remaining[index] ?? remaining[index - 1])?.terminalId : active,
      );
    },
    [rpc, releaseConnection],
  );

  // Only the active terminal is visible; the others keep their size so they stay fitted.
  useEffect(() => {
    for (const tab of tabs) tab.session.setVisible(tab.terminalId === activeId);
  }, [tabs, activeId]);

  // Focus follows the shown tab, so one can type right after Connect or a tab switch.
  useEffect(() => {
    if (!activeId) return;
    tabsRef.current.find((t) => t.terminalId === activeId)?.session.focus();
  }, [activeId]);

  useEffect(() => {
    for (const tab of tabs) tab.session.setDark(dark);
  }, [tabs, dark]);

  // Keys typed while the connection is down would go nowhere (or into a later, different shell).
  useEffect(() => {
    for (const tab of tabs) {
      const state = connections.get(tab.connectionId)?.state;
      tab.session.setConnectionDown(state !== undefined && DOWN_STATES.has(state));
    }
  }, [tabs, connections]);

  return {
    tabs,
    restoring,
    activeId,
    pending,
    errors,
    areaRef,
    connect,
    activate: setActiveId,
    closeTab,
    dismissError: useCallback((poolId: string) => setErrors((old) => without(old, poolId)), []),
    dismissTabError: useCallback(
      (terminalId: string) => updateTab(terminalId, { error: undefined }),
      [updateTab],
    ),
  };
}

/** Whether a Connect failure is the user's own choice (declined a host key) rather than a fault. */
export function isDeclined(error: ConnectError): boolean {
  return error.code === ErrorCode.HostKeyRejected || error.code === ErrorCode.Cancelled;
}
