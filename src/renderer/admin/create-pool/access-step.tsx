// The wizard's Access step: the admin account and key, who may reach SSH, the DNS label and the
// first NAT port.
import { Button, Checkbox, Field, Input, Textarea } from '@fluentui/react-components';
import { Key16Regular } from '@fluentui/react-icons';
import { POOL_FIELD_LABELS as L } from '../../../common/pool-fields';
import type { CreatePoolModel } from './create-pool-model';
import { derivedDnsLabel } from './pool-draft';
import { useWizardStyles } from './wizard-styles';

/** Access: how the admin and the app reach the VMs. */
export function AccessStep({ model }: { model: CreatePoolModel }) {
  const styles = useWizardStyles();
  const { draft, update, field, fillAppKey } = model;
  return (
    <>
      <Field label={L.adminUsername} required {...field('adminUsername')}>
        <Input
          value={draft.adminUsername}
          data-testid="wizard-adminUsername"
          onChange={(_, d) => update('adminUsername', d.value)}
        />
      </Field>
      <Field
        label={L.sshPublicKey}
        required
        hint="Password login is off. The app's own key is filled in so the app can connect at once."
        {...field('sshPublicKey')}
      >
        <Textarea
          resize="vertical"
          className={styles.mono}
          value={draft.sshPublicKey}
          data-testid="wizard-sshPublicKey"
          onChange={(_, d) => update('sshPublicKey', d.value)}
        />
      </Field>
      <div className={styles.inline}>
        <Button size="small" icon={<Key16Regular />} onClick={fillAppKey}>
          Use the app&apos;s key
        </Button>
      </div>
      <Field
        label={L.allowedSourceCidrs}
        required
        hint="Address ranges (CIDR), one per line: your office or VPN. Nothing else gets through."
        {...field('allowedSourceCidrs')}
      >
        <Textarea
          resize="vertical"
          className={styles.mono}
          placeholder="203.0.113.0/24"
          value={draft.allowedSourceCidrs}
          data-testid="wizard-allowedSourceCidrs"
          onChange={(_, d) => update('allowedSourceCidrs', d.value)}
        />
      </Field>
      <Checkbox
        checked={draft.allowInternetSsh}
        label="I accept 0.0.0.0/0: SSH open to the whole internet (keys only)"
        onChange={(_, d) => update('allowInternetSsh', d.checked === true)}
      />
      <div className={styles.row2}>
        <Field
          label={L.dnsLabel}
          hint={`<label>.${draft.location || 'region'}.cloudapp.azure.com`}
          {...field('dnsLabel')}
        >
          <Input
            placeholder={derivedDnsLabel(draft)}
            value={draft.dnsLabel}
            data-testid="wizard-dnsLabel"
            onChange={(_, d) => update('dnsLabel', d.value)}
          />
        </Field>
        <Field
          label={L.natFrontendPortStart}
          hint="Instance n answers on this port + n."
          {...field('natFrontendPortStart')}
        >
          <Input
            type="number"
            min={1024}
            max={65535}
            value={draft.natFrontendPortStart}
            data-testid="wizard-natFrontendPortStart"
            onChange={(_, d) => update('natFrontendPortStart', d.value)}
          />
        </Field>
      </div>
    </>
  );
}
