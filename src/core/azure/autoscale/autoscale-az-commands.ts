// The `az monitor autoscale …` commands: show and update a pool's setting, and one builder per
// change of a setting found by name (create, update, profile and rule create/delete). Pure.
import type { AutoscaleDay, AutoscaleRule, AzCommand } from '../../../common/models';
import {
  type PoolTarget,
  bad,
  checkCount,
  checkTarget,
  command,
  hasControlCharacter,
  scope,
} from '../az/index';
import { poolResourceNames, resourceGroupProblem } from '../template/index';
import { azPeriod, durationSeconds } from './autoscale-duration';

/** `az monitor autoscale show`. */
export function azShowAutoscale(target: PoolTarget): AzCommand {
  checkTarget(target);
  const name = poolResourceNames(target.poolName).autoscale;
  return command(
    ['az', 'monitor', 'autoscale', 'show', ...scope(target), '--name', name],
    `Show autoscale setting ${name}`,
  );
}

export interface AutoscaleChange {
  minCount?: number;
  maxCount?: number;
  /** The default instance count. */
  count?: number;
  enabled?: boolean;
}

/** `az monitor autoscale update` of the default profile's bounds and the on/off switch. */
export function azUpdateAutoscale(target: PoolTarget, change: AutoscaleChange): AzCommand {
  checkTarget(target);
  const { minCount, maxCount, count, enabled } = change;
  if ([minCount, maxCount, count, enabled].every((v) => v === undefined)) {
    bad('Give at least one of minCount, maxCount, count or enabled to change.');
  }
  if (minCount !== undefined) checkCount('minCount', minCount);
  if (maxCount !== undefined) checkCount('maxCount', maxCount);
  if (count !== undefined) checkCount('count', count);
  if (minCount !== undefined && maxCount !== undefined && minCount > maxCount) {
    bad(`minCount (${minCount}) must not exceed maxCount (${maxCount}).`);
  }
  if (count !== undefined) {
    if (
      (minCount !== undefined && count < minCount) ||
      (maxCount !== undefined && count > maxCount)
    ) {
      bad('count must lie between minCount and maxCount.');
    }
  }
  const name = poolResourceNames(target.poolName).autoscale;
  const args = ['az', 'monitor', 'autoscale', 'update', ...scope(target), '--name', name];
  if (minCount !== undefined) args.push('--min-count', String(minCount));
  if (maxCount !== undefined) args.push('--max-count', String(maxCount));
  if (count !== undefined) args.push('--count', String(count));
  if (enabled !== undefined) args.push('--enabled', String(enabled));
  return command(args, `Update autoscale setting ${name}`);
}

// --- Autoscale settings by name: a portal-made setting keeps its own name and resource group -----

/** An autoscale setting, wherever it lives. */
export interface AutoscaleTarget {
  resourceGroup: string;
  /** The setting's name (ours is `<pool>-autoscale`; the portal's differ). */
  autoscaleName: string;
  subscription?: string;
}

