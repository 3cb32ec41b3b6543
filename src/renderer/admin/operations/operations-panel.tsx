// Azure operations, running and recent: status, latest progress, a deployment's resources, the
// `az` equivalent, and Dismiss for finished ones.
import {
  Badge,
  Button,
  Card,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  CheckmarkCircle16Filled,
  Dismiss16Regular,
  ErrorCircle16Filled,
  PanelRightContract20Regular,
} from '@fluentui/react-icons';
import { useState } from 'react';
import { RpcError } from '../../../common/errors';
import type { OperationInfo } from '../../../common/models';
import type { Operations } from './use-operations';
import { AzCommands } from '../az/az-commands';

const useStyles = makeStyles({
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  head: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  title: { flex: '1 1 auto', minWidth: 0, overflowWrap: 'anywhere' },
  ok: { color: tokens.colorPaletteGreenForeground1 },
  bad: { color: tokens.colorPaletteRedForeground1 },
  progress: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalL,
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase200,
  },
  resources: { display: 'flex', flexDirection: 'column', gap: '2px' },
  resource: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  heading: { margin: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
});

const resourceColor = (state: string) =>
  state === 'Succeeded' ? 'success' : state === 'Failed' ? 'danger' : 'informative';

/** One operation: status, latest progress, deployment resources, error and `az`; dismissable when given onDismiss. */
export function OperationCard({
  op,
  onDismiss,
}: {
  op: OperationInfo;
  onDismiss?: () => Promise<void>;
}) {
  const styles = useStyles();
  const [error, setError] = useState<string>();
  const latest = op.progress.slice(-3);
  return (
    <Card size="small" data-testid={`operation-${op.id}`} data-status={op.status}>
      <div className={styles.head}>
        {op.status === 'running' ? (
          <Spinner size="extra-tiny" aria-label="Running" />
        ) : op.status === 'succeeded' ? (
          <CheckmarkCircle16Filled className={styles.ok} aria-label="Succeeded" />
        ) : (
          <ErrorCircle16Filled className={styles.bad} aria-label="Failed" />
        )}
        <Text weight="semibold" className={styles.title}>
          {op.title}
        </Text>
        {op.status !== 'running' && onDismiss && (
          <Button
            size="small"
            appearance="subtle"
            icon={<Dismiss16Regular />}
            aria-label={`Dismiss ${op.title}`}
            onClick={() =>
              onDismiss().catch((err: unknown) => setError(RpcError.from(err).message))
            }
          />
        )}
      </div>
      {latest.length > 0 && (
        <ul className={styles.progress} aria-label="Latest progress">
          {latest.map((p, i) => (
            <li key={i}>
              <span className={styles.muted}>{new Date(p.at).toLocaleTimeString()}</span> {p.text}
            </li>
          ))}
        </ul>
      )}
      {op.resources && op.resources.length > 0 && (
        <div className={styles.resources} aria-label="Deployment resources">
          {op.deploymentStatus && (
            <Text size={200} className={styles.muted}>
              Deployment: {op.deploymentStatus}
            </Text>
          )}
          {op.resources.map((r) => (
            <div key={`${r.type}/${r.name}`} className={styles.resource}>
              <Badge size="small" appearance="tint" color={resourceColor(r.provisioningState)}>
                {r.provisioningState}
              </Badge>
              <Text size={200} className={styles.wrap}>
                {r.name} <span className={styles.muted}>({r.type})</span>
                {r.error?.message && ` — ${r.error.message}`}
              </Text>
            </div>
          ))}
        </div>
      )}
      {op.status === 'failed' && op.error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody className={styles.wrap}>
            {/* Azure's codes (AllocationFailed) help a search; the app's own (E_BAD_INPUT) do not. */}
            {op.error.code && !op.error.code.startsWith('E_') ? `${op.error.code}: ` : ''}
            {op.error.message}
          </MessageBarBody>
        </MessageBar>
      )}
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      <AzCommands az={op.az} />
    </Card>
  );
}

export function OperationsPanel({
  operations,
  onCollapse,
}: {
  operations: Operations;
  /** Shows a button that folds the panel away (the admin view keeps the choice). */
  onCollapse?: () => void;
}) {
  const styles = useStyles();
  const { items, error } = operations;
  return (
    <section aria-label="Operations" className={styles.list}>
      <div className={styles.head}>
        <Text as="h2" weight="semibold" size={400} className={`${styles.heading} ${styles.title}`}>
          Operations
        </Text>
        {onCollapse && (
          <Button
            size="small"
            appearance="subtle"
            icon={<PanelRightContract20Regular />}
            aria-label="Hide the operations"
            title="Hide the operations (they keep running)"
            data-testid="operations-collapse"
            onClick={onCollapse}
          />
        )}
      </div>
      {error && (
        <MessageBar intent="error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      )}
      {!items && !error && <Spinner size="tiny" label="Loading operations…" />}
      {items?.length === 0 && (
        <Text className={styles.muted}>No operations yet. What you do here shows up here.</Text>
      )}
      {items?.map((op) => (
        <OperationCard key={op.id} op={op} onDismiss={() => operations.dismiss(op.id)} />
      ))}
    </section>
  );
}
