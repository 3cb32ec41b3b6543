// Whether each profile of an autoscale setting can wake a pool that sleeps at 0 instances: a
// scale set with no running instance reports no metric of its own, so its CPU rules never fire,
// and Azure then applies the profile's default. Plain-word warnings, with a schedule suggested.
import type {
  AutoscaleCapacity,
  AutoscaleRule,
  AutoscaleSettings,
  AutoscaleWarning,
} from '../../../common/models';
import { VMSS_METRIC_NAMESPACE } from './autoscale-model';

interface Profile {
  path: string[];
  /** "The default", `Schedule "Weekdays"`… as a sentence starts. */
  label: string;
  capacity: AutoscaleCapacity;
  rules: AutoscaleRule[];
}

/** A rule on the scale set's own metric (host CPU, network, disk): none while nothing runs. */
function ownMetric(rule: AutoscaleRule): boolean {
  const ns = rule.metricNamespace?.toLowerCase();
  return ns === undefined || ns === '' || ns === VMSS_METRIC_NAMESPACE;
}

const SHORT_DAYS = (days: string[]) => days.map((d) => d.slice(0, 3)).join(', ');

/**
 * A warning for each profile with a minimum of 0 that no rule of its own can wake (every scale-out
 * rule reads the scale set's own metrics): only Connect (the app starts an instance) or a
 * schedule with a minimum above 0 wakes it; and for a default above 0, that Azure lifts the pool
 * back to it whenever nothing runs.
 */
export function autoscaleWakeWarnings(settings: AutoscaleSettings): AutoscaleWarning[] {
  const profiles: Profile[] = [
    {
      path: ['settings', 'defaultProfile'],
      label: 'The default',
      capacity: settings.defaultProfile.capacity,
      rules: settings.defaultProfile.rules,
    },
    ...settings.schedules.map((s, i) => ({
      path: ['settings', 'schedules', String(i)],
      label: `Schedule "${s.name}"`,
      capacity: s.capacity,
      rules: s.rules,
    })),
    ...settings.fixedDates.map((f, i) => ({
      path: ['settings', 'fixedDates', String(i)],
      label: `"${f.name}"`,
      capacity: f.capacity,
      rules: f.rules,
    })),
  ];
  const waking = settings.schedules.filter((s) => s.capacity.minimum > 0);
  const warnings: AutoscaleWarning[] = [];
  for (const p of profiles) {
    if (p.capacity.minimum !== 0) continue;
    if (p.rules.some((r) => r.direction === 'Increase' && !ownMetric(r))) continue;
    if (p.capacity.default > 0 && p.rules.length > 0) {
      warnings.push({
        path: [...p.path, 'capacity', 'default'],
        message: `${p.label} has a minimum of 0 but a default of ${p.capacity.default}: when no instance runs there is no CPU to measure, and Azure then scales to the default, so the pool never stays at 0. Set the default to 0 to let it sleep.`,
      });
      continue;
    }
    const base = `${p.label} has a minimum of 0: the pool can sleep with no instance, and its CPU rules cannot wake it — with no instance there is no CPU to measure. Only Connect (the app starts an instance) or a schedule wakes it.`;
    if (p.path[1] !== 'defaultProfile') {
      warnings.push({
        path: [...p.path, 'capacity', 'minimum'],
        message: `${base} Raise its minimum to 1 if someone must find an instance ready then.`,
      });
    } else if (waking.length > 0) {
      const s = waking[0];
      warnings.push({
        path: [...p.path, 'capacity', 'minimum'],
        message: `${base} Schedule "${s.name}" wakes it: at least ${s.capacity.minimum} from ${s.start} on ${SHORT_DAYS(s.days)}.`,
      });
    } else {
      warnings.push({
        path: [...p.path, 'capacity', 'minimum'],
        message: `${base} To have instances ready in working hours, add a schedule, e.g. weekdays 08:00–19:00 with at least 2.`,
        suggest: 'weekdays-schedule',
      });
    }
  }
  return warnings;
}
