// The header's Updates menu: where the updater is, Check for updates, the step on offer, and the
// "Automatic updates" setting (greyed where the environment or the shell decide).
import {
  Button,
  Menu,
  MenuDivider,
  MenuGroup,
  MenuGroupHeader,
  MenuItem,
  MenuItemCheckbox,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Spinner,
  makeStyles,
  tokens,
  type MenuProps,
} from '@fluentui/react-components';
import {
  ArrowClockwise16Regular,
  ArrowDownload16Regular,
  ArrowSync20Regular,
  ArrowCircleDown20Filled,
} from '@fluentui/react-icons';
import type { UpdateStatus } from '../../common/update-models';
import { MenuNote } from '../shared/menu-note';
import type { Updates } from './use-updates';

const useStyles = makeStyles({
  pending: { color: tokens.colorBrandForeground1 },
});

/** "Last checked 10:42" in the user's clock, when the app has asked the feed. */
function lastChecked(status: UpdateStatus): string | undefined {
  if (!status.lastCheck) return undefined;
  const at = new Date(status.lastCheck.at);
  return `Last checked ${at.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })}.`;
}

export function UpdatesMenu({ updates }: { updates: Updates }) {
  const styles = useStyles();
  const { status } = updates;
  if (!status) return null;
  const { phase } = status;
  const off = phase === 'disabled';
  const busy = phase === 'checking' || phase === 'downloading';
  const pending = phase === 'available' || phase === 'ready';
  const checked: MenuProps['checkedValues'] = { updates: status.enabled ? ['auto'] : [] };
  const icon =
    phase === 'checking' ? (
      <Spinner size="extra-tiny" />
    ) : pending ? (
      <ArrowCircleDown20Filled className={styles.pending} />
    ) : (
      <ArrowSync20Regular />
    );
  return (
    <Menu
      checkedValues={checked}
      onCheckedValueChange={(_, data) => updates.setEnabled(data.checkedItems.includes('auto'))}
      positioning="below-end"
    >
      <MenuTrigger disableButtonEnhancement>
        <Button
          appearance="subtle"
          size="small"
          icon={icon}
          data-testid="updates-menu"
          aria-label={pending ? 'Updates (an update is available)' : 'Updates'}
          title={status.message}
        >
          Updates
        </Button>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          <MenuGroup>
            <MenuGroupHeader>dsvm-pool {status.currentVersion}</MenuGroupHeader>
            <MenuNote data-testid="updates-status">
              {status.message} {lastChecked(status)}
            </MenuNote>
          </MenuGroup>
          <MenuDivider />
          <MenuItem
            icon={<ArrowClockwise16Regular />}
            disabled={off || busy}
            onClick={() => updates.run('check')}
          >
            Check for updates
          </MenuItem>
          {(phase === 'available' || (phase === 'error' && status.failed === 'download')) && (
            <MenuItem icon={<ArrowDownload16Regular />} onClick={() => updates.run('download')}>
              Download {status.offer?.version}
            </MenuItem>
          )}
          {phase === 'ready' && (
            <MenuItem onClick={() => updates.run('restart')}>Restart to update</MenuItem>
          )}
          <MenuDivider />
          <MenuItemCheckbox name="updates" value="auto" disabled={!status.canChange}>
            Automatic updates
          </MenuItemCheckbox>
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
