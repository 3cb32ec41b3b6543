// zod issues as lines a person can act on, for agent.json, users.json and heartbeats alike.
import type { z } from 'zod';

/** zod issues as lines a person can act on: `members[2].sshKeys[0]: is a 1024-bit RSA key…`. */
export function formatSchemaIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((part, i) =>
        typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
      )
      .join('');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
