// Names and paths the agent accepts: Linux user names (never a system account), computer names,
// and absolute paths it can put in argv and fstab without quoting.
import { z } from 'zod';

/** What useradd accepts and Ubuntu's adduser allows by default: lowercase, at most 32. */
export const LINUX_USERNAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * Accounts a team member can never be: they exist on every Ubuntu image or mean something to
 * the system. The agent also refuses any existing account it did not create itself.
 */
// prettier-ignore
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  'root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy',
  'www-data', 'backup', 'list', 'irc', 'gnats', 'nobody', 'messagebus', 'syslog', 'sshd',
  'systemd-network', 'systemd-resolve', 'systemd-timesync', 'systemd-coredump', 'uuidd',
  'tcpdump', 'landscape', 'pollinate', 'lxd', 'tss', 'polkitd', 'omi', 'omsagent',
  'nxautomation', '_apt', 'admin', 'sudo', 'adm', 'users', 'staff', 'docker',
]);

const usernameMessage =
  'must be 1 to 32 lowercase letters, digits, "_" or "-", starting with a letter or "_"';

export const LinuxUsernameSchema = z.string().regex(LINUX_USERNAME, usernameMessage);

export const MemberNameSchema = LinuxUsernameSchema.refine(
  (name) => !RESERVED_USERNAMES.has(name),
  {
    message: 'is a system account name — choose another name',
  },
);

/**
 * Why `name` cannot be a member of a pool whose admin account is one of `adminAccounts`, in a
 * phrase that follows the field ("must be…", "is…"); undefined when it can. The admin account
 * exists on every VM already (Azure creates it from the image's osProfile, or it is the login an
 * ssh-hosts pool installs the agent with): a member of that name would take over its keys and home.
 */
export function memberNameProblem(
  name: string,
  adminAccounts: readonly string[] = [],
): string | undefined {
  if (!LINUX_USERNAME.test(name)) return usernameMessage;
  if (RESERVED_USERNAMES.has(name)) {
    return 'is a system account name on the VMs — choose another name';
  }
  if (adminAccounts.includes(name)) {
    return "is the pool's admin account, which every VM has already — a member of that name would take over its keys and home; choose another name";
  }
  return undefined;
}

/** A host name as Azure sets it (VMSS computer names are at most 15 characters on Windows). */
export const ComputerNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/,
    'must be 1 to 63 letters, digits or "-", starting with a letter or digit',
  );

const SYSTEM_DIRS = new Set([
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
]);

/**
 * An absolute path the agent can put in argv and fstab without quoting: `/`-separated segments
 * of letters, digits and `._-`, no `.`/`..` segments, no trailing slash.
 */
export function isSafeAbsolutePath(path: string): boolean {
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(path) || path.length > 240) return false;
  return path
    .split('/')
    .slice(1)
    .every((segment) => segment !== '.' && segment !== '..');
}

export const AbsolutePathSchema = z.string().refine(isSafeAbsolutePath, {
  message:
    'must be an absolute path of letters, digits, ".", "_", "-" and "/" with no "..", spaces or trailing "/"',
});

export const MountPointSchema = AbsolutePathSchema.refine((p) => !SYSTEM_DIRS.has(p), {
  message: 'must not be a system folder such as /mnt or /home itself — use e.g. /mnt/dsvm-pool',
});
