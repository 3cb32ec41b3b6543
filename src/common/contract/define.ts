// What the contract's domain files are written with: `method()` and the small input schemas
// many methods share (ids, ports, no input at all).
import { z } from 'zod';
import { fieldWords, hostAddressProblem, unsafeTextProblem } from '../user-text';

/** A method: its input schema, what it does, and (as a type only) what it returns. */
export function method<I extends z.ZodType>(input: I, doc: string) {
  return {
    returns<O>() {
      return { input, doc, output: undefined as unknown as O };
    },
  };
}

/**
 * An id the app handed out. Its messages name no key: the RPC layer puts the field's words
 * (`pathWords`) in front, and the UI shows them next to the field.
 */
export const id = (what: string) =>
  z
    .string({ error: 'must be text' })
    .min(1, 'must not be empty')
    .max(200, 'is too long (at most 200 characters)')
    // The app's ids are plain; "No open terminal "…"" quotes the id, and a direction override
    // or a NUL in it would scramble that sentence.
    .superRefine((value, ctx) => {
      const problem = unsafeTextProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(fieldWords(what));

/**
 * A name or label a person types (a pool, a host, a forward's label): trimmed, not empty, at most
 * `max` characters, and no control, direction or invisible characters (a right-to-left override
 * would reverse the app's own sentences that quote it).
 */
export const userText = (max: number, empty = 'must not be empty') =>
  z
    .string({ error: 'must be text' })
    .trim()
    .min(1, empty)
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = unsafeTextProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/** Text that may be anything printable: refuses only control, direction and invisible characters. */
export const safeText = () =>
  z.string({ error: 'must be text' }).superRefine((value, ctx) => {
    const problem = unsafeTextProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** `localhost`, a host name, an IPv4 address or an IPv6 literal: what a forward may lead to. */
export const hostAddress = z
  .string({ error: 'must be text' })
  .trim()
  .max(255, 'must be at most 255 characters')
  .superRefine((value, ctx) => {
    const problem = hostAddressProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const empty = z.object({}).strict();

export const port = z
  .number()
  .int()
  .min(1, 'ports run from 1 to 65535')
  .max(65535, 'ports run from 1 to 65535');
