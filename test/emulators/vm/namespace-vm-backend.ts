// Real Linux VMs behind the Azure emulator's NAT ports: each scale set instance becomes a
// NamespaceVm (Debian's sshd and the dsvm-pool agent in a private mount namespace) whose disk
// lives in the emulator's temp folder. Deallocate/stop shut it down (its mounts vanish), start
// boots the same disk again, delete destroys it. Plug in with
// `startAzureEmulator({ vmBackend: namespaceVmBackend({ shareDir }) })`.
import type { VmBackend, VmBackendContext, VmBackendFactory } from '../azure/azure-emulator';
import { NamespaceVm } from './namespace-vm';

/** The scale set tags that name the pool's share (as the app's pool template sets them). */
export const STORAGE_ACCOUNT_TAG = 'dsvm-pool-storage-account';
export const FILE_SHARE_TAG = 'dsvm-pool-file-share';

export interface NamespaceVmBackendOptions {
  /**
   * The real folder to bind-mount as the pool's share on this VM, typically
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
}

export interface NamespaceVmBackendFactory extends VmBackendFactory {
  /** Every VM made so far that is not deleted, by computer name (for exec, runAgent, …). */
  readonly vms: ReadonlyMap<string, NamespaceVm>;
}

export function namespaceVmBackend(options: NamespaceVmBackendOptions): NamespaceVmBackendFactory {
  const vms = new Map<string, NamespaceVm>();
  const factory = (ctx: VmBackendContext): VmBackend => {
    const share = options.shareDir(ctx);
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
      agentBundle: options.agentBundle,
      agentIntervalMs: options.agentIntervalMs,
      log: ctx.log,
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
    };
  };
  return Object.assign(factory, { vms: vms as ReadonlyMap<string, NamespaceVm> });
}
