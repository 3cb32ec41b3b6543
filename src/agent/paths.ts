// Every fixed place the agent reads or writes on the VM (before the root prefix).
import { ARM_ENDPOINT_FILE, IMDS_ENDPOINT_FILE } from '../common/agent-protocol/activity';

export const AGENT_PATHS = {
  config: '/etc/dsvm-pool/agent.json',
  /** Root-only (0700) folder of the SMB credentials files. */
  credentialsDir: '/etc/smbcredentials',
  fstab: '/etc/fstab',
  /** 0755: state.json is readable so `status` works without sudo; the cache is 0600. */
  stateDir: '/var/lib/dsvm-pool',
  state: '/var/lib/dsvm-pool/state.json',
  lastGoodRegistry: '/var/lib/dsvm-pool/users.last-good.json',
  /** In /run (root-only, gone at reboot), never in a world-writable folder such as /run/lock. */
  lockDir: '/run/dsvm-pool-agent',
  lock: '/run/dsvm-pool-agent/apply.lock',
  libDir: '/usr/local/lib/dsvm-pool',
  /** The agent's own Node.js runtime, unpacked there by the installers (template script, app). */
  runtimeDir: '/usr/local/lib/dsvm-pool/node',
  runtimeNode: '/usr/local/lib/dsvm-pool/node/bin/node',
  bundle: '/usr/local/lib/dsvm-pool/dsvm-pool-agent.js',
  wrapper: '/usr/local/bin/dsvm-pool-agent',
  /** Lets any user run exactly `dsvm-pool-agent apply` as root (the app's "Fix" button). */
  sudoers: '/etc/sudoers.d/dsvm-pool-agent',
  systemdDir: '/etc/systemd/system',
  service: '/etc/systemd/system/dsvm-pool-agent.service',
  timer: '/etc/systemd/system/dsvm-pool-agent.timer',
  watchService: '/etc/systemd/system/dsvm-pool-agent-watch.service',
  /** Exists when systemd is PID 1 (what sd_booted() checks). */
  systemdRunning: '/run/systemd/system',
  /** Activity: who set the protection, the call budget, the last activity (activity-state.ts). */
  activityState: '/var/lib/dsvm-pool/activity.json',
  /** Optional: where IMDS and ARM are when not Azure's own (the emulator's VMs write them). */
  imdsEndpoint: IMDS_ENDPOINT_FILE,
  armEndpoint: ARM_ENDPOINT_FILE,
  /** Terminals: the atime of each /dev/pts/N is its last input (what `w` shows). */
  devPts: '/dev/pts',
  proc: '/proc',
  mountinfo: '/proc/self/mountinfo',
  utmp: ['/run/utmp', '/var/run/utmp'],
} as const;

/** `/etc/smbcredentials/<account>.cred` (what mount.cifs reads with `credentials=`). */
export function credentialsFile(account: string): string {
  return `${AGENT_PATHS.credentialsDir}/${account}.cred`;
}
