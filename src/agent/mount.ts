// Mounting the share: the exact mount argv and fstab line per protocol, the mount table, and a
// probe that proves the share really takes writes (a failed mount is reported as a failure).
//
// Permissions (the seed's weakness 7 was dir_mode=0777,file_mode=0777):
// - bind and NFS keep real Unix ownership: <share>/notebooks/<user> is owned by the user, 0700.
//   NFS needs the same uid on every VM, which is why member uids are derived from the registry.
// - SMB with the storage key has no per-file owners: the client shows every file with the
//   uid/gid/modes given at mount time (`cifsacl` needs identity-based auth, `noperm` would switch
//   permission checks off altogether). So the share root is mounted root-owned and closed
//   (dirs 0751, files 0640, group = the admin's group: others may only pass through), and each
//   member's folder is mounted a second time on top of <share>/notebooks/<user> with that
//   member's uid/gid and 0700/0600 — private on the VM. Limit: whoever holds the storage key
//   (the pool admin, Azure) can still read everything through the Files API.
import { chmod, lstat, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AgentConfig, MountHealth } from '../common/agent-protocol';
import { SHARE_LAYOUT, smbAccount } from '../common/agent-protocol';
import type { AgentSystem } from './agent-system';
import { hostPath } from './agent-system';
import { messageOf } from './errors';
import { writeFstab } from './fstab';
import { AGENT_PATHS, credentialsFile } from './paths';
import type { RunReport } from './run-report';
import { ensureRootDir, lstatOrUndefined } from './safe-fs';

/** What Microsoft documents for Azure Files over SMB on Linux, with SMB 3.1.1 (encrypted). */
export const SMB_OPTIONS = ['vers=3.1.1', 'serverino', 'nosharesock', 'actimeo=30', 'mfsymlinks'];
/** NFS 4.1 as Azure Files documents it (premium shares). */
export const NFS_OPTIONS = ['vers=4', 'minorversion=1', 'sec=sys', 'nconnect=4'];

/** Ids the mount options need. */
export interface MountIds {
  /** Group of the share root on SMB: the admin's primary group (0 when there is no admin). */
  adminGid: number;
}

/** Options of the share mount itself (argv and fstab, without fstab-only ones). */
export function shareMountOptions(config: AgentConfig, ids: MountIds): string[] {
  const share = config.share;
  const extra = share.options ?? [];
  if (share.protocol === 'smb') {
    return [
      SMB_OPTIONS[0],
      `credentials=${credentialsFile(smbAccount(share))}`,
      ...SMB_OPTIONS.slice(1),
      'uid=0',
      `gid=${ids.adminGid}`,
      'dir_mode=0751',
      'file_mode=0640',
      ...extra,
    ];
  }
  if (share.protocol === 'nfs') return [...NFS_OPTIONS, ...extra];
  return extra;
}

/** `mount …` argv for the share; the storage key is only ever in the credentials file. */
export function shareMountArgv(config: AgentConfig, ids: MountIds): string[] {
  const share = config.share;
  const options = shareMountOptions(config, ids);
  if (share.protocol === 'bind') {
    return [
      'mount',
      '--bind',
      ...(options.length ? ['-o', options.join(',')] : []),
      share.source,
      share.mountPoint,
    ];
  }
  const type = share.protocol === 'smb' ? 'cifs' : 'nfs';
  return ['mount', '-t', type, share.source, share.mountPoint, '-o', options.join(',')];
}

/**
 * The fstab line that remounts the share at boot: `nofail` so a missing share never stops the
 * boot, `_netdev` so systemd waits for the network.
 */
export function shareFstabLine(config: AgentConfig, ids: MountIds): string {
  const share = config.share;
  const options = shareMountOptions(config, ids);
  if (share.protocol === 'bind') {
    return `${share.source} ${share.mountPoint} none ${['bind', 'nofail', ...options].join(',')} 0 0`;
  }
  const type = share.protocol === 'smb' ? 'cifs' : 'nfs';
  return `${share.source} ${share.mountPoint} ${type} ${['_netdev', 'nofail', ...options].join(',')} 0 0`;
}

/** Where a member's folder is on the VM. */
export function memberFolder(config: AgentConfig, user: string): string {
  return `${config.share.mountPoint}/${SHARE_LAYOUT.notebooksDir}/${user}`;
}

/** SMB only: the member's own mount of `<share>/notebooks/<user>`, owned by them, 0700. */
export function memberMountArgv(
  config: AgentConfig,
  member: { name: string; uid: number; gid: number },
): string[] {
  const share = config.share;
  if (share.protocol !== 'smb') throw new Error('member mounts are for SMB shares only');
  const options = [
    SMB_OPTIONS[0],
    `credentials=${credentialsFile(smbAccount(share))}`,
    // One connection for all member mounts (nosharesock on each would open one per member).
    ...SMB_OPTIONS.slice(1).filter((option) => option !== 'nosharesock'),
    `uid=${member.uid}`,
    `gid=${member.gid}`,
    'dir_mode=0700',
    'file_mode=0600',
    ...(share.options ?? []),
  ];
  return [
    'mount',
    '-t',
    'cifs',
    `${share.source}/${SHARE_LAYOUT.notebooksDir}/${member.name}`,
    memberFolder(config, member.name),
    '-o',
    options.join(','),
  ];
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string;
}