function checkAutoscaleTarget(target: AutoscaleTarget): void {
  const problems: string[] = [];
  const rg = resourceGroupProblem(target.resourceGroup);
  if (rg) problems.push(`resourceGroup ${rg}`);
  const name = target.autoscaleName;
  if (name.length < 1 || name.length > 260 || hasControlCharacter(name) || /[/\\?#%]/.test(name)) {
    problems.push('autoscaleName must be an autoscale setting name (1 to 260 characters)');
  }
  const sub = target.subscription;
  if (sub !== undefined && (sub.length < 1 || sub.length > 128 || hasControlCharacter(sub))) {
    problems.push('subscription must be a subscription id or name');
  }
  if (problems.length) bad(`Cannot build the az command: ${problems.join('; ')}.`);
}

/** `-g RG -n NAME [--subscription S]` for `az monitor autoscale show|update|create`. */
function autoscaleScope(target: AutoscaleTarget): string[] {
  return [...scope(target), '--name', target.autoscaleName];
}

/** `--autoscale-name NAME -g RG` for `az monitor autoscale profile|rule …`. */
function autoscaleChildScope(target: AutoscaleTarget): string[] {
  return ['--autoscale-name', target.autoscaleName, ...scope(target)];
}

function checkProfileName(name: string): void {
  if (name.length < 1 || name.length > 512 || hasControlCharacter(name)) {
    bad('A profile name must be 1 to 512 characters without control characters.');
  }
}

/** `az monitor autoscale show` of a setting by name. */
export function azAutoscaleShowSetting(target: AutoscaleTarget): AzCommand {
  checkAutoscaleTarget(target);
  return command(
    ['az', 'monitor', 'autoscale', 'show', ...autoscaleScope(target)],
    `Show autoscale setting ${target.autoscaleName}`,
  );
}

/** `az monitor autoscale create --resource <scale set id>`: a setting with a default profile. */
export function azAutoscaleCreate(
  target: AutoscaleTarget & { resource: string },
  capacity: { minCount: number; maxCount: number; count: number },
): AzCommand {
  checkAutoscaleTarget(target);
  if (
    !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^\s]+$/i.test(target.resource)
  ) {
    bad('resource must be the ARM id of the scale set.');
  }
  checkCapacity(capacity);
  // prettier-ignore
  return command(
    [
      'az', 'monitor', 'autoscale', 'create', ...autoscaleScope(target),
      '--resource', target.resource,
      '--min-count', String(capacity.minCount), '--max-count', String(capacity.maxCount),
      '--count', String(capacity.count),
    ],
    `Create autoscale setting ${target.autoscaleName} for the scale set`,
  );
}

function checkCapacity(c: { minCount: number; maxCount: number; count: number }): void {
  checkCount('minCount', c.minCount);
  checkCount('maxCount', c.maxCount);
  checkCount('count', c.count);
  if (c.minCount > c.maxCount)
    bad(`minCount (${c.minCount}) must not exceed maxCount (${c.maxCount}).`);
  if (c.count < c.minCount || c.count > c.maxCount)
    bad('count must lie between minCount and maxCount.');
}

/**
 * `az monitor autoscale update -n NAME` of a setting by name: the on/off switch and the default
 * capacity (az changes every default profile, including the ones that end a schedule).
 */
export function azAutoscaleUpdateSetting(
  target: AutoscaleTarget,
  change: AutoscaleChange,
): AzCommand {
  checkAutoscaleTarget(target);
  const { minCount, maxCount, count, enabled } = change;
  if ([minCount, maxCount, count, enabled].every((v) => v === undefined)) {
    bad('Give at least one of minCount, maxCount, count or enabled to change.');
  }
  if (minCount !== undefined && maxCount !== undefined && count !== undefined) {
    checkCapacity({ minCount, maxCount, count });
  }
  const args = ['az', 'monitor', 'autoscale', 'update', ...autoscaleScope(target)];
  if (minCount !== undefined) args.push('--min-count', String(minCount));
  if (maxCount !== undefined) args.push('--max-count', String(maxCount));
  if (count !== undefined) args.push('--count', String(count));
  if (enabled !== undefined) args.push('--enabled', String(enabled));
  const what = [
    enabled === undefined ? '' : enabled ? 'turn it on' : 'turn it off',
    count === undefined
      ? ''
      : `default ${minCount}–${maxCount} ${Number(maxCount) === 1 ? 'instance' : 'instances'}, ${count} by default`,
  ].filter(Boolean);
  return command(args, `Update autoscale setting ${target.autoscaleName}: ${what.join('; ')}`);
}

const AZ_DAYS: Record<AutoscaleDay, string> = {
  Monday: 'mon',
  Tuesday: 'tue',
  Wednesday: 'wed',
  Thursday: 'thu',
  Friday: 'fri',
  Saturday: 'sat',
  Sunday: 'sun',
};

