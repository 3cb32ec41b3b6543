// The header's Notifications menu: which kinds to be told about, where they show, the button that
// asks the browser for permission (the only place the page asks), and a test notification.
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
  type MenuProps,
} from '@fluentui/react-components';
import { Alert20Regular, AlertOn16Regular, Send16Regular } from '@fluentui/react-icons';
import {
  NOTIFICATION_KINDS,
  NOTIFICATION_KIND_LABELS,
  type NotificationKind,
} from '../../common/notification-models';
import { MenuNote } from '../shared/menu-note';
import type { Notifications } from './use-notifications';

/** Where notifications show, in a sentence. */
function whereShown(n: Notifications): string {
  if (n.shownBy === 'shell') return 'Shown by your desktop’s notification centre.';
  switch (n.permission) {
    case 'granted':
      return 'Shown as desktop notifications by this browser.';
    case 'denied':
      return 'This browser blocks notifications from this page, so they show inside the page. Allow them in the site’s settings to see them outside it.';
    case 'unsupported':
      return 'This browser has no desktop notifications; they show inside the page.';
    default:
      return 'They show inside the page until you allow desktop notifications.';
  }
}

export function NotificationsMenu({ notifications }: { notifications: Notifications }) {
  const { settings } = notifications;
  const checked: MenuProps['checkedValues'] = {
    kinds: settings ? NOTIFICATION_KINDS.filter((k) => settings[k]) : [],
  };
  return (
    <Menu
      checkedValues={checked}
      onCheckedValueChange={(_, data) => {
        if (!settings) return;
        // One item changes per click: find it and save just that kind.
        for (const kind of NOTIFICATION_KINDS) {
          const on = data.checkedItems.includes(kind);
          if (on !== settings[kind]) notifications.setEnabled(kind as NotificationKind, on);
        }
      }}
      positioning="below-end"
    >
      <MenuTrigger disableButtonEnhancement>
        <Button
          appearance="subtle"
          size="small"
          icon={<Alert20Regular />}
          data-testid="notifications-menu"
        >
          Notifications
        </Button>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          <MenuGroup>
            <MenuGroupHeader>Notify me about</MenuGroupHeader>
            {NOTIFICATION_KINDS.map((kind) => (
              <MenuItemCheckbox
                key={kind}
                name="kinds"
                value={kind}
                disabled={!settings}
                data-testid={`notify-${kind}`}
              >
                {NOTIFICATION_KIND_LABELS[kind]}
              </MenuItemCheckbox>
            ))}
          </MenuGroup>
          <MenuDivider />
          <MenuNote data-testid="notifications-where">{whereShown(notifications)}</MenuNote>
          {notifications.shownBy === 'page' && notifications.permission === 'default' && (
            <MenuItem
              icon={<AlertOn16Regular />}
              onClick={() => notifications.requestPermission()}
              data-testid="notifications-allow"
            >
              Allow desktop notifications…
            </MenuItem>
          )}
          <MenuItem
            icon={<Send16Regular />}
            onClick={() => notifications.sendTest()}
            data-testid="notifications-test"
          >
            Send a test notification
          </MenuItem>
          {notifications.error && <MenuNote error>{notifications.error}</MenuNote>}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
