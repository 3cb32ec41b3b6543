// A pool's autoscale setting as the admin edits it (src/core/azure/autoscale/azure-autoscale.ts):
// plain data shared by core and renderer; re-exported by models.ts.
import type { AzCommand } from './models';

export type AutoscaleDay =
  'Monday' | 'Tuesday' | 'Wednesday' | 'Thursday' | 'Friday' | 'Saturday' | 'Sunday';

/** Instance counts, 0–1000, minimum ≤ default ≤ maximum. */
export interface AutoscaleCapacity {
  minimum: number;
  /** What Azure keeps when no metric can be read (e.g. from zero instances). */
  default: number;
  maximum: number;
}

export type AutoscaleOperator =
  'GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual' | 'Equals' | 'NotEquals';

/** A metric rule, limited to what `az monitor autoscale rule create` can express. */
export interface AutoscaleRule {
  /** The stored rule this came from (opaque); absent on a new rule. Keeps what the model omits. */
  ref?: string;
  /** e.g. `Percentage CPU`. */
  metricName: string;
  /** e.g. `microsoft.compute/virtualmachinescalesets`; absent: Azure's default for the target. */
  metricNamespace?: string;
  operator: AutoscaleOperator;
  threshold: number;
  /** How the instances' values combine per time grain. */
  statistic: 'Average' | 'Min' | 'Max' | 'Sum';
  /** ISO 8601 duration, 1 minute to 12 hours (e.g. `PT1M`). */
  timeGrain: string;
  /** ISO 8601 duration, 5 minutes to 12 hours, over which values are aggregated (e.g. `PT10M`). */
  timeWindow: string;
  timeAggregation: 'Average' | 'Minimum' | 'Maximum' | 'Total' | 'Count';
  /** Increase: scale out; Decrease: scale in. */
  direction: 'Increase' | 'Decrease';
  /** ChangeCount: by `value` instances; PercentChangeCount: by `value` %; ExactCount: to `value`. */
  changeType: 'ChangeCount' | 'PercentChangeCount' | 'ExactCount';
  value: number;
  /** ISO 8601 duration, 1 minute to 1 week, to wait after a scale action (e.g. `PT10M`). */
  cooldown: string;
}

/**
 * A weekly window: from `start` on each of `days` until `end`, in `timeZone`. Azure stores it as
 * two recurrence profiles: one at `start` with this capacity, one at `end` returning to the
 * default (the portal names that one `{"name":"<default>","for":"<name>"}`; both names are kept).
 */
export interface AutoscaleSchedule {
  ref?: string;
  /** The profile's name, as the portal or az shows it. */
  name: string;
  days: AutoscaleDay[];
  /** `HH:MM`, 24-hour clock. */
  start: string;
  /** `HH:MM`; absent: the profile lasts until another one starts. */
  end?: string;
  /** A Windows time zone id Azure accepts, e.g. `W. Europe Standard Time` or `UTC`. */
  timeZone: string;
  capacity: AutoscaleCapacity;
  rules: AutoscaleRule[];
}

/** A profile for fixed dates, e.g. a deadline week. */
export interface AutoscaleFixedDate {
  ref?: string;
  name: string;
  /** ISO 8601 date-times (e.g. `2025-12-01T08:00:00`), read in `timeZone`. */
  start: string;
  end: string;
  timeZone?: string;
  capacity: AutoscaleCapacity;
  rules: AutoscaleRule[];
}

/** A pool's autoscale setting, as `azure.getAutoscale` reads it and `azure.setAutoscale` writes it. */
export interface AutoscaleSettings {
  /** Which stored version this was read from; saving refuses if Azure's has changed since. */
  revision: string;
  /** False: the pool has no setting yet; saving creates `<pool>-autoscale`. */
  exists: boolean;
  /** The setting's name and resource group (a portal-made setting keeps its own). */
  name: string;
  resourceGroup: string;
  enabled: boolean;
  /** Applies outside every schedule and fixed date. */
  defaultProfile: { name: string; capacity: AutoscaleCapacity; rules: AutoscaleRule[] };
  schedules: AutoscaleSchedule[];
  fixedDates: AutoscaleFixedDate[];
  /** Read only: what the setting holds that the app keeps exactly as it is but does not edit. */
  kept: string[];
}

export interface AutoscaleTimeZone {
  /** The id Azure stores, e.g. `W. Europe Standard Time`. */
  id: string;
  /** Standard (winter) offset from UTC, e.g. `+01:00`. */
  offset: string;
}

/** A field's problem: `path` as in E_BAD_INPUT details, e.g. `settings.schedules.0.end`. */
export interface AutoscaleProblem {
  path: string[];
  message: string;
}

/**
 * Something the admin should fix or knowingly accept, but that Azure would take (unlike a
 * problem): e.g. a profile with a minimum of 0 that no rule of its own can wake.
 */
export interface AutoscaleWarning {
  /** Where it points, as a problem's path: `settings.defaultProfile.capacity.minimum`… */
  path: string[];
  message: string;
  /** What the editor offers to add: a weekday schedule that wakes the pool. */
  suggest?: 'weekdays-schedule';
}

/** What `azure.getAutoscale` returns. */
export interface AutoscaleView {
  settings: AutoscaleSettings;
  /** Sentences for the admin (e.g. autoscale is off, a schedule has no end). */
  notes: string[];
  /** Profiles that cannot wake a sleeping pool, and what would. */
  warnings: AutoscaleWarning[];
  /** `az monitor autoscale show` for this setting. */
  az: AzCommand[];
  /** The time zones a schedule may use. */
  timeZones: AutoscaleTimeZone[];
}

/** What `azure.previewAutoscale` returns for an edited setting, before it is saved. */
export interface AutoscalePreview {
  /** Empty when it can be saved. */
  problems: AutoscaleProblem[];
  notes: string[];
  warnings: AutoscaleWarning[];
  /** The `az` commands that make the same change; empty when nothing changed. */
  az: AzCommand[];
  changed: boolean;
}
