// The row of terminal tabs: arrow keys move between tabs, Delete or the × button closes one.
// From inside a terminal, Ctrl+PageUp/PageDown switch tabs (see TerminalSession).
import {
  Button,
  Spinner,
  Tab,
  TabList,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  Dismiss12Regular,
  PlugDisconnected20Regular,
  WindowConsole20Regular,
} from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import { connectionStatus } from './connection-status';
import type { ConnectionMap } from '../use-connections';
import type { TerminalTab } from '../use-workspace';

const useStyles = makeStyles({
  strip: {
    flex: '0 0 auto',
    display: 'flex',
    alignItems: 'center',
    minHeight: '40px',
    padding: `0 ${tokens.spacingHorizontalS}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  // Only the tabs scroll; the actions at the right stay in view.
  tabs: {
    flex: '1 1 auto',
    minWidth: 0,
    display: 'flex',
    alignItems: 'center',
    alignSelf: 'stretch',
    overflowX: 'auto',
    overflowY: 'hidden',
    scrollbarWidth: 'thin',
  },
  lost: { color: tokens.colorPaletteRedForeground1 },
  item: {
    display: 'flex',
    alignItems: 'center',
    flexShrink: 0,
  },
  close: { marginRight: tokens.spacingHorizontalXS },
  ended: { color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
});

/** Numbers tabs on the same instance ("local-1", "local-1 (2)") so they can be told apart. */
function labels(tabs: TerminalTab[]): Map<string, string> {
  const seen = new Map<string, number>();
  const result = new Map<string, string>();
  for (const tab of tabs) {
    const n = (seen.get(tab.instanceName) ?? 0) + 1;
    seen.set(tab.instanceName, n);
    result.set(tab.terminalId, n === 1 ? tab.instanceName : `${tab.instanceName} (${n})`);
  }
  return result;
}

export interface TerminalTabsProps {
  tabs: TerminalTab[];
  activeId?: string;
  connections: ConnectionMap;
  onSelect: (terminalId: string) => void;
  onClose: (terminalId: string) => void;
  /** Shown at the right end, for the active tab (e.g. Open Jupyter). */
  actions?: ReactNode;
}

function tabIcon(status: ReturnType<typeof connectionStatus>, lostClass: string) {
  if (status.state === 'reconnecting') return <Spinner size="extra-tiny" />;
  if (status.state === 'lost' || status.state === 'failed') {
    return <PlugDisconnected20Regular className={lostClass} />;
  }
  if (status.state === 'ended' || status.state === 'closed') return <PlugDisconnected20Regular />;
  return <WindowConsole20Regular />;
}

export function TerminalTabs(props: TerminalTabsProps) {
  const { tabs, activeId, connections, onSelect, onClose } = props;
  const styles = useStyles();
  const names = labels(tabs);
  return (
    <div className={styles.strip}>
      <div className={styles.tabs}>
        <TabList
          size="small"
          selectedValue={activeId ?? null}
          onTabSelect={(_, data) => onSelect(String(data.value))}
          aria-label="Terminals"
        >
          {tabs.map((tab) => {
            const name = names.get(tab.terminalId) ?? tab.instanceName;
            // No countdown here (the bar under the tabs has it): a tab label that ticks is noise.
            const status = connectionStatus(
              connections.get(tab.connectionId),
              tab.ended !== undefined,
              0,
            );
            const stateWord = status.state === 'reconnecting' ? 'reconnecting' : status.label;
            return (
              <div key={tab.terminalId} className={styles.item}>
                <Tab
                  value={tab.terminalId}
                  data-testid={`terminal-tab-${tab.terminalId}`}
                  data-ended={tab.ended !== undefined}
                  data-connection-state={status.state}
                  icon={tabIcon(status, styles.lost)}
                  title={`${tab.poolName}${tab.poolGone ? ' (deleted)' : ''} · ${tab.instanceName} · ${tab.host}:${tab.port} · ${stateWord.toLowerCase()}${tab.persistence === 'tmux' ? ' · tmux' : ''} (Delete closes)`}
                  onKeyDown={(event) => {
                    if (event.key !== 'Delete') return;
                    event.preventDefault();
                    const strip = event.currentTarget.closest('[role=tablist]');
                    onClose(tab.terminalId);
                    // Keep keyboard users in the tab row: the removed tab took the focus with it.
                    requestAnimationFrame(() => {
                      if (document.activeElement && document.activeElement !== document.body)
                        return;
                      const next =
                        strip?.querySelector<HTMLElement>('[role=tab][aria-selected=true]') ??
                        strip?.querySelector<HTMLElement>('[role=tab]');
                      next?.focus();
                    });
                  }}
                >
                  <span
                    className={mergeClasses(
                      (tab.ended !== undefined || status.state === 'lost') && styles.ended,
                    )}
                  >
                    {name}
                  </span>
                </Tab>
                {/* Out of the tab order and arrow keys (which move between tabs): Delete on a
                  focused tab does the same for keyboard users. */}
                <Button
                  tabIndex={-1}
                  className={styles.close}
                  appearance="subtle"
                  size="small"
                  icon={<Dismiss12Regular />}
                  aria-label={`Close terminal ${name}`}
                  title="Close terminal"
                  data-testid={`close-tab-${tab.terminalId}`}
                  onClick={() => onClose(tab.terminalId)}
                />
              </div>
            );
          })}
        </TabList>
      </div>
      {props.actions}
    </div>
  );
}
