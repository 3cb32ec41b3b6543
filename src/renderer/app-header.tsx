// The top bar: app name, the Connect / Admin switch, the demo's label (npm run demo), the
// Notifications and Updates menus, and which shell hosts the UI (Electron or the browser host).
import { Badge, Tab, TabList, Text, makeStyles, tokens } from '@fluentui/react-components';
import { CloudDesktop20Regular } from '@fluentui/react-icons';
import { DEMO_BADGE, demoLabel } from '../common/demo-label';
import type { AppInfo } from '../common/models';
import { NotificationsMenu } from './notifications/notifications-menu';
import type { Notifications } from './notifications/use-notifications';
import { UpdatesMenu } from './updates/updates-menu';
import type { Updates } from './updates/use-updates';

const useStyles = makeStyles({
  header: {
    flex: '0 0 auto',
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    height: '44px',
    padding: `0 ${tokens.spacingHorizontalL}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  icon: { color: tokens.colorBrandForeground1 },
  title: { margin: 0 },
  tabs: { marginLeft: tokens.spacingHorizontalL },
  spacer: { flex: '1 1 auto' },
  version: { color: tokens.colorNeutralForeground3 },
  demo: { flex: '0 0 auto', fontWeight: tokens.fontWeightSemibold },
  demoAddress: { color: tokens.colorNeutralForeground3, whiteSpace: 'nowrap' },
});

const shellLabel: Record<AppInfo['shell'], string> = {
  electron: 'Desktop app (Electron)',
  headless: 'Browser (headless host)',
};

export type { AppView } from '../common/notification-models';
import type { AppView } from '../common/notification-models';

export interface AppHeaderProps {
  info?: AppInfo;
  view: AppView;
  onViewChange: (view: AppView) => void;
  updates?: Updates;
  notifications?: Notifications;
}

export function AppHeader({ info, view, onViewChange, updates, notifications }: AppHeaderProps) {
  const styles = useStyles();
  return (
    <header className={styles.header}>
      <CloudDesktop20Regular className={styles.icon} aria-hidden />
      <Text as="h1" weight="semibold" size={400} className={styles.title}>
        dsvm-pool
      </Text>
      <TabList
        size="small"
        className={styles.tabs}
        selectedValue={view}
        aria-label="View"
        onTabSelect={(_, data) => onViewChange(data.value as AppView)}
      >
        <Tab value="user" data-testid="view-user">
          Connect
        </Tab>
        <Tab value="admin" data-testid="view-admin">
          Admin
        </Tab>
      </TabList>
      <div className={styles.spacer} />
      {info?.demo && (
        // Where everything shown is made up, nobody should think otherwise.
        <>
          <Badge
            appearance="filled"
            color="danger"
            size="large"
            className={styles.demo}
            data-testid="demo-badge"
            title={demoLabel(info.demo)}
          >
            {DEMO_BADGE}
          </Badge>
          <Text size={200} className={styles.demoAddress} data-testid="demo-emulator">
            {info.demo.emulatorUrl}
          </Text>
        </>
      )}
      {notifications && <NotificationsMenu notifications={notifications} />}
      {updates && <UpdatesMenu updates={updates} />}
      {info && (
        <>
          <Badge
            appearance="outline"
            color="informative"
            data-testid="app-shell"
            title={`Shell: ${info.shell}`}
          >
            {shellLabel[info.shell]}
          </Badge>
          <Text size={200} className={styles.version}>
            v{info.version}
          </Text>
        </>
      )}
    </header>
  );
}