export interface AzAutoscaleProfile {
  name: string;
  minCount: number;
  maxCount: number;
  count: number;
  /** A Windows time zone id, e.g. `W. Europe Standard Time`. */
  timeZone: string;
  /** Weekly: the days and `HH:MM` times. az always adds the profile that ends it (23:59 without `end`). */
  recurrence?: { days: AutoscaleDay[]; start: string; end?: string };
  /** Fixed dates: `YYYY-MM-DDTHH:MM:SS` (az reads them in UTC and applies `timeZone`). */
  fixed?: { start: string; end: string };
  /** Copy the rules of this profile (e.g. the default one). */
  copyRules?: string;
}

/** `az monitor autoscale profile create`: a weekly or fixed-date profile. */
export function azAutoscaleProfileCreate(
  target: AutoscaleTarget,
  profile: AzAutoscaleProfile,
): AzCommand {
  checkAutoscaleTarget(target);
  checkProfileName(profile.name);
  checkCapacity(profile);
  if (!/^[A-Za-z0-9 .()+-]{1,100}$/.test(profile.timeZone)) bad('timeZone must be a time zone id.');
  // prettier-ignore
  const args = [
    'az', 'monitor', 'autoscale', 'profile', 'create', ...autoscaleChildScope(target),
    '--name', profile.name,
    '--min-count', String(profile.minCount), '--max-count', String(profile.maxCount),
    '--count', String(profile.count),
  ];
  const clock = /^([01]\d|2[0-3]):[0-5]\d$/;
  let when: string;
  if (profile.recurrence) {
    const { days, start, end } = profile.recurrence;
    if (days.length === 0 || days.some((d) => !AZ_DAYS[d]))
      bad('recurrence needs at least one day.');
    if (!clock.test(start) || (end !== undefined && !clock.test(end))) {
      bad('start and end must be HH:MM on a 24-hour clock.');
    }
    args.push('--recurrence', 'week', ...days.map((d) => AZ_DAYS[d]), '--start', start);
    if (end !== undefined) args.push('--end', end);
    when = `every ${days.map((d) => d.slice(0, 3)).join(' ')} from ${start}${end ? ` to ${end}` : ' (az ends it at 23:59)'}`;
  } else if (profile.fixed) {
    const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
    if (!dateTime.test(profile.fixed.start) || !dateTime.test(profile.fixed.end)) {
      bad('fixed start and end must be YYYY-MM-DDTHH:MM:SS.');
    }
    args.push('--start', profile.fixed.start, '--end', profile.fixed.end);
    when = `from ${profile.fixed.start} to ${profile.fixed.end}`;
  } else {
    bad('A profile needs a recurrence or fixed dates.');
  }
  args.push('--timezone', profile.timeZone);
  if (profile.copyRules !== undefined) {
    checkProfileName(profile.copyRules);
    args.push('--copy-rules', profile.copyRules);
  }
  return command(
    args,
    `Add profile "${profile.name}": ${profile.minCount}–${profile.maxCount} ${Number(profile.maxCount) === 1 ? 'instance' : 'instances'} (${profile.count} by default) ${when}`,
  );
}

/** `az monitor autoscale profile delete`: the profile and the profiles that end it. */
export function azAutoscaleProfileDelete(target: AutoscaleTarget, name: string): AzCommand {
  checkAutoscaleTarget(target);
  checkProfileName(name);
  return command(
    [
      'az',
      'monitor',
      'autoscale',
      'profile',
      'delete',
      ...autoscaleChildScope(target),
      '--name',
      name,
    ],
    `Remove profile "${name}" (and the profile that ends it)`,
  );
}

const AZ_OPERATORS: Record<AutoscaleRule['operator'], string> = {
  GreaterThan: '>',
  GreaterThanOrEqual: '>=',
  LessThan: '<',
  LessThanOrEqual: '<=',
  Equals: '==',
  NotEquals: '!=',
};
const AZ_AGGREGATIONS: Record<AutoscaleRule['timeAggregation'], string> = {
  Average: 'avg',
  Minimum: 'min',
  Maximum: 'max',
  Total: 'total',
  Count: 'count',
};
const AZ_STATISTICS: Record<AutoscaleRule['statistic'], string> = {
  Average: 'avg',
  Min: 'min',
  Max: 'max',
  Sum: 'sum',
};

