// A small ARM template expression parser and evaluator for the template's self-check tests:
// just the functions pool.json may use, so using another one fails the tests.
import { createHash } from 'node:crypto';

export type ArmNode =
  | { kind: 'literal'; value: string | number }
  | { kind: 'call'; name: string; args: ArmNode[] }
  | { kind: 'property'; target: ArmNode; name: string }
  | { kind: 'index'; target: ArmNode; index: ArmNode };

/** The functions pool.json may use; the Azure emulator must implement each of them. */
export const ALLOWED_FUNCTIONS = [
  'parameters',
  'variables',
  'concat',
  'format',
  'resourceGroup',
  'resourceId',
  'uniqueString',
  'toLower',
  'reference',
  // Only for the optional marketplace plan: `if(empty(p), json('null'), p)`.
  'if',
  'empty',
  'json',
  // Defaults that follow singlePlacementGroup (NAT range end, SNAT ports per instance).
  'add',
] as const;

/** `"[...]"` is an expression; `"[[..."` is an escaped literal string. */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && /^\[[\s\S]*\]$/.test(value) && !value.startsWith('[[');
}

export function parseExpression(text: string): ArmNode {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${pos} in [${text}]`);
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expect = (ch: string) => {
    skip();
    if (text[pos] !== ch) fail(`expected "${ch}"`);
    pos++;
  };
  const identifier = (): string => {
    skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos));
    if (!m) return fail('expected a name');
    pos += m[0].length;
    return m[0];
  };
  const primary = (): ArmNode => {
    skip();
    if (text[pos] === "'") {
      pos++;
      let value = '';
      for (;;) {
        if (pos >= text.length) fail('unterminated string');
        if (text[pos] === "'") {
          if (text[pos + 1] === "'") {
            value += "'";
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        value += text[pos++];
      }
      return { kind: 'literal', value };
    }
    const num = /^-?\d+/.exec(text.slice(pos));
    if (num) {
      pos += num[0].length;
      return { kind: 'literal', value: Number(num[0]) };
    }
    const name = identifier();
    expect('(');
    const args: ArmNode[] = [];
    skip();
    if (text[pos] === ')') pos++;
    else {
      for (;;) {
        args.push(expression());
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        expect(')');
        break;
      }
    }
    return { kind: 'call', name, args };
  };
  const expression = (): ArmNode => {
    let node = primary();
    for (;;) {
      skip();
      if (text[pos] === '.') {
        pos++;
        node = { kind: 'property', target: node, name: identifier() };
      } else if (text[pos] === '[') {
        pos++;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const node = expression();
  skip();
  if (pos !== text.length) fail('unexpected text');
  return node;
}

/** Every call in an expression tree, outermost first. */
export function calls(node: ArmNode): Array<Extract<ArmNode, { kind: 'call' }>> {
  switch (node.kind) {
    case 'literal':
      return [];
    case 'call':
      return [node, ...node.args.flatMap(calls)];
    case 'property':
      return calls(node.target);
    case 'index':
      return [...calls(node.target), ...calls(node.index)];
  }
}

/** Every expression string in a JSON value, with where it is. */
export function expressionsIn(
  value: unknown,
  path = '$',
): Array<{ path: string; text: string; node: ArmNode }> {
  if (isExpression(value)) {
    return [{ path, text: value, node: parseExpression(value.slice(1, -1)) }];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionsIn(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => expressionsIn(v, `${path}.${k}`));
  }
  return [];
}

export interface EvaluationContext {
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
  subscriptionId: string;
  resourceGroup: { name: string; location: string };
  /** What `reference(id)` returns for a resource of the template. */
  reference: (id: string) => unknown;
}

export function resourceIdOf(ctx: EvaluationContext, type: string, names: string[]): string {
  const [namespace, ...types] = type.split('/');
  if (types.length !== names.length) {
    throw new Error(`resourceId('${type}') needs ${types.length} name(s), got ${names.length}`);
  }
  const segments = types.map((t, i) => `${t}/${names[i]}`).join('/');
  return `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup.name}/providers/${namespace}/${segments}`;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

export function evaluateNode(node: ArmNode, ctx: EvaluationContext): unknown {
  const ev = (n: ArmNode) => evaluateNode(n, ctx);
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property': {
      const target = ev(node.target) as Record<string, unknown> | undefined;
      if (target === null || typeof target !== 'object') {
        throw new Error(`.${node.name} of a non-object`);
      }
      return target[node.name];
    }
    case 'index': {
      const target = ev(node.target) as Record<string | number, unknown>;
      return target[ev(node.index) as string | number];
    }
    case 'call':
      break;
  }
  const args = () => node.args.map(ev);
  switch (node.name.toLowerCase()) {
    case 'parameters': {
      const [name] = args() as [string];
      if (!(name in ctx.parameters)) throw new Error(`no parameter ${name}`);
      return ctx.parameters[name];
    }
    case 'variables': {
      const [name] = args() as [string];
      if (!(name in ctx.variables)) throw new Error(`no variable ${name}`);
      return evaluateValue(ctx.variables[name], ctx);
    }
    case 'concat': {
      const values = args();
      if (values.every(Array.isArray)) return (values as unknown[][]).flat();
      return values.map((v) => String(v)).join('');
    }
    case 'format': {
      const [fmt, ...rest] = args() as [string, ...unknown[]];
      return fmt.replace(/\{(\d+)\}/g, (_, i: string) => String(rest[Number(i)]));
    }
    case 'resourcegroup':
      return {
        id: `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup.name}`,
        name: ctx.resourceGroup.name,
        location: ctx.resourceGroup.location,
      };
    case 'resourceid': {
      const [type, ...names] = args() as string[];
      return resourceIdOf(ctx, type, names);
    }
    case 'uniquestring':
      return createHash('sha256').update(args().join('|')).digest('hex').slice(0, 13);
    case 'tolower':
      return String(args()[0]).toLowerCase();
    case 'reference':
      return ctx.reference(String(args()[0]));
    case 'if': {
      // Lazy, like ARM: only the chosen branch is evaluated.
      const condition = ev(node.args[0]);
      return ev(condition ? node.args[1] : node.args[2]);
    }
    case 'empty':
      return isEmpty(args()[0]);
    case 'json':
      return JSON.parse(String(args()[0]));
    default:
      throw new Error(`function ${node.name} is not allowed in pool.json`);
  }
}

/** Evaluates every expression in a JSON value. */
export function evaluateValue(value: unknown, ctx: EvaluationContext): unknown {
  if (isExpression(value)) return evaluateNode(parseExpression(value.slice(1, -1)), ctx);
  if (typeof value === 'string' && value.startsWith('[[')) return value.slice(1);
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, ctx));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateValue(v, ctx)]));
  }
  return value;
}
