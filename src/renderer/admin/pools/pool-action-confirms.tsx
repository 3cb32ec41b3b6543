// The confirmations of an Azure pool's actions that cannot be undone or end sessions: deallocate
// or delete instances, repair their agent, stop all, delete the pool; each with its az equivalent.
import { plural } from '../../../common/user-text';
import { Text, makeStyles, tokens } from '@fluentui/react-components';
import type { InstanceInfo, OperationInfo, PoolInfo } from '../../../common/models';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { useRpc } from '../../shared/rpc-context';
import { AzPreview } from '../az/az-preview';

const useStyles = makeStyles({
  muted: { color: tokens.colorNeutralForeground3 },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
});

/** Which confirmation is open. */
export type PoolConfirm = 'deallocate' | 'delete' | 'stop-all' | 'delete-pool' | 'repair-agent';

/** "vm-1, vm-2 and 3 more": names instances in a confirmation without an endless line. */
function nameList(instances: InstanceInfo[]): string {
  const names = instances.map((i) => i.name);
  if (names.length <= 6) return names.join(', ');
  return `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

export interface PoolActionConfirmsProps {
  pool: PoolInfo;
  /** The selected instances. */
  chosen: InstanceInfo[];
  confirm?: PoolConfirm;
  /** Runs an instance action on the selected instances. */
  act: (action: 'deallocate' | 'delete') => Promise<unknown>;
  /** Runs an action that hands back an operation, showing it as `label` meanwhile. */
  run: (label: string, call: () => Promise<OperationInfo>) => Promise<void>;
  onClose: () => void;
}

export function PoolActionConfirms({
  pool,
  chosen,
  confirm,
  act,
  run,
  onClose,
}: PoolActionConfirmsProps) {
  const styles = useStyles();
  const rpc = useRpc();
  return (
    <>
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
        onClose={onClose}
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
        onClose={onClose}
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
        onClose={onClose}
      >
        <Text block>
          {pool.instances.length === 1
            ? 'Its one instance is deallocated; every session on it ends.'
            : `All ${pool.instances.length} instances are deallocated; every session on them ends.`}
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
        onClose={onClose}
      >
        <Text block className={styles.wrap}>
          This deletes the pool&apos;s Azure resources and its{' '}
          {plural(pool.instances.length, 'instance')}. It cannot be undone.
        </Text>
        <AzPreview
          request={
            confirm === 'delete-pool' ? { poolId: pool.id, action: 'deletePool' } : undefined
          }
        />
      </ConfirmDialog>
    </>
  );
}
