// The wizard's last step: what will be created, the app's warnings, and the exact `az` commands.
import { MessageBar, MessageBarBody, Spinner } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { AzCommands } from '../az/az-commands';
import type { CreatePoolModel } from './create-pool-model';
import { draftParameters, resourceGroupOf } from './pool-draft';
import { useWizardStyles } from './wizard-styles';

/** Review: the settings in short, the app's warnings and the `az` commands. */
export function ReviewStep({ model }: { model: CreatePoolModel }) {
  const styles = useWizardStyles();
  const { draft, subs, review } = model;
  const params = draftParameters(draft);
  return (
    <>
      <dl className={styles.summary} data-testid="wizard-summary">
        <SummaryRow label="Pool">{draft.poolName}</SummaryRow>
        <SummaryRow label="Where">
          {subs?.find((s) => s.subscriptionId === draft.subscriptionId)?.displayName} ·{' '}
          {resourceGroupOf(draft)}
          {draft.resourceGroupMode === 'new' ? ' (new)' : ''} · {draft.location}
        </SummaryRow>
        <SummaryRow label="Machines">
          {String(params.instanceCount ?? '')} × {draft.vmSize} (autoscale{' '}
          {draft.autoscaleEnabled ? `${draft.minInstances}–${draft.maxInstances}` : 'off'})
        </SummaryRow>
        <SummaryRow label="Image">
          {draft.imagePublisher}:{draft.imageOffer}:{draft.imageSku}:{draft.imageVersion}
        </SummaryRow>
        <SummaryRow label="SSH">
          {draft.adminUsername} from {(params.allowedSourceCidrs as string[]).join(', ')} on ports{' '}
          {draft.natFrontendPortStart}+ of {String(params.dnsLabel)}
        </SummaryRow>
        {draft.storageAccountName && (
          <SummaryRow label="Storage">
            {draft.storageAccountName}/{draft.fileShareName}
            {draft.createStorage ? ` (new, ${draft.shareQuotaGiB} GiB)` : ' (existing)'}
          </SummaryRow>
        )}
      </dl>
      {!review && <Spinner size="tiny" label="Checking the settings…" />}
      {review?.warnings.map((w, i) => (
        <MessageBar key={i} intent="warning" layout="multiline">
          <MessageBarBody>{w}</MessageBarBody>
        </MessageBar>
      ))}
      {review && (
        <div data-testid="wizard-az">
          <AzCommands az={review.az} open />
        </div>
      )}
    </>
  );
}

function SummaryRow({ label, children }: { label: string; children: ReactNode }) {
  const styles = useWizardStyles();
  return (
    <>
      <dt className={styles.dt}>{label}</dt>
      <dd className={styles.dd}>{children}</dd>
    </>
  );
}
