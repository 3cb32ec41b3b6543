// Actions on the active tab's connection, at the right of the tabs: Open Jupyter, Open in VS Code
// and a small menu (Copy ssh command, the OpenSSH settings, the terminal settings).
import {
  Button,
  Menu,
  MenuDivider,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Spinner,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowForward16Regular,
  Code16Regular,
  Code20Regular,
  Copy16Regular,
  DocumentSettings16Regular,
  MoreHorizontal20Regular,
  Notebook16Regular,
  Notebook20Regular,
  PeopleTeam16Regular,
  Settings16Regular,
} from '@fluentui/react-icons';
import { useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { ConnectionInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { openInBrowser } from '../jupyter/use-jupyter';
import { OpenSshDialog, type OpenSshDialogRequest } from '../openssh/openssh-dialog';
import type { JupyterMode, JupyterRun } from '../jupyter/use-jupyter';
import type { TerminalTab } from '../use-workspace';
import { shortcutLabels } from './xterm/app-shortcuts';
import { ShareStatus } from './share-status';
import { TerminalSettingsDialog } from './terminal-settings-dialog';

const useStyles = makeStyles({
  bar: {
    flex: '0 0 auto',
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    paddingLeft: tokens.spacingHorizontalS,
    borderLeft: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
});

export interface ConnectionToolbarProps {
  tab: TerminalTab;
  connection?: ConnectionInfo;
  run?: JupyterRun;
  onOpenJupyter: (mode: JupyterMode) => void;
  onForwardPort: () => void;
}

/** Why Jupyter cannot be opened on this connection now, if it cannot. */
export function jupyterUnavailable(connection: ConnectionInfo | undefined): string | undefined {
  switch (connection?.state) {
    case undefined:
    case 'connected':
      return undefined;
    case 'reconnecting':
      return 'Waiting for the connection to come back.';
    case 'connecting':
      return 'Still connecting.';
    default:
      return 'This connection is closed: Reconnect first.';
  }
}

export function ConnectionToolbar(props: ConnectionToolbarProps) {
  const { tab, connection, run } = props;
  const styles = useStyles();
  const id = tab.connectionId;
  const blocked = jupyterUnavailable(connection);
  const starting = run?.status === 'starting';
  const shortcut = shortcutLabels['open-jupyter'];
  const [settingsOpen, setSettingsOpen] = useState(false);
  const rpc = useRpc();
  const [openssh, setOpenssh] = useState<OpenSshDialogRequest>();
  const [opening, setOpening] = useState(false);
  const failed = (err: unknown) =>
    setOpenssh({ kind: 'settings', problem: RpcError.from(err).message });

  // VS Code opens at once when it can find the host (the Include is in ~/.ssh/config); else the
  // dialog says why and offers the line, never adding it by itself.
  const openVsCode = (insiders = false) => {
    if (opening) return;
    setOpening(true);
    rpc
      .call('openssh.vsCodeLink', { connectionId: id, insiders })
      .then((link) => {
        if (link.included) openInBrowser(link.url);
        else setOpenssh({ kind: 'vscode', link, instanceName: tab.instanceName });
      }, failed)
      .finally(() => setOpening(false));
  };
  const copySshCommand = () => {
    rpc
      .call('openssh.sshCommand', { connectionId: id })
      .then((command) => setOpenssh({ kind: 'ssh', command }), failed);
  };

  return (
    <div
      className={styles.bar}
      role="group"
      aria-label={`Connection to ${tab.instanceName}`}
      data-testid={`connection-toolbar-${id}`}
    >
      {connection && <ShareStatus connection={connection} />}
      <Tooltip
        content={
          blocked ??
          `Open Jupyter on ${tab.instanceName} in your browser, through a local port (${shortcut})`
        }
        relationship="description"
      >
        <Button
          size="small"
          appearance="subtle"
          icon={starting ? <Spinner size="extra-tiny" /> : <Notebook20Regular />}
          disabledFocusable={blocked !== undefined || starting}
          aria-keyshortcuts="Control+Shift+O"
          data-testid={`jupyter-open-${id}`}
          onClick={() => props.onOpenJupyter('notebook')}
        >
          {starting ? 'Starting Jupyter…' : 'Open Jupyter'}
        </Button>
      </Tooltip>
      <Tooltip
        content={
          blocked ??
          `Open ~/notebooks on ${tab.instanceName} in VS Code (Remote - SSH), with the app's host key`
        }
        relationship="description"
      >
        <Button
          size="small"
          appearance="subtle"
          icon={opening ? <Spinner size="extra-tiny" /> : <Code20Regular />}
          disabledFocusable={blocked !== undefined || opening}
          data-testid={`vscode-open-${id}`}
          onClick={() => openVsCode()}
        >
          Open in VS Code
        </Button>
      </Tooltip>
      <Menu positioning="below-end">
        <MenuTrigger disableButtonEnhancement>
          <Tooltip content={`More for ${tab.instanceName}`} relationship="label">
            <Button
              size="small"
              appearance="subtle"
              icon={<MoreHorizontal20Regular />}
              data-testid={`connection-menu-${id}`}
            />
          </Tooltip>
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <MenuItem
              icon={<Notebook16Regular />}
              secondaryContent={shortcut}
              disabled={blocked !== undefined || starting}
              data-testid={`jupyter-notebook-${id}`}
              onClick={() => props.onOpenJupyter('notebook')}
            >
              Jupyter (notebook)
            </MenuItem>
            <MenuItem
              icon={<PeopleTeam16Regular />}
              disabled={blocked !== undefined || starting}
              data-testid={`jupyter-hub-${id}`}
              onClick={() => props.onOpenJupyter('hub')}
            >
              JupyterHub
            </MenuItem>
            <MenuDivider />
            <MenuItem
              icon={<ArrowForward16Regular />}
              disabled={blocked !== undefined}
              data-testid={`forward-port-${id}`}
              onClick={props.onForwardPort}
            >
              Forward a port…
            </MenuItem>
            <MenuDivider />
            <MenuItem
              icon={<Copy16Regular />}
              data-testid={`ssh-command-${id}`}
              onClick={copySshCommand}
            >
              Copy ssh command…
            </MenuItem>
            <MenuItem
              icon={<Code16Regular />}
              disabled={blocked !== undefined}
              data-testid={`vscode-insiders-${id}`}
              onClick={() => openVsCode(true)}
            >
              Open in VS Code Insiders
            </MenuItem>
            <MenuItem
              icon={<DocumentSettings16Regular />}
              data-testid={`openssh-settings-${id}`}
              onClick={() => setOpenssh({ kind: 'settings' })}
            >
              OpenSSH and VS Code…
            </MenuItem>
            <MenuDivider />
            <MenuItem
              icon={<Settings16Regular />}
              data-testid="terminal-settings"
              onClick={() => setSettingsOpen(true)}
            >
              Terminal settings…
            </MenuItem>
          </MenuList>
        </MenuPopover>
      </Menu>
      <TerminalSettingsDialog open={settingsOpen} onClose={() => setSettingsOpen(false)} />
      <OpenSshDialog request={openssh} onClose={() => setOpenssh(undefined)} />
    </div>
  );
}
