// Runs the Azure emulator as its own process, for tests that drive the app as a separate process
// (the Playwright e2e suite): prints one JSON line with where it is and how to trust it, then
// serves until SIGTERM/SIGINT.
//
//   node --import tsx test/emulators/azure/serve.ts '{"clientSecrets":{"id":"secret"}}'
//
// The JSON argument is optional: AzureEmulatorOptions that are plain data (clientSecrets,
// delays, retryAfterSeconds, listPageSize, maxSshServers), plus `namespaceVms: { agentIntervalMs,
// watch }` for real Linux VMs (sshd + the agent in private mount namespaces; root only) whose share
// is the one the scale set's storage tags name, in the Azure Files emulator (`watch`: the agent's
// long-running watch too, with its test knobs; see test/emulators/azure/README.md); `manualClock:
// ISO` for an autoscale clock that only moves when told (`watch.followClock`: the watches too),
// and `control: true` for the control channel (serve-control.ts: the clock, evaluations, raw ARM
// requests), whose address the line carries.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TEST_CLOCK_FILE_ENV,
  TEST_CYCLE_ENV,
  TEST_EVENTS_POLL_ENV,
  TEST_IDLE_MINUTE_ENV,
  TEST_JITTER_ENV,
} from '../../../src/agent/watch-test-knobs';
import {
  FILE_SHARE_TAG,
  STORAGE_ACCOUNT_TAG,
  namespaceVmBackend,
} from '../vm/namespace-vm-backend';
import { ManualClock } from './autoscale-clock';
import { startControl, type ControlChannel } from './serve-control';
import {
  startAzureEmulator,
  type AzureEmulator,
  type AzureEmulatorOptions,
} from './azure-emulator';

/** The line the parent reads: everything the app needs to point at this emulator. */
export interface ServedEmulator {
  url: string;
  tenantId: string;
  subscriptionId: string;
  /** The emulator's certificate alone, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** The Azure Files data plane's folder: a share's files are `<filesRoot>/<account>/<share>/…`. */
  filesRoot: string;
  /** With `control: true`: the control channel's URL (serve-control.ts). */
  controlUrl?: string;
}

const { namespaceVms, manualClock, control, ...options } = JSON.parse(
  process.argv[2] ?? '{}',
) as AzureEmulatorOptions & {
  namespaceVms?: {
    agentIntervalMs?: number;
    /** The agent's watch in every VM, with its test knobs (ms). */
    watch?: {
      cycleMs?: number;
      eventsPollMs?: number;
      jitterMaxMs?: number;
      idleMinuteMs?: number;
      restartMs?: number;
      /** The watches take the manual clock as now (a clock file); default: the real clock. */
      followClock?: boolean;
    };
  };
  manualClock?: string;
  control?: boolean;
};
// The manual clock as the VMs' watches read it (a file under /tmp, which the namespaces share).
const clockDir =
  manualClock && namespaceVms?.watch?.followClock
    ? await mkdtemp(join(tmpdir(), 'dsvm-clock-'))
    : undefined;
const clockFile = clockDir ? join(clockDir, 'now') : undefined;
const writeClock = async (now: number) => {
  if (clockFile) await writeFile(clockFile, `${now}\n`, { mode: 0o644 });
};
if (manualClock) await writeClock(new Date(manualClock).getTime());
const watch = namespaceVms?.watch;
const watchEnv: Record<string, string> = {};
if (watch?.cycleMs !== undefined) watchEnv[TEST_CYCLE_ENV] = String(watch.cycleMs);
if (watch?.eventsPollMs !== undefined) watchEnv[TEST_EVENTS_POLL_ENV] = String(watch.eventsPollMs);
if (watch?.jitterMaxMs !== undefined) watchEnv[TEST_JITTER_ENV] = String(watch.jitterMaxMs);
if (watch?.idleMinuteMs !== undefined) watchEnv[TEST_IDLE_MINUTE_ENV] = String(watch.idleMinuteMs);
if (clockFile) watchEnv[TEST_CLOCK_FILE_ENV] = clockFile;
// The share folders live in the emulator being started: the backend asks it once VMs boot.
const started: { emulator?: AzureEmulator } = {};
const emulator = await startAzureEmulator({
  ...options,
  ...(manualClock ? { autoscale: { clock: new ManualClock(manualClock) } } : {}),
  ...(namespaceVms
    ? {
        vmBackend: namespaceVmBackend({
          shareDir: (vm) => {
            const account = vm.tags[STORAGE_ACCOUNT_TAG];
            const share = vm.tags[FILE_SHARE_TAG];
            return account && share ? started.emulator?.files.dataDir(account, share) : undefined;
          },
          agentIntervalMs: namespaceVms.agentIntervalMs ?? 1000,
          ...(watch ? { agentWatch: { env: watchEnv, restartMs: watch.restartMs ?? 1000 } } : {}),
        }),
      }
    : {}),
  log: (line) => process.stderr.write(`azure-emulator: ${line}\n`),
});
started.emulator = emulator;
const channel: ControlChannel | undefined = control
  ? await startControl(emulator, writeClock)
  : undefined;
const served: ServedEmulator = {
  url: emulator.url,
  tenantId: emulator.tenantId,
  subscriptionId: emulator.subscriptionId,
  caFile: emulator.certificate.certPath,
  filesRoot: emulator.files.root,
  ...(channel ? { controlUrl: channel.url } : {}),
};
process.stdout.write(`${JSON.stringify(served)}\n`);

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void channel?.close();
  emulator
    .close()
    .then(() => (clockDir ? rm(clockDir, { recursive: true, force: true }) : undefined))
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
