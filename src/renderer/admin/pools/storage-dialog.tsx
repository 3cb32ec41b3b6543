// Storage… on an Azure pool: the share's usage against its quota, each member's folder size, and
// a new quota. Test ids: storage-dialog, storage-used, storage-user-<name>, storage-quota-input,
// storage-quota-save.
import {
  Button,
  Dialog,
  DialogSurface,
  Field,
  Input,
  ProgressBar,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { PoolInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';
import { DialogShell } from '../../shared/dialog-shell';

const useStyles = makeStyles({
  surface: { maxWidth: '620px', width: '100%' },
  muted: { color: tokens.colorNeutralForeground3 },
  row: { display: 'flex', alignItems: 'flex-end', gap: tokens.spacingHorizontalS },
});

const GiB = 1024 ** 3;

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function StorageDialog({
  pool,
  open,
  onClose,
}: {
  pool: PoolInfo;
  open: boolean;
  onClose: () => void;
}) {
  const styles = useStyles();
  const rpc = useRpc();
  const [quota, setQuota] = useState('');
  const [busy, setBusy] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const {
    data: info,
    error: loadError,
    setData: setInfo,
  } = useLoad(open, () => rpc.call('storage.info', { poolId: pool.id }), [rpc, pool.id], {
    onData: (i) => setQuota(i.quotaGiB === undefined ? '' : String(i.quotaGiB)),
  });
  const error = saveError ?? loadError;

  // Each opening starts without the last save's error.
  useEffect(() => {
    if (open) setSaveError(undefined);
  }, [open, pool.id]);

  const n = Number(quota);
  const quotaProblem =
    quota.trim() === '' || !Number.isInteger(n) || n < 1 || n > 102_400
      ? 'A whole number of GiB from 1 to 102,400'
      : info && n * GiB < info.usedBytes
        ? `The share already holds ${formatBytes(info.usedBytes)}: the quota must be larger`
        : undefined;

  const save = () => {
    if (quotaProblem || busy) return;
    setBusy(true);
    setSaveError(undefined);
    rpc
      .call('storage.setQuota', { poolId: pool.id, quotaGiB: n })
      .then(setInfo, (err: unknown) => setSaveError(RpcError.from(err).message))
      .finally(() => setBusy(false));
  };

  const users = info ? Object.entries(info.perUser).sort((a, b) => b[1] - a[1]) : [];
  const fraction =
    info?.quotaGiB !== undefined ? Math.min(1, info.usedBytes / (info.quotaGiB * GiB)) : undefined;

  return (
    <Dialog open={open} onOpenChange={(_, d) => !d.open && !busy && onClose()}>
      <DialogSurface className={styles.surface} data-testid="storage-dialog">
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <DialogShell
            title={`Storage of ${pool.name}`}
            error={error}
            multilineError
            actions={<Button onClick={onClose}>Close</Button>}
          >
            {!info && !error && <Spinner size="tiny" label="Reading the share…" />}
            {info && (
              <>
                <Text size={200} className={styles.muted}>
                  {info.share}, mounted on every VM; each member&apos;s ~/notebooks/remote is their
                  folder notebooks/&lt;name&gt; on it.
                </Text>
                <Field
                  label="Used"
                  validationState="none"
                  validationMessage={
                    <span data-testid="storage-used">
                      {formatBytes(info.usedBytes)}
                      {info.quotaGiB !== undefined ? ` of ${info.quotaGiB} GiB` : ''}
                    </span>
                  }
                >
                  <ProgressBar
                    value={fraction}
                    color={fraction !== undefined && fraction > 0.9 ? 'error' : 'brand'}
                  />
                </Field>
                <div className={styles.row}>
                  <Field
                    label="Quota (GiB)"
                    validationMessage={quota.trim() !== '' ? quotaProblem : undefined}
                  >
                    <Input
                      type="number"
                      min={1}
                      max={102_400}
                      value={quota}
                      data-testid="storage-quota-input"
                      onChange={(_, d) => setQuota(d.value)}
                    />
                  </Field>
                  <Button
                    type="submit"
                    appearance="primary"
                    disabled={busy || quotaProblem !== undefined || n === info.quotaGiB}
                    icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                    data-testid="storage-quota-save"
                  >
                    Set quota
                  </Button>
                </div>
                {users.length > 0 ? (
                  <Table size="small" aria-label="Folder size per member">
                    <TableHeader>
                      <TableRow>
                        <TableHeaderCell>Member folder</TableHeaderCell>
                        <TableHeaderCell>Size</TableHeaderCell>
                      </TableRow>
                    </TableHeader>
                    <TableBody>
                      {users.map(([user, bytes]) => (
                        <TableRow key={user} data-testid={`storage-user-${user}`}>
                          <TableCell>notebooks/{user}</TableCell>
                          <TableCell>
                            {formatBytes(bytes)}
                            {info.approximate ? '+' : ''}
                          </TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                ) : (
                  <Text className={styles.muted}>No member folders yet.</Text>
                )}
                {info.approximate && (
                  <Text size={200} className={styles.muted}>
                    Sizes with + are at least that: the share has too many files to count them all
                    here.
                  </Text>
                )}
              </>
            )}
          </DialogShell>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