/** `/proc/self/mountinfo` lines (octal escapes such as `\040` decoded). */
export function parseMountInfo(text: string): MountEntry[] {
  const unescape = (value: string) =>
    value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 3) continue;
    entries.push({
      mountPoint: unescape(fields[4]),
      fsType: fields[dash + 1],
      source: unescape(fields[dash + 2]),
      superOptions: fields[dash + 3] ?? '',
    });
  }
  return entries;
}

/** The current mount table by mount point (the top mount wins when mounts are stacked). */
export async function readMounts(system: AgentSystem): Promise<Map<string, MountEntry>> {
  const text = await readFile(hostPath(system, AGENT_PATHS.mountinfo), 'utf8').catch(() => '');
  return new Map(parseMountInfo(text).map((entry) => [entry.mountPoint, entry]));
}

/** Adds what to do to a mount error: the common Azure Files failures. */
export function mountErrorHint(protocol: string, stderr: string): string {
  if (/unknown filesystem type|wrong fs type|helper program|mount\.(cifs|nfs)/i.test(stderr)) {
    if (protocol === 'smb' && /cifs/i.test(stderr)) return ' (install cifs-utils)';
    if (protocol === 'nfs' && /nfs/i.test(stderr)) return ' (install nfs-common)';
  }
  if (/error\(13\)|permission denied/i.test(stderr)) {
    return protocol === 'smb'
      ? ' (wrong storage key or account: re-run `dsvm-pool-agent install --storage-key-file …` with the current key)'
      : ' (access denied: check the share’s network rules)';
  }
  if (/error\(2\)|no such file/i.test(stderr)) return ' (the share does not exist)';
  if (/error\(11[25]\)|host is down|timed out|no route/i.test(stderr)) {
    return ' (cannot reach the storage account: outbound port 445/2049 blocked, or DNS/private endpoint)';
  }
  return '';
}

