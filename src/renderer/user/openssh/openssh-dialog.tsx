// "OpenSSH and VS Code": the app's ssh config file and the one Include line it may add to
// ~/.ssh/config (only when the user presses the button, and removable), plus what a connection
// hands to other programs: its ssh command (to copy) and its VS Code address (to open).
import {
  Button,
  Dialog,
  DialogSurface,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Code24Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { OpenSshStatus, SshCommand, VsCodeLink } from '../../../common/models';
import { CopyButton } from '../../shared/copy-button';
import { DialogShell } from '../../shared/dialog-shell';
import { useRpc } from '../../shared/rpc-context';
import { openInBrowser } from '../jupyter/use-jupyter';

const useStyles = makeStyles({
  code: {
    display: 'block',
    margin: 0,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    wordBreak: 'break-all',
    userSelect: 'all',
  },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** What the dialog is opened for: the settings alone, or a connection's command or VS Code. */
export type OpenSshDialogRequest =
  | { kind: 'settings'; problem?: string }
  | { kind: 'ssh'; command: SshCommand }
  | { kind: 'vscode'; link: VsCodeLink; instanceName: string };

export interface OpenSshDialogProps {
  request?: OpenSshDialogRequest;
  onClose: () => void;
}

export function OpenSshDialog({ request, onClose }: OpenSshDialogProps) {
  const styles = useStyles();
  const rpc = useRpc();
  const [status, setStatus] = useState<OpenSshStatus>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const open = request !== undefined;

  useEffect(() => {
    if (!open) return;
    let live = true;
    setError(undefined);
    rpc.call('openssh.status', {}).then(
      (s) => live && setStatus(s),
      (err: unknown) => live && setError(RpcError.from(err).message),
    );
    return () => {
      live = false;
    };
  }, [open, rpc]);

  const change = (method: 'openssh.addInclude' | 'openssh.removeInclude') => {
    setBusy(true);
    setError(undefined);
    rpc.call(method, {}).then(
      (s) => {
        setBusy(false);
        setStatus(s);
      },
      (err: unknown) => {
        setBusy(false);
        setError(RpcError.from(err).message);
      },
    );
  };

  const vscode = request?.kind === 'vscode' ? request : undefined;
  const reachable = status ? status.included && !status.scoped : false;
  const title =
    request?.kind === 'ssh'
      ? 'Connect from a terminal'
      : vscode
        ? `Open ${vscode.instanceName} in VS Code`
        : 'OpenSSH and VS Code';

  return (
    <Dialog open={open} modalType="modal" onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface data-testid="openssh-dialog">
        <DialogShell
          icon={<Code24Regular aria-hidden />}
          title={title}
          error={error}
          multilineError
          actions={
            <>
              {vscode && (
                <Button
                  appearance="primary"
                  data-testid="openssh-open-vscode"
                  onClick={() => {
                    openInBrowser(vscode.link.url);
                    onClose();
                  }}
                >
                  {reachable ? 'Open in VS Code' : 'Open anyway'}
                </Button>
              )}
              <Button data-testid="openssh-close" onClick={onClose}>
                Close
              </Button>
            </>
          }
        >
          {request?.kind === 'settings' && request.problem && (
            <MessageBar intent="error" layout="multiline" data-testid="openssh-problem">
              <MessageBarBody>{request.problem}</MessageBarBody>
            </MessageBar>
          )}
          {request?.kind === 'ssh' && (
            <>
              <Text block>
                Paste this into a terminal. It checks the host key exactly as the app does, with the
                keys you trusted here, and signs in with the same key.
              </Text>
              <code className={styles.code} data-testid="openssh-command">
                {request.command.command}
              </code>
              <div className={styles.row}>
                <CopyButton text={request.command.command} what="the ssh command" />
              </div>
            </>
          )}
          {vscode && (
            <>
              <Text block>
                VS Code (with its Remote - SSH extension) opens{' '}
                <strong>{vscode.link.folder}</strong> on {vscode.instanceName} as the host{' '}
                <strong>{vscode.link.alias}</strong>, which it looks up in your ~/.ssh/config.
              </Text>
              <code className={styles.code} data-testid="openssh-vscode-url">
                {vscode.link.url}
              </code>
            </>
          )}
          <section aria-label="Include in your ssh config">
            {!status ? (
              <Spinner size="tiny" label="Reading your ssh config…" labelPosition="after" />
            ) : (
              <>
                <Text block>
                  The app keeps its own OpenSSH config with a host for each pool instance (
                  {status.hosts}) and the host keys you trusted. VS Code and plain{' '}
                  <code>ssh &lt;host&gt;</code> find those hosts when your {status.userConfigPath}{' '}
                  has this line at its top:
                </Text>
                <code className={styles.code} data-testid="openssh-include-line">
                  {status.includeLine}
                </code>
                {status.scoped && (
                  <MessageBar intent="warning" layout="multiline">
                    <MessageBarBody>
                      The line is there, but after a Host or Match line, so OpenSSH applies it to
                      that block only. Remove it and add it again to put it at the top.
                    </MessageBarBody>
                  </MessageBar>
                )}
                <div className={styles.row}>
                  {status.included ? (
                    <Button
                      disabled={busy}
                      data-testid="openssh-remove-include"
                      onClick={() => change('openssh.removeInclude')}
                    >
                      Remove the line
                    </Button>
                  ) : (
                    <Button
                      appearance={vscode ? 'secondary' : 'primary'}
                      disabled={busy}
                      data-testid="openssh-add-include"
                      onClick={() => change('openssh.addInclude')}
                    >
                      Add the line
                    </Button>
                  )}
                  <Text size={200} className={styles.muted} data-testid="openssh-include-state">
                    {status.included
                      ? 'Included. Only this line is changed; a backup is kept beside the file.'
                      : 'Not included. Nothing in your file changes unless you add the line.'}
                  </Text>
                </div>
                <Text size={200} className={styles.muted} block>
                  The app's file: {status.configPath}
                </Text>
              </>
            )}
          </section>
        </DialogShell>
      </DialogSurface>
    </Dialog>
  );
}
