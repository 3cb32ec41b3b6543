// Next to Open Jupyter: whether the pool's share is mounted on this instance and ~/notebooks/remote
// is right, checked once the connection is up; a problem offers a one-click fix (the agent's
// apply). Instances without the pool agent (the local sandbox) show nothing.
//
// Test ids: share-status-<connectionId> (data-state ok|problem|checking), share-fix.
import {
  Badge,
  Button,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { ConnectionInfo, ShareCheck } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';

const useStyles = makeStyles({
  surface: { maxWidth: '420px', display: 'flex', flexDirection: 'column', gap: '8px' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  error: { color: tokens.colorPaletteRedForeground1 },
});

export function ShareStatus({ connection }: { connection: ConnectionInfo }) {
  const styles = useStyles();
  const rpc = useRpc();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const connected = connection.state === 'connected';

  // Checked when the connection is (again) up: after a reconnect the VM may have rebooted. The
  // last check shows meanwhile; a check that fails shows nothing.
  const { data: check, setData: setCheck } = useLoad<ShareCheck | undefined>(
    connected,
    () => rpc.call('share.check', { connectionId: connection.id }).catch(() => undefined),
    [rpc, connection.id],
    { keep: true },
  );

  if (!check || check.state === 'no-agent') return null;

  const fix = () => {
    setBusy(true);
    setError(undefined);
    rpc
      .call('share.fix', { connectionId: connection.id })
      .then(setCheck, (err: unknown) => setError(RpcError.from(err).message))
      .finally(() => setBusy(false));
  };

  const ok = check.state === 'ok';
  return (
    <Popover withArrow positioning="below-end">
      <PopoverTrigger disableButtonEnhancement>
        <Button
          size="small"
          appearance="subtle"
          data-testid={`share-status-${connection.id}`}
          data-state={busy ? 'checking' : check.state}
          aria-label={check.summary}
        >
          <Badge
            size="small"
            appearance="tint"
            color={ok ? 'success' : 'warning'}
            icon={busy ? <Spinner size="extra-tiny" /> : undefined}
          >
            {ok ? 'Share ✓' : 'Share: fix'}
          </Badge>
        </Button>
      </PopoverTrigger>
      <PopoverSurface className={styles.surface} aria-label="The share on this instance">
        <Text weight="semibold">{check.summary}</Text>
        {check.problems.length > 0 && (
          <ul className={styles.list}>
            {check.problems.map((p, i) => (
              <li key={i}>
                <Text size={200}>{p}</Text>
              </li>
            ))}
          </ul>
        )}
        {error && (
          <Text size={200} className={styles.error}>
            {error}
          </Text>
        )}
        {!ok && (
          <Button
            appearance="primary"
            size="small"
            disabled={busy}
            icon={busy ? <Spinner size="extra-tiny" /> : undefined}
            data-testid="share-fix"
            onClick={fix}
          >
            Fix now (run the agent)
          </Button>
        )}
      </PopoverSurface>
    </Popover>
  );
}
