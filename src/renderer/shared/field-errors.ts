// Turns the app's E_BAD_INPUT details into messages by field, to show next to each field.
import { ErrorCode, type RpcError } from '../../common/errors';

/** Field path (`name`, `hosts.2.address`) → the app's sentence about it. */
export type FieldErrors = Readonly<Record<string, string>>;

interface Issue {
  path: string[];
  message: string;
}

function isIssue(value: unknown): value is Issue {
  const v = value as Partial<Issue> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(v.path) &&
    v.path.every((p) => typeof p === 'string') &&
    typeof v.message === 'string'
  );
}

/** A message as a sentence: capitalised, ending in a full stop. */
export function asSentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * Empty unless the error is E_BAD_INPUT with the usual `{path, message}[]` details. A field with
 * several problems gets every message, one sentence after the other: the admin fixes them all in
 * one go instead of meeting the next one after each try.
 */
export function fieldErrors(error: RpcError): FieldErrors {
  if (error.code !== ErrorCode.BadInput || !Array.isArray(error.details)) return {};
  const result: Record<string, string> = {};
  for (const issue of error.details) {
    if (!isIssue(issue)) continue;
    const key = issue.path.join('.') || 'input';
    const sentence = asSentence(issue.message);
    const before = result[key];
    if (before === undefined) result[key] = sentence;
    else if (!before.includes(sentence)) result[key] = `${before} ${sentence}`;
  }
  return result;
}
