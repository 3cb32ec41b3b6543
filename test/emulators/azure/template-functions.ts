// The ARM template functions the emulator evaluates (names case-insensitive, as in ARM); an
// unknown one fails the deployment with InvalidTemplate rather than being guessed at.
import { createHash, randomUUID } from 'node:crypto';
import { TemplateError } from './template-error';
import type { TemplateContext } from './template-expressions';

type TemplateFunction = (args: unknown[], context: TemplateContext) => unknown;

export const templateFunctions: Record<string, TemplateFunction> = {
  // Deployment values
  parameters: ([name], ctx) => ctx.parameter(str(name, 'parameters')),
  variables: ([name], ctx) => ctx.variable(str(name, 'variables')),
  resourcegroup: (_args, ctx) => ctx.resourceGroup(),
  subscription: (_args, ctx) => ctx.subscription(),
  tenant: (_args, ctx) => ctx.tenant(),
  deployment: (_args, ctx) => ctx.deployment(),
  environment: (_args, ctx) => ctx.environment(),
  copyindex: (args, ctx) => copyIndex(args, ctx),
  reference: ([id, _apiVersion, full], ctx) =>
    ctx.reference(str(id, 'reference'), typeof full === 'string' && full.toLowerCase() === 'full'),
  listkeys: ([id], ctx) => ctx.listKeys(str(id, 'listKeys')),
  pickzones: () => [],

  // Resource ids
  resourceid: (args, ctx) => {
    const { scopeArgs, type, names } = splitIdArgs(args, 'resourceId');
    const sub = ctx.subscription().subscriptionId as string;
    const rg = ctx.resourceGroup().name as string;
    const [subscriptionId, group] =
      scopeArgs.length === 2 ? scopeArgs : scopeArgs.length === 1 ? [sub, scopeArgs[0]] : [sub, rg];
    return `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/${typedNames(type, names)}`;
  },
  subscriptionresourceid: (args, ctx) => {
    const { scopeArgs, type, names } = splitIdArgs(args, 'subscriptionResourceId');
    const subscriptionId = scopeArgs[0] ?? (ctx.subscription().subscriptionId as string);
    return `/subscriptions/${subscriptionId}/providers/${typedNames(type, names)}`;
  },
  tenantresourceid: (args) => {
    const { type, names } = splitIdArgs(args, 'tenantResourceId');
    return `/providers/${typedNames(type, names)}`;
  },
  extensionresourceid: ([scope, ...rest]) => {
    const { type, names } = splitIdArgs(rest, 'extensionResourceId');
    return `${str(scope, 'extensionResourceId')}/providers/${typedNames(type, names)}`;
  },

  // Strings
  concat: (args) =>
    args.length > 0 && args.every(Array.isArray)
      ? (args as unknown[][]).flat()
      : args.map((a) => toText(a)).join(''),
  format: ([fmt, ...args]) => format(str(fmt, 'format'), args),
  string: ([value]) => toText(value),
  tolower: ([value]) => str(value, 'toLower').toLowerCase(),
  toupper: ([value]) => str(value, 'toUpper').toUpperCase(),
  trim: ([value]) => str(value, 'trim').trim(),
  replace: ([value, from, to]) =>
    str(value, 'replace').split(str(from, 'replace')).join(str(to, 'replace')),
  split: ([value, delimiters]) => {
    const list = Array.isArray(delimiters) ? delimiters.map(String) : [str(delimiters, 'split')];
    return list.reduce<string[]>(
      (parts, d) => parts.flatMap((p) => p.split(d)),
      [str(value, 'split')],
    );
  },
  substring: ([value, start, length]) => {
    const text = str(value, 'substring');
    const from = num(start ?? 0, 'substring');
    return length === undefined
      ? text.slice(from)
      : text.slice(from, from + num(length, 'substring'));
  },
  padleft: ([value, width, pad]) =>
    toText(value).padStart(num(width, 'padLeft'), pad === undefined ? ' ' : str(pad, 'padLeft')),
  startswith: ([value, prefix]) =>
    str(value, 'startsWith').toLowerCase().startsWith(str(prefix, 'startsWith').toLowerCase()),
  endswith: ([value, suffix]) =>
    str(value, 'endsWith').toLowerCase().endsWith(str(suffix, 'endsWith').toLowerCase()),
  indexof: ([value, part]) =>
    str(value, 'indexOf').toLowerCase().indexOf(str(part, 'indexOf').toLowerCase()),
  lastindexof: ([value, part]) =>
    str(value, 'lastIndexOf').toLowerCase().lastIndexOf(str(part, 'lastIndexOf').toLowerCase()),
  uniquestring: (args) => uniqueString(args.map((a) => str(a, 'uniqueString'))),
  guid: (args) => deterministicGuid(args.map((a) => str(a, 'guid'))),
  newguid: () => randomUUID(),
  utcnow: ([fmt]) => utcNow(fmt === undefined ? 'yyyyMMddTHHmmssZ' : str(fmt, 'utcNow')),
  base64: ([value]) => Buffer.from(str(value, 'base64')).toString('base64'),
  base64tostring: ([value]) => Buffer.from(str(value, 'base64ToString'), 'base64').toString(),
  base64tojson: ([value]) =>
    JSON.parse(Buffer.from(str(value, 'base64ToJson'), 'base64').toString()) as unknown,
  uri: ([base, relative]) => new URL(str(relative, 'uri'), str(base, 'uri')).toString(),
  uricomponent: ([value]) => encodeURIComponent(str(value, 'uriComponent')),
  uricomponenttostring: ([value]) => decodeURIComponent(str(value, 'uriComponentToString')),

  // Arrays and objects
  array: ([value]) => (Array.isArray(value) ? value : [value]),
  createarray: (args) => args,
  createobject: (args) => {
    if (args.length % 2 !== 0) throw new TemplateError('createObject() takes key/value pairs.');
    const result: Record<string, unknown> = {};
    for (let i = 0; i < args.length; i += 2) result[str(args[i], 'createObject')] = args[i + 1];
    return result;
  },
  length: ([value]) => {
    if (typeof value === 'string' || Array.isArray(value)) return value.length;
    if (value && typeof value === 'object') return Object.keys(value).length;
    throw new TemplateError('length() takes a string, an array or an object.');
  },
  empty: ([value]) =>
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0),
  contains: ([container, item]) => {
    if (typeof container === 'string') return container.includes(toText(item));
    if (Array.isArray(container)) return container.some((c) => deepEqual(c, item));
    if (container && typeof container === 'object') {
      const key = str(item, 'contains').toLowerCase();
      return Object.keys(container).some((k) => k.toLowerCase() === key);
    }
    throw new TemplateError('contains() takes a string, an array or an object.');
  },
  first: ([value]) => (typeof value === 'string' ? value.slice(0, 1) : list(value, 'first')[0]),
  last: ([value]) => (typeof value === 'string' ? value.slice(-1) : list(value, 'last').at(-1)),
  take: ([value, count]) =>
    typeof value === 'string'
      ? value.slice(0, num(count, 'take'))
      : list(value, 'take').slice(0, num(count, 'take')),
  skip: ([value, count]) =>
    typeof value === 'string'
      ? value.slice(num(count, 'skip'))
      : list(value, 'skip').slice(num(count, 'skip')),
  join: ([value, delimiter]) => list(value, 'join').map(toText).join(str(delimiter, 'join')),
  range: ([start, count]) =>
    Array.from({ length: num(count, 'range') }, (_, i) => num(start, 'range') + i),
  union: (args) => {
    if (args.every(Array.isArray)) {
      const out: unknown[] = [];
      for (const item of (args as unknown[][]).flat()) {
        if (!out.some((o) => deepEqual(o, item))) out.push(item);
      }
      return out;
    }
    return Object.assign({}, ...args.map((a) => obj(a, 'union')));
  },
  intersection: ([firstValue, ...rest]) => {
    if (Array.isArray(firstValue)) {
      return firstValue.filter((item) =>
        rest.every((r) => list(r, 'intersection').some((o) => deepEqual(o, item))),
      );
    }
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj(firstValue, 'intersection'))) {
      if (rest.every((r) => deepEqual(obj(r, 'intersection')[k], v))) result[k] = v;
    }
    return result;
  },
  items: ([value]) =>
    Object.keys(obj(value, 'items'))
      .sort((a, b) => a.localeCompare(b))
      .map((key) => ({ key, value: (value as Record<string, unknown>)[key] })),
  objectkeys: ([value]) => Object.keys(obj(value, 'objectKeys')),
  tryget: ([value, ...keys]) => {
    let current: unknown = value;
    for (const key of keys) {
      if (current === null || typeof current !== 'object') return null;
      current = (current as Record<string | number, unknown>)[key as string | number] ?? null;
    }
    return current;
  },
  coalesce: (args) => args.find((a) => a !== null && a !== undefined) ?? null,
  json: ([value]) => JSON.parse(str(value, 'json')) as unknown,

  // Logic and numbers
  if: ([condition, a, b]) => (condition === true ? a : b), // evaluated lazily by the evaluator
  equals: ([a, b]) => deepEqual(a, b),
  not: ([a]) => !bool(a, 'not'),
  and: (args) => args.every((a) => bool(a, 'and')),
  or: (args) => args.some((a) => bool(a, 'or')),
  true: () => true,
  false: () => false,
  null: () => null,
  bool: ([value]) =>
    typeof value === 'string' ? value.toLowerCase() === 'true' : Boolean(value) && value !== 0,
  int: ([value]) => {
    const n = typeof value === 'number' ? Math.trunc(value) : Number.parseInt(toText(value), 10);
    if (Number.isNaN(n)) throw new TemplateError(`int() cannot convert ${JSON.stringify(value)}.`);
    return n;
  },
  add: ([a, b]) => num(a, 'add') + num(b, 'add'),
  sub: ([a, b]) => num(a, 'sub') - num(b, 'sub'),
  mul: ([a, b]) => num(a, 'mul') * num(b, 'mul'),
  div: ([a, b]) => {
    if (num(b, 'div') === 0) throw new TemplateError('div() cannot divide by zero.');
    return Math.trunc(num(a, 'div') / num(b, 'div'));
  },
  mod: ([a, b]) => num(a, 'mod') % num(b, 'mod'),
  min: (args) => Math.min(...(Array.isArray(args[0]) ? args[0] : args).map((a) => num(a, 'min'))),
  max: (args) => Math.max(...(Array.isArray(args[0]) ? args[0] : args).map((a) => num(a, 'max'))),
  greater: ([a, b]) => compare(a, b) > 0,
  greaterorequals: ([a, b]) => compare(a, b) >= 0,
  less: ([a, b]) => compare(a, b) < 0,
  lessorequals: ([a, b]) => compare(a, b) <= 0,
};

