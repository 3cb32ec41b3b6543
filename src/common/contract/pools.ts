// Pools: the list every view shows; ssh-hosts pools (a fixed list of machines), their keys and
// the import from ~/.ssh/config; the local sandbox's network drop.
import { z } from 'zod';
import { AgentConfigSchema } from '../agent-protocol';
import type { PoolInfo, SshConfigHost } from '../models';
import { empty, id, method, port, safeText, userText } from './define';

/** One host of an ssh-hosts pool; settings.json uses the same rules (src/core/settings). */
export const sshHostSchema = z
  .object({
    name: userText(80, 'each host needs a name'),
    address: z
      .string()
      .trim()
      .min(1, 'each host needs an address')
      .max(255)
      .regex(
        /^[A-Za-z0-9.:_%[\]-]+$/,
        'must be a host name or an IP address (letters, digits, ".", ":" and "-", no spaces)',
      ),
    port: port.default(22),
    user: z
      .string()
      .trim()
      .regex(
        /^[a-z_][a-z0-9_.-]{0,31}$/i,
        'must be a login name (letters, digits, _ . -, starting with a letter or _)',
      ),
    keyPath: safeText().min(1, 'must not be empty').max(4096, 'is too long').optional(),
    useAgent: z.boolean().default(false),
  })
  .strict();

/**
 * The share of an ssh-hosts pool (SshPoolShare), checked with the agent's own rules for
 * agent.json's `share` (AgentConfigSchema), so the app never installs a config the agent refuses.
 */
export const sshPoolShareSchema = z
  .object({
    protocol: z.enum(['nfs', 'bind', 'smb'], { error: 'protocol must be nfs, bind or smb' }),
    source: z.string().trim().min(1, 'give the share’s source').max(300),
    mountPoint: z.string().trim().min(1).max(240).optional(),
    account: z.string().trim().min(1).max(24).optional(),
  })
  .strict()
  .superRefine((share, ctx) => {
    if (share.account !== undefined && share.protocol !== 'smb') {
      ctx.addIssue({
        code: 'custom',
        path: ['account'],
        message: 'only SMB shares have a storage account',
      });
      return;
    }
    const parsed = AgentConfigSchema.safeParse({
      version: 1,
      share,
      shareName: 'share',
      adminUser: 'admin',
    });
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      if (issue.path[0] !== 'share') continue;
      ctx.addIssue({ code: 'custom', path: issue.path.slice(1), message: issue.message });
    }
  });

export const poolMethods = {
  'pools.list': method(
    empty,
    'Every pool the app knows, with its instances and their states.',
  ).returns<PoolInfo[]>(),

  // --- ssh-hosts pools and keys ----------------------------------------------------------------

  'pools.saveSshHosts': method(
    z
      .object({
        /** Omit to create a new pool. */
        poolId: id('poolId').optional(),
        name: userText(80, 'give the pool a name'),
        hosts: z.array(sshHostSchema).min(1, 'a pool needs at least one host').max(200),
        /** The share the hosts' agents mount (Install agent…); omit for none. */
        share: sshPoolShareSchema.optional(),
      })
      .strict(),
    'Creates or updates an ssh-hosts pool (a fixed list of machines reachable by SSH).',
  ).returns<PoolInfo>(),

  'pools.remove': method(
    z.object({ poolId: id('poolId') }).strict(),
    'Removes an ssh-hosts pool from the app (nothing on the hosts changes).',
  ).returns<void>(),

  'sshConfig.list': method(empty, 'Hosts in ~/.ssh/config that can be imported.').returns<
    SshConfigHost[]
  >(),

  'sandbox.dropConnections': method(
    z.object({ instanceId: id('instanceId') }).strict(),
    "Local sandbox only: cuts an instance's SSH links without warning, like a Wi-Fi change, to see sessions heal.",
  ).returns<{ dropped: number }>(),

  'keys.appPublicKey': method(
    empty,
    "The app's own public key (the one it signs in with), e.g. as a new pool's admin key.",
  ).returns<{ publicKey: string }>(),

  'keys.generate': method(
    z.object({ poolId: id('poolId') }).strict(),
    "Generates an ed25519 key for a pool and returns the public key to hand to the pool's admin.",
  ).returns<{ publicKey: string; path: string }>(),
} as const;

export interface PoolEvents {
  /** The pools or their instances changed; carries the whole list. */
  'pools.onDidChange': PoolInfo[];
}

export const poolEventNames = [
  'pools.onDidChange',
] as const satisfies readonly (keyof PoolEvents)[];
