// The shape of settings.json, checked with zod whenever it is read or written.
import { z } from 'zod';
import { scrollbackSchema, sshHostSchema, sshPoolShareSchema } from '../../common/contract';
import type { SshHostEntry, SshPoolShare } from '../../common/models';

/** Bumped when a change needs a migration; files from a newer app keep unknown keys intact. */
export const SETTINGS_VERSION = 1;

// The contract's rules, so a hand-edited file cannot hold what the UI could never have saved.
// Not `.strict()` here: a newer app's extra fields survive an older one's read.
export const sshHostEntrySchema = sshHostSchema.strip() satisfies z.ZodType<SshHostEntry, unknown>;

export const sshHostPoolSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'pool ids are letters, digits, - and _'),
  name: z.string().trim().min(1).max(80),
  hosts: z.array(sshHostEntrySchema).min(1, 'a pool needs at least one host').max(200),
  /** The share the hosts' agents mount (agent.json `share`); checked with the agent's rules. */
  share: (sshPoolShareSchema.strip() satisfies z.ZodType<SshPoolShare, unknown>).optional(),
});

export const azurePoolRefSchema = z.object({
  subscriptionId: z.string().min(1).max(200),
  resourceGroup: z.string().min(1).max(200),
  poolName: z.string().min(1).max(200),
});

export const settingsSchema = z.looseObject({
  version: z.number().int().min(1).default(SETTINGS_VERSION),
  sshHostPools: z
    .array(sshHostPoolSchema)
    .default([])
    .refine((pools) => new Set(pools.map((p) => p.id)).size === pools.length, {
      message: 'two ssh-hosts pools have the same id',
    }),
  /** Azure pools the app tracks (an existing scale set, or one it created). */
  azurePools: z.array(azurePoolRefSchema).optional(),
  /**
   * The terminals' settings. A hand-edited scrollback out of range falls back to the default
   * rather than making the whole file unusable; the UI can only save a valid one.
   */
  terminal: z.looseObject({ scrollback: scrollbackSchema.optional().catch(undefined) }).optional(),
  /**
   * The app's own updates: `enabled` false turns them off for this user (the Updates menu's
   * "Automatic updates"). A hand-edited value that is not true or false counts as unset.
   */
  updates: z.looseObject({ enabled: z.boolean().optional().catch(undefined) }).optional(),
  /**
   * Which kinds of notification are on (`connection`, `operation`, `scaleIn`); a kind not set is
   * on. A hand-edited value that is not true or false counts as unset.
   */
  notifications: z
    .looseObject({
      connection: z.boolean().optional().catch(undefined),
      operation: z.boolean().optional().catch(undefined),
      scaleIn: z.boolean().optional().catch(undefined),
    })
    .optional(),
  /** The view the window showed last; anything else counts as unset (the user view). */
  window: z
    .looseObject({ lastView: z.enum(['user', 'admin']).optional().catch(undefined) })
    .optional(),
  /** The local port Jupyter was last forwarded to, per `<poolId> <user> <mode>`, kept stable. */
  jupyterPorts: z.record(z.string(), z.number().int().min(1).max(65535)).default({}),
});

export type SshHostPoolSettings = z.output<typeof sshHostPoolSchema>;
export type Settings = z.output<typeof settingsSchema>;

export function defaultSettings(): Settings {
  return { version: SETTINGS_VERSION, sshHostPools: [], jupyterPorts: {} };
}
