// One read of an Azure pool for its provider: the VM list (every page, instance views expanded)
// and the load balancer GET side by side, the public IP once, the scale set only when asked — all
// under one read deadline and one abort signal.
import type { VirtualMachineScaleSetVM } from '@azure/arm-compute';
import type { LoadBalancer } from '@azure/arm-network';
import {
  type AzureClients,
  type AzurePoolRef,
  ReadDeadline,
  describeAzureFailure,
} from '../../azure/arm/index';
import { poolResourceNames } from '../../azure/template/index';

/** The pool's public address, as its load balancer's public IP shows it. */
export interface PoolPublicIp {
  id: string;
  ipAddress?: string;
  fqdn?: string;
}

export interface PoolRead {
  vms: VirtualMachineScaleSetVM[];
  /** Undefined when the pool has no load balancer (its instances then have no ports). */
  loadBalancer?: LoadBalancer;
  publicIp?: PoolPublicIp;
  /** The scale set's admin account (from a VM, or the scale set's model when it was read). */
  adminUsername?: string;
  /** Whether the scale set keeps one placement group (when the scale set was read). */
  singlePlacementGroup?: boolean;
}

export interface PoolReadOptions {
  /** For the whole read: every request, page and retry (0: none). */
  deadlineMs: number;
  /** Known from an earlier read: not read again unless the load balancer fronts another. */
  publicIp?: PoolPublicIp;
  /** Read the scale set itself too (its admin user when no VM names one, its placement group). */
  needScaleSet: boolean;
}

/**
 * Reads the pool once: ~(VMs / 100) VM list pages + one load balancer GET (+ the public IP and
 * the scale set when asked: the first time). When one read fails, or the deadline passes, the
 * others stop at once (a retry waiting out Retry-After is not sent after the read has failed);
 * rejects with what the SDK threw, or AzureDeadlineError naming the reads still waiting.
 */
export async function readPool(
  clients: AzureClients,
  pool: AzurePoolRef,
  options: PoolReadOptions,
): Promise<PoolRead> {
  const { compute, network } = clients;
  const rg = pool.resourceGroup;
  const names = poolResourceNames(pool.poolName);
  const deadline = new ReadDeadline(options.deadlineMs, `the read of pool ${pool.poolName}`);
  const orStopSiblings = <T>(read: Promise<T>): Promise<T> =>
    read.catch((err: unknown) => {
      deadline.abort(err);
      throw err;
    });
  try {
    const [vms, loadBalancer, ip] = await Promise.all([
      orStopSiblings(
        deadline.run(`the VM list of scale set ${names.vmss}`, (abortSignal) =>
          collect(
            compute.virtualMachineScaleSetVMs.list(rg, names.vmss, {
              expand: 'instanceView',
              abortSignal,
            }),
          ),
        ),
      ),
      orStopSiblings(
        deadline
          .run(`load balancer ${names.loadBalancer}`, (abortSignal) =>
            network.loadBalancers.get(rg, names.loadBalancer, { abortSignal }),
          )
          .catch((err: unknown) => {
            if (describeAzureFailure(err).status === 404) return undefined; // no ports, still instances
            throw err;
          }),
      ),
      options.publicIp
        ? undefined
        : deadline
            .run(`public IP ${names.publicIp}`, (abortSignal) =>
              network.publicIPAddresses.get(rg, names.publicIp, { abortSignal }),
            )
            .catch(() => undefined),
    ]);
    const read: PoolRead = { vms };
    if (loadBalancer) read.loadBalancer = loadBalancer;
    let publicIp = ip
      ? { id: ip.id ?? '', ipAddress: ip.ipAddress, fqdn: ip.dnsSettings?.fqdn }
      : options.publicIp;
    // The load balancer may front another public IP than the template's (edited by hand).
    const frontendIpId = loadBalancer?.frontendIPConfigurations?.[0]?.publicIPAddress?.id;
    if (frontendIpId && frontendIpId.toLowerCase() !== publicIp?.id.toLowerCase()) {
      const name = frontendIpId.split('/').pop() ?? '';
      const other = await deadline.run(`public IP ${name}`, (abortSignal) =>
        network.publicIPAddresses.get(rg, name, { abortSignal }),
      );
      publicIp = {
        id: other.id ?? frontendIpId,
        ipAddress: other.ipAddress,
        fqdn: other.dnsSettings?.fqdn,
      };
    }
    if (publicIp) read.publicIp = publicIp;
    const admin = vms.find((vm) => vm.osProfile?.adminUsername)?.osProfile?.adminUsername;
    if (admin) read.adminUsername = admin;
    if (options.needScaleSet) {
      const vmss = await deadline.run(`scale set ${names.vmss}`, (abortSignal) =>
        compute.virtualMachineScaleSets.get(rg, names.vmss, { abortSignal }),
      );
      read.adminUsername ||= vmss.virtualMachineProfile?.osProfile?.adminUsername ?? '';
      read.singlePlacementGroup = vmss.singlePlacementGroup !== false;
    }
    return read;
  } finally {
    deadline.dispose();
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}
