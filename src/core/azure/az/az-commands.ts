// The `az` CLI equivalent of each pool admin action, as argv and as a copy-pasteable shell line.
// Pure: nothing runs here. No builder ever puts a secret on the command line.
import { ErrorCode, RpcError } from '../../../common/errors';
import {
  type ArmParameterValues,
  type PoolParameters,
  buildDeploymentParameters,
  poolResourceNames,
  parseCidr,
  looksLikeSecretUrl,
  redactDeploymentParameters,
  poolNameProblem,
  resourceGroupProblem,
} from '../template/index';
import type { AutoscaleDay, AutoscaleRule, AzCommand } from '../../../common/models';
import { azPeriod, durationSeconds } from '../autoscale/index';

export type { AzCommand } from '../../../common/models';

/** Which pool a command acts on. */
export interface PoolTarget {
  resourceGroup: string;
  poolName: string;
  /** Subscription id or name; omitted, az uses its current one. */
  subscription?: string;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell: bare when it has only safe characters, else in single
 * quotes, where nothing is special, with each `'` written as `'\''`.
 */
export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  return SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function command(args: string[], summary: string): AzCommand {
  return { args, shell: args.map(shellQuote).join(' '), summary };
}

function bad(message: string): never {
  throw new RpcError(ErrorCode.BadInput, message);
}

function hasControlCharacter(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

function checkTarget(target: PoolTarget): void {
  const problems: string[] = [];
  const rg = resourceGroupProblem(target.resourceGroup);
  if (rg) problems.push(`resourceGroup ${rg}`);
  const pool = poolNameProblem(target.poolName);
  if (pool) problems.push(`poolName ${pool}`);
  const sub = target.subscription;
  if (sub !== undefined && (sub.length < 1 || sub.length > 128 || hasControlCharacter(sub))) {
    problems.push('subscription must be a subscription id or name');
  }
  if (problems.length) bad(`Cannot build the az command: ${problems.join('; ')}.`);
}

/** `--resource-group RG [--subscription S]`, the common tail of every command. */
function scope(target: { resourceGroup: string; subscription?: string }): string[] {
  const args = ['--resource-group', target.resourceGroup];
  if (target.subscription !== undefined) args.push('--subscription', target.subscription);
  return args;
}

function instanceIds(ids: readonly string[]): string[] {
  if (ids.length === 0) bad('instanceIds needs at least one instance id.');
  const wrong = ids.filter((id) => !/^\d{1,10}$/.test(id));
  if (wrong.length) {
    bad(`instanceIds must be the scale set's numeric instance ids; not: ${wrong.join(', ')}.`);
  }
  return [...new Set(ids)];
}

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 1000) {
    bad(`${name} must be a whole number from 0 to 1000.`);
  }
}

/** `az group create`, tagged with the pool so the group is recognisably the pool's. */
export function azCreateResourceGroup(target: PoolTarget & { location: string }): AzCommand {
  checkTarget(target);
  const args = [
    'az',
    'group',
    'create',
    '--name',
    target.resourceGroup,
    '--location',
    target.location,
  ];
  args.push('--tags', `dsvm-pool=${target.poolName}`);
  if (target.subscription !== undefined) args.push('--subscription', target.subscription);
  return command(args, `Create resource group ${target.resourceGroup} in ${target.location}`);
}

/** Parameter names that would be secrets; a deployment never carries one (see pool.json). */
const SECRET_NAME = /password|secret|token|sas|connectionstring|accountkey|privatekey/i;

/** `KEY=VALUE` as `az deployment … --parameters` reads it: arrays and objects as JSON. */
function parameterArg(name: string, value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : String(value);
  return `${name}=${text}`;
}

/**
 * Refuses parameters that look like secrets — by name, or by value (a SAS URL or a URL with a
 * password) — so a future template change cannot leak one.
 */
export function assertNoSecretParameters(parameters: ArmParameterValues): void {
  const secret = Object.entries(parameters)
    .filter(([name, { value }]) => SECRET_NAME.test(name) || looksLikeSecretUrl(value))
    .map(([name]) => name);
  if (secret.length) {
    throw new RpcError(
      ErrorCode.Internal,
      `Refusing to put secret parameters on a command line: ${secret.join(', ')}.`,
    );
  }
}

/**
 * `az deployment group create --template-file <pool.json> --parameters k=v …`: the same
 * deployment the app makes. Every value shown is public (the SSH key is the public half); a
 * secret parameter (the agent bundle's SAS URL) shows as a placeholder to fill in, e.g.
 * `agentBundleUri=<SAS URL of the agent bundle>`.
 */
