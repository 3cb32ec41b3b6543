// The `az` commands of a pool's autoscale setting: `az monitor autoscale show|update`, and
// `az rest` with the setting's JSON on standard input for what `update` cannot say. Not `az
// monitor autoscale profile|rule …`: they rebuild the schedule from every profile and fail on
// settings the app or the portal write (a schedule without its end profile is az's KeyError
// 'end'; an end profile returning elsewhere than the default is "unable to resolve default
// profile"). Pure.
import type { AzCommand } from '../../../common/models';
import {
  type PoolTarget,
  bad,
  checkCount,
  checkTarget,
  command,
  hasControlCharacter,
  scope,
  shellQuote,
} from '../az/index';
import { poolResourceNames, resourceGroupProblem } from '../template/index';
import { AUTOSCALE_API_VERSION } from './autoscale-json';

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

/** `az monitor autoscale show` of a setting by name. */
export function azAutoscaleShowSetting(target: AutoscaleTarget): AzCommand {
  checkAutoscaleTarget(target);
  return command(
    ['az', 'monitor', 'autoscale', 'show', ...autoscaleScope(target)],
    `Show autoscale setting ${target.autoscaleName}`,
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

/** The here-document delimiter of `az rest --body @-`: JSON never has it alone on a line. */
const HEREDOC = 'JSON';

/**
 * `az rest --method put|patch --url <setting>?api-version=… --body @-`, the JSON on standard input
 * (`stdin`; the shell line carries it as a here-document): the request the app itself makes. The
 * URL is a resource path, so az prefixes the current cloud's ARM endpoint; without a subscription
 * id it uses az's own `{subscriptionId}`.
 */
export function azAutoscaleRest(
  target: AutoscaleTarget,
  method: 'put' | 'patch',
  body: unknown,
  summary: string,
): AzCommand {
  checkAutoscaleTarget(target);
  const sub =
    target.subscription !== undefined && /^[0-9a-f-]{36}$/i.test(target.subscription)
      ? target.subscription
      : '{subscriptionId}';
  const url = `/subscriptions/${sub}/resourceGroups/${encodeURIComponent(target.resourceGroup)}/providers/Microsoft.Insights/autoscalesettings/${encodeURIComponent(target.autoscaleName)}?api-version=${AUTOSCALE_API_VERSION}`;
  const json = JSON.stringify(body, null, 2);
  // prettier-ignore
  const args = ['az', 'rest', '--method', method, '--url', url, '--body', '@-'];
  const line = `${args.map(shellQuote).join(' ')} <<'${HEREDOC}'\n${json}\n${HEREDOC}`;
  return { args, shell: line, summary, stdin: json };
}
