// The wizard's Storage step: the optional Azure Files share every instance mounts.
import { Checkbox, Field, Input, Text } from '@fluentui/react-components';
import { POOL_FIELD_LABELS as L } from '../../../common/pool-fields';
import type { CreatePoolModel } from './create-pool-model';
import { useWizardStyles } from './wizard-styles';

/** Storage: the share, made by the template or existing. */
export function StorageStep({ model }: { model: CreatePoolModel }) {
  const styles = useWizardStyles();
  const { draft, update, field } = model;
  return (
    <>
      <Text block className={styles.muted}>
        Optional: the Azure Files share every instance mounts, so each member&apos;s notebooks are
        on every VM. Leave empty to add storage later.
      </Text>
      <div className={styles.row2}>
        <Field label={L.storageAccountName} {...field('storageAccountName')}>
          <Input
            value={draft.storageAccountName}
            data-testid="wizard-storageAccountName"
            onChange={(_, d) => update('storageAccountName', d.value)}
          />
        </Field>
        <Field label={L.fileShareName} {...field('fileShareName')}>
          <Input
            value={draft.fileShareName}
            data-testid="wizard-fileShareName"
            onChange={(_, d) => update('fileShareName', d.value)}
          />
        </Field>
      </div>
      <div className={styles.row2}>
        <Checkbox
          checked={!draft.createStorage}
          label="They exist already (in the pool's resource group)"
          onChange={(_, d) => update('createStorage', d.checked !== true)}
        />
        {draft.createStorage && (
          <Field label={L.shareQuotaGiB} {...field('shareQuotaGiB')}>
            <Input
              type="number"
              min={1}
              max={102400}
              value={draft.shareQuotaGiB}
              data-testid="wizard-shareQuotaGiB"
              onChange={(_, d) => update('shareQuotaGiB', d.value)}
            />
          </Field>
        )}
      </div>
      <Text size={200} className={styles.muted}>
        Every instance gets the pool agent: it mounts the share at boot and every minute, and gives
        each team member their account and ~/notebooks/remote. The storage key reaches the VMs only
        in the extension&apos;s protected settings.
      </Text>
    </>
  );
}