export function azDeployPool(
  target: Omit<PoolTarget, 'poolName'> & {
    params: PoolParameters;
    /** Path of pool.json as the admin has it; default `pool.json`. */
    templateFile?: string;
    /** Default `dsvm-pool-<poolName>` (64 characters at most). */
    deploymentName?: string;
  },
): AzCommand {
  const params = target.params;
  checkTarget({ ...target, poolName: params.poolName });
  const deploymentName = target.deploymentName ?? `dsvm-pool-${params.poolName}`.slice(0, 64);
  if (!/^[-\w.()]{1,64}$/.test(deploymentName)) {
    bad('deploymentName must be 1 to 64 letters, digits, "-", "_", ".", "(" or ")".');
  }
  const parameters = redactDeploymentParameters(buildDeploymentParameters(params));
  assertNoSecretParameters(parameters);
  // prettier-ignore
  const args = [
    'az', 'deployment', 'group', 'create',
    ...scope(target),
    '--name', deploymentName,
    '--template-file', target.templateFile ?? 'pool.json',
    '--parameters',
    ...Object.entries(parameters).map(([name, { value }]) => parameterArg(name, value)),
  ];
  return command(args, `Deploy pool ${params.poolName} (template pool.json)`);
}

/** `az vmss list-instances --expand instanceView`: power and provisioning state of each. */
export function azListInstances(target: PoolTarget): AzCommand {
  checkTarget(target);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    ['az', 'vmss', 'list-instances', ...scope(target), '--name', vmss, '--expand', 'instanceView'],
    `List the instances of ${vmss} with their power state`,
  );
}

export type InstanceAction = 'start' | 'deallocate' | 'restart' | 'delete';

const INSTANCE_VERB: Record<InstanceAction, { sub: string; summary: string }> = {
  start: { sub: 'start', summary: 'Start' },
  deallocate: { sub: 'deallocate', summary: 'Stop (deallocate, no compute charges)' },
  restart: { sub: 'restart', summary: 'Restart' },
  delete: { sub: 'delete-instances', summary: 'Delete' },
};

/** `az vmss start|deallocate|restart|delete-instances --instance-ids …`. */
export function azInstanceAction(
  target: PoolTarget,
  action: InstanceAction,
  ids: readonly string[],
): AzCommand {
  checkTarget(target);
  const verb = INSTANCE_VERB[action];
  if (!verb) bad('action must be start, deallocate, restart or delete.');
  const list = instanceIds(ids);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    ['az', 'vmss', verb.sub, ...scope(target), '--name', vmss, '--instance-ids', ...list],
    `${verb.summary} instance${list.length > 1 ? 's' : ''} ${list.join(', ')} of ${vmss}`,
  );
}

/** `az vmss update --instance-id N --protect-from-scale-in true|false`. */
export function azSetScaleInProtection(
  target: PoolTarget,
  id: string,
  protect: boolean,
): AzCommand {
  checkTarget(target);
  const [instance] = instanceIds([id]);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    // prettier-ignore
    [
      'az', 'vmss', 'update', ...scope(target), '--name', vmss,
      '--instance-id', instance, '--protect-from-scale-in', String(protect),
    ],
    `${protect ? 'Protect' : 'Unprotect'} instance ${instance} of ${vmss} from scale-in`,
  );
}

/** `az vmss scale --new-capacity N` (autoscale, when enabled, may change it again). */
export function azScalePool(target: PoolTarget, capacity: number): AzCommand {
  checkTarget(target);
  checkCount('capacity', capacity);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    ['az', 'vmss', 'scale', ...scope(target), '--name', vmss, '--new-capacity', String(capacity)],
    `Scale ${vmss} to ${capacity} instance${capacity === 1 ? '' : 's'}`,
  );
}

/** `az vmss deallocate` without instance ids: every instance stops, none is deleted. */
export function azStopAll(target: PoolTarget): AzCommand {
  checkTarget(target);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    ['az', 'vmss', 'deallocate', ...scope(target), '--name', vmss],
    `Stop (deallocate) every instance of ${vmss}`,
  );
}

/**
 * Deletes what the template created. When the pool owns its resource group, that is one
 * `az group delete` (az asks for confirmation; no `--yes` in a line meant for copying);
 * otherwise each resource by name, dependants first, leaving the group's other resources alone.
 */
