// One weekly schedule: name, days, start and (optional) end time, time zone, capacity and the
// rules that apply while it is on.
import {
  Button,
  Checkbox,
  Dropdown,
  Field,
  Input,
  Option,
  Text,
  ToggleButton,
  Tooltip,
} from '@fluentui/react-components';
import { Delete16Regular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import type { AutoscaleTimeZone } from '../../../common/models';
import { DAYS, describeDays, type ScheduleDraft } from './autoscale-draft';
import { AutoscaleRules } from './autoscale-rules';
import { useAutoscaleStyles } from './autoscale-styles';
import { CapacityFields } from './capacity-fields';

export function ScheduleEditor({
  index,
  schedule: s,
  zones,
  errorAt,
  disabled,
  onChange,
  onCopyDefaultRules,
  onRemove,
}: {
  index: number;
  schedule: ScheduleDraft;
  zones: AutoscaleTimeZone[];
  errorAt: (path: string) => string | undefined;
  disabled?: boolean;
  onChange: (update: Partial<ScheduleDraft>) => void;
  onCopyDefaultRules: () => void;
  onRemove: () => void;
}) {
  const styles = useAutoscaleStyles();
  const id = `autoscale-schedule-${index}`;
  const path = `settings.schedules.${index}`;
  const label = s.name.trim() ? `schedule ${s.name}` : `schedule ${index + 1}`;
  const options: AutoscaleTimeZone[] = zones.some((z) => z.id === s.timeZone)
    ? zones
    : [{ id: s.timeZone, offset: '' }, ...zones];
  const zoneText = (z: AutoscaleTimeZone) => (z.offset ? `(UTC${z.offset}) ${z.id}` : z.id);
  const current = options.find((z) => z.id === s.timeZone);
  const summary: ReactNode = `${describeDays(s.days)} ${s.start}${s.hasEnd ? `–${s.end}` : ' onwards'} (${s.timeZone}): ${s.capacity.minimum}–${s.capacity.maximum} ${s.capacity.maximum.trim() === '1' ? 'instance' : 'instances'}, ${s.capacity.default} by default${s.hasEnd ? `; at ${s.end} back to the default` : '; until another schedule starts'}.`;

  return (
    <fieldset className={styles.schedule} data-testid={id} aria-label={label}>
      <div className={styles.scheduleHead}>
        <Field label="Name" className={styles.name} validationMessage={errorAt(`${path}.name`)}>
          <Input
            value={s.name}
            disabled={disabled}
            data-testid={`${id}-name`}
            onChange={(_, d) => onChange({ name: d.value })}
          />
        </Field>
        <div className={styles.spacer} />
        <Button
          size="small"
          appearance="subtle"
          icon={<Delete16Regular />}
          disabled={disabled}
          data-testid={`${id}-remove`}
          onClick={onRemove}
        >
          Remove schedule
        </Button>
      </div>
      <Field label="Days" validationMessage={errorAt(`${path}.days`)}>
        <div className={styles.days} role="group" aria-label={`Days of ${label}`}>
          {DAYS.map(({ day, short }) => (
            <ToggleButton
              key={day}
              size="small"
              checked={s.days.includes(day)}
              appearance={s.days.includes(day) ? 'primary' : 'secondary'}
              aria-label={day}
              disabled={disabled}
              data-testid={`${id}-day-${short.toLowerCase()}`}
              onClick={() =>
                onChange({
                  days: s.days.includes(day) ? s.days.filter((d) => d !== day) : [...s.days, day],
                })
              }
            >
              {short}
            </ToggleButton>
          ))}
        </div>
      </Field>
      <div className={styles.row}>
        <Field label="From" className={styles.time} validationMessage={errorAt(`${path}.start`)}>
          <Input
            type="time"
            value={s.start}
            disabled={disabled}
            data-testid={`${id}-start`}
            onChange={(_, d) => onChange({ start: d.value })}
          />
        </Field>
        <Checkbox
          label="Ends at"
          checked={s.hasEnd}
          disabled={disabled}
          data-testid={`${id}-has-end`}
          onChange={(_, d) => onChange({ hasEnd: d.checked === true })}
        />
        <Field
          label="To"
          className={styles.time}
          validationMessage={s.hasEnd ? errorAt(`${path}.end`) : undefined}
        >
          <Input
            type="time"
            value={s.end}
            disabled={disabled || !s.hasEnd}
            data-testid={`${id}-end`}
            onChange={(_, d) => onChange({ end: d.value })}
          />
        </Field>
        <Field
          label="Time zone"
          className={styles.zone}
          validationMessage={errorAt(`${path}.timeZone`)}
        >
          <Dropdown
            value={current ? zoneText(current) : s.timeZone}
            selectedOptions={[s.timeZone]}
            disabled={disabled}
            data-testid={`${id}-timezone`}
            onOptionSelect={(_, d) => d.optionValue && onChange({ timeZone: d.optionValue })}
          >
            {options.map((z) => (
              <Option key={z.id} value={z.id} text={zoneText(z)}>
                {zoneText(z)}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </div>
      <CapacityFields
        id={id}
        owner={label}
        value={s.capacity}
        path={`${path}.capacity`}
        errorAt={errorAt}
        disabled={disabled}
        onChange={(capacity) => onChange({ capacity })}
      />
      <Text size={200} className={styles.muted} data-testid={`${id}-summary`}>
        {summary}
      </Text>
      <div className={styles.scheduleHead}>
        <Text weight="semibold">Rules during this schedule</Text>
        <Tooltip
          content="Replace these rules with copies of the default's"
          relationship="description"
        >
          <Button
            size="small"
            appearance="subtle"
            disabled={disabled}
            data-testid={`${id}-copy-rules`}
            onClick={onCopyDefaultRules}
          >
            Use the default&apos;s rules
          </Button>
        </Tooltip>
      </div>
      <AutoscaleRules
        scope={`s${index}`}
        owner={label}
        rules={s.rules}
        path={`${path}.rules`}
        errorAt={errorAt}
        disabled={disabled}
        onChange={(rules) => onChange({ rules })}
      />
    </fieldset>
  );
}
