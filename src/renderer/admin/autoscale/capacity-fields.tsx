// A profile's instance counts: minimum, default (when no metric can be read) and maximum.
import { Field, Input } from '@fluentui/react-components';
import type { CapacityDraft } from './autoscale-draft';
import { useAutoscaleStyles } from './autoscale-styles';

export function CapacityFields({
  id,
  owner,
  value,
  path,
  errorAt,
  disabled,
  onChange,
}: {
  id: string;
  owner: string;
  value: CapacityDraft;
  path: string;
  errorAt: (path: string) => string | undefined;
  disabled?: boolean;
  onChange: (value: CapacityDraft) => void;
}) {
  const styles = useAutoscaleStyles();
  const field = (key: keyof CapacityDraft, label: string, short: string, hint?: string) => (
    <Field
      label={label}
      hint={hint}
      className={styles.count}
      validationMessage={errorAt(`${path}.${key}`)}
    >
      <Input
        type="number"
        min={0}
        max={1000}
        step={1}
        value={value[key]}
        disabled={disabled}
        aria-description={`${label} instances of ${owner}`}
        data-testid={`${id}-${short}`}
        onChange={(_, d) => onChange({ ...value, [key]: d.value })}
      />
    </Field>
  );
  return (
    <div className={styles.row} role="group" aria-label={`Instances of ${owner}`}>
      {field('minimum', 'Minimum', 'min')}
      {field('default', 'Default', 'default', 'When no metric can be read')}
      {field('maximum', 'Maximum', 'max')}
    </div>
  );
}
