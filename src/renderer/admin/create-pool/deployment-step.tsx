// After Create: the deployment's operation as it goes, and what to do next.
import { Spinner, Text, tokens } from '@fluentui/react-components';
import { OperationCard } from '../operations/operations-panel';
import type { CreatePoolModel } from './create-pool-model';
import { useWizardStyles } from './wizard-styles';

/** The deployment started by Create, followed until it ends. */
export function DeploymentStep({ model }: { model: CreatePoolModel }) {
  const styles = useWizardStyles();
  const { draft, operation, running } = model;
  return (
    <div data-testid="wizard-operation" data-status={operation?.status ?? 'running'}>
      {operation ? (
        <OperationCard op={operation} />
      ) : (
        <Spinner size="tiny" label="Starting the deployment…" />
      )}
      <Text block className={styles.muted} style={{ marginTop: tokens.spacingVerticalS }}>
        {running
          ? 'You can close this window: the deployment goes on, and the operations panel keeps showing it.'
          : operation?.status === 'succeeded'
            ? `The pool ${draft.poolName} is ready and in the app: its instances show in the admin view and under Connect.`
            : 'The deployment failed; what Azure said is above. Go back to change the settings and try again — they are kept when you close this window, too.'}
      </Text>
    </div>
  );
}
