// Terminal settings: how many lines each terminal keeps to scroll back and search.
import { Button, Dialog, DialogSurface, Field, Input, Spinner } from '@fluentui/react-components';
import { WindowConsole20Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { SCROLLBACK_LINES } from '../../../common/contract';
import { RpcError } from '../../../common/errors';
import { DialogShell } from '../../shared/dialog-shell';
import { useRpc } from '../../shared/rpc-context';
import { parseScrollback } from './scrollback-input';

export interface TerminalSettingsDialogProps {
  open: boolean;
  onClose: () => void;
}

export function TerminalSettingsDialog({ open, onClose }: TerminalSettingsDialogProps) {
  const rpc = useRpc();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setProblem(undefined);
    setError(undefined);
    setBusy(false);
    let live = true;
    rpc.call('terminals.settings', {}).then(
      (settings) => live && setText(String(settings.scrollback)),
      (err: unknown) => live && setError(RpcError.from(err).message),
    );
    return () => {
      live = false;
    };
  }, [open, rpc]);

  const save = () => {
    const parsed = parseScrollback(text);
    if ('problem' in parsed) {
      // What was typed stays, so it can be corrected rather than typed again.
      setProblem(parsed.problem);
      return;
    }
    setProblem(undefined);
    setError(undefined);
    setBusy(true);
    rpc.call('terminals.setSettings', { scrollback: parsed.lines }).then(
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
    <Dialog open={open} onOpenChange={(_, data) => !data.open && !busy && onClose()}>
      <DialogSurface data-testid="terminal-settings-dialog">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            save();
          }}
        >
          <DialogShell
            title="Terminal settings"
            icon={<WindowConsole20Regular />}
            error={error}
            multilineError
            actions={
              <>
                <Button
                  appearance="primary"
                  type="submit"
                  disabled={busy}
                  icon={busy ? <Spinner size="extra-tiny" /> : undefined}
                  data-testid="terminal-settings-save"
                >
                  Save
                </Button>
                <Button disabled={busy} onClick={onClose}>
                  Cancel
                </Button>
              </>
            }
          >
            <Field
              label="Scrollback"
              hint={`Lines each terminal keeps to scroll back and search, from ${SCROLLBACK_LINES.min.toLocaleString('en-US')} to ${SCROLLBACK_LINES.max.toLocaleString('en-US')} (default ${SCROLLBACK_LINES.default.toLocaleString('en-US')}). Open terminals follow at once; fewer lines drops the oldest.`}
              validationMessage={problem}
              validationState={problem ? 'error' : 'none'}
            >
              <Input
                value={text}
                inputMode="numeric"
                contentAfter="lines"
                data-testid="terminal-scrollback"
                onChange={(_, data) => {
                  setText(data.value);
                  setProblem(undefined);
                }}
              />
            </Field>
          </DialogShell>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
