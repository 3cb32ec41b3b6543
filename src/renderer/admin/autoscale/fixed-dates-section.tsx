// Fixed-date profiles (made in the portal or with az): shown, and removable, not edited here.
import { Button, Text } from '@fluentui/react-components';
import { Delete16Regular } from '@fluentui/react-icons';
import type { SectionProps } from './autoscale-model';
import { useAutoscaleStyles } from './autoscale-styles';

/** Fixed dates, when the setting has any. */
export function FixedDatesSection({ draft, busy, change }: Omit<SectionProps, 'errorAt'>) {
  const styles = useAutoscaleStyles();
  if (draft.fixedDates.length === 0) return null;
  return (
    <section className={styles.section} aria-labelledby="autoscale-fixed-heading">
      <Text as="h3" id="autoscale-fixed-heading" weight="semibold" className={styles.heading}>
        Fixed dates
      </Text>
      {draft.fixedDates.map((f, i) => (
        <div key={f.ref ?? i} className={styles.scheduleHead} data-testid={`autoscale-fixed-${i}`}>
          <Text className={styles.wrap}>
            <strong>{f.name}</strong>: {f.start} to {f.end}
            {f.timeZone ? ` (${f.timeZone})` : ''}: {f.capacity.minimum}–{f.capacity.maximum}{' '}
            instances, {f.capacity.default} by default
            {f.rules.length ? `, ${f.rules.length} rule${f.rules.length === 1 ? '' : 's'}` : ''}.
          </Text>
          <div className={styles.spacer} />
          <Button
            size="small"
            appearance="subtle"
            icon={<Delete16Regular />}
            disabled={busy}
            aria-label={`Remove the fixed-date profile ${f.name}`}
            data-testid={`autoscale-fixed-${i}-remove`}
            onClick={() =>
              change((x) => ({
                ...x,
                fixedDates: x.fixedDates.filter((_, j) => j !== i),
              }))
            }
          />
        </div>
      ))}
    </section>
  );
}