function str(value: unknown, fn: string): string {
  if (typeof value !== 'string') {
    throw new TemplateError(`${fn}() expects a string, not ${JSON.stringify(value)}.`);
  }
  return value;
}

function num(value: unknown, fn: string): number {
  if (typeof value !== 'number') {
    throw new TemplateError(`${fn}() expects an integer, not ${JSON.stringify(value)}.`);
  }
  return value;
}

function bool(value: unknown, fn: string): boolean {
  if (typeof value !== 'boolean') {
    throw new TemplateError(`${fn}() expects a boolean, not ${JSON.stringify(value)}.`);
  }
  return value;
}

function list(value: unknown, fn: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new TemplateError(`${fn}() expects an array, not ${JSON.stringify(value)}.`);
  }
  return value;
}

function obj(value: unknown, fn: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new TemplateError(`${fn}() expects an object, not ${JSON.stringify(value)}.`);
  }
  return value as Record<string, unknown>;
}

/** string(): ARM writes booleans as True/False and objects as JSON. */
function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError('Comparisons take two integers or two strings.');
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

function copyIndex(args: unknown[], ctx: TemplateContext): number {
  let loop = '';
  let offset = 0;
  if (typeof args[0] === 'string') {
    loop = args[0].toLowerCase();
    if (args[1] !== undefined) offset = num(args[1], 'copyIndex');
  } else if (args[0] !== undefined) {
    offset = num(args[0], 'copyIndex');
  }
  const index = ctx.copyIndexes.get(loop);
  if (index === undefined) {
    throw new TemplateError(
      loop
        ? `The template copy loop '${loop}' is not in scope of copyIndex().`
        : 'The template function copyIndex() is not expected here: no copy loop is in scope.',
    );
  }
  return index + offset;
}

