// A real Linux "VM" for tests: Debian's sshd and the dsvm-pool agent inside private mount, UTS and
// PID namespaces (its own /proc). Its "disk" is a folder: overlay upper dirs for /etc, /var, /usr and /usr/local,
// its /home and the sshd host key, so accounts, keys and agent state survive shutdown and boot as
// a real disk does. Its image (the /usr overlay) has a mount.cifs stand-in and, on request, no
// Node.js (vm-image.ts); it runs CustomScript extension jobs as the guest agent would. /run and /mnt (Azure's temporary disk) are fresh tmpfs at every boot, and the
// namespace's mounts vanish with its last process; /dev/pts is its own devpts instance (its own
// terminals). Nothing here touches the machine's own /etc,
// /home, users or mount table: the boot script checks the isolation before anything runs, and
// bind mounts of single files are never used (shadow-utils renames /etc/passwd+ over them).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  chmod,
  copyFile,
  mkdir,
  readFile,
  readdir,
  readlink,
  rm,
  writeFile,
} from 'node:fs/promises';
import { dirname } from 'node:path';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import {
  AgentConfigSchema,
  ComputerNameSchema,
  LINUX_USERNAME,
  type AgentConfigInput,
} from '../../../src/common/agent-protocol';
import {
  ARM_CA_FILE,
  ARM_ENDPOINT_ENV,
  ARM_ENDPOINT_FILE,
  IMDS_ENDPOINT_ENV,
  IMDS_ENDPOINT_FILE,
} from '../../../src/common/agent-protocol/activity';
import type { CustomScriptJob, CustomScriptResult } from '../azure/custom-script';
import type { VmAzureAccess } from '../azure/nat-data-plane';
import { runCustomScript } from './custom-script-runner';
import { cifsStandIn, cifsTable, hostNodePaths, type SmbShareStandIn } from './vm-image';

export interface ExecResult {
  /** Exit code; -1 when killed by a signal or the command could not start. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface AgentRun extends ExecResult {
  /** When the run started and ended (ms since the epoch). */
  startedAt: number;
  endedAt: number;
  /** `boot` (the OnBootSec run), `timer` or `manual` (runAgent). */
  reason: 'boot' | 'timer' | 'manual';
}

export interface NamespaceVmOptions {
  /**
   * The VM's disk: a folder that is created when missing and reused when it holds a VM that
   * booted before. An absolute path of letters, digits and `._-/`, outside /etc, /var, /usr,
   * /home, /run and /mnt (a temp folder under /tmp is the usual choice).
   */
  dir: string;
  /** Host name inside the VM (`hostname`) and, by default, the agent's computerName. */
  computerName: string;
  /** Created at first boot (useradd -m, key, passwordless sudo), as cloud-init does on Azure. */
  adminUser: string;
  /** authorized_keys lines of the admin (one or more). */
  adminPublicKeys: string | string[];
  /**
   * `/etc/dsvm-pool/agent.json`, written at first boot with the agent bundle. Without it the
   * VM has no agent (no boot run, no timer).
   */
  agentConfig?: AgentConfigInput;
  /** Default `<repo>/out/agent/dsvm-pool-agent.js` (`node scripts/build-agent.mjs`). */
  agentBundle?: string;
  /** The systemd timer stand-in: one apply this long after the previous one ended. Default 1000; 0 = no timer (the boot run still happens). */
  agentIntervalMs?: number;
  /** Whether every boot runs the agent once before `boot()` resolves (default true). */
  agentOnBoot?: boolean;
  /** Node.js inside the VM (default `process.execPath`; must not live under /home, /run or /mnt). */
  nodePath?: string;
  /**
   * An image without Node.js: the host's node is hidden (whiteouts in the /usr and /usr/local
   * overlays), so `command -v node` finds nothing. Only for VMs whose agent comes with its own
   * runtime (through the CustomScript extension), not with `agentConfig`.
   */
  hideNode?: boolean;
  /** The shares the image's mount.cifs stand-in knows (asked at every boot and extension run). */
  smbShares?: () => SmbShareStandIn[];
  /** How long sshd may take to answer (default 15 s). */
  bootTimeoutMs?: number;
  /** Boot, agent and sshd failure lines. */
  log?: (line: string) => void;
  /**
   * The VM's IMDS and ARM (the Azure emulator's): written at every boot to
   * `/etc/dsvm-pool/imds-endpoint`, `arm-endpoint` and `arm-ca.pem`, and given to the agent's
   * runs as `DSVM_POOL_IMDS_ENDPOINT`, `DSVM_POOL_ARM_ENDPOINT` and `NODE_EXTRA_CA_CERTS`.
   */
  azureAccess?: () => Promise<VmAzureAccess>;
  /**
   * Opt-in: the agent's long-running `watch`, as systemd runs `dsvm-pool-agent-watch.service` once
   * the agent's units are enabled — started after the boot's apply, restarted `restartMs` after it
   * exits (the unit's `Restart=always`), killed with the VM. `env` adds the agent's test knobs
   * (src/agent/watch-test-knobs.ts: shorter cycle, poll and jitter, the emulator's clock file).
   * Off by default: a watch polls scheduled events, and a delete of a VM enrolled in them waits
   * for its approval or the full notice (see test/emulators/vm/README.md).
   */
  agentWatch?: { env?: Record<string, string>; restartMs?: number };
}

