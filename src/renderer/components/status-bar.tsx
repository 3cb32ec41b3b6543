// The bottom bar: where the active terminal is connected, in what state, and at what size.
import { Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { AppInfo, ConnectionInfo } from '../../common/models';
import { useTerminalSize } from '../state/use-terminal-size';
import type { TerminalTab } from '../state/use-workspace';

const useStyles = makeStyles({
  bar: {
    flex: '0 0 auto',
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    height: '26px',
    padding: `0 ${tokens.spacingHorizontalM}`,
    fontSize: tokens.fontSizeBase200,
    color: tokens.colorNeutralForeground2,
    backgroundColor: tokens.colorNeutralBackground3,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
  },
  part: { overflow: 'hidden', textOverflow: 'ellipsis' },
  sep: { color: tokens.colorNeutralForeground4 },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  spacer: { flex: '1 1 auto' },
  state: { fontWeight: tokens.fontWeightSemibold },
  connected: { color: tokens.colorPaletteGreenForeground1 },
  connecting: { color: tokens.colorPaletteMarigoldForeground1 },
  failed: { color: tokens.colorPaletteRedForeground1 },
  ended: { color: tokens.colorNeutralForeground3 },
});

export interface StatusBarProps {
  tab?: TerminalTab;
  connection?: ConnectionInfo;
  info?: AppInfo;
  /** The page lost the app: nothing shown is live any more. */
  lost: boolean;
}

export function StatusBar({ tab, connection, info, lost }: StatusBarProps) {
  const styles = useStyles();
  const size = useTerminalSize(tab?.session);
  // An ended shell is the news even if its SSH connection is still up.
  const state = lost
    ? 'app connection lost'
    : tab?.ended !== undefined
      ? 'ended'
      : (connection?.state ?? 'connected');
  const stateClass =
    state === 'connected'
      ? styles.connected
      : state === 'connecting'
        ? styles.connecting
        : state === 'failed' || lost
          ? styles.failed
          : styles.ended;

  const parts = tab
    ? [
        <span key="pool" className={styles.part}>
          {tab.poolName}
        </span>,
        <span key="instance" className={styles.part}>
          {tab.instanceName}
        </span>,
        <span key="address" className={mergeClasses(styles.part, styles.mono)}>
          {tab.host}:{tab.port}
        </span>,
        <span
          key="state"
          className={mergeClasses(styles.state, stateClass)}
          title={connection?.detail}
        >
          {state}
        </span>,
        <span key="size" className={styles.mono} data-testid="status-size">
          {size ? `${size.cols}×${size.rows}` : ''}
        </span>,
      ]
    : [<span key="none">No terminal</span>];

  return (
    <footer className={styles.bar} data-testid="status-bar" aria-label="Status">
      {parts.flatMap((part, i) =>
        i === 0
          ? [part]
          : [
              <span key={`sep-${i}`} className={styles.sep} aria-hidden>
                ·
              </span>,
              part,
            ],
      )}
      <span className={styles.spacer} />
      {info && (
        <Text size={200} className={styles.ended}>
          {info.platform}
        </Text>
      )}
    </footer>
  );
}
