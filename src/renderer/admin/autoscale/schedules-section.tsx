// The weekly schedules, each with its own capacity and rules, and the buttons that add one.
import { Button, Text } from '@fluentui/react-components';
import { Add16Regular } from '@fluentui/react-icons';
import type { AutoscaleTimeZone } from '../../../common/models';
import { guessTimeZone, newKey, newSchedule, type ScheduleDraft } from './autoscale-draft';
import type { SectionProps } from './autoscale-model';
import { useAutoscaleStyles } from './autoscale-styles';
import { ScheduleEditor } from './schedule-editor';

/** Schedules: the capacity on given days and hours, then back to the default. */
export function SchedulesSection({
  draft,
  errorAt,
  busy,
  change,
  zones,
  setSchedule,
}: SectionProps & {
  zones: AutoscaleTimeZone[];
  setSchedule: (i: number, update: Partial<ScheduleDraft>) => void;
}) {
  const styles = useAutoscaleStyles();
  return (
    <section className={styles.section} aria-labelledby="autoscale-schedules-heading">
      <Text as="h3" id="autoscale-schedules-heading" weight="semibold" className={styles.heading}>
        Schedules
      </Text>
      <Text size={200} className={styles.muted}>
        A schedule sets the capacity on its days from its start time; at its end time the pool
        returns to the default (Azure stores that as a second profile, named after the schedule).
      </Text>
      {errorAt('settings.schedules') && (
        <Text role="alert" className={styles.error}>
          {errorAt('settings.schedules')}
        </Text>
      )}
      {draft.schedules.map((s, i) => (
        <ScheduleEditor
          key={s.key}
          index={i}
          schedule={s}
          zones={zones}
          errorAt={errorAt}
          disabled={busy}
          onChange={(update) => setSchedule(i, update)}
          onCopyDefaultRules={() =>
            setSchedule(i, {
              rules: draft.rules.map((r) => ({ ...r, key: newKey() })),
            })
          }
          onRemove={() =>
            change((x) => ({ ...x, schedules: x.schedules.filter((_, j) => j !== i) }))
          }
        />
      ))}
      <div className={styles.actions}>
        <Button
          size="small"
          icon={<Add16Regular />}
          disabled={busy}
          data-testid="autoscale-schedule-add-weekdays"
          onClick={() =>
            change((x) => ({
              ...x,
              schedules: [...x.schedules, newSchedule(x, guessTimeZone(x, zones), 'weekdays')],
            }))
          }
        >
          Add “Weekdays 08:00–19:00, min 2”
        </Button>
        <Button
          size="small"
          icon={<Add16Regular />}
          disabled={busy}
          data-testid="autoscale-schedule-add"
          onClick={() =>
            change((x) => ({
              ...x,
              schedules: [...x.schedules, newSchedule(x, guessTimeZone(x, zones), 'blank')],
            }))
          }
        >
          Add schedule
        </Button>
      </div>
    </section>
  );
}