/** `resourceId(['sub',] ['rg',] 'Ns/type[/child]', 'name'[, 'childName'])`: split the parts. */
function splitIdArgs(
  args: unknown[],
  fn: string,
): { scopeArgs: string[]; type: string; names: string[] } {
  const strings = args.map((a) => str(a, fn));
  const typeIndex = strings.findIndex((s) => /^[A-Za-z0-9]+\.[A-Za-z0-9.]+\/.+/.test(s));
  if (typeIndex < 0) throw new TemplateError(`${fn}() needs a resource type like 'Ns.Rp/type'.`);
  return {
    scopeArgs: strings.slice(0, typeIndex),
    type: strings[typeIndex],
    names: strings.slice(typeIndex + 1).flatMap((n) => n.split('/')),
  };
}

function typedNames(type: string, names: string[]): string {
  const [namespace, ...types] = type.split('/');
  if (types.length !== names.length) {
    throw new TemplateError(
      `The resource type '${type}' needs ${types.length} name segment(s), not ${names.length}.`,
    );
  }
  return [namespace, ...types.flatMap((t, i) => [t, names[i]])].join('/');
}

/** .NET composite format as ARM's format() uses it: `{0}`, `{1:D3}` (zero pad), `{{`. */
function format(fmt: string, args: unknown[]): string {
  return fmt.replace(
    /\{\{|\}\}|\{(\d+)(?::([^}]*))?\}/g,
    (match, index?: string, spec?: string) => {
      if (match === '{{') return '{';
      if (match === '}}') return '}';
      const value = args[Number(index)];
      if (value === undefined) throw new TemplateError(`format() has no argument {${index}}.`);
      const pad = spec && /^[Dd](\d+)$/.exec(spec);
      if (pad && typeof value === 'number') return String(value).padStart(Number(pad[1]), '0');
      return toText(value);
    },
  );
}

/**
 * ARM's uniqueString is a 13-character base-32 hash of its arguments. The exact ARM hash is
 * not published; this one has the same shape (13 of [a-z2-7]) and is just as deterministic.
 */
function uniqueString(parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('-')).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 13) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length === 13) break;
  }
  return out;
}

/** guid(): a deterministic UUID (name-based, like ARM's) from the arguments. */
function deterministicGuid(parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('-')).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** utcNow() with the .NET format letters templates use (yyyy MM dd HH mm ss, T and Z kept). */
function utcNow(fmt: string): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  if (fmt === 'u') return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
  return fmt
    .replace('yyyy', String(d.getUTCFullYear()))
    .replace('MM', two(d.getUTCMonth() + 1))
    .replace('dd', two(d.getUTCDate()))
    .replace('HH', two(d.getUTCHours()))
    .replace('mm', two(d.getUTCMinutes()))
    .replace('ss', two(d.getUTCSeconds()));
}
