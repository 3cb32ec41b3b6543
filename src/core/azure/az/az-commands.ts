// What every `az` command builder shares: a command as argv and as a copy-pasteable shell line,
// shell quoting, and the checks of a target. Pure: nothing runs here. No builder ever puts a
// secret on the command line.
import { ErrorCode, RpcError } from '../../../common/errors';
import { poolNameProblem, resourceGroupProblem } from '../template/index';
import type { AzCommand } from '../../../common/models';

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

export function command(args: string[], summary: string): AzCommand {
  return { args, shell: args.map(shellQuote).join(' '), summary };
}

export function bad(message: string): never {
  throw new RpcError(ErrorCode.BadInput, message);
}

export function hasControlCharacter(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

export function checkTarget(target: PoolTarget): void {
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
export function scope(target: { resourceGroup: string; subscription?: string }): string[] {
  const args = ['--resource-group', target.resourceGroup];
  if (target.subscription !== undefined) args.push('--subscription', target.subscription);
  return args;
}

export function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 1000) {
    bad(`${name} must be a whole number from 0 to 1000.`);
  }
}