export function azDeletePool(target: PoolTarget & { ownsResourceGroup: boolean }): AzCommand[] {
  checkTarget(target);
  if (target.ownsResourceGroup) {
    const args = ['az', 'group', 'delete', '--name', target.resourceGroup];
    if (target.subscription !== undefined) args.push('--subscription', target.subscription);
    return [command(args, `Delete resource group ${target.resourceGroup} and everything in it`)];
  }
  const n = poolResourceNames(target.poolName);
  const s = scope(target);
  // prettier-ignore
  return [
    command(['az', 'monitor', 'autoscale', 'delete', ...s, '--name', n.autoscale], `Delete autoscale setting ${n.autoscale}`),
    command(['az', 'vmss', 'delete', ...s, '--name', n.vmss], `Delete scale set ${n.vmss} and its instances`),
    command(['az', 'network', 'lb', 'delete', ...s, '--name', n.loadBalancer], `Delete load balancer ${n.loadBalancer}`),
    command(['az', 'network', 'public-ip', 'delete', ...s, '--name', n.publicIp], `Delete public IP ${n.publicIp}`),
    command(['az', 'network', 'vnet', 'delete', ...s, '--name', n.vnet], `Delete virtual network ${n.vnet}`),
    command(['az', 'network', 'nsg', 'delete', ...s, '--name', n.nsg], `Delete network security group ${n.nsg}`),
  ];
}

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

/** `az network lb inbound-nat-rule show`: the SSH rule and its public port range. */
export function azShowNatRule(target: PoolTarget): AzCommand {
  checkTarget(target);
  const n = poolResourceNames(target.poolName);
  return command(
    // prettier-ignore
    [
      'az', 'network', 'lb', 'inbound-nat-rule', 'show', ...scope(target),
      '--lb-name', n.loadBalancer, '--name', n.natRule,
    ],
    `Show the SSH NAT rule (port range) of ${n.loadBalancer}`,
  );
}

/**
 * `az network lb list-mapping --request ip=<private ip>`: the public port that the NAT rule
 * maps to port 22 of the instance with that private address (as `list-instances` shows it).
 */
export function azListNatPortMappings(target: PoolTarget, privateIp: string): AzCommand {
  checkTarget(target);
  const parsed = parseCidr(privateIp);
  if (!parsed.ok || parsed.version !== 4 || parsed.prefix !== 32 || privateIp.includes('/')) {
    bad(
      `privateIp must be an instance's private IPv4 address such as 10.20.0.4; not ${privateIp}.`,
    );
  }
  const n = poolResourceNames(target.poolName);
  return command(
    // prettier-ignore
    [
      'az', 'network', 'lb', 'list-mapping', ...scope(target), '--name', n.loadBalancer,
      '--backend-pool-name', n.backendPool, '--request', `ip=${privateIp}`,
    ],
    `Show the public SSH port of the instance at ${privateIp}`,
  );
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
    count === undefined ? '' : `default ${minCount}–${maxCount} instances, ${count} by default`,
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
    `Add profile "${profile.name}": ${profile.minCount}–${profile.maxCount} instances (${profile.count} by default) ${when}`,
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

/**
 * What `createPool` does for the share before deploying: the account and share (unless they
 * exist) and the agent bundle uploaded to `.pool/agent/` (az fetches the account key itself).
 */
export function azPrepareShare(target: {
  subscription?: string;
  resourceGroup: string;
  location: string;
  account: string;
  share: string;
  create: boolean;
  quotaGiB: number;
  sku: string;
  uploadAgent: boolean;
}): AzCommand[] {
  const sub = target.subscription !== undefined ? ['--subscription', target.subscription] : [];
  const commands: AzCommand[] = [];
  if (target.create) {
    // prettier-ignore
    commands.push(
      command(
        ['az', 'storage', 'account', 'create', '--resource-group', target.resourceGroup, '--name', target.account,
          '--location', target.location, '--kind', 'StorageV2', '--sku', target.sku, '--min-tls-version', 'TLS1_2',
          '--https-only', 'true', '--allow-blob-public-access', 'false', ...sub],
        `Create storage account ${target.account}`,
      ),
      command(
        ['az', 'storage', 'share-rm', 'create', '--resource-group', target.resourceGroup,
          '--storage-account', target.account, '--name', target.share, '--quota', String(target.quotaGiB), ...sub],
        `Create file share ${target.share} (${target.quotaGiB} GiB)`,
      ),
    );
  }
  if (target.uploadAgent) {
    // prettier-ignore
    commands.push(
      command(
        ['az', 'storage', 'file', 'upload', '--account-name', target.account, '--share-name', target.share,
          '--source', 'out/agent/dsvm-pool-agent.js', '--path', '.pool/agent/dsvm-pool-agent.js', ...sub],
        'Put the pool agent on the share (the instances install it from there)',
      ),
    );
  }
  return commands;
}
