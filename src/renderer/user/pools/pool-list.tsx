// The left side: every pool as a card, with loading, failure and empty states.
import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ServerMultiple20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { PoolInfo, Prompt } from '../../../common/models';
import type { ConnectionMap } from '../use-connections';
import type { Workspace } from '../use-workspace';
import { PoolCard } from './pool-card';
import { PoolKeyDialog } from '../ssh-pools/pool-key-dialog';
import { RemovePoolDialog } from '../ssh-pools/remove-pool-dialog';
import { SshPoolEditor, type SshPoolEditorTarget } from '../ssh-pools/ssh-pool-editor';

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
  add: { alignSelf: 'flex-start' },
});

export interface PoolListProps {
  pools?: PoolInfo[];
  error?: string;
  connections: ConnectionMap;
  prompts: Prompt[];
  workspace: Workspace;
  disabled: boolean;
  /** Opens the admin view, where the Azure sign-in is. */
  onSignIn?: () => void;
}

export function PoolList({
  pools,
  error,
  connections,
  prompts,
  workspace,
  disabled,
  onSignIn,
}: PoolListProps) {
  const styles = useStyles();
  const [editor, setEditor] = useState<SshPoolEditorTarget>();
  const [keyFor, setKeyFor] = useState<string>();
  const [removing, setRemoving] = useState<string>();
  const find = (poolId: string | undefined) => pools?.find((p) => p.id === poolId);
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
          {...(onSignIn ? { onSignIn } : {})}
          {...(pool.kind === 'ssh-hosts'
            ? {
                onEdit: () => setEditor({ mode: 'edit', pool }),
                onGenerateKey: () => setKeyFor(pool.id),
                onRemove: () => setRemoving(pool.id),
              }
            : {})}
        />
      ))}
      <Button
        className={styles.add}
        appearance="subtle"
        icon={<ServerMultiple20Regular />}
        disabled={disabled}
        data-testid="add-ssh-pool"
        onClick={() => setEditor({ mode: 'create' })}
      >
        Add pool of SSH hosts
      </Button>
      <SshPoolEditor
        target={editor}
        defaultUser={pools.find((p) => p.kind === 'local')?.user}
        onClose={() => setEditor(undefined)}
      />
      <PoolKeyDialog pool={find(keyFor)} onClose={() => setKeyFor(undefined)} />
      <RemovePoolDialog
        pool={find(removing)}
        openTabs={workspace.tabs.filter((t) => t.poolId === removing).length}
        onRemoved={(poolId) => {
          setRemoving(undefined);
          for (const tab of workspace.tabs)
            if (tab.poolId === poolId) workspace.closeTab(tab.terminalId);
        }}
        onClose={() => setRemoving(undefined)}
      />
    </div>
  );
}
