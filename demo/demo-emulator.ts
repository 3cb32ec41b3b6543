// The demo's Azure: the test emulator (test/emulators/azure) in this process, with a service
// principal of its own and, as root, real Linux VMs (sshd + the agent in namespaces) behind the
// NAT ports; without root, instances with no SSH at all, since the emulator's other stand-in
// would be a shell on this computer as this user, which the demo's "nothing is real" must not be.
import { startAzureEmulator, type AzureEmulator } from '../test/emulators/azure/azure-emulator';
import {
  FILE_SHARE_TAG,
  STORAGE_ACCOUNT_TAG,
  namespaceVmBackend,
} from '../test/emulators/vm/namespace-vm-backend';

/** `linux`: namespace VMs (root only); `none`: instances with silent SSH ports. */
export type DemoVms = 'linux' | 'none';

export interface DemoEmulatorOptions {
  /** The service principal the app signs in as (its secret goes to the app by environment). */
  clientId: string;
  clientSecret: string;
  /** Default: `linux` when root, else `none`. */
  vms?: DemoVms;
  /** The emulator's diagnostic lines. */
  log: (line: string) => void;
}

export interface DemoEmulator {
  emulator: AzureEmulator;
  vms: DemoVms;
  /** One line on what the instances are, for the demo's printout. */
  vmNote: string;
}

export const DEMO_SUBSCRIPTION_NAME = 'Demo subscription (Azure emulator)';

export function defaultDemoVms(): DemoVms {
  return process.getuid?.() === 0 ? 'linux' : 'none';
}

export async function startDemoEmulator(options: DemoEmulatorOptions): Promise<DemoEmulator> {
  const vms = options.vms ?? defaultDemoVms();
  if (vms === 'linux' && process.getuid?.() !== 0) {
    throw new Error(
      'Linux VMs for the demo need root (they are private mount namespaces): run it as root, or without --vms linux.',
    );
  }
  // The share folders live in the emulator being started: the backend asks it once VMs boot.
  const started: { emulator?: AzureEmulator } = {};
  const emulator = await startAzureEmulator({
    subscriptionName: DEMO_SUBSCRIPTION_NAME,
    clientSecrets: { [options.clientId]: options.clientSecret },
    // Slow enough to watch a VM start or stop, fast enough not to wait.
    delays: { vmCreate: 2_000, vmStart: 2_000, vmDeallocate: 1_500, vmDelete: 1_000 },
    log: options.log,
    ...(vms === 'linux'
      ? {
          vmBackend: namespaceVmBackend({
            shareDir: (vm) => {
              const account = vm.tags[STORAGE_ACCOUNT_TAG];
              const share = vm.tags[FILE_SHARE_TAG];
              return account && share ? started.emulator?.files.dataDir(account, share) : undefined;
            },
            // The agent's timer, as on a VM (the systemd timer runs every minute).
            agentIntervalMs: 60_000,
          }),
        }
      : // Every NAT port stays silent: the emulator's own SSH stand-in runs a shell as this
        // computer's user, which is real.
        { maxSshServers: 0 }),
  });
  started.emulator = emulator;
  const root = process.getuid?.() === 0;
  const vmNote =
    vms === 'linux'
      ? 'The instances are Linux VMs in private namespaces on this computer (sshd, the agent, the share mounted): Connect opens a terminal on them.'
      : root
        ? 'With --vms none the instances have no SSH: every admin screen works, Connect does not.'
        : 'Not running as root, so the instances have no SSH (their Linux VMs need root): every admin screen works, Connect does not. Run the demo as root for VMs with a terminal.';
  return { emulator, vms, vmNote };
}
