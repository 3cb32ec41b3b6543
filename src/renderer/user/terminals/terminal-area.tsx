// The right side: terminal tabs, the active terminal (or a friendly empty state), its messages.
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowClockwise16Regular,
  Dismiss16Regular,
  WindowConsoleRegular,
} from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import type { ForwardInfo, PoolInfo } from '../../../common/models';
import type { ConnectionMap } from '../use-connections';
import type { JupyterRuns } from '../jupyter/use-jupyter';
import type { Recoveries } from './use-recoveries';
import type { Workspace } from '../use-workspace';
import { TerminalSearch } from './terminal-search';
import { terminalTheme } from './xterm/terminal-theme';
import { ConnectionNotice } from './connection-notice';
import { ConnectionToolbar } from './connection-toolbar';
import { JupyterBar } from '../jupyter/jupyter-bar';
import { TerminalTabs } from './terminal-tabs';
import { InstanceWarningBar } from './instance-warning-bar';

const useStyles = makeStyles({
  root: {
    flex: '1 1 auto',
    minHeight: 0,
    display: 'flex',
    flexDirection: 'column',
  },
  stage: {
    position: 'relative',
    flex: '1 1 auto',
    minHeight: 0,
  },
  area: {
    position: 'absolute',
    inset: 0,
    overflow: 'hidden',
  },
  empty: {
    position: 'absolute',
    inset: 0,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalXXL,
    textAlign: 'center',
    color: tokens.colorNeutralForeground2,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  emptyIcon: { fontSize: '40px', color: tokens.colorNeutralForeground4 },
  hint: { color: tokens.colorNeutralForeground3, maxWidth: '420px' },
  bar: { flex: '0 0 auto', borderRadius: 0 },
  barBody: { overflowWrap: 'anywhere', minWidth: 0 },
});

export interface TerminalAreaProps {
  workspace: Workspace;
  dark: boolean;
  connections: ConnectionMap;
  recoveries: Recoveries;
  jupyter: JupyterRuns;
  forwards?: ForwardInfo[];
  /** The pools, for the active terminal's instance (its scheduled events, an idle stop). */
  pools?: readonly PoolInfo[];
  /** Keeps an instance from an idle stop (Keep this VM); absent where the app cannot. */
  onKeep?: (poolId: string, instanceId: string) => Promise<void>;
  /** Opens the forwards panel's form for a connection. */
  onForwardPort: (connectionId: string) => void;
  /** Reconnects a lost tab in its place. */
  onReconnect: (terminalId: string) => void;
}

export function TerminalArea(props: TerminalAreaProps) {
  const { workspace, dark, connections, jupyter } = props;
  const styles = useStyles();
  const { tabs, activeId, restoring } = workspace;
  const active = tabs.find((t) => t.terminalId === activeId);
  const connection = active ? connections.get(active.connectionId) : undefined;
  const run = active ? jupyter.runs[active.connectionId] : undefined;
  const lost = connection?.state === 'lost';
  // A Jupyter address on a dead connection leads nowhere: the bar goes with the connection.
  const connectionGone =
    connection !== undefined && ['lost', 'closed', 'failed'].includes(connection.state);
  const [search, setSearch] = useState<{ terminalId: string; request: number }>();
  const pool = active ? props.pools?.find((p) => p.id === active.poolId) : undefined;
  const instance = pool?.instances.find((i) => i.id === active?.instanceId);
  // "Continue on another instance": once the new tab's connection is up, Jupyter opens there too.
  const [carryOn, setCarryOn] = useState<{ poolId: string; instanceId: string }>();
  useEffect(() => {
    if (!carryOn) return;
    const tab = tabs.find(
      (t) => t.poolId === carryOn.poolId && t.instanceId === carryOn.instanceId,
    );
    if (!tab || connections.get(tab.connectionId)?.state !== 'connected') return;
    setCarryOn(undefined);
    jupyter.open(tab.connectionId, 'notebook', tab.instanceName);
  }, [carryOn, tabs, connections, jupyter]);

  // Ctrl+Shift+F inside a terminal opens (or refocuses) the find box for that terminal.
  useEffect(() => {
    const subs = tabs.map((tab) =>
      tab.session.onDidRequestSearch(() =>
        setSearch((old) => ({ terminalId: tab.terminalId, request: (old?.request ?? 0) + 1 })),
      ),
    );
    return () => subs.forEach((s) => s.dispose());
  }, [tabs]);

  const closeSearch = () => {
    active?.session.clearSearch();
    active?.session.focus();
    setSearch(undefined);
  };

  return (
    <div className={styles.root}>
      <TerminalTabs
        tabs={tabs}
        activeId={activeId}
        connections={connections}
        onSelect={workspace.activate}
        onClose={workspace.closeTab}
        actions={
          active && (
            <ConnectionToolbar
              tab={active}
              connection={connection}
              run={run}
              onOpenJupyter={(mode) => jupyter.open(active.connectionId, mode, active.instanceName)}
              onForwardPort={() => props.onForwardPort(active.connectionId)}
            />
          )
        }
      />
      {active?.error && (
        <MessageBar
          intent="error"
          className={styles.bar}
          data-testid={`tab-error-${active.terminalId}`}
        >
          <MessageBarBody className={styles.barBody}>
            <MessageBarTitle>Terminal problem</MessageBarTitle>
            {active.error}
          </MessageBarBody>
          <MessageBarActions
            containerAction={
              <Button
                appearance="transparent"
                aria-label="Dismiss"
                icon={<Dismiss16Regular />}
                onClick={() => workspace.dismissTabError(active.terminalId)}
              />
            }
          />
        </MessageBar>
      )}
      {active && pool && (
        <InstanceWarningBar
          terminalId={active.terminalId}
          instance={instance}
          instances={pool.instances}
          onMoveTo={(instanceId) => {
            setCarryOn({ poolId: pool.id, instanceId });
            workspace.connect(pool.id, instanceId);
          }}
          {...(props.onKeep ? { onKeep: () => props.onKeep!(pool.id, active.instanceId) } : {})}
        />
      )}
      {active && (
        <ConnectionNotice
          tab={active}
          connection={connection}
          recoveredAt={props.recoveries[active.connectionId]}
          reconnecting={workspace.pending[active.poolId] !== undefined}
          error={workspace.errors[active.poolId]}
          onReconnect={() => props.onReconnect(active.terminalId)}
          onClose={() => workspace.closeTab(active.terminalId)}
        />
      )}
      {active?.ended !== undefined && !lost && (
        <MessageBar
          intent="info"
          className={styles.bar}
          data-testid={`ended-bar-${active.terminalId}`}
        >
          <MessageBarBody className={styles.barBody}>
            <MessageBarTitle>Session ended</MessageBarTitle>
            {active.ended}
          </MessageBarBody>
          <MessageBarActions>
            {!active.poolGone && (
              <Button
                size="small"
                icon={<ArrowClockwise16Regular />}
                disabled={workspace.pending[active.poolId] !== undefined}
                onClick={() => workspace.connect(active.poolId, active.instanceId)}
              >
                Reconnect
              </Button>
            )}
            <Button size="small" onClick={() => workspace.closeTab(active.terminalId)}>
              Close tab
            </Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {active && run && !run.hidden && (run.status !== 'ready' || !connectionGone) && (
        <JupyterBar
          run={run}
          forward={props.forwards?.find((f) => f.id === run.info?.forwardId)}
          onCancel={() => jupyter.cancel(run.connectionId)}
          onRetry={() => jupyter.open(run.connectionId, run.mode, run.instanceName)}
          onHide={() => jupyter.hide(run.connectionId)}
        />
      )}
      <div className={styles.stage}>
        {/* Terminals attach themselves here; React renders nothing inside this element. */}
        <div
          ref={workspace.areaRef}
          className={styles.area}
          style={{ backgroundColor: terminalTheme(dark).background }}
        />
        {/* Not while open terminals are being taken over after a reload: no flash of "none". */}
        {tabs.length === 0 && !restoring && (
          <div className={styles.empty} data-testid="empty-terminals">
            <WindowConsoleRegular className={styles.emptyIcon} aria-hidden />
            <Text size={500} weight="semibold">
              No terminal open — click Connect
            </Text>
            <Text className={styles.hint}>
              Pick a pool on the left and click Connect: dsvm-pool chooses a good instance, opens a
              shell on it and shows it here. Your files in ~/notebooks/remote follow you to any
              instance.
            </Text>
          </div>
        )}
        {active && search?.terminalId === active.terminalId && (
          <TerminalSearch session={active.session} request={search.request} onClose={closeSearch} />
        )}
      </div>
    </div>
  );
}