/** One exit of the VM's watch (what journalctl would show for the unit). */
export interface WatchExit {
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Its last stderr lines. */
  stderr: string;
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SSHD = '/usr/sbin/sshd';
const NSENTER = '/usr/bin/nsenter';
const DEFAULT_BUNDLE = fileURLToPath(
  new URL('../../../out/agent/dsvm-pool-agent.js', import.meta.url),
);
/** Where the bundle and its wrapper go inside the VM (as `dsvm-pool-agent install` puts them). */
const VM_BUNDLE = '/usr/local/lib/dsvm-pool/dsvm-pool-agent.js';
const VM_WRAPPER = '/usr/local/bin/dsvm-pool-agent';
/** What `dsvm-pool-agent install` enables: systemd would run it at boot (and its timer). */
const AGENT_UNIT_ENABLED = '/etc/systemd/system/multi-user.target.wants/dsvm-pool-agent.service';
const PROVISIONED = '/var/lib/cloud/instance/dsvm-pool-provisioned';
/** Folders the VM replaces with its own: the disk and node must not be inside them. */
const VM_OWNED = ['/etc', '/var', '/usr', '/home', '/run', '/mnt', '/proc', '/sys', '/dev'];
const HIDDEN_IN_VM = ['/home', '/run', '/mnt'];

// Builds the VM's private view, checks it, then runs the first boot's provisioning (once) and
// execs sshd. Any failure before sshd stops everything: nothing may run against the real machine.
const SETUP = `#!/bin/sh
set -eu
D="$VM_DIR"
fail() { echo "isolation failed: $*" >&2; exit 99; }
[ "$(readlink /proc/self/ns/mnt)" != "$HOST_MNT_NS" ] || fail "not in a new mount namespace"
[ "$(readlink /proc/self/ns/uts)" != "$HOST_UTS_NS" ] || fail "not in a new UTS namespace"
[ "$(findmnt -n -o PROPAGATION /)" = private ] || fail "/ is not private"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$D/etc.up,workdir=$D/etc.work" /etc
mount -t overlay overlay -o "lowerdir=/var,upperdir=$D/var.up,workdir=$D/var.work" /var
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$D/usr.up,workdir=$D/usr.work" /usr
mount -t overlay overlay -o "lowerdir=/usr/local,upperdir=$D/usrlocal.up,workdir=$D/usrlocal.work" /usr/local
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=0755 tmpfs /mnt
mount --bind "$D/home" /home
# The VM's own terminals: a fresh devpts instance (Linux >= 4.7 opens /dev/ptmx in the devpts at
# /dev/pts), so the agent's busy signal (the atime of /dev/pts/N) sees this VM's terminals only.
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts
for m in etc var usr usr/local; do
  up=$(echo "$m" | tr -d /)
  [ "$(findmnt -n -o FSTYPE "/$m")" = overlay ] || fail "/$m is not an overlay"
  case "$(findmnt -n -o OPTIONS "/$m")" in *"upperdir=$D/$up.up,"*) ;; *) fail "/$m is not the VM's overlay" ;; esac
done
[ "$(findmnt -n -o FSTYPE /run)" = tmpfs ] || fail "/run is not a tmpfs"
[ "$(findmnt -n -o FSTYPE /mnt)" = tmpfs ] || fail "/mnt is not a tmpfs"
[ "$(ls /dev/pts)" = ptmx ] || fail "/dev/pts is not the VM's own devpts"
case "$(findmnt -n -o SOURCE /home)" in *"$D/home]") ;; *) fail "/home is not the VM's" ;; esac
hostname "$VM_HOSTNAME"
mkdir -p -m 0755 /run/sshd
# As systemd-tmpfiles does at boot: without /run/utmp, sshd records no login (who, wall see none).
install -m 0664 -g utmp /dev/null /run/utmp
[ -e ${PROVISIONED} ] || sh "$D/cloud-init.sh"
exec ${SSHD} -D -e -f "$D/sshd_config"
`;

// The first boot's provisioning, as cloud-init and the Azure agent do it: the admin with their
// key and passwordless sudo, then agent.json and the agent bundle with a wrapper.
const CLOUD_INIT = `#!/bin/sh
set -eu
D="$VM_DIR"
U="$VM_ADMIN"
id -u "$U" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$U"
install -d -m 0700 -o "$U" -g "$(id -gn "$U")" "/home/$U/.ssh"
install -m 0600 -o "$U" -g "$(id -gn "$U")" "$D/cloud-init/authorized_keys" "/home/$U/.ssh/authorized_keys"
install -d -m 0755 /etc/sudoers.d
printf '%s ALL=(ALL) NOPASSWD:ALL\\n' "$U" > /etc/sudoers.d/90-cloud-init-users
chmod 0440 /etc/sudoers.d/90-cloud-init-users
# The audit login uid needs CAP_AUDIT_CONTROL, which containers often lack (as Docker images do).
if [ -f /etc/pam.d/sshd ]; then
  sed -i 's/^session[[:space:]]*required[[:space:]]*pam_loginuid\\.so/session optional pam_loginuid.so/' /etc/pam.d/sshd
fi
if [ -f "$D/cloud-init/agent.json" ]; then
  install -D -m 0644 "$D/cloud-init/agent.json" /etc/dsvm-pool/agent.json
  install -D -m 0755 "$D/cloud-init/dsvm-pool-agent.js" ${VM_BUNDLE}
  install -d -m 0755 /usr/local/bin
  printf '#!/bin/sh\\nexec %s ${VM_BUNDLE} "$@"\\n' "$VM_NODE" > /usr/local/bin/dsvm-pool-agent
  chmod 0755 /usr/local/bin/dsvm-pool-agent
fi
install -d -m 0755 "$(dirname ${PROVISIONED})"
date -u +%FT%TZ > ${PROVISIONED}
`;

type State = 'off' | 'booting' | 'running';

export class NamespaceVm {
  readonly dir: string;
  readonly computerName: string;
  readonly adminUser: string;
  /** Completed agent runs of this VM, oldest first (every boot's and the timer's). */
  readonly agentRuns: AgentRun[] = [];
  private readonly options: NamespaceVmOptions;
  private readonly nodePath: string;
  private readonly log: (line: string) => void;
  private state: State = 'off';
  /** Bumped by every boot and shutdown: a superseded boot or timer stops quietly. */
  private generation = 0;
  /** unshare, which waits for the VM's PID 1 (initPid, host pid). */
  private root?: ChildProcess;
  private initPid?: number;
  private rootExited?: Promise<void>;
  private nsInode?: string;
  private sshPort = 0;
  private booting?: Promise<void>;
  private stopping?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private agentQueue: Promise<unknown> = Promise.resolve();
  private readonly children = new Set<ChildProcess>();
  private readonly runWaiters: { since: number; resolve: (run: AgentRun) => void }[] = [];
  private sshdLogText = '';
  /** Whether the agent's units are enabled (systemd would run it): set at boot or after an install. */
  private agentEnabled = false;
  /** IMDS and ARM as this boot wrote them (the agent's environment). */
  private access?: VmAzureAccess;
  /** The running watch (agentWatch), and its restart timer. */
  private watch?: ChildProcess;
  private watchRestart?: NodeJS.Timeout;
  private watchLogText = '';
  /** Every exit of the watch while the VM ran (shutdowns not included), oldest first. */
  readonly watchExits: WatchExit[] = [];

