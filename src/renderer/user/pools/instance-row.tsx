// One instance of a pool: name, state, sessions, address, a way to connect to it specifically,
// and a ⋯ menu with Test connection… (test ids instance-menu-<id>, instance-test-<id>).
import {
  Button,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  MoreHorizontal16Regular,
  NetworkCheck20Regular,
  PlugConnected16Regular,
  PlugDisconnected16Regular,
} from '@fluentui/react-icons';
import type { InstanceInfo } from '../../../common/models';
import { StateBadge } from '../../shared/state-badge';

const useStyles = makeStyles({
  row: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 1fr) auto',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover },
  },
  line: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    minWidth: 0,
  },
  name: {
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  meta: {
    display: 'flex',
    gap: tokens.spacingHorizontalM,
    color: tokens.colorNeutralForeground3,
  },
  address: { fontFamily: tokens.fontFamilyMonospace },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXXS },
  detail: { color: tokens.colorPaletteRedForeground1 },
  // A stopped host says why (e.g. unreachable) without alarming red: it is a state, not a fault.
  quietDetail: {
    color: tokens.colorNeutralForeground3,
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
});

function sessionSummary(sessions: Record<string, number>): { count: number; who: string } {
  const entries = Object.entries(sessions).filter(([, n]) => n > 0);
  const count = entries.reduce((sum, [, n]) => sum + n, 0);
  return { count, who: entries.map(([user, n]) => `${user}: ${n}`).join(', ') };
}

export interface InstanceRowProps {
  instance: InstanceInfo;
  disabled: boolean;
  onConnect: () => void;
  /** Opens "Test connection" for this instance. */
  onTest?: () => void;
  /** Local sandbox only: cut this instance's links to watch sessions heal. */
  onSimulateDrop?: () => void;
}

export function InstanceRow({
  instance,
  disabled,
  onConnect,
  onTest,
  onSimulateDrop,
}: InstanceRowProps) {
  const styles = useStyles();
  const { count, who } = sessionSummary(instance.sessions);
  return (
    <li className={styles.row} data-testid={`instance-${instance.id}`} data-state={instance.state}>
      <div>
        <div className={styles.line}>
          <Text weight="semibold" className={styles.name}>
            {instance.name}
          </Text>
          <StateBadge state={instance.state} title={instance.detail} />
        </div>
        <div className={styles.meta}>
          <Text size={200} title={who || 'Nobody is connected'}>
            {count === 1 ? '1 session' : `${count} sessions`}
          </Text>
          <Text size={200} className={styles.address}>
            {instance.host}:{instance.port}
          </Text>
        </div>
        {instance.state === 'failed' && instance.detail && (
          <Text size={200} className={styles.detail}>
            {instance.detail}
          </Text>
        )}
        {instance.state === 'stopped' && instance.detail && (
          <Text
            size={200}
            className={styles.quietDetail}
            title={instance.detail}
            data-testid="instance-detail"
          >
            {instance.detail}
          </Text>
        )}
      </div>
      <div className={styles.actions}>
        {onSimulateDrop && (
          <Tooltip
            content={`Simulate a network drop: cut the SSH links to ${instance.name} and watch them heal`}
            relationship="description"
          >
            <Button
              appearance="subtle"
              size="small"
              icon={<PlugDisconnected16Regular />}
              aria-label={`Simulate a network drop on ${instance.name}`}
              data-testid={`drop-${instance.id}`}
              disabled={count === 0 || instance.state !== 'running'}
              onClick={onSimulateDrop}
            />
          </Tooltip>
        )}
        <Tooltip content={`Connect to this instance (${instance.name})`} relationship="description">
          <Button
            appearance="subtle"
            size="small"
            icon={<PlugConnected16Regular />}
            aria-label="Connect to this instance"
            disabled={disabled}
            onClick={onConnect}
          />
        </Tooltip>
        {onTest && (
          <Menu positioning="below-end">
            <MenuTrigger disableButtonEnhancement>
              <Button
                appearance="subtle"
                size="small"
                icon={<MoreHorizontal16Regular />}
                aria-label={`More for ${instance.name}`}
                data-testid={`instance-menu-${instance.id}`}
              />
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                <MenuItem
                  icon={<NetworkCheck20Regular />}
                  data-testid={`instance-test-${instance.id}`}
                  onClick={onTest}
                >
                  Test connection…
                </MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
        )}
      </div>
    </li>
  );
}
