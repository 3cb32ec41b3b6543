// One forward: what it is, 127.0.0.1:<port> → instance:<port>, its state and sockets; open, copy,
// and remove (confirmed in place, since removing drops every open connection through it).
import {
  Badge,
  Button,
  Spinner,
  Text,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowForward16Regular,
  Delete16Regular,
  Notebook16Regular,
  Open16Regular,
} from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { ForwardInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { openInBrowser } from '../jupyter/use-jupyter';
import { CopyButton } from '../../shared/copy-button';

const useStyles = makeStyles({
  row: {
    display: 'grid',
    gridTemplateColumns: 'auto minmax(0, 1fr) auto',
    columnGap: tokens.spacingHorizontalS,
    alignItems: 'center',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover },
  },
  confirming: { backgroundColor: tokens.colorPaletteRedBackground1 },
  icon: { color: tokens.colorNeutralForeground3 },
  main: { minWidth: 0 },
  title: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    minWidth: 0,
  },
  label: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  route: {
    display: 'block',
    fontFamily: tokens.fontFamilyMonospace,
    color: tokens.colorNeutralForeground2,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  meta: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', alignItems: 'center' },
  confirm: {
    gridColumn: '1 / -1',
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    paddingTop: tokens.spacingVerticalXS,
  },
  error: { gridColumn: '1 / -1', color: tokens.colorPaletteRedForeground1 },
});

export interface ForwardRowProps {
  forward: ForwardInfo;
  /** The address to open: Jupyter's URL with its token when known, else http://127.0.0.1:port/. */
  url: string;
}

/** `local-0:8888`, or `10.0.0.5:80 via local-0` when it goes further than the instance. */
function target(f: ForwardInfo): string {
  const onInstance = f.remoteHost === '127.0.0.1' || f.remoteHost === 'localhost';
  return onInstance
    ? `${f.instanceName}:${f.remotePort}`
    : `${f.remoteHost}:${f.remotePort} via ${f.instanceName}`;
}

export function ForwardRow({ forward: f, url }: ForwardRowProps) {
  const styles = useStyles();
  const rpc = useRpc();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const stopRef = useRef<HTMLButtonElement>(null);
  const removeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (confirming) stopRef.current?.focus();
  }, [confirming]);

  const remove = () => {
    setBusy(true);
    setError(undefined);
    rpc.call('forwards.remove', { forwardId: f.id }).then(
      // The row goes away with the next forwards event.
      () => setBusy(false),
      (err: unknown) => {
        setBusy(false);
        setConfirming(false);
        setError(`Could not remove it: ${RpcError.from(err).message}`);
      },
    );
  };

  const cancel = () => {
    setConfirming(false);
    removeRef.current?.focus();
  };

  const waiting = f.state === 'waiting';
  const sockets = f.sockets === 1 ? '1 open connection' : `${f.sockets} open connections`;
  const local = `127.0.0.1:${f.localPort}`;
  return (
    <li
      className={mergeClasses(styles.row, confirming && styles.confirming)}
      data-testid={`forward-${f.id}`}
      data-state={f.state}
      data-local-port={f.localPort}
    >
      {f.kind === 'jupyter' ? (
        <Notebook16Regular className={styles.icon} aria-hidden />
      ) : (
        <ArrowForward16Regular className={styles.icon} aria-hidden />
      )}
      <div className={styles.main}>
        <div className={styles.title}>
          <Text weight="semibold" className={styles.label}>
            {f.label}
          </Text>
          <Tooltip
            content={
              waiting
                ? 'Its connection is reconnecting. The local port stays reserved and works again once it is back.'
                : 'Carrying traffic over the SSH connection.'
            }
            relationship="description"
          >
            <Badge
              size="small"
              appearance="tint"
              color={waiting ? 'warning' : 'success'}
              icon={waiting ? <Spinner size="extra-tiny" /> : undefined}
              data-testid="forward-state"
            >
              {waiting ? 'waiting' : 'active'}
            </Badge>
          </Tooltip>
        </div>
        <Text size={200} className={styles.route} title={f.description}>
          {local} → {target(f)}
        </Text>
        <Text size={200} className={styles.meta}>
          {f.sockets ? sockets : 'no open connections'}
        </Text>
      </div>
      <div className={styles.actions}>
        <Tooltip content={`Open ${local} in your browser`} relationship="label">
          <Button
            size="small"
            appearance="subtle"
            icon={<Open16Regular />}
            disabled={confirming}
            onClick={() => openInBrowser(url)}
          />
        </Tooltip>
        <CopyButton text={url} what={`the address of ${f.label}`} appearance="subtle" iconOnly />
        <Tooltip content={`Stop forwarding ${local}`} relationship="label">
          <Button
            ref={removeRef}
            size="small"
            appearance="subtle"
            icon={<Delete16Regular />}
            disabled={confirming}
            data-testid={`forward-remove-${f.id}`}
            onClick={() => setConfirming(true)}
          />
        </Tooltip>
      </div>
      {confirming && (
        <div
          className={styles.confirm}
          role="group"
          aria-label="Confirm removal"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              cancel();
            }
          }}
        >
          <Text size={200}>
            Stop forwarding {local}?{f.sockets ? ` ${sockets} will close.` : ''}
          </Text>
          <Button
            ref={stopRef}
            size="small"
            appearance="primary"
            disabled={busy}
            icon={busy ? <Spinner size="extra-tiny" /> : undefined}
            data-testid={`forward-remove-confirm-${f.id}`}
            onClick={remove}
          >
            Stop
          </Button>
          <Button size="small" disabled={busy} onClick={cancel}>
            Keep
          </Button>
        </div>
      )}
      {error && (
        <Text size={200} className={styles.error} role="alert">
          {error}
        </Text>
      )}
    </li>
  );
}
