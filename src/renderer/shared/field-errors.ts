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

/** Empty unless the error is E_BAD_INPUT with the usual `{path, message}[]` details. */
export function fieldErrors(error: RpcError): FieldErrors {
  if (error.code !== ErrorCode.BadInput || !Array.isArray(error.details)) return {};
  const result: Record<string, string> = {};
  for (const issue of error.details) {
    if (!isIssue(issue)) continue;
    const key = issue.path.join('.') || 'input';
    // The first message per field is the one to fix first; capitalised as a sentence.
    result[key] ??= issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
  }
  return result;
}