  constructor(options: NamespaceVmOptions) {
    if (process.getuid?.() !== 0) {
      throw new Error('NamespaceVm needs root (mount namespaces, overlays, useradd, sshd)');
    }
    if (!/^(\/[A-Za-z0-9._-]+)+$/.test(options.dir) || /(^|\/)\.\.?(\/|$)/.test(options.dir)) {
      throw new Error(`NamespaceVm: dir must be a plain absolute path, not ${options.dir}`);
    }
    if (VM_OWNED.some((top) => options.dir === top || options.dir.startsWith(`${top}/`))) {
      throw new Error(`NamespaceVm: dir ${options.dir} is inside a folder the VM replaces`);
    }
    ComputerNameSchema.parse(options.computerName);
    if (!LINUX_USERNAME.test(options.adminUser)) {
      throw new Error(`NamespaceVm: ${options.adminUser} is not a Linux user name`);
    }
    if (options.agentConfig) AgentConfigSchema.parse(options.agentConfig);
    if (options.agentConfig && options.hideNode) {
      throw new Error(
        'NamespaceVm: agentConfig installs the agent on the host node; hideNode hides it',
      );
    }
    this.nodePath = options.nodePath ?? process.execPath;
    if (HIDDEN_IN_VM.some((top) => this.nodePath.startsWith(`${top}/`))) {
      throw new Error(`NamespaceVm: node at ${this.nodePath} would be hidden inside the VM`);
    }
    this.options = options;
    this.dir = options.dir;
    this.computerName = options.computerName;
    this.adminUser = options.adminUser;
    this.log = options.log ?? (() => {});
  }

