// What the contract's domain files are written with: `method()` and the small input schemas
// many methods share (ids, ports, no input at all).
import { z } from 'zod';

/** A method: its input schema, what it does, and (as a type only) what it returns. */
export function method<I extends z.ZodType>(input: I, doc: string) {
  return {
    returns<O>() {
      return { input, doc, output: undefined as unknown as O };
    },
  };
}

export const id = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(200, `${what} is too long`);

export const empty = z.object({}).strict();

export const port = z
  .number()
  .int()
  .min(1, 'ports run from 1 to 65535')
  .max(65535, 'ports run from 1 to 65535');
