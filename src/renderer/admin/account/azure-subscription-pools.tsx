// Signed in: pick a subscription, see its pools, and add the ones the app does not track yet.
import {
  Button,
  Card,
  Dropdown,
  Field,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { AzurePoolSummary, PoolInfo } from '../../../common/models';
import { useRpc } from '../../shared/rpc-context';
import { useLoad } from '../../shared/use-load';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column' },
  item: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} 0`,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  name: { flex: '1 1 auto', minWidth: 0, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
});

const key = (p: { subscriptionId: string; resourceGroup: string; poolName: string }) =>
  `${p.subscriptionId}/${p.resourceGroup}/${p.poolName}`.toLowerCase();

export function AzureSubscriptionPools({ tracked }: { tracked: PoolInfo[] }) {
  const styles = useStyles();
  const rpc = useRpc();
  const [subscriptionId, setSubscriptionId] = useState<string>();
  const [adding, setAdding] = useState<string>();
  const [addError, setAddError] = useState<{ key: string; message: string }>();

  const { data: subs, error: subsError } = useLoad(
    true,
    () => rpc.call('azure.listSubscriptions', {}),
    [rpc],
    {
      onData: (list) => {
        if (list.length === 1) setSubscriptionId(list[0].subscriptionId);
      },
    },
  );

  // Re-read when the app's pools change (a pool created or deleted here shows at once); the last
  // list shows meanwhile.
  const trackedKey = tracked
    .map((p) => p.id)
    .sort()
    .join('\n');
  const { data: pools, error: poolsError } = useLoad(
    !!subscriptionId,
    () => rpc.call('azure.listPools', { subscriptionId: subscriptionId! }),
    [rpc, subscriptionId, trackedKey],
    { keep: true, clearWhenDisabled: true },
  );

  const trackedKeys = new Set(tracked.flatMap((p) => (p.azure ? [key(p.azure)] : [])));
  const selected = subs?.find((s) => s.subscriptionId === subscriptionId);

  const add = (p: AzurePoolSummary) => {
    const k = key(p);
    setAdding(k);
    setAddError(undefined);
    rpc
      .call('azure.addPool', {
        subscriptionId: p.subscriptionId,
        resourceGroup: p.resourceGroup,
        poolName: p.poolName,
      })
      .then(
        () => setAdding(undefined),
        (err: unknown) => {
          setAdding(undefined);
          setAddError({ key: k, message: RpcError.from(err).message });
        },
      );
  };

  return (
    <Card>
      <Field label="Subscription" validationMessage={subsError}>
        <Dropdown
          data-testid="azure-subscription"
          placeholder={subs ? 'Pick a subscription' : 'Loading subscriptions…'}
          disabled={!subs || subs.length === 0}
          value={selected ? selected.displayName : ''}
          selectedOptions={subscriptionId ? [subscriptionId] : []}
          onOptionSelect={(_, data) => setSubscriptionId(data.optionValue)}
        >
          {subs?.map((s) => (
            <Option key={s.subscriptionId} value={s.subscriptionId} text={s.displayName}>
              {s.displayName} ({s.state})
            </Option>
          ))}
        </Dropdown>
      </Field>
      {subs?.length === 0 && (
        <Text className={styles.muted}>This account sees no subscriptions.</Text>
      )}
      {subscriptionId && !pools && !poolsError && <Spinner size="tiny" label="Finding pools…" />}
      {poolsError && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>{poolsError}</MessageBarBody>
        </MessageBar>
      )}
      {pools?.length === 0 && <Text className={styles.muted}>No pools in this subscription.</Text>}
      {pools && pools.length > 0 && (
        <ul className={styles.list} aria-label="Pools in the subscription">
          {pools.map((p) => {
            const k = key(p);
            const isTracked = trackedKeys.has(k);
            return (
              <li key={p.id} className={styles.item} data-testid={`azure-pool-${p.poolName}`}>
                <Text className={styles.name}>
                  <strong>{p.poolName}</strong>{' '}
                  <span className={styles.muted}>
                    {p.resourceGroup} · {p.location} · {p.vmSize} · {p.capacity}{' '}
                    {p.capacity === 1 ? 'instance' : 'instances'}
                  </span>
                  {addError?.key === k && (
                    <Text block size={200} style={{ color: tokens.colorPaletteRedForeground1 }}>
                      {addError.message}
                    </Text>
                  )}
                </Text>
                {isTracked ? (
                  <Text size={200} className={styles.muted}>
                    In the app
                  </Text>
                ) : (
                  <Button
                    size="small"
                    disabled={adding !== undefined}
                    icon={adding === k ? <Spinner size="extra-tiny" /> : undefined}
                    onClick={() => add(p)}
                  >
                    Add to app
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