  /** sshd's loopback port (0 before the first boot); kept across reboots when still free. */
  get port(): number {
    return this.sshPort;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** The host pid of the VM's PID 1 (sshd once booted). */
  get pid(): number | undefined {
    return this.initPid;
  }

  /** The last lines sshd (and the boot script) wrote to stderr, for diagnostics. */
  get sshdLog(): string {
    return this.sshdLogText;
  }

  /** The last lines the agent's watch wrote (its journal), for diagnostics and figures. */
  get watchLog(): string {
    return this.watchLogText;
  }

  /** The watch's pid while it runs (agentWatch). */
  get watchPid(): number | undefined {
    return this.watch?.pid;
  }

  /**
   * Powers the VM on: builds the namespace, provisions it on first boot, starts sshd, then runs
   * the agent once (OnBootSec) and starts its timer. Resolves once sshd answers and the boot run
   * ended (its result is the last of `agentRuns`, a failed run does not fail the boot).
   */
  boot(): Promise<void> {
    if (this.booting) return this.booting;
    if (this.state === 'running') return Promise.resolve();
    const booting = this.bootNow().finally(() => {
      if (this.booting === booting) this.booting = undefined;
    });
    this.booting = booting;
    return booting;
  }

  /** Runs `dsvm-pool-agent <args>` (default `apply`) in the VM, after any run in progress. */
  runAgent(args: string[] = ['apply']): Promise<ExecResult> {
    return this.queueAgent('manual', args);
  }

  /** The first completed agent run that started at or after `since` (default now). */
  agentRunAfter(since = Date.now(), timeoutMs = 30_000): Promise<AgentRun> {
    const done = this.agentRuns.find((run) => run.startedAt >= since);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.runWaiters.indexOf(waiter);
        if (i >= 0) this.runWaiters.splice(i, 1);
        reject(new Error(`${this.computerName}: no agent run started within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        since,
        resolve: (run: AgentRun) => {
          clearTimeout(timer);
          resolve(run);
        },
      };
      this.runWaiters.push(waiter);
    });
  }

  /** Runs a shell script as root inside the VM (its mounts, users and host name). */
  exec(script: string, timeoutMs = 60_000): Promise<ExecResult> {
    return this.inside(['/bin/sh', '-c', script], timeoutMs);
  }

  /**
   * Powers the VM off: sshd, sessions, agent runs — every process of the namespace is killed,
   * so its mounts (the share included) are gone. The disk stays for the next `boot()`.
   */
  async shutdown(): Promise<void> {
    const stopping = this.shutdownNow();
    this.stopping = stopping;
    try {
      await stopping;
    } finally {
      if (this.stopping === stopping) this.stopping = undefined;
    }
  }

  /** Shuts down and deletes the disk (a deleted VM). */
  async destroy(): Promise<void> {
    await this.shutdown();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async shutdownNow(): Promise<void> {
    this.generation++;
    this.state = 'off';
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.watchRestart);
    this.watchRestart = undefined;
    this.watch = undefined;
    const root = this.root;
    const ns = this.nsInode ?? (root?.pid ? await nsOf(root.pid) : undefined);
    const hostNs = await nsOf(process.pid);
    // Never scan by the host's own namespace (that would be every process of the machine).
    const scan = ns !== undefined && ns !== hostNs ? ns : undefined;
    for (let round = 0; round < 100; round++) {
      const pids = new Set<number>();
      for (const child of [...this.children, ...(root ? [root] : [])]) {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
          pids.add(child.pid);
        }
      }
      if (scan) for (const pid of await pidsInNamespace(scan)) pids.add(pid);
      if (pids.size === 0) break;
      // unshare last: it reaps the VM's PID 1 (killing PID 1 ends the whole PID namespace);
      // killed first, PID 1 would be left a zombie of the machine's init.
      if (root?.pid !== undefined && pids.size > 1) pids.delete(root.pid);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(20);
    }
    await this.rootExited;
    this.root = undefined;
    this.rootExited = undefined;
    this.initPid = undefined;
    this.nsInode = undefined;
    this.state = 'off';
    await rm(join(this.dir, 'sshd.pid'), { force: true });
  }

  // --- boot ---

  private async bootNow(): Promise<void> {
    await this.stopping;
    const generation = ++this.generation;
    this.state = 'booting';
    const superseded = () => {
      if (this.generation !== generation) {
        throw new Error(`${this.computerName} was shut down while booting`);
      }
    };
    try {
      await this.prepareDisk();
      superseded();
      for (let attempt = 0; ; attempt++) {
        if (this.sshPort === 0 || attempt > 0) this.sshPort = await freePort();
        await this.writeSshdConfig();
        superseded();
        const started = await this.startNamespace(generation);
        if (started === 'ok') break;
        if (started === 'port-taken' && attempt < 3) continue;
        throw new Error(`${this.computerName} did not boot: ${started}\n${this.sshdLogText}`);
      }
      superseded();
      this.state = 'running';
      this.log(`${this.computerName}: booted, sshd on 127.0.0.1:${this.sshPort}`);
      await this.startAgent(generation, 'boot');
    } catch (err) {
      if (this.generation === generation) await this.shutdown();
      throw err;
    }
  }

  /**
   * What systemd does with the agent's units: when they are enabled (or the VM was given
   * `agentConfig`), one apply (OnBootSec, or `enable --now` + start after an install), then the
   * timer. No systemd runs in the namespace, so this stands in for it.
   */
  private async startAgent(generation: number, reason: 'boot' | 'install'): Promise<void> {
    if (this.timer || this.generation !== generation) return;
    const enabled =
      this.options.agentConfig !== undefined ||
      (await this.inside(['test', '-e', AGENT_UNIT_ENABLED], 10_000)).code === 0;
    if (!enabled || this.generation !== generation) return;
    this.agentEnabled = true;
    if (this.options.agentOnBoot !== false || reason === 'install') {
      const run = await this.queueAgent('boot', ['apply']);
      if (run.code !== 0)
        this.log(`${this.computerName}: ${reason} agent run failed: ${run.stderr}`);
    }
    if (this.generation !== generation)
      throw new Error(`${this.computerName} was shut down while booting`);
    this.scheduleTimer(generation);
    this.startWatch(generation);
  }

  /** `dsvm-pool-agent watch` as its systemd unit runs it: long-running, restarted when it ends. */
  private startWatch(generation: number): void {
    const options = this.options.agentWatch;
    const pid = this.initPid;
    if (!options || this.watch || this.generation !== generation || pid === undefined) return;
    const child = spawn(
      NSENTER,
      ['--target', String(pid), '--mount', '--uts', '--pid', '--', VM_WRAPPER, 'watch'],
      {
        cwd: '/',
        env: { ...this.agentEnv(), ...options.env },
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.watch = child;
    this.children.add(child);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.watchLogText = (this.watchLogText + chunk).slice(-16_000);
    });
    const ended = (code: number | null, signal: NodeJS.Signals | null) => {
      this.children.delete(child);
      if (this.watch !== child) return;
      this.watch = undefined;
      if (this.generation !== generation || this.state !== 'running') return;
      const stderr = this.watchLogText.split('\n').slice(-6).join('\n');
      this.watchExits.push({ at: Date.now(), code, signal, stderr });
      this.log(`${this.computerName}: agent watch ended (${signal ?? `exit ${code}`}); restarting`);
      this.watchRestart = setTimeout(() => {
        this.watchRestart = undefined;
        this.startWatch(generation);
      }, options.restartMs ?? 10_000);
      this.watchRestart.unref();
    };
    child.once('exit', ended);
    child.once('error', (err) => {
      this.watchLogText += `${err.message}\n`;
      ended(-1, null);
    });
  }

  /**
   * Runs a CustomScript extension's job as root in the VM (booting it first), as the guest agent
   * does at provisioning; then, if it installed and enabled the agent's units, starts them.
   */
  async runCustomScript(job: CustomScriptJob): Promise<CustomScriptResult> {
    await this.boot();
    await this.writeCifsTable();
    const generation = this.generation;
    const result = await runCustomScript(this, job);
    await this.startAgent(generation, 'install').catch(() => {});
    return result;
  }

  /** Writes a file inside the VM as root (its view: overlays, /run…), creating it with `mode`. */
  async writeFile(path: string, data: Buffer, mode: number): Promise<void> {
    const result = await this.run(
      [
        '/bin/sh',
        '-c',
        'umask 077 && cat > "$1" && chmod "$2" "$1"',
        'write',
        path,
        mode.toString(8),
      ],
      { timeoutMs: 60_000, input: data },
    );
    if (result.code !== 0)
      throw new Error(`cannot write ${path} in ${this.computerName}: ${result.stderr}`);
  }

  /**
   * Runs argv as root in the VM with `env` (default: PATH and LANG only). After `timeoutMs`
   * every process it started (its process group) is killed, and `timedOut` says so.
   */
  run(
    argv: string[],
    options: { timeoutMs: number; env?: NodeJS.ProcessEnv; input?: Buffer },
  ): Promise<ExecResult & { timedOut: boolean }> {
    const pid = this.initPid;
    if (this.state === 'off' || pid === undefined || this.nsInode === undefined) {
      return Promise.reject(new Error(`${this.computerName} is not running`));
    }
    return new Promise((resolve) => {
      const child = spawn(
        NSENTER,
        ['--target', String(pid), '--mount', '--uts', '--pid', '--', ...argv],
        {
          cwd: '/',
          env: options.env ?? { PATH, LANG: 'C.UTF-8' },
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      this.children.add(child);
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.stdin?.on('error', () => {});
      child.stdin?.end(options.input ?? '');
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }, options.timeoutMs);
      const done = (code: number) => {
        clearTimeout(timer);
        this.children.delete(child);
        resolve({ code, stdout, stderr, timedOut });
      };
      child.once('error', (err) => {
        stderr += err.message;
        done(-1);
      });
      child.once('close', (code) => done(code ?? -1));
    });
  }

  /** The image's mount.cifs reads this table (root-only, no key in it) of the shares it knows. */
  private async writeCifsTable(): Promise<void> {
    await writeFile(join(this.dir, 'cifs-shares'), cifsTable(this.options.smbShares?.() ?? []), {
      mode: 0o600,
    });
  }

  /** The image: a mount.cifs stand-in in /usr/sbin and, without Node.js, whiteouts over the host's. */
  private async prepareImage(): Promise<void> {
    const usr = join(this.dir, 'usr.up');
    await mkdir(join(usr, 'sbin'), { recursive: true, mode: 0o755 });
    await writeFile(join(usr, 'sbin/mount.cifs'), cifsStandIn(join(this.dir, 'cifs-shares')), {
      mode: 0o755,
    });
    await this.writeCifsTable();
    if (!this.options.hideNode) return;
    for (const path of hostNodePaths(this.nodePath)) {
      if (!path.startsWith('/usr/')) {
        throw new Error(`${this.computerName}: cannot hide node at ${path} (only under /usr)`);
      }
      const whiteout = join(usr, path.slice('/usr/'.length));
      if (existsSync(whiteout)) continue;
      await mkdir(dirname(whiteout), { recursive: true, mode: 0o755 });
      // An overlay whiteout: a 0/0 character device in the upper dir hides the lower file.
      await run('mknod', [whiteout, 'c', '0', '0']);
    }
  }

  private async prepareDisk(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    await chmod(this.dir, 0o755);
    for (const sub of [
      'etc.up',
      'etc.work',
      'var.up',
      'var.work',
      'usr.up',
      'usr.work',
      'usrlocal.up',
      'usrlocal.work',
      'home',
      'ssh',
      'cloud-init',
    ]) {
      await mkdir(join(this.dir, sub), { recursive: true, mode: 0o755 });
    }
    // home is / of the users' paths for sshd's StrictModes: root-owned, not group/other writable.
    await chmod(join(this.dir, 'home'), 0o755);
    const hostKey = join(this.dir, 'ssh/ssh_host_ed25519_key');
    if (!existsSync(hostKey)) {
      await run('ssh-keygen', [
        '-q',
        '-t',
        'ed25519',
        '-N',
        '',
        '-C',
        `root@${this.computerName}`,
        '-f',
        hostKey,
      ]);
    }
    await this.prepareImage();
    await this.writeAzureAccess();
    await writeFile(join(this.dir, 'setup.sh'), SETUP, { mode: 0o755 });
    await writeFile(join(this.dir, 'cloud-init.sh'), CLOUD_INIT, { mode: 0o755 });
    const keys = [this.options.adminPublicKeys].flat().map((k) => k.trim());
    if (keys.some((k) => k === '' || k.includes('\n'))) {
      throw new Error(`${this.computerName}: an admin public key is empty or has several lines`);
    }
    await writeFile(join(this.dir, 'cloud-init/authorized_keys'), `${keys.join('\n')}\n`, {
      mode: 0o600,
    });
    if (this.options.agentConfig) {
      await writeFile(
        join(this.dir, 'cloud-init/agent.json'),
        `${JSON.stringify(this.options.agentConfig, null, 2)}\n`,
        { mode: 0o644 },
      );
      await copyFile(
        this.options.agentBundle ?? DEFAULT_BUNDLE,
        join(this.dir, 'cloud-init/dsvm-pool-agent.js'),
      );
    }
  }

  /**
   * Where the VM's IMDS and ARM are, in its /etc (the overlay's upper dir, before it is mounted):
   * on Azure the agent uses 169.254.169.254 and management.azure.com; here the emulator's.
   */
  private async writeAzureAccess(): Promise<void> {
    this.access = await this.options.azureAccess?.();
    if (!this.access) return;
    const dir = join(this.dir, 'etc.up/dsvm-pool');
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const files: [string, string][] = [
      [IMDS_ENDPOINT_FILE, `${this.access.imdsEndpoint}\n`],
      [ARM_ENDPOINT_FILE, `${this.access.armEndpoint}\n`],
      [ARM_CA_FILE, this.access.armCaPem],
    ];
    for (const [path, content] of files) {
      await writeFile(join(dir, path.split('/').pop() ?? path), content, { mode: 0o644 });
      await chmod(join(dir, path.split('/').pop() ?? path), 0o644);
    }
  }

  /** The agent's environment: no systemd markers; IMDS and ARM when the emulator gave them. */
  private agentEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { PATH, LANG: 'C.UTF-8' };
    if (this.access) {
      env[IMDS_ENDPOINT_ENV] = this.access.imdsEndpoint;
      env[ARM_ENDPOINT_ENV] = this.access.armEndpoint;
      env.NODE_EXTRA_CA_CERTS = ARM_CA_FILE;
    }
    return env;
  }

  private async writeSshdConfig(): Promise<void> {
    const config = [
      'ListenAddress 127.0.0.1',
      `Port ${this.sshPort}`,
      `HostKey ${join(this.dir, 'ssh/ssh_host_ed25519_key')}`,
      `PidFile ${join(this.dir, 'sshd.pid')}`,
      // As on Ubuntu/Azure images: PAM's account stack (pam_unix) refuses expired accounts, which
      // is how the agent locks former members (usermod --lock --expiredate 1). With UsePAM no,
      // sshd would refuse every account whose password is "!", i.e. every member useradd made.
      'UsePAM yes',
      'StrictModes yes',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AuthorizedKeysFile .ssh/authorized_keys',
      'PermitRootLogin no',
      'X11Forwarding no',
      'PrintMotd no',
      'LogLevel INFO',
      'Subsystem sftp internal-sftp',
    ];
    await writeFile(join(this.dir, 'sshd_config'), `${config.join('\n')}\n`, { mode: 0o644 });
  }

  /** Starts the namespace with sshd; 'ok', 'port-taken' or why it failed. */
  private async startNamespace(generation: number): Promise<string> {
    const [hostMnt, hostUts] = await Promise.all([
      readlink('/proc/self/ns/mnt'),
      readlink('/proc/self/ns/uts'),
    ]);
    this.sshdLogText = '';
    // Checked right before the spawn: a shutdown meanwhile must not leave a namespace behind.
    if (this.generation !== generation) return 'shut down while booting';
    // pdeathsig: if the test process dies, sshd (the same process after the execs) dies too.
    const child = spawn(
      'setpriv',
      [
        '--pdeathsig',
        'KILL',
        '--',
        'unshare',
        '--mount',
        '--uts',
        // Its own process tree and /proc: the agent sees this VM's processes (sshd sessions,
        // Jupyter servers) only, as on a VM; sshd is its PID 1, which reaps orphans.
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        '--propagation',
        'private',
        '--',
        '/bin/sh',
        join(this.dir, 'setup.sh'),
      ],
      {
        cwd: '/',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH,
          LANG: 'C.UTF-8',
          VM_DIR: this.dir,
          HOST_MNT_NS: hostMnt,
          HOST_UTS_NS: hostUts,
          VM_HOSTNAME: this.computerName,
          VM_ADMIN: this.adminUser,
          VM_NODE: this.nodePath,
        },
      },
    );
    this.root = child;
    let exited: string | undefined;
    this.rootExited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exited = signal ? `signal ${signal}` : `exit code ${code}`;
        if (this.root === child && this.state === 'running') {
          // A crash: power the rest off too, so that the next boot() starts afresh.
          this.log(`${this.computerName}: sshd ended (${exited})\n${this.sshdLogText}`);
          void this.shutdown();
        }
        resolve();
      });
      child.once('error', (err) => {
        exited = err.message;
        resolve();
      });
    });
    const keep = (chunk: string) => {
      this.sshdLogText = (this.sshdLogText + chunk).slice(-8_000);
    };
    child.stdout?.setEncoding('utf8').on('data', keep);
    child.stderr?.setEncoding('utf8').on('data', keep);

    const deadline = Date.now() + (this.options.bootTimeoutMs ?? 15_000);
    while (Date.now() < deadline) {
      if (this.generation !== generation) return 'shut down while booting';
      if (exited !== undefined) break;
      if (await answersSsh(this.sshPort)) {
        const init = await firstChild(child.pid ?? -1);
        const ns = init === undefined ? undefined : await nsOf(init);
        if (!ns || ns === hostMnt) return 'sshd is not in its own mount namespace';
        this.initPid = init;
        this.nsInode = ns;
        return 'ok';
      }
      await sleep(50);
    }
    if (exited === undefined) return 'sshd did not answer in time';
    await this.rootExited;
    if (/Bind to port|Cannot bind any address|Address already in use/.test(this.sshdLogText)) {
      return 'port-taken';
    }
    return `the boot script ended (${exited})`;
  }

  private scheduleTimer(generation: number): void {
    const interval = this.options.agentIntervalMs ?? 1000;
    if (!this.agentEnabled || interval <= 0) return;
    this.timer = setTimeout(() => {
      if (this.generation !== generation) return;
      this.queueAgent('timer', ['apply']).then(
        (run) => {
          if (this.generation !== generation) return;
          if (run.code !== 0) {
            this.log(`${this.computerName}: agent run failed (${run.code}): ${run.stderr}`);
          }
          this.scheduleTimer(generation);
        },
        () => {}, // the VM went down meanwhile
      );
    }, interval);
    this.timer.unref();
  }

  // --- agent and commands inside ---

  private queueAgent(reason: AgentRun['reason'], args: string[]): Promise<AgentRun> {
    const queued = this.agentQueue.then(async () => {
      const startedAt = Date.now();
      const result = await this.inside(
        [VM_WRAPPER, ...args],
        120_000,
        // No systemd here: make sure the agent does not believe it runs under it.
        this.agentEnv(),
      );
      const run: AgentRun = { ...result, startedAt, endedAt: Date.now(), reason };
      if (reason !== 'manual' || args[0] === 'apply') this.recordRun(run);
      return run;
    });
    this.agentQueue = queued.catch(() => {});
    return queued;
  }

  private recordRun(run: AgentRun): void {
    this.agentRuns.push(run);
    if (this.agentRuns.length > 200) this.agentRuns.shift();
    for (const waiter of [...this.runWaiters]) {
      if (run.startedAt >= waiter.since) {
        this.runWaiters.splice(this.runWaiters.indexOf(waiter), 1);
        waiter.resolve(run);
      }
    }
  }

  /** Runs argv in the VM's namespaces (nsenter), as root, collecting its output. */
  private inside(
    argv: string[],
    timeoutMs: number,
    env: NodeJS.ProcessEnv = { PATH, LANG: 'C.UTF-8', HOME: '/root' },
  ): Promise<ExecResult> {
    const pid = this.initPid;
    if (this.state === 'off' || pid === undefined || this.nsInode === undefined) {
      return Promise.reject(new Error(`${this.computerName} is not running`));
    }
    return new Promise((resolve) => {
      const child = execFile(
        NSENTER,
        ['--target', String(pid), '--mount', '--uts', '--pid', '--', ...argv],
        { cwd: '/', env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          this.children.delete(child);
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      this.children.add(child);
    });
  }
}

// --- helpers ---

function run(file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { PATH } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** The first child of a process (unshare --fork's: the VM's PID 1), or undefined. */
async function firstChild(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const first = Number(text.trim().split(/\s+/)[0]);
  return Number.isInteger(first) && first > 0 ? first : undefined;
}

/** `mnt:[4026532176]` of a process, or undefined when it is gone. */
async function nsOf(pid: number): Promise<string | undefined> {
  try {
    return await readlink(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/** Every process whose mount namespace is `ns`. */
async function pidsInNamespace(ns: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    if ((await nsOf(pid)) === ns) pids.push(pid);
  }
  return pids;
}

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether an SSH server answers with its `SSH-` banner on 127.0.0.1:port. */
function answersSsh(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.startsWith('SSH-')) done(true);
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
