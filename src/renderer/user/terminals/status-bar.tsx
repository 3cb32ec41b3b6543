// The bottom bar: where the active terminal is connected, in what state, and at what size.
import { Spinner, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { AppInfo, ConnectionInfo } from '../../../common/models';
import { connectionStatus } from './connection-status';
import { useNow } from '../../shared/use-now';
import { useTerminalSize } from './use-terminal-size';
import type { TerminalTab } from '../use-workspace';

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
  state: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    fontWeight: tokens.fontWeightSemibold,
  },
  hint: { color: tokens.colorNeutralForeground3 },
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
  const now = useNow(connection?.state === 'reconnecting');
  const status = connectionStatus(connection, tab?.ended !== undefined, now);
  const label = lost ? 'App connection lost' : status.label;
  const stateClass = lost
    ? styles.failed
    : {
        good: styles.connected,
        busy: styles.connecting,
        bad: styles.failed,
        quiet: styles.ended,
      }[status.tone];

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
          data-testid="status-connection"
        >
          {status.busy && !lost && <Spinner size="extra-tiny" aria-hidden />}
          {label}
        </span>,
        ...(tab.persistence === 'tmux'
          ? [
              <span
                key="tmux"
                className={styles.hint}
                data-testid="status-persistence"
                title="The shell runs in tmux on the instance: it survives a dropped connection."
              >
                persistent (tmux)
              </span>,
            ]
          : []),
        <span key="size" className={styles.mono} data-testid="status-size">
          {size ? `${size.cols}×${size.rows}` : ''}
        </span>,
      ]
    : [<span key="none">No terminal</span>];

  return (
    <footer
      className={styles.bar}
      data-testid="status-bar"
      data-connection-state={tab ? (lost ? 'app-lost' : status.state) : 'none'}
      aria-label="Status"
    >
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