/** az's `--condition`: `["NAMESPACE"] METRIC OP THRESHOLD AGGREGATION PERIOD`. */
export function azAutoscaleCondition(rule: AutoscaleRule): string {
  const window = durationSeconds(rule.timeWindow);
  const op = AZ_OPERATORS[rule.operator];
  const aggregation = AZ_AGGREGATIONS[rule.timeAggregation];
  if (window === undefined || !op || !aggregation || !Number.isFinite(rule.threshold)) {
    bad('The rule needs a metric, an operator, a threshold, an aggregation and a time window.');
  }
  if (
    !rule.metricName.trim() ||
    hasControlCharacter(rule.metricName) ||
    rule.metricName.includes('"')
  ) {
    bad('metricName must be a metric name such as Percentage CPU.');
  }
  const namespace =
    rule.metricNamespace && !rule.metricNamespace.includes('"') ? `"${rule.metricNamespace}" ` : '';
  return `${namespace}${rule.metricName} ${op} ${rule.threshold} ${aggregation} ${azPeriod(window)}`;
}

/** `az monitor autoscale rule create`: a metric rule in a profile (default: `default`). */
export function azAutoscaleRuleCreate(
  target: AutoscaleTarget,
  profileName: string,
  rule: AutoscaleRule,
): AzCommand {
  checkAutoscaleTarget(target);
  checkProfileName(profileName);
  const condition = azAutoscaleCondition(rule);
  if (!Number.isInteger(rule.value) || rule.value < 1 || rule.value > 1000) {
    bad('The scale value must be a whole number from 1 to 1000.');
  }
  const scale =
    rule.changeType === 'ExactCount'
      ? `to ${rule.value}`
      : `${rule.direction === 'Increase' ? 'out' : 'in'} ${rule.value}${rule.changeType === 'PercentChangeCount' ? '%' : ''}`;
  const grain = durationSeconds(rule.timeGrain);
  const cooldown = durationSeconds(rule.cooldown);
  if (grain === undefined || cooldown === undefined)
    bad('timeGrain and cooldown must be ISO 8601 durations.');
  // az takes the cooldown in whole minutes.
  const minutes = Math.max(1, Math.round(cooldown / 60));
  // prettier-ignore
  return command(
    [
      'az', 'monitor', 'autoscale', 'rule', 'create', ...autoscaleChildScope(target),
      '--profile-name', profileName,
      '--condition', condition,
      '--scale', ...scale.split(' '),
      '--cooldown', String(minutes),
      '--timegrain', `${AZ_STATISTICS[rule.statistic]} ${azPeriod(grain)}`,
    ],
    `Add to "${profileName}": scale ${scale} when ${condition}`,
  );
}

/** `az monitor autoscale rule delete --index …` (indices as `rule list` numbers them, or `*`). */
export function azAutoscaleRuleDelete(
  target: AutoscaleTarget,
  profileName: string,
  indices: readonly number[] | '*',
): AzCommand {
  checkAutoscaleTarget(target);
  checkProfileName(profileName);
  if (
    indices !== '*' &&
    (indices.length === 0 || indices.some((i) => !Number.isInteger(i) || i < 0))
  ) {
    bad('Name at least one rule index to delete.');
  }
  const list = indices === '*' ? ['*'] : [...new Set(indices)].sort((a, b) => a - b).map(String);
  return command(
    [
      'az',
      'monitor',
      'autoscale',
      'rule',
      'delete',
      ...autoscaleChildScope(target),
      '--profile-name',
      profileName,
      '--index',
      ...list,
    ],
    indices === '*'
      ? `Remove every rule of "${profileName}"`
      : `Remove rule${list.length > 1 ? 's' : ''} ${list.join(', ')} of "${profileName}"`,
  );
}
