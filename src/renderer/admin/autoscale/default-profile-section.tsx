// The default profile: the capacity and rules outside every schedule.
import { Text } from '@fluentui/react-components';
import type { SectionProps } from './autoscale-model';
import { AutoscaleRules } from './autoscale-rules';
import { useAutoscaleStyles } from './autoscale-styles';
import { CapacityFields } from './capacity-fields';

/** Default: outside every schedule. */
export function DefaultProfileSection({ draft, errorAt, busy, change }: SectionProps) {
  const styles = useAutoscaleStyles();
  return (
    <section className={styles.section} aria-labelledby="autoscale-default-heading">
      <Text as="h3" id="autoscale-default-heading" weight="semibold" className={styles.heading}>
        Default: outside every schedule
      </Text>
      <CapacityFields
        id="autoscale-default"
        owner="the default profile"
        value={draft.capacity}
        path="settings.defaultProfile.capacity"
        errorAt={errorAt}
        disabled={busy}
        onChange={(capacity) => change((x) => ({ ...x, capacity }))}
      />
      <AutoscaleRules
        scope="default"
        owner="the default profile"
        rules={draft.rules}
        path="settings.defaultProfile.rules"
        errorAt={errorAt}
        disabled={busy}
        onChange={(rules) => change((x) => ({ ...x, rules }))}
      />
    </section>
  );
}
