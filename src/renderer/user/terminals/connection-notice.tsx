// Under the tabs: the active tab's link dropped (countdown), was lost (Reconnect / Close), or is back.
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
} from '@fluentui/react-components';
import { ArrowClockwise16Regular, Dismiss16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { ConnectionInfo } from '../../../common/models';
import { reconnectingLabel } from './connection-status';
import { useNow } from '../../shared/use-now';
import type { ConnectError, TerminalTab } from '../use-workspace';

const useStyles = makeStyles({
  bar: { flex: '0 0 auto', borderRadius: 0 },
  body: { overflowWrap: 'anywhere', minWidth: 0 },
});

/** How long "Reconnected" stays up: long enough to be read, short enough not to linger. */
const RECOVERED_MS = 6_000;

export interface ConnectionNoticeProps {
  tab: TerminalTab;
  connection?: ConnectionInfo;
  /** When the connection last came back from reconnecting (epoch ms). */
  recoveredAt?: number;
  /** A Connect of this pool is running (e.g. this bar's own Reconnect). */
  reconnecting: boolean;
  /** The last failed Connect of this pool, shown here too when it came from this bar. */
  error?: ConnectError;
  onReconnect: () => void;
  onClose: () => void;
}

export function ConnectionNotice(props: ConnectionNoticeProps) {
  const { tab, connection, recoveredAt } = props;
  const styles = useStyles();
  const [dismissed, setDismissed] = useState<number>();
  const state = connection?.state;
  const recent =
    state === 'connected' &&
    recoveredAt !== undefined &&
    recoveredAt !== dismissed &&
    Date.now() - recoveredAt < RECOVERED_MS;
  const now = useNow(state === 'reconnecting' || recent, state === 'reconnecting' ? 250 : 1000);
  const id = tab.terminalId;

  if (state === 'reconnecting' && connection) {
    return (
      <MessageBar
        intent="warning"
        className={styles.bar}
        icon={<Spinner size="extra-tiny" />}
        data-testid={`reconnect-bar-${id}`}
      >
        <MessageBarBody className={styles.body}>
          <MessageBarTitle>
            {tab.instanceName}: {reconnectingLabel(connection, now)}
          </MessageBarTitle>
          {tab.persistence === 'tmux'
            ? 'The link dropped. Your shell keeps running in tmux on the instance and comes back as it was.'
            : 'The link dropped. Without tmux on the instance, the shell may not survive: if it is gone, a new one starts.'}
          {connection.detail ? ` (${connection.detail})` : ''} Typing resumes once connected.
        </MessageBarBody>
      </MessageBar>
    );
  }

  if (state === 'lost') {
    return (
      <MessageBar intent="error" className={styles.bar} data-testid={`lost-bar-${id}`}>
        <MessageBarBody className={styles.body}>
          <MessageBarTitle>Lost the connection to {tab.instanceName}</MessageBarTitle>
          {connection?.detail ?? 'dsvm-pool stopped trying to reconnect.'}
          {props.error && !props.reconnecting ? ` Reconnect failed: ${props.error.message}` : ''}
        </MessageBarBody>
        <MessageBarActions>
          {!tab.poolGone && (
            <Button
              size="small"
              appearance="primary"
              icon={
                props.reconnecting ? <Spinner size="extra-tiny" /> : <ArrowClockwise16Regular />
              }
              disabled={props.reconnecting}
              data-testid={`lost-reconnect-${id}`}
              onClick={props.onReconnect}
            >
              {props.reconnecting ? 'Reconnecting…' : 'Reconnect'}
            </Button>
          )}
          <Button size="small" data-testid={`lost-close-${id}`} onClick={props.onClose}>
            Close tab
          </Button>
        </MessageBarActions>
      </MessageBar>
    );
  }

  if (recent && now - recoveredAt < RECOVERED_MS) {
    const replaced = tab.replacedAt !== undefined && tab.replacedAt >= recoveredAt - RECOVERED_MS;
    return (
      <MessageBar
        intent={replaced ? 'info' : 'success'}
        className={styles.bar}
        data-testid={`reconnected-bar-${id}`}
        role="status"
      >
        <MessageBarBody className={styles.body}>
          <MessageBarTitle>Reconnected to {tab.instanceName}</MessageBarTitle>
          {replaced
            ? 'The old shell ended while the link was down; this is a new one.'
            : tab.persistence === 'tmux'
              ? 'Same tmux session: everything kept running.'
              : 'Forwarded ports kept their addresses.'}
        </MessageBarBody>
        <MessageBarActions
          containerAction={
            <Button
              appearance="transparent"
              aria-label="Dismiss"
              icon={<Dismiss16Regular />}
              onClick={() => setDismissed(recoveredAt)}
            />
          }
        />
      </MessageBar>
    );
  }
  return null;
}
