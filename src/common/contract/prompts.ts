// Prompts: questions for the user (unknown host keys, key passphrases, secrets) opened as events
// and answered over RPC; no service shows UI itself.
import { z } from 'zod';
import type { Prompt } from '../models';
import { empty, id, method } from './define';

export const promptMethods = {
  'prompts.list': method(empty, 'Questions waiting for the user (e.g. unknown host keys).').returns<
    Prompt[]
  >(),

  'prompts.answer': method(
    z
      .object({
        promptId: id('promptId'),
        accept: z.boolean(),
        /** The passphrase or secret, for a `passphrase` or `secret` prompt. Never logged. */
        value: z.string().max(1024).optional(),
      })
      .strict(),
    'Answers a prompt: accept (trust the host key / use the passphrase) or decline.',
  ).returns<void>(),
} as const;

export interface PromptEvents {
  /** A question for the user opened. */
  'prompts.onDidOpen': Prompt;
  /** A question was answered or withdrawn. */
  'prompts.onDidClose': { promptId: string };
}

export const promptEventNames = [
  'prompts.onDidOpen',
  'prompts.onDidClose',
] as const satisfies readonly (keyof PromptEvents)[];
