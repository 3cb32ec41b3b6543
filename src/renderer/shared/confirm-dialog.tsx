// A yes/no question before something that cannot be undone; Cancel has the focus, and the app's
// refusal shows in place. `confirmText`: the user must type it before the action is enabled.
import { Button, Dialog, DialogSurface, Field, Input, Spinner } from '@fluentui/react-components';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { RpcError } from '../../common/errors';
import { DialogShell } from './dialog-shell';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  actionLabel: string;
  confirmText?: string;
  testId?: string;
  inputTestId?: string;
  confirmTestId?: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, children, actionLabel, confirmText, onConfirm, onClose } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [typed, setTyped] = useState('');
  const cancelRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setBusy(false);
    setError(undefined);
    setTyped('');
    if (!open) return;
    const frame = requestAnimationFrame(() =>
      (confirmText ? inputRef.current : cancelRef.current)?.focus(),
    );
    return () => cancelAnimationFrame(frame);
  }, [open, confirmText]);

  const ready = confirmText === undefined || typed === confirmText;
  const confirm = () => {
    if (!ready || busy) return;
    setBusy(true);
    setError(undefined);
    onConfirm().then(
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
    <Dialog open={open} modalType="alert" onOpenChange={(_, d) => !d.open && !busy && onClose()}>
      <DialogSurface data-testid={props.testId}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            confirm();
          }}
        >
          <DialogShell
            title={title}
            error={error}
            multilineError
            actions={
              <>
                <Button
                  type="submit"
                  appearance="primary"
                  disabled={!ready || busy}
                  icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                  data-testid={props.confirmTestId}
                >
                  {actionLabel}
                </Button>
                <Button ref={cancelRef} disabled={busy} onClick={onClose}>
                  Cancel
                </Button>
              </>
            }
          >
            {children}
            {confirmText !== undefined && (
              <Field label={`Type ${confirmText} to confirm`}>
                <Input
                  ref={inputRef}
                  value={typed}
                  autoComplete="off"
                  spellCheck={false}
                  data-testid={props.inputTestId}
                  onChange={(_, d) => setTyped(d.value)}
                />
              </Field>
            )}
          </DialogShell>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
