// Scale…: a new instance count for an Azure pool, checked as typed against what its scale set
// can hold, with the az equivalent.
import { Button, Dialog, DialogSurface, Field, Input, Spinner } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { PoolInfo } from '../../../common/models';
import { DialogShell } from '../../shared/dialog-shell';
import { AzPreview } from '../az/az-preview';

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
  // What the scale set can hold (placement group, SSH port range, SNAT ports), once the pool
  // was read; Azure refuses more, so the request is not even sent.
  const limit = pool.azure?.capacityLimit;
  const max = limit?.max ?? 1000;
  const invalid =
    value.trim() === '' || !Number.isInteger(n) || n < 0
      ? `Enter a whole number from 0 to ${max}`
      : n > max
        ? limit
          ? `At most ${max}: ${limit.reason}.`
          : 'Enter a whole number from 0 to 1000'
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
              hint={`Now ${pool.instances.length}. From 0 to ${max}.`}
              validationMessage={value.trim() !== '' ? invalid : undefined}
            >
              <Input
                type="number"
                min={0}
                max={max}
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
