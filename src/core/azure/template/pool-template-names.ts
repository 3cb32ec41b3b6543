// Azure's naming rules for what the pool template creates, each as a check that says what to do.
// Sources: "Naming rules and restrictions for Azure resources", the Compute API's OSProfile
// (adminUsername, computerName) and the Azure Files share naming rules.
import { AZURE_REGIONS } from '../../../common/azure-regions';

/** Each check returns undefined when the value is fine, else a phrase: `<field> <phrase>`. */
export type NameCheck = (value: string) => string | undefined;

/**
 * The pool name is the scale set's name (1–64: alphanumerics, `_`, `.`, `-`; starts with an
 * alphanumeric; does not end with `.` or `-`), and with a suffix it also names the NSG, LB and
 * public IP (≤ 80) and the VNet (`<pool>-vnet`, ≤ 64), hence at most 59 characters.
 */
export const POOL_NAME_MAX = 59;

export const poolNameProblem: NameCheck = (name) => {
  if (name.length < 1 || name.length > POOL_NAME_MAX) {
    return `must be 1 to ${POOL_NAME_MAX} characters (it also names the VNet "<pool>-vnet", which stops at 64)`;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    return 'may hold only letters, digits, "_", "." and "-", and must start with a letter or digit';
  }
  if (/[.-]$/.test(name)) return 'must not end with "." or "-"';
  return undefined;
};

/**
 * Azure appends six base-36 characters to a scale set's computer name prefix (`pool000001`).
 * Linux host names stop at 64 characters, so a Linux prefix may have up to 58 (AKS uses long
 * ones; the API reference's "1 to 15" is the Windows budget, where only 9 are left). We keep
 * prefixes to DNS-safe host names: lowercase letters, digits and "-", starting with a letter.
 */
export const COMPUTER_NAME_PREFIX_MAX = 58;

/** The prefix derived from a pool name is kept short so host names stay readable. */
const DERIVED_PREFIX_MAX = 15;

export const computerNamePrefixProblem: NameCheck = (prefix) => {
  if (prefix.length < 1 || prefix.length > COMPUTER_NAME_PREFIX_MAX) {
    return `must be 1 to ${COMPUTER_NAME_PREFIX_MAX} characters (Azure appends 6, and Linux host names stop at 64)`;
  }
  if (!/^[a-z][a-z0-9-]*$/.test(prefix)) {
    return 'may hold only lowercase letters, digits and "-", and must start with a letter';
  }
  if (prefix.endsWith('-')) return 'must not end with "-"';
  return undefined;
};

/** A host-name-safe prefix from a pool name: `Team_A.gpu` → `team-a-gpu`. */
export function deriveComputerNamePrefix(poolName: string): string {
  const cleaned = poolName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, DERIVED_PREFIX_MAX)
    .replace(/-+$/, '');
  return cleaned || 'pool';
}

/** Public IP DNS label: `<label>.<region>.cloudapp.azure.com`. */
export const dnsLabelProblem: NameCheck = (label) =>
  /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/.test(label)
    ? undefined
    : 'must be 3 to 63 lowercase letters, digits and "-", start with a letter and not end with "-" (it becomes <label>.<region>.cloudapp.azure.com)';

export const storageAccountNameProblem: NameCheck = (name) =>
  /^[a-z0-9]{3,24}$/.test(name)
    ? undefined
    : 'must be 3 to 24 lowercase letters and digits (no "-"), unique across Azure';

export const fileShareNameProblem: NameCheck = (name) => {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters';
  return /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)
    ? undefined
    : 'may hold only lowercase letters, digits and single "-" between them, and must start and end with a letter or digit';
};

/**
 * Names Azure refuses for an admin account (Compute API, OSProfile.adminUsername, "Disallowed
 * values"); compared case-insensitively, as Azure does.
 */
// prettier-ignore
export const AZURE_RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  'administrator', 'admin', 'user', 'user1', 'test', 'user2', 'test1', 'user3', 'admin1', '1',
  '123', 'a', 'actuser', 'adm', 'admin2', 'aspnet', 'backup', 'console', 'david', 'guest', 'john',
  'owner', 'root', 'server', 'sql', 'support', 'support_388945a0', 'sys', 'test2', 'test3',
  'user4', 'user5',
]);

/**
 * Accounts that already exist on Ubuntu images: Azure accepts them, then provisioning fails or
 * takes over a system account, so we refuse them up front.
 */
// prettier-ignore
const UBUNTU_SYSTEM_USERS: ReadonlySet<string> = new Set([
  'daemon', 'bin', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data',
  'list', 'irc', 'gnats', 'nobody', 'messagebus', 'syslog', 'sshd', 'systemd-network',
  'systemd-resolve', 'systemd-timesync', 'uuidd', 'tcpdump', 'landscape', 'pollinate', 'lxd',
  'tss', 'polkitd', 'omi', 'omsagent', 'nxautomation',
]);

/**
 * Linux user names: Azure allows up to 64 characters, but useradd stops at 32; lowercase only,
 * since Ubuntu's adduser (which the agent uses for team members) refuses capitals by default.
 */
export const adminUsernameProblem: NameCheck = (name) => {
  const lower = name.toLowerCase();
  if (AZURE_RESERVED_USERNAMES.has(lower)) {
    return `"${name}" is reserved by Azure — choose another name (e.g. your own first name)`;
  }
  if (UBUNTU_SYSTEM_USERS.has(lower)) {
    return `"${name}" is a system account on Ubuntu — choose another name`;
  }
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(name)) {
    return 'must be 1 to 32 lowercase letters, digits, "_" or "-", starting with a letter or "_"';
  }
  return undefined;
};

/** `"West Europe"` → `westeurope`: the CLI and portal accept display names, the API wants this. */
export function normalizeLocation(location: string): string {
  return location.trim().toLowerCase().replace(/\s+/g, '');
}

export const locationProblem: NameCheck = (location) =>
  /^[a-z][a-z0-9]{3,39}$/.test(location)
    ? undefined
    : 'must be an Azure region name such as "westeurope" or "eastus2" (`az account list-locations -o table` lists them)';

/** Regions known when this was written (the list lives in src/common, the wizard offers it). */
export const KNOWN_REGIONS: ReadonlySet<string> = new Set(AZURE_REGIONS);

export const vmSizeProblem: NameCheck = (size) =>
  /^(?:Standard|Basic)_[A-Za-z0-9_-]{1,60}$/.test(size)
    ? undefined
    : 'must be an Azure VM size such as "Standard_D4s_v5" (`az vm list-sizes -l <region> -o table` lists them)';

/** Marketplace publisher, offer, SKU and plan names. */
export const imagePartProblem: NameCheck = (part) =>
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(part)
    ? undefined
    : 'must be a marketplace name: letters, digits, ".", "_" and "-" (see `az vm image list`)';

export const imageVersionProblem: NameCheck = (version) =>
  version === 'latest' || /^\d{1,9}\.\d{1,9}\.\d{1,12}$/.test(version)
    ? undefined
    : 'must be "latest" or a version such as 24.01.15';

/**
 * Resource group: 1–90 letters or digits (Unicode), `_`, `(`, `)`, `.`, `-`; not ending in `.`.
 */
export const resourceGroupProblem: NameCheck = (name) => {
  if (!/^[\p{L}\p{N}_().-]{1,90}$/u.test(name)) {
    return 'must be 1 to 90 letters, digits, "_", "(", ")", "." or "-"';
  }
  return name.endsWith('.') ? 'must not end with "."' : undefined;
};
