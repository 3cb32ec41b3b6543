// Scale…: a new instance count for an Azure pool, checked as typed against what its scale set
// can hold (placement group, SSH port range, SNAT ports); a count autoscale would undo is asked
// about first. With the az equivalent.
import {
  Button,
  Checkbox,
  Dialog,
  DialogSurface,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { PoolInfo } from '../../../common/models';
import { DialogShell } from '../../shared/dialog-shell';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';
import { AzPreview } from '../az/az-preview';
import { checkScale } from './scale-check';

export function ScaleDialog({
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
  const rpc = useRpc();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [confirmed, setConfirmed] = useState(false);
  // Autoscale's default bounds: a count outside them would not last (read when the dialog opens;
  // without a setting, or while it loads, nothing is asked).
  const { data: autoscale } = useLoad(
    open,
    () =>
      rpc.call('azure.getAutoscale', { poolId: pool.id }).then(({ settings }) =>
        settings.exists
          ? {
              enabled: settings.enabled,
              minimum: settings.defaultProfile.capacity.minimum,
              maximum: settings.defaultProfile.capacity.maximum,
            }
          : undefined,
      ),
    [rpc, pool.id],
  );
  useEffect(() => {
    if (!open) return;
    setValue(String(pool.instances.length));
    setError(undefined);
    setBusy(false);
    setConfirmed(false);
    // Only when it opens: a pool update must not overwrite what is being typed.
  }, [open]);
  // What the scale set can hold, once the pool was read; Azure refuses more, so it is not sent.
  const limit = pool.azure?.capacityLimit;
  const check = checkScale(value, limit, autoscale);
  const blocked = check.error !== undefined || (check.warning !== undefined && !confirmed);

  const submit = () => {
    if (blocked || busy || check.capacity === undefined) return;
    setBusy(true);
    setError(undefined);
    onScale(check.capacity).then(
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

  const max = limit?.max ?? 1000;
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
                  disabled={blocked || busy}
                  icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                  data-testid="admin-scale-submit"
                >
                  {check.warning ? 'Scale anyway' : 'Scale'}
                </Button>
                <Button disabled={busy} onClick={onClose}>
                  Cancel
                </Button>
              </>
            }
          >
            <Field
              label="Number of instances"
              hint={`Now ${pool.instances.length}. From 0 to ${max}.`}
              validationMessage={value.trim() !== '' ? check.error : undefined}
            >
              <Input
                type="number"
                min={0}
                max={max}
                step={1}
                value={value}
                autoFocus
                data-testid="admin-scale-input"
                onChange={(_, d) => {
                  setValue(d.value);
                  setConfirmed(false);
                }}
              />
            </Field>
            {check.warning && (
              <MessageBar intent="warning" layout="multiline" data-testid="admin-scale-warning">
                <MessageBarBody>
                  <div>{check.warning}</div>
                  <Checkbox
                    checked={confirmed}
                    label={`Scale to ${check.capacity} anyway`}
                    data-testid="admin-scale-anyway"
                    onChange={(_, d) => setConfirmed(d.checked === true)}
                  />
                </MessageBarBody>
              </MessageBar>
            )}
            <AzPreview
              request={
                open && check.capacity !== undefined && !check.error
                  ? { poolId: pool.id, action: 'scale', capacity: check.capacity }
                  : undefined
              }
            />
          </DialogShell>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
