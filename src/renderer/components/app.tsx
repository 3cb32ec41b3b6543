// The user view: header, pools on the left, terminal tabs on the right, status bar, host-key prompt.
import { makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { AppInfo } from '../../common/models';
import { useRpc } from '../state/rpc-context';
import { useConnections } from '../state/use-connections';
import { useEvent } from '../state/use-event';
import { usePools } from '../state/use-pools';
import { usePrompts } from '../state/use-prompts';
import { useWorkspace } from '../state/use-workspace';
import { AppHeader } from './app-header';
import { ConnectionLostBanner } from './connection-lost-banner';
import { HostKeyDialog } from './host-key-dialog';
import { PoolList } from './pool-list';
import { StatusBar } from './status-bar';
import { TerminalArea } from './terminal-area';

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
  },
  side: {
    flex: '0 0 360px',
    minWidth: 0,
    overflowY: 'auto',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  work: {
    flex: '1 1 auto',
    minWidth: 0,
    display: 'flex',
    flexDirection: 'column',
  },
});

export function App({ dark }: { dark: boolean }) {
  const styles = useStyles();
  const rpc = useRpc();
  const [info, setInfo] = useState<AppInfo>();
  const [lost, setLost] = useState(false);
  const { pools, error: poolsError } = usePools();
  const connections = useConnections();
  const prompts = usePrompts();
  const workspace = useWorkspace(pools, dark);

  useEffect(() => {
    rpc.call('app.info', {}).then(setInfo, () => {});
    const sub = rpc.onDidClose(() => setLost(true));
    return () => sub.dispose();
  }, [rpc]);

  // The tray's "Connect" runs exactly what the pool card's button runs.
  useEvent('app.onDidRequestConnect', ({ poolId }) => workspace.connect(poolId));

  const active = workspace.tabs.find((t) => t.terminalId === workspace.activeId);

  return (
    <div className={styles.root}>
      <AppHeader info={info} />
      {lost && <ConnectionLostBanner />}
      <div className={styles.main}>
        <aside className={styles.side} aria-label="Pools">
          <PoolList
            pools={pools}
            error={poolsError}
            connections={connections}
            prompts={prompts}
            workspace={workspace}
            disabled={lost}
          />
        </aside>
        <main className={styles.work}>
          <TerminalArea workspace={workspace} dark={dark} />
        </main>
      </div>
      <StatusBar
        tab={active}
        connection={active ? connections.get(active.connectionId) : undefined}
        info={info}
        lost={lost}
      />
      <HostKeyDialog prompts={prompts} pools={pools ?? []} disabled={lost} />
    </div>
  );
}
