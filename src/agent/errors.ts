// Small helpers to turn thrown values into one-line messages and to classify fs errors.

/** The message of anything thrown, on one line. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The errno code of a Node fs error (`ENOENT`, `EEXIST`…). */
export function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/** An error whose message is meant for the person reading the log as it is. */
export class AgentError extends Error {
  constructor(
    message: string,
    /** Process exit code when this ends the command. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}
