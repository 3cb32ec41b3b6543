// ARM template expressions (`[concat(parameters('a'), '-x')]`): parser and evaluator over JSON,
// including property copy loops; the functions themselves are in template-functions.ts.
import { TemplateError } from './template-error';
import { templateFunctions } from './template-functions';

/** What functions like parameters(), resourceGroup() and reference() read. */
export interface TemplateContext {
  parameter(name: string): unknown;
  variable(name: string): unknown;
  resourceGroup(): Record<string, unknown>;
  subscription(): Record<string, unknown>;
  tenant(): Record<string, unknown>;
  deployment(): Record<string, unknown>;
  environment(): Record<string, unknown>;
  /** The resource with this id (or, when no id, this template resource name). */
  reference(idOrName: string, full: boolean): unknown;
  listKeys(id: string): unknown;
  /** Current copy indexes: '' is the resource's own loop, others by loop name. */
  copyIndexes: ReadonlyMap<string, number>;
}

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

/** True for `"[...]"` strings that are expressions (`"[[...]"` is an escaped literal). */
export function isExpression(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.startsWith('[') &&
    value.endsWith(']') &&
    !value.startsWith('[[')
  );
}

/** Evaluates every expression in a JSON value, and `copy` property loops in objects. */
export function evaluateValue(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') {
    if (isExpression(value)) return evaluateExpression(value.slice(1, -1), context);
    return value.startsWith('[[') ? value.slice(1) : value;
  }
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, context));
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === 'copy' && isPropertyCopy(item)) continue;
      result[key] = evaluateValue(item, context);
    }
    const copy = (value as Record<string, unknown>).copy;
    if (isPropertyCopy(copy)) {
      for (const loop of copy) {
        const count = toCount(evaluateValue(loop.count, context), loop.name);
        const items: unknown[] = [];
        for (let i = 0; i < count; i++) {
          const indexes = new Map(context.copyIndexes);
          indexes.set(loop.name.toLowerCase(), i);
          items.push(evaluateValue(loop.input, { ...context, copyIndexes: indexes }));
        }
        result[loop.name] = items;
      }
    }
    return result;
  }
  return value;
}

/** Evaluates one expression (without its brackets). */
export function evaluateExpression(text: string, context: TemplateContext): unknown {
  return evaluate(parseExpression(text), context);
}

interface PropertyCopy {
  name: string;
  count: unknown;
  input: unknown;
}

function isPropertyCopy(value: unknown): value is PropertyCopy[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => v && typeof v === 'object' && 'name' in v && 'count' in v && 'input' in v)
  );
}

export function toCount(value: unknown, loop: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 800) {
    throw new TemplateError(
      `The copy count of '${loop}' must be an integer from 0 to 800, not ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

export function parseExpression(text: string): Node {
  const parser = new Parser(text);
  const node = parser.expression();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail('unexpected text after the expression');
  return node;
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos])) this.pos++;
  }

  fail(why: string): never {
    throw new TemplateError(
      `The template language expression '${this.text}' is not valid: ${why} at position ${this.pos}.`,
    );
  }

  expression(): Node {
    this.skipSpace();
    let node = this.primary();
    for (;;) {
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === '.') {
        this.pos++;
        this.skipSpace();
        node = { kind: 'property', target: node, name: this.identifier() };
      } else if (c === '[') {
        this.pos++;
        const index = this.expression();
        this.expect(']');
        node = { kind: 'index', target: node, index };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const c = this.text[this.pos];
    if (c === "'") return { kind: 'literal', value: this.string() };
    if (c !== undefined && /[-0-9]/.test(c)) {
      const match = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.pos));
      if (!match) this.fail('a number was expected');
      this.pos += match[0].length;
      return { kind: 'literal', value: Number(match[0]) };
    }
    const name = this.identifier();
    this.skipSpace();
    if (this.text[this.pos] !== '(') {
      const lower = name.toLowerCase();
      if (lower === 'true') return { kind: 'literal', value: true };
      if (lower === 'false') return { kind: 'literal', value: false };
      if (lower === 'null') return { kind: 'literal', value: null };
      this.fail(`'(' was expected after '${name}'`);
    }
    this.pos++;
    const args: Node[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { kind: 'call', name, args };
    }
    for (;;) {
      args.push(this.expression());
      this.skipSpace();
      const next = this.text[this.pos];
      this.pos++;
      if (next === ')') return { kind: 'call', name, args };
      if (next !== ',') this.fail("',' or ')' was expected");
    }
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!match) this.fail('a function or property name was expected');
    this.pos += match[0].length;
    return match[0];
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      if (this.atEnd()) this.fail('a string is not closed');
      const c = this.text[this.pos++];
      if (c !== "'") {
        out += c;
      } else if (this.text[this.pos] === "'") {
        out += "'"; // '' is an escaped quote
        this.pos++;
      } else {
        return out;
      }
    }
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== c) this.fail(`'${c}' was expected`);
    this.pos++;
  }
}

function evaluate(node: Node, context: TemplateContext): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property':
      return property(evaluate(node.target, context), node.name);
    case 'index': {
      const target = evaluate(node.target, context);
      const index = evaluate(node.index, context);
      if (Array.isArray(target) && typeof index === 'number') {
        if (index < 0 || index >= target.length) {
          throw new TemplateError(
            `The language expression index '${index}' is out of range (length ${target.length}).`,
          );
        }
        return target[index];
      }
      if (typeof index === 'string') return property(target, index);
      throw new TemplateError(
        `The language expression cannot index with ${JSON.stringify(index)}.`,
      );
    }
    case 'call': {
      const fn = templateFunctions[node.name.toLowerCase()];
      if (!fn) {
        throw new TemplateError(
          `The template function '${node.name}' is not valid (or not supported by the emulator).`,
        );
      }
      // `if` evaluates only the branch it takes, as ARM does: the other may be invalid.
      if (node.name.toLowerCase() === 'if') {
        if (node.args.length !== 3) throw new TemplateError('if() takes 3 arguments.');
        const condition = evaluate(node.args[0], context);
        return evaluate(node.args[condition === true ? 1 : 2], context);
      }
      return fn(
        node.args.map((arg) => evaluate(arg, context)),
        context,
      );
    }
  }
}

/** Property access; ARM expressions look properties up case-insensitively. */
function property(target: unknown, name: string): unknown {
  if (!target || typeof target !== 'object' || Array.isArray(target)) {
    throw new TemplateError(
      `The language expression property '${name}' can't be evaluated on ${JSON.stringify(target)}.`,
    );
  }
  const record = target as Record<string, unknown>;
  if (name in record) return record[name];
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) {
    throw new TemplateError(
      `The language expression property '${name}' doesn't exist, available properties are ` +
        `'${Object.keys(record).join(', ')}'.`,
    );
  }
  return record[key];
}
