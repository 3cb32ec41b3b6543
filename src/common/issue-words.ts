// zod's default validation messages in plain words ("must be a number", "is missing"), for
// schemas whose fields carry no message of their own; never echoes what was given.
import type { z } from 'zod';

type RawIssue = Parameters<z.core.$ZodErrorMap>[0];

const KINDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a set of fields',
  record: 'a set of fields',
  tuple: 'a list',
  date: 'a date',
  null: 'empty (null)',
  literal: 'one given value',
};

/** A limit's noun: characters for text, items for lists, nothing for numbers. */
function sized(origin: string, bound: number | bigint): string {
  const n = Number(bound);
  if (origin === 'string') return `${n.toLocaleString('en-US')} character${n === 1 ? '' : 's'}`;
  if (origin === 'array' || origin === 'set')
    return `${n.toLocaleString('en-US')} item${n === 1 ? '' : 's'}`;
  return n.toLocaleString('en-US');
}

/** A field name the message may quote: ASCII letters and digits, short; any other is only counted. */
const SHOWABLE_KEY = /^[A-Za-z][A-Za-z0-9]{0,39}$/;

/**
 * Fields the method does not take, named when their names are plain ("color"), counted when they
 * hold anything else (a megabyte, a right-to-left override, `__proto__`): never echoed as sent.
 */
export function unknownFieldsWords(keys: readonly string[]): string {
  const shown = keys.filter((key) => SHOWABLE_KEY.test(key)).slice(0, 5);
  const names = shown.map((key) => `"${key}"`);
  const others = keys.length - shown.length;
  if (others > 0) names.push(shown.length ? `${others} more` : `${others} with an odd name`);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
  return keys.length === 1
    ? `holds a field it does not take: ${list} (remove it)`
    : `holds fields it does not take: ${list} (remove them)`;
}

/**
 * The message for an issue whose schema set none, in the UI's words; undefined leaves zod's own.
 * Pass it as `safeParse(input, { error: plainIssueWords })`: a schema's own messages still win.
 */
export function plainIssueWords(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is missing';
      return `must be ${KINDS[issue.expected] ?? 'of another kind'}`;
    case 'too_big': {
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${sized(issue.origin, issue.maximum)}`;
      }
      return `must have at most ${sized(issue.origin, issue.maximum)}`;
    }
    case 'too_small': {
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${sized(issue.origin, issue.minimum)}`;
      }
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return `must have at least ${sized(issue.origin, issue.minimum)}`;
    }
    case 'invalid_value': {
      const values = issue.values.filter((v) => typeof v === 'string' || typeof v === 'number');
      if (values.length === 0 || values.length > 12) return 'is not one of the accepted values';
      return values.length === 1
        ? `must be ${JSON.stringify(values[0])}`
        : `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    case 'invalid_format':
      return 'is not in the expected format';
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return unknownFieldsWords(issue.keys);
    case 'invalid_union':
      return 'does not match any accepted form';
    case 'invalid_key':
      return 'holds a field name that is not accepted';
    case 'invalid_element':
      return 'holds an item that is not accepted';
    default:
      return undefined;
  }
}
