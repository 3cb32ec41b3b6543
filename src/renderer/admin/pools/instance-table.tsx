// The instances of an Azure pool as a table: filter, sort by any column, pages of 50, and a
// checkbox per row (and one for the page) that selects the instances the actions apply to. It
// tells the core which rows are on screen: only their NAT ports are asked from Azure. The Agent
// column shows what the agent's extension reported (agent-extension-cell.tsx).
import {
  Button,
  Checkbox,
  SearchBox,
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
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useState,
  type Dispatch,
  type SetStateAction,
} from 'react';
import type { InstanceInfo, PoolInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { StateBadge } from '../../shared/state-badge';
import { AgentExtensionCell } from './agent-extension-cell';

/** Rows per page: keeps a 1,000-instance pool as quick as a 10-instance one. */
const PAGE = 50;

const useStyles = makeStyles({
  muted: { color: tokens.colorNeutralForeground3 },
  scroll: { overflowX: 'auto' },
  // Fixed layout (Fluent's): each column gets the width it needs, the table scrolls sideways.
  table: { minWidth: '1130px' },
  check: { width: '44px' },
  pager: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  // A failure code (VMExtensionProvisioningError) is wider than its column.
  wrap: { overflowWrap: 'anywhere' },
});

type ColumnId =
  | 'name'
  | 'state'
  | 'power'
  | 'provisioning'
  | 'agent'
  | 'natPort'
  | 'sessions'
  | 'model'
  | 'protected';

const COLUMN_WIDTH: Record<ColumnId, string> = {
  name: '220px',
  state: '110px',
  power: '110px',
  provisioning: '130px',
  agent: '130px',
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
    { id: 'agent', label: 'Agent', value: (i) => i.azure?.agentExtension?.status ?? '' },
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
  return [
    i.name,
    i.id,
    i.state,
    i.azure?.powerState,
    i.azure?.provisioningState,
    i.azure?.natPort,
    i.azure?.agentExtension?.status,
  ]
    .filter((v) => v !== undefined)
    .some((v) => String(v).toLowerCase().includes(q));
}

export interface InstanceTableProps {
  pool: PoolInfo;
  /** The selected instances' ids. */
  selected: ReadonlySet<string>;
  onSelect: Dispatch<SetStateAction<ReadonlySet<string>>>;
  /** Repair agent on one instance (from its Agent cell). */
  onRepairAgent: (instanceId: string) => void;
}

export function InstanceTable({ pool, selected, onSelect, onRepairAgent }: InstanceTableProps) {
  const styles = useStyles();
  const [sort, setSort] = useState<{ column: ColumnId; dir: 'ascending' | 'descending' }>({
    column: 'name',
    dir: 'ascending',
  });
  const [filter, setFilter] = useState('');
  const query = useDeferredValue(filter.trim().toLowerCase());
  const [page, setPage] = useState(0);

  const rows = useMemo(() => {
    const col = columns.find((c) => c.id === sort.column) ?? columns[0];
    const sign = sort.dir === 'ascending' ? 1 : -1;
    return pool.instances
      .filter((i) => matches(i, query))
      .sort(
        (a, b) => sign * compare(col.value(a), col.value(b)) || collator.compare(a.name, b.name),
      );
  }, [pool.instances, query, sort]);

  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const current = Math.min(page, pages - 1);
  const visible = rows.slice(current * PAGE, current * PAGE + PAGE);
  const allVisibleSelected = visible.length > 0 && visible.every((i) => selected.has(i.id));

  // Azure gives a scale set instance's NAT port only through one query per instance: the core
  // asks for the rows on screen (a few at a time, cached per instance), not for all 1,000.
  const rpc = useRpc();
  const shown = visible.map((i) => i.id).join(',');
  useEffect(() => {
    const instanceIds = shown ? shown.split(',') : [];
    rpc.call('azure.showInstances', { poolId: pool.id, instanceIds }).catch(() => {});
  }, [rpc, pool.id, shown]);
  useEffect(
    () => () => {
      // Closed (or another pool): nothing of this pool is on screen any more.
      rpc.call('azure.showInstances', { poolId: pool.id, instanceIds: [] }).catch(() => {});
    },
    [rpc, pool.id],
  );
  const someVisibleSelected = visible.some((i) => selected.has(i.id));

  const toggle = useCallback(
    (id: string) =>
      onSelect((old) => {
        const next = new Set(old);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [onSelect],
  );
  const toggleVisible = () =>
    onSelect((old) => {
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

  return (
    <>
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
                onRepairAgent={onRepairAgent}
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
    </>
  );
}

/** Memoised: selecting one row or sorting re-renders only the rows that changed. */
const InstanceTableRow = memo(function InstanceTableRow({
  instance: i,
  selected,
  onToggle,
  onRepairAgent,
}: {
  instance: InstanceInfo;
  selected: boolean;
  onToggle: (id: string) => void;
  onRepairAgent: (id: string) => void;
}) {
  const styles = useStyles();
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
      <TableCell title={i.azure?.failureCode} className={styles.wrap}>
        {i.azure?.provisioningState ?? '—'}
        {i.azure?.failureCode ? ` (${i.azure.failureCode})` : ''}
      </TableCell>
      <TableCell>
        <AgentExtensionCell instance={i} onRepair={onRepairAgent} />
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
      <TableCell data-testid="admin-protected">
        {i.azure?.protectFromScaleIn ? 'Yes' : 'No'}
      </TableCell>
    </TableRow>
  );
});
