// The user view: header, pools and forwarded ports on the left, terminal tabs on the right, status
// bar, and the questions the app asks (host keys, key passphrases).
import { makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { demoLabel } from '../common/demo-label';
import type { AppInfo, HostKeyPrompt, PassphrasePrompt } from '../common/models';
import type { AppTarget } from '../common/notification-models';
import { useRpc } from './shared/rpc-context';
import { useConnections } from './user/use-connections';
import { useEvent } from './shared/use-event';
import { useForwards } from './user/forwards/use-forwards';
import { useJupyter } from './user/jupyter/use-jupyter';
import { usePools } from './shared/use-pools';
import { usePrompts } from './shared/use-prompts';
import { useRecoveries } from './user/terminals/use-recoveries';
import { useWorkspace } from './user/use-workspace';
import { appCommand } from './user/terminals/xterm/app-shortcuts';
import { AdminView } from './admin/admin-view';
import { AppHeader, type AppView } from './app-header';
import { ConnectionLostBanner } from './connection-lost-banner';
import { jupyterUnavailable } from './user/terminals/connection-toolbar';
import { ForwardsPanel } from './user/forwards/forwards-panel';
import { HostKeyDialog } from './user/prompts/host-key-dialog';
import { PassphraseDialog } from './user/prompts/passphrase-dialog';
import { PoolList } from './user/pools/pool-list';
import { StatusBar } from './user/terminals/status-bar';
import { TerminalArea } from './user/terminals/terminal-area';
import { UpdateBanner } from './updates/update-banner';
import { useUpdates } from './updates/use-updates';
import { useNotificationToaster } from './notifications/notification-toaster';
import { useNotifications } from './notifications/use-notifications';

const useStyles = makeStyles({
  root: {
    height: '100%',
    display: 'flex',
    flexDirection: 'column',
    color: tokens.colorNeutralForeground1,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  main: {
    flex: '1 1 auto',
    minHeight: 0,
    display: 'flex',
    '&[hidden]': { display: 'none' },
  },
  side: {
    flex: '0 0 360px',
    minWidth: 0,
    display: 'flex',
    flexDirection: 'column',
    backgroundColor: tokens.colorNeutralBackground2,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  pools: {
    flex: '1 1 auto',
    minHeight: '120px',
    overflowY: 'auto',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalM,
  },
  // Docked at the bottom, like an IDE's ports view: always in the same place, scrolling on its own.
  forwards: {
    flex: '0 0 auto',
    maxHeight: '45%',
    overflowY: 'auto',
    boxSizing: 'border-box',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  work: {
    flex: '1 1 auto',
    minWidth: 0,
    display: 'flex',
    flexDirection: 'column',
  },
});

/** How long "Keep this VM" keeps it: an hour, then the idle window starts again. */
const KEEP_MINUTES = 60;
/** The desktop app's page (app-transport.ts tells the shells apart the same way). */
const isElectron = /\bElectron\//.test(navigator.userAgent);

export function App({ dark }: { dark: boolean }) {
  const styles = useStyles();
  const rpc = useRpc();
  const [info, setInfo] = useState<AppInfo>();
  const [lost, setLost] = useState(false);
  const [view, setViewState] = useState<AppView>('user');
  const [showOperation, setShowOperation] = useState<{ id: string; n: number }>();
  const { items: pools, error: poolsError } = usePools();
  const connections = useConnections();
  const prompts = usePrompts();
  const workspace = useWorkspace(pools, connections, dark);
  const forwards = useForwards();
  const jupyter = useJupyter(forwards.items);
  const recoveries = useRecoveries();
  const updates = useUpdates();
  const [forwardRequest, setForwardRequest] = useState<{ connectionId: string; n: number }>();

  // The window title (the browser tab's, and the Electron window's) says when it is the demo.
  useEffect(() => {
    if (info?.demo) document.title = `dsvm-pool — ${demoLabel(info.demo)}`;
  }, [info]);

  /**
   * Switches the view and remembers it: for the desktop app's next start (settings.json), and in
   * the browser in the address (#admin), so a reload keeps it while a new tab starts afresh.
   */
  const setView = useCallback(
    (next: AppView) => {
      setViewState(next);
      rpc.call('app.setLastView', { view: next }).catch(() => {});
      if (!isElectron) {
        history.replaceState(
          null,
          '',
          next === 'admin' ? '#admin' : location.pathname + location.search,
        );
      }
    },
    [rpc],
  );

  // A place the app leads to: a notification's click, the tray, a dsvm-pool:// link.
  const openTargetRef = useRef<(target: AppTarget) => void>(() => {});
  useEffect(() => {
    openTargetRef.current = (target) => {
      setView(target.view);
      if (target.view === 'admin') {
        const id = target.operationId;
        if (id) setShowOperation((old) => ({ id, n: (old?.n ?? 0) + 1 }));
        return;
      }
      if (target.open === 'connect' && target.poolId) {
        workspace.connect(target.poolId);
        return;
      }
      if (!target.connectionId) return;
      const connection = connections.get(target.connectionId);
      if (target.open === 'jupyter') {
        if (connection) jupyter.open(connection.id, 'notebook', connection.instanceName);
        return;
      }
      const tab = workspace.tabs.find((t) => t.connectionId === target.connectionId);
      if (tab) workspace.activate(tab.terminalId);
      else if (connection) workspace.connect(connection.poolId, connection.instanceId);
    };
  });
  const openTarget = useCallback((target: AppTarget) => openTargetRef.current(target), []);
  const { toast, toaster } = useNotificationToaster(openTarget);
  const notifications = useNotifications({
    // Known before app.info answers, so a notification at start is never shown twice.
    shellShows: isElectron,
    toast,
    open: openTarget,
  });

  useEffect(() => {
    // Where the shell asked to go while this page was loading, else the view shown last: the
    // desktop app's from settings.json, a browser tab's from its address.
    Promise.all([rpc.call('app.info', {}), rpc.call('app.startView', {})]).then(
      ([appInfo, { view: start, open }]) => {
        setInfo(appInfo);
        if (open) openTargetRef.current(open);
        else if (appInfo.shell === 'electron') setViewState(start);
        else setViewState(location.hash === '#admin' ? 'admin' : 'user');
      },
      () => {},
    );
    const sub = rpc.onDidClose(() => setLost(true));
    return () => sub.dispose();
  }, [rpc]);

  // The tray's "Connect" runs exactly what the pool card's button runs.
  useEvent('app.onDidRequestConnect', ({ poolId }) => workspace.connect(poolId));
  useEvent('app.onDidRequestOpen', openTarget);

  const active = workspace.tabs.find((t) => t.terminalId === workspace.activeId);

  // Ctrl+Shift+O opens Jupyter on the active tab's connection, from the terminal or anywhere
  // else on the page (terminals pass the app's shortcuts through; dialogs keep their keys).
  const openJupyterRef = useRef<() => void>(() => {});
  useEffect(() => {
    openJupyterRef.current = () => {
      if (!active || lost) return;
      if (jupyterUnavailable(connections.get(active.connectionId))) return;
      jupyter.open(active.connectionId, 'notebook', active.instanceName);
    };
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (appCommand(event) !== 'open-jupyter') return;
      if (event.target instanceof Element && event.target.closest('[role=dialog]')) return;
      event.preventDefault();
      openJupyterRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  /** Lost: a new terminal takes the tab's place, on the same instance if it still runs. */
  const reconnect = (terminalId: string) => {
    const tab = workspace.tabs.find((t) => t.terminalId === terminalId);
    if (!tab) return;
    const pool = pools?.find((p) => p.id === tab.poolId);
    const running = pool?.instances.find((i) => i.id === tab.instanceId)?.state === 'running';
    workspace.connect(tab.poolId, running ? tab.instanceId : undefined, terminalId);
  };

  // One question at a time, oldest first: a host key and a passphrase can both be pending when
  // two pools connect at once, and two stacked modal dialogs would fight over the focus.
  // A `secret` is answered where it was asked for (Install agent…), not in a dialog of its own.
  const firstKind = prompts.find((p) => p.kind !== 'secret')?.kind;
  const hostKeyPrompts =
    firstKind === 'host-key'
      ? prompts.filter((p): p is HostKeyPrompt => p.kind === 'host-key')
      : [];
  const passphrasePrompts =
    firstKind === 'passphrase'
      ? prompts.filter((p): p is PassphrasePrompt => p.kind === 'passphrase')
      : [];

  return (
    <div className={styles.root}>
      <AppHeader
        info={info}
        view={view}
        onViewChange={setView}
        updates={updates}
        notifications={notifications}
      />
      {lost && <ConnectionLostBanner />}
      <UpdateBanner updates={updates} />
      {/* The user view stays mounted while the admin view shows: terminals keep running. */}
      {view === 'admin' && (
        <AdminView pools={pools} poolsError={poolsError} showOperation={showOperation} />
      )}
      <div className={styles.main} hidden={view !== 'user'}>
        <aside className={styles.side} aria-label="Pools and forwarded ports">
          <div className={styles.pools}>
            <PoolList
              pools={pools}
              error={poolsError}
              connections={connections}
              prompts={prompts}
              workspace={workspace}
              disabled={lost}
              onSignIn={() => setView('admin')}
            />
          </div>
          <div className={styles.forwards}>
            <ForwardsPanel
              state={forwards}
              connections={connections}
              activeConnectionId={active?.connectionId}
              jupyter={jupyter}
              request={forwardRequest}
              disabled={lost}
            />
          </div>
        </aside>
        <main className={styles.work}>
          <TerminalArea
            workspace={workspace}
            dark={dark}
            connections={connections}
            recoveries={recoveries}
            jupyter={jupyter}
            forwards={forwards.items}
            pools={pools}
            onKeep={(poolId, instanceId) =>
              rpc
                .call('activity.keep', {
                  poolId,
                  instanceId,
                  minutes: KEEP_MINUTES,
                  reason: 'Keep this VM',
                })
                .then(() => {})
            }
            onForwardPort={(connectionId) =>
              setForwardRequest((old) => ({ connectionId, n: (old?.n ?? 0) + 1 }))
            }
            onReconnect={reconnect}
          />
        </main>
      </div>
      <StatusBar
        tab={active}
        connection={active ? connections.get(active.connectionId) : undefined}
        info={info}
        lost={lost}
      />
      <HostKeyDialog prompts={hostKeyPrompts} pools={pools ?? []} disabled={lost} />
      <PassphraseDialog prompts={passphrasePrompts} pools={pools ?? []} disabled={lost} />
      {toaster}
    </div>
  );
}
