// Reads a port typed by a person, with a sentence that says what is wrong with it.

export interface ParsedPort {
  /** The port, when the text is one; undefined for empty or wrong text. */
  value?: number;
  error?: string;
}

/** `what` names the field in the message, e.g. "The remote port". Empty text is not an error. */
export function parsePort(text: string, what: string): ParsedPort {
  const trimmed = text.trim();
  if (!trimmed) return {};
  if (!/^\d+$/.test(trimmed)) return { error: `${what} must be a whole number, like 6006.` };
  const value = Number(trimmed);
  if (value < 1 || value > 65535) return { error: `${what} must be from 1 to 65535.` };
  return { value };
}
