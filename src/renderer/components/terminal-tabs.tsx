// The row of terminal tabs: arrow keys move between tabs, Delete or the × button closes one.
// From inside a terminal, Ctrl+PageUp/PageDown switch tabs (see TerminalSession).
import { Button, Tab, TabList, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import {
  Dismiss12Regular,
  PlugDisconnected20Regular,
  WindowConsole20Regular,
} from '@fluentui/react-icons';
import type { TerminalTab } from '../state/use-workspace';

const useStyles = makeStyles({
  strip: {
    flex: '0 0 auto',
    display: 'flex',
    alignItems: 'center',
    minHeight: '40px',
    overflowX: 'auto',
    overflowY: 'hidden',
    padding: `0 ${tokens.spacingHorizontalS}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
    scrollbarWidth: 'thin',
  },
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
  onSelect: (terminalId: string) => void;
  onClose: (terminalId: string) => void;
}

export function TerminalTabs({ tabs, activeId, onSelect, onClose }: TerminalTabsProps) {
  const styles = useStyles();
  const names = labels(tabs);
  return (
    <div className={styles.strip}>
      <TabList
        size="small"
        selectedValue={activeId ?? null}
        onTabSelect={(_, data) => onSelect(String(data.value))}
        aria-label="Terminals"
      >
        {tabs.map((tab) => {
          const name = names.get(tab.terminalId) ?? tab.instanceName;
          return (
            <div key={tab.terminalId} className={styles.item}>
              <Tab
                value={tab.terminalId}
                data-testid={`terminal-tab-${tab.terminalId}`}
                data-ended={tab.ended !== undefined}
                icon={
                  tab.ended !== undefined ? (
                    <PlugDisconnected20Regular />
                  ) : (
                    <WindowConsole20Regular />
                  )
                }
                title={`${tab.poolName} · ${tab.instanceName} · ${tab.host}:${tab.port}${tab.ended ? ' · ended' : ''} (Delete closes)`}
                onKeyDown={(event) => {
                  if (event.key !== 'Delete') return;
                  event.preventDefault();
                  const strip = event.currentTarget.closest('[role=tablist]');
                  onClose(tab.terminalId);
                  // Keep keyboard users in the tab row: the removed tab took the focus with it.
                  requestAnimationFrame(() => {
                    if (document.activeElement && document.activeElement !== document.body) return;
                    const next =
                      strip?.querySelector<HTMLElement>('[role=tab][aria-selected=true]') ??
                      strip?.querySelector<HTMLElement>('[role=tab]');
                    next?.focus();
                  });
                }}
              >
                <span className={mergeClasses(tab.ended !== undefined && styles.ended)}>
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
  );
}
