// One tracked Azure pool in the admin view: its instances in a sortable, filterable table with
// row selection, the instance actions, Scale…, Stop all and Delete pool. Every action hands back
// an operation, which the operations panel shows with its `az` equivalent.
//
// Test ids (among others): admin-pool-<poolId>, admin-action-<action>, admin-repair-agent (Repair
// agent on the selected instances), admin-repair-dialog and admin-repair-confirm (its
// confirmation, with the az equivalent).
import {
  Button,
  Card,
  Checkbox,
  Dialog,
  DialogSurface,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  SearchBox,
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
import {
  ArrowClockwise16Regular,
  ArrowMaximize16Regular,
  Delete16Regular,
  People16Regular,
  Play16Regular,
  ShieldLock16Regular,
  Stop16Regular,
  Storage16Regular,
  Wrench16Regular,
} from '@fluentui/react-icons';
import {
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useState,
  type ReactElement,
} from 'react';
import type { MethodInput } from '../../../common/contract';
import { RpcError } from '../../../common/errors';
import type { InstanceInfo, OperationInfo, PoolInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { AutoscaleButton } from '../autoscale/autoscale-editor';
import { StorageDialog } from './storage-dialog';
import { TeamDialog } from './team-dialog';
import { AzPreview } from '../az/az-preview';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { DialogShell } from '../../shared/dialog-shell';
import { StateBadge } from '../../shared/state-badge';

type Action = MethodInput<'azure.instanceAction'>['action'];

/** Rows per page: keeps a 1,000-instance pool as quick as a 10-instance one. */
const PAGE = 50;

const useStyles = makeStyles({
  card: { gap: tokens.spacingVerticalS },
  head: { display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  title: { margin: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  spacer: { flex: '1 1 auto' },
  toolbar: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
  },
  scroll: { overflowX: 'auto' },
  // Fixed layout (Fluent's): each column gets the width it needs, the table scrolls sideways.
  table: { minWidth: '1000px' },
  check: { width: '44px' },
  pager: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
});

type ColumnId =
  'name' | 'state' | 'power' | 'provisioning' | 'natPort' | 'sessions' | 'model' | 'protected';

const COLUMN_WIDTH: Record<ColumnId, string> = {
  name: '220px',
  state: '110px',
  power: '110px',
  provisioning: '130px',
  natPort: '90px',
  sessions: '80px',
  model: '110px',
  protected: '90px',
};

const sessionCount = (i: InstanceInfo) => Object.values(i.sessions).reduce((a, b) => a + b, 0);

const columns: Array<{ id: ColumnId; label: string; value: (i: InstanceInfo) => string | number }> =
  [
    { id: 'name', label: 'Name', value: (i) => i.name },
    { id: 'state', label: 'State', value: (i) => i.state },
    { id: 'power', label: 'Power', value: (i) => i.azure?.powerState ?? '' },
    { id: 'provisioning', label: 'Provisioning', value: (i) => i.azure?.provisioningState ?? '' },
    { id: 'natPort', label: 'NAT port', value: (i) => i.azure?.natPort ?? -1 },
    { id: 'sessions', label: 'Sessions', value: sessionCount },
    {
      id: 'model',
      label: 'Latest model',
      value: (i) =>
        i.azure?.latestModelApplied === undefined ? 0 : i.azure.latestModelApplied ? 2 : 1,
    },
    { id: 'protected', label: 'Protected', value: (i) => (i.azure?.protectFromScaleIn ? 1 : 0) },
  ];

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compare(a: string | number, b: string | number): number {
  return typeof a === 'number' && typeof b === 'number'
    ? a - b
    : collator.compare(String(a), String(b));
}

function matches(i: InstanceInfo, q: string): boolean {
  if (!q) return true;
  return [i.name, i.id, i.state, i.azure?.powerState, i.azure?.provisioningState, i.azure?.natPort]
    .filter((v) => v !== undefined)
    .some((v) => String(v).toLowerCase().includes(q));
}

/** "vm-1, vm-2 and 3 more": names instances in a confirmation without an endless line. */
function nameList(instances: InstanceInfo[]): string {
  const names = instances.map((i) => i.name);
  if (names.length <= 6) return names.join(', ');
  return `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

const actionLabels: Record<Action, string> = {
  start: 'Start',
  deallocate: 'Deallocate',
  restart: 'Restart',
  delete: 'Delete',
};

const actionIcons: Record<Action, ReactElement> = {
  start: <Play16Regular />,
  deallocate: <Stop16Regular />,
  restart: <ArrowClockwise16Regular />,
  delete: <Delete16Regular />,
};

export interface AdminPoolProps {
  pool: PoolInfo;
  /** Shows the operation an action started, at once. */
  onOperation: (op: OperationInfo) => void;
}

export function AdminPool({ pool, onOperation }: AdminPoolProps) {
  const styles = useStyles();
  const rpc = useRpc();
  const [sort, setSort] = useState<{ column: ColumnId; dir: 'ascending' | 'descending' }>({
    column: 'name',
    dir: 'ascending',
  });
  const [filter, setFilter] = useState('');
  const query = useDeferredValue(filter.trim().toLowerCase());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [page, setPage] = useState(0);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [confirm, setConfirm] = useState<
    'deallocate' | 'delete' | 'stop-all' | 'delete-pool' | 'repair-agent'
  >();
  const [scaleOpen, setScaleOpen] = useState(false);
  const [panel, setPanel] = useState<'team' | 'storage'>();

  const rows = useMemo(() => {
    const col = columns.find((c) => c.id === sort.column) ?? columns[0];
    const sign = sort.dir === 'ascending' ? 1 : -1;
    return pool.instances
      .filter((i) => matches(i, query))
      .sort(
        (a, b) => sign * compare(col.value(a), col.value(b)) || collator.compare(a.name, b.name),
      );
  }, [pool.instances, query, sort]);

  // Selection only ever holds instances that still exist.
  const byId = useMemo(() => new Map(pool.instances.map((i) => [i.id, i])), [pool.instances]);
  const chosen = [...selected].flatMap((id) => byId.get(id) ?? []);

  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const current = Math.min(page, pages - 1);
  const visible = rows.slice(current * PAGE, current * PAGE + PAGE);
  const allVisibleSelected = visible.length > 0 && visible.every((i) => selected.has(i.id));
  const someVisibleSelected = visible.some((i) => selected.has(i.id));

  const toggle = useCallback(
    (id: string) =>
      setSelected((old) => {
        const next = new Set(old);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const toggleVisible = () =>
    setSelected((old) => {
      const next = new Set(old);
      for (const i of visible) {
        if (allVisibleSelected) next.delete(i.id);
        else next.add(i.id);
      }
      return next;
    });

  const headerSort = (column: ColumnId) => ({
    sortDirection: sort.column === column ? sort.dir : undefined,
    onClick: () =>
      setSort((old) => ({
        column,
        dir: old.column === column && old.dir === 'ascending' ? 'descending' : 'ascending',
      })),
  });

  const run = (label: string, call: () => Promise<OperationInfo>) => {
    setBusy(label);
    setError(undefined);
    return call().then(
      (op) => {
        setBusy(undefined);
        onOperation(op);
      },
      (err: unknown) => {
        setBusy(undefined);
        const message = RpcError.from(err).message;
        setError(message);
        throw err;
      },
    );
  };

  const act = (action: Action) =>
    run(action, () =>
      rpc.call('azure.instanceAction', {
        poolId: pool.id,
        action,
        instanceIds: chosen.map((i) => i.id),
      }),
    ).then(() => action === 'delete' && setSelected(new Set()));

  /** Scale-in protection for the selected instances: one operation each (Azure's API is per VM). */
  const protect = (on: boolean) => {
    setBusy('protect');
    setError(undefined);
    const targets = chosen.filter((i) => (i.azure?.protectFromScaleIn ?? false) !== on);
    Promise.allSettled(
      targets.map((i) =>
        rpc.call('azure.setScaleInProtection', { poolId: pool.id, instanceId: i.id, protect: on }),
      ),
    ).then((results) => {
      setBusy(undefined);
      const failed: string[] = [];
      results.forEach((r, n) => {
        if (r.status === 'fulfilled') onOperation(r.value);
        else failed.push(`${targets[n]!.name}: ${RpcError.from(r.reason).message}`);
      });
      if (failed.length) setError(failed.join('\n'));
    });
  };

  const onAction = (action: Action) => {
    if (action === 'deallocate' || action === 'delete') setConfirm(action);
    else act(action).catch(() => {});
  };

  return (
    <Card className={styles.card} data-testid={`admin-pool-${pool.id}`}>
      <div className={styles.head}>
        <Text as="h3" weight="semibold" size={400} className={styles.title}>
          {pool.name}
        </Text>
        {pool.azure && (
          <Text size={200} className={styles.muted}>
            {pool.azure.resourceGroup} · {pool.azure.poolName}
          </Text>
        )}
        <div className={styles.spacer} />
        <Text size={200} className={styles.muted}>
          {pool.instances.length} {pool.instances.length === 1 ? 'instance' : 'instances'}
        </Text>
      </div>
      {pool.detail && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody className={styles.wrap}>{pool.detail}</MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.toolbar} role="toolbar" aria-label={`Actions on ${pool.name}`}>
        {(Object.keys(actionLabels) as Action[]).map((action) => (
          <Button
            key={action}
            size="small"
            icon={busy === action ? <Spinner size="extra-tiny" /> : actionIcons[action]}
            disabled={chosen.length === 0 || busy !== undefined}
            data-testid={`admin-action-${action}`}
            onClick={() => onAction(action)}
          >
            {actionLabels[action]}
          </Button>
        ))}
        <Button
          size="small"
          icon={busy === 'protect' ? <Spinner size="extra-tiny" /> : <ShieldLock16Regular />}
          disabled={chosen.length === 0 || busy !== undefined}
          data-testid="admin-protect"
          title="Scale-in (autoscale or Scale…) never removes a protected instance"
          onClick={() => protect(!chosen.every((i) => i.azure?.protectFromScaleIn))}
        >
          {chosen.length > 0 && chosen.every((i) => i.azure?.protectFromScaleIn)
            ? 'Lift protection'
            : 'Protect'}
        </Button>
        <Button
          size="small"
          icon={busy === 'repair-agent' ? <Spinner size="extra-tiny" /> : <Wrench16Regular />}
          disabled={chosen.length === 0 || busy !== undefined}
          data-testid="admin-repair-agent"
          title="Reinstall the pool agent on the selected instances over SSH"
          onClick={() => setConfirm('repair-agent')}
        >
          Repair agent
        </Button>
        <Text size={200} className={styles.muted} aria-live="polite">
          {chosen.length > 0 ? `${chosen.length} selected` : 'Select instances to act on them'}
        </Text>
        <div className={styles.spacer} />
        <Button
          size="small"
          icon={<ArrowMaximize16Regular />}
          disabled={busy !== undefined}
          data-testid="admin-scale"
          onClick={() => setScaleOpen(true)}
        >
          Scale…
        </Button>
        <AutoscaleButton pool={pool} onOperation={onOperation} disabled={busy !== undefined} />
        <Button
          size="small"
          icon={<People16Regular />}
          data-testid="admin-team"
          onClick={() => setPanel('team')}
        >
          Team…
        </Button>
        <Button
          size="small"
          icon={<Storage16Regular />}
          data-testid="admin-storage"
          onClick={() => setPanel('storage')}
        >
          Storage…
        </Button>
        <Button
          size="small"
          disabled={busy !== undefined}
          data-testid="admin-stop-all"
          onClick={() => setConfirm('stop-all')}
        >
          Stop all
        </Button>
        <Button
          size="small"
          appearance="subtle"
          icon={<Delete16Regular />}
          disabled={busy !== undefined}
          data-testid="admin-delete-pool"
          onClick={() => setConfirm('delete-pool')}
        >
          Delete pool
        </Button>
      </div>
      {error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody className={styles.wrap}>{error}</MessageBarBody>
        </MessageBar>
      )}
      <SearchBox
        size="small"
        placeholder="Filter by name, state, port…"
        aria-label={`Filter the instances of ${pool.name}`}
        value={filter}
        data-testid="admin-filter"
        onChange={(_, d) => {
          setFilter(d.value);
          setPage(0);
        }}
      />
      <div className={styles.scroll}>
        <Table
          size="small"
          sortable
          className={styles.table}
          aria-label={`Instances of ${pool.name}`}
        >
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.check}>
                <Checkbox
                  aria-label="Select every instance on this page"
                  checked={allVisibleSelected ? true : someVisibleSelected ? 'mixed' : false}
                  disabled={visible.length === 0}
                  onChange={toggleVisible}
                />
              </TableHeaderCell>
              {columns.map((c) => (
                <TableHeaderCell
                  key={c.id}
                  style={{ width: COLUMN_WIDTH[c.id] }}
                  {...headerSort(c.id)}
                >
                  {c.label}
                </TableHeaderCell>
              ))}
            </TableRow>
          </TableHeader>
          <TableBody>
            {visible.map((i) => (
              <InstanceTableRow
                key={i.id}
                instance={i}
                selected={selected.has(i.id)}
                onToggle={toggle}
              />
            ))}
          </TableBody>
        </Table>
      </div>
      {rows.length === 0 && (
        <Text className={styles.muted}>
          {pool.instances.length === 0 ? 'No instances.' : 'No instance matches the filter.'}
        </Text>
      )}
      {pages > 1 && (
        <nav className={styles.pager} aria-label="Pages">
          <Button size="small" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous
          </Button>
          <Text size={200}>
            {current * PAGE + 1}–{Math.min(rows.length, (current + 1) * PAGE)} of {rows.length}
          </Text>
          <Button size="small" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Next
          </Button>
        </nav>
      )}

      <ConfirmDialog
        open={confirm === 'deallocate' || confirm === 'delete'}
        title={
          confirm === 'delete'
            ? `Delete ${chosen.length} ${chosen.length === 1 ? 'instance' : 'instances'}?`
            : `Deallocate ${chosen.length} ${chosen.length === 1 ? 'instance' : 'instances'}?`
        }
        actionLabel={confirm === 'delete' ? 'Delete' : 'Deallocate'}
        testId="admin-confirm-dialog"
        confirmTestId="admin-confirm"
        onConfirm={() => act(confirm === 'delete' ? 'delete' : 'deallocate')}
        onClose={() => setConfirm(undefined)}
      >
        <Text block className={styles.wrap}>
          {nameList(chosen)}.{' '}
          {confirm === 'delete'
            ? 'The instances and their disks are deleted; sessions on them end.'
            : 'The instances stop and stop costing compute; sessions on them end.'}
        </Text>
        <AzPreview
          request={
            (confirm === 'deallocate' || confirm === 'delete') && chosen.length > 0
              ? { poolId: pool.id, action: confirm, instanceIds: chosen.map((i) => i.id) }
              : undefined
          }
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'repair-agent'}
        title={`Repair the agent on ${chosen.length} ${chosen.length === 1 ? 'instance' : 'instances'}?`}
        actionLabel="Repair agent"
        testId="admin-repair-dialog"
        confirmTestId="admin-repair-confirm"
        onConfirm={() =>
          run('repair-agent', () =>
            rpc.call('agent.install', { poolId: pool.id, instanceIds: chosen.map((i) => i.id) }),
          )
        }
        onClose={() => setConfirm(undefined)}
      >
        <Text block className={styles.wrap}>
          {nameList(chosen)}. The app signs in to each as the pool&apos;s admin over SSH, uploads
          the agent, reinstalls it with sudo (bundle, wrapper, systemd timer) and runs it once. A
          valid agent.json on the instance is kept; otherwise the pool&apos;s share is configured as
          the template does, with the storage key from Azure (listKeys), handed over on stdin and
          never stored. Sessions go on.
        </Text>
        <Text block size={200} className={styles.muted}>
          Azure&apos;s own way to the same end (the agent&apos;s extension) as az commands:
        </Text>
        <AzPreview
          request={
            confirm === 'repair-agent' && chosen.length > 0
              ? { poolId: pool.id, action: 'repairAgent', instanceIds: chosen.map((i) => i.id) }
              : undefined
          }
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'stop-all'}
        title={`Stop every instance of ${pool.name}?`}
        actionLabel="Stop all"
        testId="admin-stop-all-dialog"
        confirmTestId="admin-stop-all-confirm"
        onConfirm={() => run('stop-all', () => rpc.call('azure.stopAll', { poolId: pool.id }))}
        onClose={() => setConfirm(undefined)}
      >
        <Text block>
          All {pool.instances.length} instances are deallocated; every session on them ends.
        </Text>
        <AzPreview
          request={confirm === 'stop-all' ? { poolId: pool.id, action: 'stopAll' } : undefined}
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'delete-pool'}
        title={`Delete the pool ${pool.name}?`}
        actionLabel="Delete pool"
        confirmText={pool.name}
        testId="admin-delete-pool-dialog"
        inputTestId="admin-delete-confirm-input"
        confirmTestId="admin-delete-confirm"
        onConfirm={() =>
          run('delete-pool', () =>
            rpc.call('azure.deletePool', { poolId: pool.id, confirmName: pool.name }),
          )
        }
        onClose={() => setConfirm(undefined)}
      >
        <Text block className={styles.wrap}>
          This deletes the pool&apos;s Azure resources and its {pool.instances.length} instances. It
          cannot be undone.
        </Text>
        <AzPreview
          request={
            confirm === 'delete-pool' ? { poolId: pool.id, action: 'deletePool' } : undefined
          }
        />
      </ConfirmDialog>
      <TeamDialog pool={pool} open={panel === 'team'} onClose={() => setPanel(undefined)} />
      <StorageDialog pool={pool} open={panel === 'storage'} onClose={() => setPanel(undefined)} />
      <ScaleDialog
        open={scaleOpen}
        pool={pool}
        onScale={(capacity) =>
          run('scale', () => rpc.call('azure.scale', { poolId: pool.id, capacity }))
        }
        onClose={() => setScaleOpen(false)}
      />
    </Card>
  );
}

/** Memoised: selecting one row or sorting re-renders only the rows that changed. */
const InstanceTableRow = memo(function InstanceTableRow({
  instance: i,
  selected,
  onToggle,
}: {
  instance: InstanceInfo;
  selected: boolean;
  onToggle: (id: string) => void;
}) {
  const sessions = sessionCount(i);
  const model = i.azure?.latestModelApplied;
  return (
    <TableRow aria-selected={selected} data-testid={`admin-instance-${i.id}`} data-state={i.state}>
      <TableCell>
        <Checkbox
          aria-label={`Select ${i.name}`}
          checked={selected}
          onChange={() => onToggle(i.id)}
        />
      </TableCell>
      <TableCell data-testid="admin-name-cell">{i.name}</TableCell>
      <TableCell>
        <StateBadge state={i.state} title={i.detail} />
      </TableCell>
      <TableCell>{i.azure?.powerState ?? '—'}</TableCell>
      <TableCell title={i.azure?.failureCode}>
        {i.azure?.provisioningState ?? '—'}
        {i.azure?.failureCode ? ` (${i.azure.failureCode})` : ''}
      </TableCell>
      <TableCell data-testid="admin-nat-port">{i.azure?.natPort ?? '—'}</TableCell>
      <TableCell
        title={Object.entries(i.sessions)
          .map(([user, n]) => `${user}: ${n}`)
          .join(', ')}
      >
        {sessions}
      </TableCell>
      <TableCell>{model === undefined ? '—' : model ? 'Yes' : 'No'}</TableCell>
      <TableCell>{i.azure?.protectFromScaleIn ? 'Yes' : 'No'}</TableCell>
    </TableRow>
  );
});

function ScaleDialog({
  open,
  pool,
  onScale,
  onClose,
}: {
  open: boolean;
  pool: PoolInfo;
  onScale: (capacity: number) => Promise<void>;
  onClose: () => void;
}) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!open) return;
    setValue(String(pool.instances.length));
    setError(undefined);
    setBusy(false);
    // Only when it opens: a pool update must not overwrite what is being typed.
  }, [open]);
  const n = Number(value);
  const invalid =
    value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 1000
      ? 'Enter a whole number from 0 to 1000'
      : undefined;

  const submit = () => {
    if (invalid || busy) return;
    setBusy(true);
    setError(undefined);
    onScale(n).then(
      () => {
        setBusy(false);
        onClose();
      },
      (err: unknown) => {
        setBusy(false);
        setError(RpcError.from(err).message);
      },
    );
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(_, d) => {
        if (d.open) return;
        if (!busy) onClose();
      }}
    >
      <DialogSurface data-testid="admin-scale-dialog">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <DialogShell
            title={`Scale ${pool.name}`}
            error={error}
            multilineError
            actions={
              <>
                <Button
                  type="submit"
                  appearance="primary"
                  disabled={invalid !== undefined || busy}
                  icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                  data-testid="admin-scale-submit"
                >
                  Scale
                </Button>
                <Button disabled={busy} onClick={onClose}>
                  Cancel
                </Button>
              </>
            }
          >
            <Field
              label="Number of instances"
              hint={`Now ${pool.instances.length}. From 0 to 1000.`}
              validationMessage={value.trim() !== '' ? invalid : undefined}
            >
              <Input
                type="number"
                min={0}
                max={1000}
                step={1}
                value={value}
                autoFocus
                data-testid="admin-scale-input"
                onChange={(_, d) => setValue(d.value)}
              />
            </Field>
            <AzPreview
              request={
                open && !invalid ? { poolId: pool.id, action: 'scale', capacity: n } : undefined
              }
            />
          </DialogShell>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
