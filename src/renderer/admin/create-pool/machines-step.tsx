// The wizard's Machines step: VM size, how many instances (now, fewest, most), image, OS disk,
// autoscale, and the notice an instance gets before a scale-in removes it.
import { Combobox, Dropdown, Field, Input, Option, Switch, Text } from '@fluentui/react-components';
import { POOL_FIELD_LABELS as L } from '../../../common/pool-fields';
import type { CreatePoolModel } from './create-pool-model';
import { COMMON_VM_SIZES, OS_DISK_TYPES, TERMINATE_NOTICE_MINUTES } from './pool-draft';
import { useWizardStyles } from './wizard-styles';

/** Machines: the scale set's VMs. */
export function MachinesStep({ model }: { model: CreatePoolModel }) {
  const styles = useWizardStyles();
  const { draft, update, field } = model;
  return (
    <>
      <Field
        label={L.vmSize}
        required
        hint="Any size your subscription offers in the region."
        {...field('vmSize')}
      >
        <Combobox
          freeform
          data-testid="wizard-vmSize"
          value={draft.vmSize}
          selectedOptions={[draft.vmSize]}
          onChange={(e) => update('vmSize', e.target.value)}
          onOptionSelect={(_, d) => d.optionValue && update('vmSize', d.optionValue)}
        >
          {COMMON_VM_SIZES.map((s) => (
            <Option key={s}>{s}</Option>
          ))}
        </Combobox>
      </Field>
      <div className={styles.row}>
        <Field label={L.instanceCount} {...field('instanceCount')}>
          <Input
            type="number"
            min={0}
            max={1000}
            value={draft.instanceCount}
            data-testid="wizard-instanceCount"
            onChange={(_, d) => update('instanceCount', d.value)}
          />
        </Field>
        <Field label={L.minInstances} hint="0 lets the pool sleep." {...field('minInstances')}>
          <Input
            type="number"
            min={0}
            max={1000}
            value={draft.minInstances}
            data-testid="wizard-minInstances"
            onChange={(_, d) => update('minInstances', d.value)}
          />
        </Field>
        <Field label={L.maxInstances} {...field('maxInstances')}>
          <Input
            type="number"
            min={1}
            max={1000}
            value={draft.maxInstances}
            data-testid="wizard-maxInstances"
            onChange={(_, d) => update('maxInstances', d.value)}
          />
        </Field>
      </div>
      <Field
        label={L.image}
        hint="Default: the current Ubuntu 22.04 Data Science VM."
        {...field('image')}
      >
        <div className={styles.row}>
          <Input
            aria-label="Image publisher"
            value={draft.imagePublisher}
            onChange={(_, d) => update('imagePublisher', d.value)}
          />
          <Input
            aria-label="Image offer"
            value={draft.imageOffer}
            onChange={(_, d) => update('imageOffer', d.value)}
          />
          <Input
            aria-label="Image SKU"
            value={draft.imageSku}
            onChange={(_, d) => update('imageSku', d.value)}
          />
        </div>
      </Field>
      <div className={styles.row2}>
        <Field label={L.osDiskType} {...field('osDiskType')}>
          <Dropdown
            value={draft.osDiskType}
            selectedOptions={[draft.osDiskType]}
            onOptionSelect={(_, d) => d.optionValue && update('osDiskType', d.optionValue)}
          >
            {OS_DISK_TYPES.map((t) => (
              <Option key={t}>{t}</Option>
            ))}
          </Dropdown>
        </Field>
        <Field label={L.autoscaleEnabled} {...field('autoscaleEnabled')}>
          <Switch
            checked={draft.autoscaleEnabled}
            label={draft.autoscaleEnabled ? 'On (between fewest and most)' : 'Off (fixed size)'}
            onChange={(_, d) => update('autoscaleEnabled', d.checked)}
          />
        </Field>
      </div>
      <Field
        label={L.terminateNotBeforeTimeout}
        hint="Before a scale-in or a delete removes an instance, everyone logged in on it is warned this long ahead (Azure allows 5 to 15 minutes)."
        {...field('terminateNotBeforeTimeout')}
      >
        <Dropdown
          data-testid="wizard-terminateNotice"
          value={`${draft.terminateNoticeMinutes} minutes`}
          selectedOptions={[draft.terminateNoticeMinutes]}
          onOptionSelect={(_, d) =>
            d.optionValue && update('terminateNoticeMinutes', d.optionValue)
          }
        >
          {TERMINATE_NOTICE_MINUTES.map((m) => (
            <Option key={m} value={m}>{`${m} minutes`}</Option>
          ))}
        </Dropdown>
      </Field>
      {draft.minInstances.trim() === '0' && (
        <Text size={200} className={styles.muted}>
          With 0 as the fewest, the pool can sleep at night; Connect starts an instance when someone
          needs one.
        </Text>
      )}
    </>
  );
}