/** SMB: the credentials file must exist, be a root-owned regular file and private (0600). */
async function checkCredentials(
  system: AgentSystem,
  config: AgentConfig,
  report: RunReport,
): Promise<boolean> {
  if (config.share.protocol !== 'smb') return true;
  const file = credentialsFile(smbAccount(config.share));
  const path = hostPath(system, file);
  const info = await lstatOrUndefined(path);
  if (!info) {
    report.error(
      `${file} is missing: run \`dsvm-pool-agent install --storage-key-file <file>\` (or --storage-key-stdin) to write it`,
    );
    return false;
  }
  if (!info.isFile()) {
    report.error(`${file} is not a regular file; refusing to use it`);
    return false;
  }
  if (system.ownershipEnforced && info.uid !== 0) {
    report.error(`${file} is not owned by root; refusing to use it`);
    return false;
  }
  if ((info.mode & 0o777) !== 0o600) {
    await chmod(path, 0o600);
    report.warn(`${file} had mode ${(info.mode & 0o777).toString(8)}; made it 0600 (root only)`);
  }
  const dir = hostPath(system, AGENT_PATHS.credentialsDir);
  const dirInfo = await lstat(dir);
  if ((dirInfo.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
  return true;
}

/**
 * Makes sure the share is mounted (and in fstab for the next boot) and that it takes writes.
 * Every failure is recorded in the report; the health says what is true now.
 */
export async function ensureShareMounted(
  system: AgentSystem,
  config: AgentConfig,
  ids: MountIds,
  computerName: string,
  report: RunReport,
): Promise<MountHealth> {
  const share = config.share;
  const health: MountHealth = {
    protocol: share.protocol,
    mountPoint: share.mountPoint,
    mounted: false,
    healthy: false,
  };
  const mountPoint = hostPath(system, share.mountPoint);
  try {
    const created = await ensureMountPoint(mountPoint);
    if (created) report.change(`created the mount point ${share.mountPoint}`);
  } catch (error) {
    health.detail = `mount point: ${messageOf(error)}`;
    report.error(health.detail);
    return health;
  }
  try {
    if (await writeFstab(system, [shareFstabLine(config, ids)])) {
      report.change(`wrote the share's line in /etc/fstab (remounted at boot, nofail)`);
      if (await lstatOrUndefined(hostPath(system, AGENT_PATHS.systemdRunning))) {
        // systemd turns fstab into mount units: tell it the file changed.
        await system.run(['systemctl', 'daemon-reload']);
      }
    }
  } catch (error) {
    report.error(`fstab: ${messageOf(error)}`);
  }
  const credentialsOk = await checkCredentials(system, config, report);
  let entry = (await readMounts(system)).get(share.mountPoint);
  if (!entry && credentialsOk) {
    entry = await mountShare(system, config, ids, health, report);
    if (!entry) return health;
    report.change(`mounted ${share.source} on ${share.mountPoint}`);
  }
  if (!entry) {
    health.detail = 'not mounted';
    return health;
  }
  health.mounted = true;
  health.fsType = entry.fsType;
  if (/(file|dir)_mode=0777/.test(entry.superOptions)) {
    report.warn(
      `${share.mountPoint} is mounted with 0777 modes (the article's script?): unmount it so the agent remounts it privately`,
    );
  }
  let failure = await probe(system, config, computerName);
  const gone = failure && staleReason(failure);
  if (gone && credentialsOk) {
    // The mount outlived what it mounted (a bind source replaced, an NFS handle gone stale, an
    // SMB session that will not come back): the share may be back at its source, so mount it
    // again. Lazy, so processes still in the old tree (a member's shell) keep it until they leave.
    const detached = await system.run(['umount', '-l', share.mountPoint], { timeoutMs: 30_000 });
    const again =
      detached.code === 0 ? await mountShare(system, config, ids, health, report) : undefined;
    if (!again) {
      health.mounted = (await readMounts(system)).has(share.mountPoint);
      if (detached.code !== 0) {
        health.detail = `the share is mounted but ${gone}, and unmounting it failed: ${detached.stderr.trim()}`;
        report.error(health.detail);
      }
      return health;
    }
    report.change(`remounted ${share.source} on ${share.mountPoint}: the old mount ${gone}`);
    health.fsType = again.fsType;
    failure = await probe(system, config, computerName);
  }
  if (failure) {
    const why = staleReason(failure) ?? messageOf(failure);
    health.detail = `the share is mounted but does not work: ${why}`;
    report.error(health.detail);
    return health;
  }
  health.healthy = true;
  return health;
}

/** Mounts the share; undefined (and the reason in `health` and the report) when it failed. */
async function mountShare(
  system: AgentSystem,
  config: AgentConfig,
  ids: MountIds,
  health: MountHealth,
  report: RunReport,
): Promise<MountEntry | undefined> {
  const share = config.share;
  const result = await system.run(shareMountArgv(config, ids), { timeoutMs: 90_000 });
  if (result.code !== 0) {
    const stderr = result.stderr.trim();
    health.detail = `mount failed (exit ${result.code}): ${stderr}${mountErrorHint(share.protocol, stderr)}`;
    report.error(health.detail);
    return undefined;
  }
  const entry = (await readMounts(system)).get(share.mountPoint);
  if (!entry) {
    health.detail = `mount said it worked but ${share.mountPoint} is not in the mount table`;
    report.error(health.detail);
  }
  return entry;
}

/** The probe's failure, or undefined when the share took a write in time. */
async function probe(
  system: AgentSystem,
  config: AgentConfig,
  computerName: string,
): Promise<unknown> {
  try {
    await withTimeout(
      verifyShare(system, config, computerName),
      20_000,
      'the share did not answer within 20 s',
    );
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Errors that say the mount no longer leads to the share (rather than that the share is slow,
 * full or read-only), in words: a folder of the share that is gone, a stale NFS handle, a
 * transport that is not connected.
 */
const STALE: Record<string, string> = {
  ENOENT: 'its folders are gone (ENOENT: the share it mounted was removed or replaced)',
  ESTALE: 'its file handles are stale (ESTALE)',
  ENOTCONN: 'its connection to the share is gone (ENOTCONN)',
  EHOSTDOWN: 'the share’s host is down (EHOSTDOWN)',
  EIO: 'the share answers with I/O errors (EIO)',
};

/** Why the mount no longer leads to the share, or undefined for other failures. */
export function staleReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? STALE[code] : undefined;
}

async function ensureMountPoint(path: string): Promise<boolean> {
  const info = await lstatOrUndefined(path);
  if (info?.isDirectory()) return false;
  if (info) throw new Error(`${path} exists and is not a directory`);
  await mkdir(path, { recursive: true, mode: 0o755 });
  return true;
}

/**
 * Writes a random probe to `<share>/.pool/probe/<computer>`, reads it back and deletes it: a
 * share that is mounted but broken (stale, read-only, full) fails here.
 */
export async function verifyShare(
  system: AgentSystem,
  config: AgentConfig,
  computerName: string,
): Promise<void> {
  const smb = config.share.protocol === 'smb';
  const root = hostPath(system, config.share.mountPoint);
  await ensureRootDir(`${root}/${SHARE_LAYOUT.poolDir}`, smb ? undefined : 0o755);
  await ensureRootDir(`${root}/${SHARE_LAYOUT.probeDir}`, smb ? undefined : 0o700);
  const path = `${root}/${SHARE_LAYOUT.probeDir}/${computerName}`;
  const content = randomBytes(16).toString('hex');
  const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = constants;
  const handle = await open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const back = await readFile(path, 'utf8');
  await unlink(path);
  if (back !== content) throw new Error('the probe file read back different content');
}

/** Rejects after `ms` (a hung network mount must not hang the whole apply). */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
