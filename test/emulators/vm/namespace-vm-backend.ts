// Real Linux VMs behind the Azure emulator's NAT ports: each scale set instance becomes a
// NamespaceVm (Debian's sshd and the dsvm-pool agent in a private mount namespace) whose disk
// lives in the emulator's temp folder. Deallocate/stop shut it down (its mounts vanish), start
// boots the same disk again, delete destroys it. A model with the agent's CustomScript extension
// gets it run for real at provisioning, on an image without Node.js whose mount.cifs reaches the
// pool's Azure Files share; a model without one gets the agent copied in directly (bind share).
// Plug in with `startAzureEmulator({ vmBackend: namespaceVmBackend({ shareDir }) })`.
import type { VmBackend, VmBackendContext, VmBackendFactory } from '../azure/azure-emulator';
import { isCustomScriptV2 } from '../azure/custom-script';
import { NamespaceVm, type NamespaceVmOptions } from './namespace-vm';
import type { SmbShareStandIn } from './vm-image';

/** The scale set tags that name the pool's share (as the app's pool template sets them). */
export const STORAGE_ACCOUNT_TAG = 'dsvm-pool-storage-account';
export const FILE_SHARE_TAG = 'dsvm-pool-file-share';
/** The storage suffix of the emulator's cloud (its template's environment().suffixes.storage). */
const STORAGE_SUFFIX = 'core.windows.net';

export interface NamespaceVmBackendOptions {
  /**
   * The real folder to bind-mount as the pool's share on a VM that gets the agent directly (its
   * model has no CustomScript extension), typically
   * `(vm) => emulator.files.dataDir(vm.tags[STORAGE_ACCOUNT_TAG], vm.tags[FILE_SHARE_TAG])`.
   * Return undefined for a VM without an agent (sshd and the admin only).
   */
  shareDir: (vm: VmBackendContext) => string | undefined;
  /** Default `/mnt/dsvm-pool`. */
  mountPoint?: string;
  /** agent.json `shareName` (the admin's `~/<name>` link). Default: the file share tag, else `share`. */
  shareName?: (vm: VmBackendContext) => string;
  /** The agent timer; default 1000 ms, 0 = only the boot run. */
  agentIntervalMs?: number;
  /** Default `out/agent/dsvm-pool-agent.js`. */
  agentBundle?: string;
  /** Opt-in: every VM runs the agent's long-running watch (NamespaceVmOptions.agentWatch). */
  agentWatch?: NamespaceVmOptions['agentWatch'];
}

export interface NamespaceVmBackendFactory extends VmBackendFactory {
  /** Every VM made so far that is not deleted, by computer name (for exec, runAgent, …). */
  readonly vms: ReadonlyMap<string, NamespaceVm>;
}

/** The pool's share as the VM's mount.cifs knows it: `//<account>.file.<suffix>/<share>`. */
function poolShare(ctx: VmBackendContext): SmbShareStandIn[] {
  const account = ctx.tags[STORAGE_ACCOUNT_TAG];
  const share = ctx.tags[FILE_SHARE_TAG];
  const keys = account ? ctx.files?.accountKeys(account) : undefined;
  if (!account || !share || !keys || !ctx.files) return [];
  return [
    {
      source: `//${account}.file.${STORAGE_SUFFIX}/${share}`,
      dir: ctx.files.dataDir(account, share),
      keys,
    },
  ];
}

export function namespaceVmBackend(options: NamespaceVmBackendOptions): NamespaceVmBackendFactory {
  const vms = new Map<string, NamespaceVm>();
  const factory = (ctx: VmBackendContext): VmBackend => {
    // The agent's extension installs it (on the image's behalf, with its own Node.js): the VM
    // gets nothing directly then, as on Azure.
    const viaExtension = ctx.extensions.some(isCustomScriptV2);
    const share = viaExtension ? undefined : options.shareDir(ctx);
    const vm = new NamespaceVm({
      dir: ctx.dataDir,
      computerName: ctx.computerName,
      adminUser: ctx.adminUser,
      adminPublicKeys: ctx.publicKeys,
      agentConfig: share
        ? {
            version: 1,
            share: {
              protocol: 'bind',
              source: share,
              mountPoint: options.mountPoint ?? '/mnt/dsvm-pool',
            },
            shareName: options.shareName?.(ctx) ?? ctx.tags[FILE_SHARE_TAG] ?? 'share',
            adminUser: ctx.adminUser,
            computerName: ctx.computerName,
          }
        : undefined,
      hideNode: viaExtension,
      // Asked at each boot and extension run: the keys may have been regenerated meanwhile.
      smbShares: () => poolShare(ctx),
      agentBundle: options.agentBundle,
      agentIntervalMs: options.agentIntervalMs,
      agentWatch: options.agentWatch,
      log: ctx.log,
      azureAccess: ctx.imds,
    });
    vms.set(ctx.computerName, vm);
    return {
      start: () => vm.boot(),
      port: async () => {
        await vm.boot();
        return vm.port;
      },
      stop: () => vm.shutdown(),
      dispose: async () => {
        if (vms.get(ctx.computerName) === vm) vms.delete(ctx.computerName);
        await vm.destroy();
      },
      runCustomScript: (job) => vm.runCustomScript(job),
    };
  };
  return Object.assign(factory, { vms: vms as ReadonlyMap<string, NamespaceVm> });
}
