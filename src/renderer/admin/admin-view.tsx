// The admin view: the Azure account and its subscriptions' pools on the left, the tracked Azure
// pools with their instances in the middle, and the operations (with their `az` equivalents) on the right.
import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { Add16Regular, PanelLeftContract20Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import type { PoolInfo } from '../../common/models';
import { useAzureSignIn } from './account/use-azure-sign-in';
import { useOperations } from './operations/use-operations';
import { AdminPool } from './pools/admin-pool';
import { AzureSignInCard } from './account/azure-sign-in-card';
import { AzureSubscriptionPools } from './account/azure-subscription-pools';
import { CreatePoolWizard } from './create-pool/create-pool-wizard';
import { OperationsPanel } from './operations/operations-panel';

const useStyles = makeStyles({
  root: { flex: '1 1 auto', minHeight: 0, display: 'flex' },
  side: {
    flex: '0 0 360px',
    minWidth: 0,
    overflowY: 'auto',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalM,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  main: {
    flex: '1 1 auto',
    minWidth: 0,
    overflowY: 'auto',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalM,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
  },
  opsFolded: {
    flex: '0 0 auto',
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalXS}`,
    backgroundColor: tokens.colorNeutralBackground2,
    borderLeft: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  ops: {
    flex: '0 0 340px',
    minWidth: 0,
    overflowY: 'auto',
    boxSizing: 'border-box',
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground2,
    borderLeft: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  heading: { margin: 0 },
  titleRow: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM },
  spacer: { flex: '1 1 auto' },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** localStorage key: the operations panel is folded away. */
const OPS_FOLDED = 'dsvm-pool.admin.operationsFolded';

export interface AdminViewProps {
  pools?: PoolInfo[];
  poolsError?: string;
  /** An operation to bring into view (a notification's click); `n` counts the requests. */
  showOperation?: { id: string; n: number };
}

export function AdminView({ pools, poolsError, showOperation }: AdminViewProps) {
  const styles = useStyles();
  const signIn = useAzureSignIn();
  const operations = useOperations();
  const azurePools = (pools ?? []).filter((p) => p.kind === 'azure');
  const [creating, setCreating] = useState(false);
  // The operations panel can fold away to give the instance table the width; remembered.
  const [opsFolded, setOpsFolded] = useState(() => localStorage.getItem(OPS_FOLDED) === '1');
  const foldOps = (folded: boolean) => {
    setOpsFolded(folded);
    localStorage.setItem(OPS_FOLDED, folded ? '1' : '0');
  };
  const running = operations.items?.filter((o) => o.status === 'running').length ?? 0;
  const signedIn = signIn.status?.signedIn === true;

  // A notification about an operation leads here: unfold the panel and scroll to its card.
  useEffect(() => {
    if (!showOperation) return;
    setOpsFolded(false);
    const frame = requestAnimationFrame(() =>
      document
        .querySelector(`[data-testid="operation-${CSS.escape(showOperation.id)}"]`)
        ?.scrollIntoView({ block: 'nearest' }),
    );
    return () => cancelAnimationFrame(frame);
  }, [showOperation]);

  return (
    <div className={styles.root}>
      <aside className={styles.side} aria-label="Azure account and subscriptions">
        <AzureSignInCard signIn={signIn} />
        {signIn.status?.signedIn && (
          // Keyed by account: another account sees other subscriptions.
          <AzureSubscriptionPools
            key={signIn.status.account?.objectId ?? signIn.status.account?.userName ?? 'account'}
            tracked={azurePools}
          />
        )}
      </aside>
      <main className={styles.main} aria-label="Azure pools">
        <div className={styles.titleRow}>
          <Text as="h2" weight="semibold" size={400} className={styles.heading}>
            Azure pools in the app
          </Text>
          <div className={styles.spacer} />
          <Button
            appearance="primary"
            icon={<Add16Regular />}
            disabled={!signedIn}
            title={signedIn ? undefined : 'Sign in to Azure first'}
            data-testid="create-pool-open"
            onClick={() => setCreating(true)}
          >
            Create pool…
          </Button>
        </div>
        {poolsError && (
          <MessageBar intent="error">
            <MessageBarBody>{poolsError}</MessageBarBody>
          </MessageBar>
        )}
        {!pools && !poolsError && <Spinner size="tiny" label="Loading pools…" />}
        {pools && azurePools.length === 0 && (
          <Text className={styles.muted}>
            No Azure pools in the app yet. Sign in, pick a subscription and add its pools.
          </Text>
        )}
        {azurePools.map((p) => (
          <AdminPool key={p.id} pool={p} onOperation={operations.upsert} />
        ))}
      </main>
      {opsFolded ? (
        <aside className={styles.opsFolded} aria-label="Operations (hidden)">
          <Button
            size="small"
            appearance="subtle"
            icon={<PanelLeftContract20Regular />}
            aria-label={`Show the operations${running ? ` (${running} running)` : ''}`}
            title="Show the operations"
            data-testid="operations-expand"
            onClick={() => foldOps(false)}
          />
          {running > 0 && (
            <Badge appearance="filled" color="brand" aria-hidden>
              {running}
            </Badge>
          )}
        </aside>
      ) : (
        <aside className={styles.ops}>
          <OperationsPanel operations={operations} onCollapse={() => foldOps(true)} />
        </aside>
      )}
      <CreatePoolWizard
        open={creating && signedIn}
        operations={operations}
        onClose={() => setCreating(false)}
      />
    </div>
  );
}
