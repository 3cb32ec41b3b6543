// Confirms removing an ssh-hosts pool, saying what it does (and does not) touch.
import { Button, Dialog, DialogSurface, Spinner, Text } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { PoolInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { DialogShell } from '../../shared/dialog-shell';

export interface RemovePoolDialogProps {
  pool?: PoolInfo;
  /** Terminal tabs open on the pool: they close with it. */
  openTabs: number;
  onRemoved: (poolId: string) => void;
  onClose: () => void;
}

export function RemovePoolDialog({ pool, openTabs, onRemoved, onClose }: RemovePoolDialogProps) {
  const rpc = useRpc();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const poolId = pool?.id;

  useEffect(() => {
    setError(undefined);
    setBusy(false);
    if (!poolId) return;
    // Cancel first: Enter on a reflex must not remove anything.
    const frame = requestAnimationFrame(() => cancelRef.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, [poolId]);

  const remove = () => {
    if (!pool) return;
    setBusy(true);
    setError(undefined);
    rpc.call('pools.remove', { poolId: pool.id }).then(
      () => {
        setBusy(false);
        onRemoved(pool.id);
      },
      (err: unknown) => {
        setBusy(false);
        setError(RpcError.from(err).message);
      },
    );
  };

  return (
    <Dialog
      open={pool !== undefined}
      modalType="alert"
      onOpenChange={(_, data) => !data.open && !busy && onClose()}
    >
      <DialogSurface data-testid="remove-pool-dialog">
        {pool && (
          <DialogShell
            title={`Remove ${pool.name}?`}
            error={error}
            multilineError
            actions={
              <>
                <Button
                  appearance="primary"
                  disabled={busy}
                  icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                  data-testid="remove-pool-confirm"
                  onClick={remove}
                >
                  Remove pool
                </Button>
                <Button ref={cancelRef} disabled={busy} onClick={onClose}>
                  Cancel
                </Button>
              </>
            }
          >
            <Text block>
              dsvm-pool forgets this pool and its {pool.instances.length}{' '}
              {pool.instances.length === 1 ? 'host' : 'hosts'}. Nothing changes on the hosts
              themselves, and you can add them again later.
              {openTabs > 0 &&
                ` Its ${openTabs === 1 ? 'open terminal closes' : `${openTabs} open terminals close`}.`}
            </Text>
          </DialogShell>
        )}
      </DialogSurface>
    </Dialog>
  );
}
