// `/etc/dsvm-pool/agent.json`: the share to mount (SMB, NFS or a bound folder), where, with which
// extra mount options, and the admin's link to it.
import { z } from 'zod';
import {
  AbsolutePathSchema,
  ComputerNameSchema,
  LinuxUsernameSchema,
  MountPointSchema,
} from './names';
import { SHARE_LAYOUT } from './share-layout';

/** Azure storage account names. */
const AccountSchema = z
  .string()
  .regex(/^[a-z0-9]{3,24}$/, 'must be 3 to 24 lowercase letters or digits (a storage account)');

const HOST = '[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?';
const SMB_SOURCE = new RegExp(`^//(${HOST})/([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9]))$`);
const NFS_SOURCE = new RegExp(`^(${HOST}):((?:/[A-Za-z0-9._-]+)+)$`);

/**
 * Extra mount options. Never secrets (they would land in argv, `ps` and fstab) and never the
 * ownership/permission options the agent sets itself (weakness 7 of the seed: 0777 shares).
 */
const FORBIDDEN_OPTIONS: Record<string, string> = {
  password: 'the storage key goes in the root-only credentials file, never in the options',
  password2: 'the storage key goes in the root-only credentials file, never in the options',
  pass: 'the storage key goes in the root-only credentials file, never in the options',
  credentials: 'the agent sets credentials= itself (/etc/smbcredentials/<account>.cred)',
  username: 'the agent sets the user through the credentials file',
  user: 'the agent sets the user through the credentials file',
  uid: 'the agent sets ownership itself',
  gid: 'the agent sets ownership itself',
  file_mode: 'the agent sets permissions itself (never 0777)',
  dir_mode: 'the agent sets permissions itself (never 0777)',
  noperm: 'noperm turns off permission checks: every user could read everyone’s notebooks',
  vers: 'the agent sets the protocol version itself',
  minorversion: 'the agent sets the protocol version itself',
};

const MountOptionSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_.-]+(?:=[A-Za-z0-9_.:/-]+)?$/,
    'must be one option like "name" or "name=value" (no commas, spaces or quotes)',
  )
  .superRefine((option, ctx) => {
    const reason = FORBIDDEN_OPTIONS[option.split('=')[0].toLowerCase()];
    if (reason) ctx.addIssue({ code: 'custom', message: `"${option}" is not allowed: ${reason}` });
  });

const MountOptionsSchema = z.array(MountOptionSchema).max(20).optional();

// ---------------------------------------------------------------------------------------------
// agent.json

const SmbShareSchema = z.strictObject({
  protocol: z.literal('smb'),
  /** `//<account>.file.core.windows.net/<share>` */
  source: z.string().regex(SMB_SOURCE, 'must look like //<account>.file.core.windows.net/<share>'),
  mountPoint: MountPointSchema.default('/mnt/dsvm-pool'),
  /** The storage account; defaults to the first label of the host name. */
  account: AccountSchema.optional(),
  options: MountOptionsSchema,
});

const NfsShareSchema = z.strictObject({
  protocol: z.literal('nfs'),
  /** `<account>.file.core.windows.net:/<account>/<share>` */
  source: z
    .string()
    .regex(NFS_SOURCE, 'must look like <account>.file.core.windows.net:/<account>/<share>'),
  mountPoint: MountPointSchema.default('/mnt/dsvm-pool'),
  options: MountOptionsSchema,
});

const BindShareSchema = z.strictObject({
  protocol: z.literal('bind'),
  /** A local folder (tests, the local and ssh-hosts pools). */
  source: AbsolutePathSchema,
  mountPoint: MountPointSchema.default('/mnt/dsvm-pool'),
  options: MountOptionsSchema,
});

export const ShareConfigSchema = z.discriminatedUnion('protocol', [
  SmbShareSchema,
  NfsShareSchema,
  BindShareSchema,
]);

/** `/etc/dsvm-pool/agent.json` */
export const AgentConfigSchema = z
  .strictObject({
    version: z.literal(1),
    share: ShareConfigSchema,
    /** Name of the admin's link to the share, `~<adminUser>/<shareName>` (as the article does). */
    shareName: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
        'must be 1 to 63 letters, digits, ".", "_" or "-" (one file name)',
      ),
    /** The VM's admin account (not managed by the agent; it gets the share link). */
    adminUser: LinuxUsernameSchema,
    /** Defaults to the host name. */
    computerName: ComputerNameSchema.optional(),
    /** Group that registry admins join (sudo rights on Ubuntu); null: the flag does nothing. */
    adminGroup: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a group name')
      .nullable()
      .default('sudo'),
  })
  .superRefine((config, ctx) => {
    const share = config.share;
    if (config.shareName === SHARE_LAYOUT.notebooksDir) {
      // ~<admin>/notebooks holds the admin's own ~/notebooks/remote link: the share's link there
      // would put one inside the other.
      ctx.addIssue({
        code: 'custom',
        path: ['shareName'],
        message:
          'must not be "notebooks" (the admin\'s ~/notebooks holds ~/notebooks/remote); pick another name',
      });
    }
    if (share.protocol === 'smb' && share.account === undefined) {
      const label = SMB_SOURCE.exec(share.source)?.[1].split('.')[0] ?? '';
      if (!/^[a-z0-9]{3,24}$/.test(label)) {
        ctx.addIssue({
          code: 'custom',
          path: ['share', 'account'],
          message: `is needed: "${label}" (from the source host) is not a storage account name`,
        });
      }
    }
    if (share.protocol === 'bind' && share.source === share.mountPoint) {
      ctx.addIssue({
        code: 'custom',
        path: ['share', 'mountPoint'],
        message: 'must differ from the source folder',
      });
    }
  });

export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
export type ShareConfig = AgentConfig['share'];

/** The storage account of an SMB share: given, or the first label of the host. */
export function smbAccount(share: Extract<ShareConfig, { protocol: 'smb' }>): string {
  return share.account ?? (SMB_SOURCE.exec(share.source)?.[1].split('.')[0] as string);
}
