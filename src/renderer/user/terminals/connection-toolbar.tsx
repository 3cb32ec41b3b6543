// Actions on the active tab's connection, at the right of the tabs: Open Jupyter and a small menu
// (with the terminal settings).
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
  MoreHorizontal20Regular,
  Notebook16Regular,
  Notebook20Regular,
  PeopleTeam16Regular,
  Settings16Regular,
} from '@fluentui/react-icons';
import { useState } from 'react';
import type { ConnectionInfo } from '../../../common/models';
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
    </div>
  );
}
