// The left side: every pool as a card, with loading, failure and empty states.
import {
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { PoolInfo, Prompt } from '../../common/models';
import type { ConnectionMap } from '../state/use-connections';
import type { Workspace } from '../state/use-workspace';
import { PoolCard } from './pool-card';

const useStyles = makeStyles({
  list: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
  },
  heading: {
    margin: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalXS} 0`,
    color: tokens.colorNeutralForeground3,
    textTransform: 'uppercase',
    letterSpacing: '0.04em',
  },
  empty: { padding: tokens.spacingHorizontalS, color: tokens.colorNeutralForeground2 },
});

export interface PoolListProps {
  pools?: PoolInfo[];
  error?: string;
  connections: ConnectionMap;
  prompts: Prompt[];
  workspace: Workspace;
  disabled: boolean;
}

export function PoolList({
  pools,
  error,
  connections,
  prompts,
  workspace,
  disabled,
}: PoolListProps) {
  const styles = useStyles();
  if (error) {
    return (
      <MessageBar intent="error" layout="multiline" data-testid="pools-error">
        <MessageBarBody>
          <MessageBarTitle>Could not list the pools</MessageBarTitle>
          {error}
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (!pools) return <Spinner size="small" label="Loading pools…" />;
  return (
    <div className={styles.list}>
      <Text size={200} weight="semibold" className={styles.heading}>
        Pools
      </Text>
      {pools.length === 0 && (
        <Text className={styles.empty}>
          No pools yet. An admin can create one, or import a pool profile.
        </Text>
      )}
      {pools.map((pool) => (
        <PoolCard
          key={pool.id}
          pool={pool}
          connections={connections}
          prompts={prompts}
          pending={workspace.pending[pool.id]}
          error={workspace.errors[pool.id]}
          disabled={disabled}
          onConnect={(instanceId) => workspace.connect(pool.id, instanceId)}
          onDismissError={() => workspace.dismissError(pool.id)}
        />
      ))}
    </div>
  );
}
