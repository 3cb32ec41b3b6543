// One instance of a pool: name, state, sessions, address, and a way to connect to it specifically.
import { Button, Text, Tooltip, makeStyles, tokens } from '@fluentui/react-components';
import { PlugConnected16Regular } from '@fluentui/react-icons';
import type { InstanceInfo } from '../../common/models';
import { StateBadge } from './state-badge';

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
  detail: { color: tokens.colorPaletteRedForeground1 },
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
}

export function InstanceRow({ instance, disabled, onConnect }: InstanceRowProps) {
  const styles = useStyles();
  const { count, who } = sessionSummary(instance.sessions);
  return (
    <li className={styles.row} data-testid={`instance-${instance.id}`} data-state={instance.state}>
      <div>
        <div className={styles.line}>
          <Text weight="semibold" className={styles.name}>
            {instance.name}
          </Text>
          <StateBadge state={instance.state} />
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
      </div>
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
    </li>
  );
}
