// What the admin should know about an autoscale setting before saving it, in plain sentences
// (autoscale off, one-sided rules, a schedule without an end). Whether a pool can wake from zero
// instances is a warning of its own: autoscale-wake-validation.ts.
import type { AutoscaleRule, AutoscaleSettings } from '../../../common/models';

export function autoscaleNotes(settings: AutoscaleSettings): string[] {
  const notes: string[] = [];
  if (!settings.enabled) {
    notes.push(
      'Autoscale is off: Azure keeps the instance count as it is, and the schedules and rules below do nothing until it is turned on.',
    );
  }
  const profiles = [
    { label: 'the default', ...settings.defaultProfile },
    ...settings.schedules.map((s) => ({ label: `schedule "${s.name}"`, ...s })),
    ...settings.fixedDates.map((f) => ({ label: `"${f.name}"`, ...f })),
  ];
  for (const p of profiles) {
    const out = p.rules.some((r: AutoscaleRule) => r.direction === 'Increase');
    const inward = p.rules.some((r: AutoscaleRule) => r.direction === 'Decrease');
    if (out && !inward) {
      notes.push(
        `${capitalize(p.label)} has a rule to scale out but none to scale in: instances added stay until the profile ends.`,
      );
    } else if (inward && !out) {
      notes.push(`${capitalize(p.label)} has a rule to scale in but none to scale out.`);
    }
  }
  for (const s of settings.schedules) {
    if (s.end === undefined) {
      notes.push(
        `Schedule "${s.name}" has no end time: it stays in effect until another schedule starts.`,
      );
    }
  }
  return notes;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
