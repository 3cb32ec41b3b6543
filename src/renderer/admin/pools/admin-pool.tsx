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
  MessageBar,
  MessageBarBody,
  Spinner,
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
import { useMemo, useState, type ReactElement } from 'react';
import type { MethodInput } from '../../../common/contract';
import { RpcError } from '../../../common/errors';
import type { OperationInfo, PoolInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { AutoscaleButton } from '../autoscale/autoscale-editor';
import { WhyButton } from '../scaling/why-dialog';
import { ActivityPolicyButton } from './activity-policy-dialog';
import { InstanceTable } from './instance-table';
import { PoolActionConfirms, type PoolConfirm } from './pool-action-confirms';
import { ScaleDialog } from './scale-dialog';
import { StorageDialog } from './storage-dialog';
import { TeamDialog } from './team-dialog';

type Action = MethodInput<'azure.instanceAction'>['action'];

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
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
});

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
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [confirm, setConfirm] = useState<PoolConfirm>();
  const [scaleOpen, setScaleOpen] = useState(false);
  const [panel, setPanel] = useState<'team' | 'storage'>();

  // Selection only ever holds instances that still exist.
  const byId = useMemo(() => new Map(pool.instances.map((i) => [i.id, i])), [pool.instances]);
  const chosen = [...selected].flatMap((id) => byId.get(id) ?? []);

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
        <WhyButton pool={pool} />
        <ActivityPolicyButton pool={pool} />
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
      <InstanceTable
        pool={pool}
        selected={selected}
        onSelect={setSelected}
        onRepairAgent={(id) => {
          // From an instance's Agent cell: that instance, and the usual confirmation.
          setSelected(new Set([id]));
          setConfirm('repair-agent');
        }}
      />

      <PoolActionConfirms
        pool={pool}
        chosen={chosen}
        confirm={confirm}
        act={act}
        run={run}
        onClose={() => setConfirm(undefined)}
      />
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
