// A large Azure pool in the emulator, for the pool benchmarks: the real template deployed with no
// instance (load balancer, NAT rule for 1,000 ports, public IP…), then the scale set seeded with
// `instances` running VMs at once.
import { AzureCredential } from '../src/core/azure/identity/index';
import { resolveAzureEnvironment } from '../src/core/azure/arm/index';
import { AzurePoolService, type AzurePoolRef } from '../src/core/azure/pools/index';
import type { AzureEmulator } from '../test/emulators/azure/azure-emulator';
import { ed25519Line } from '../test/helpers/ssh-keys';

export const BENCH_RG = 'bench-rg';
export const BENCH_POOL = 'bench';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Signs a credential in to the emulator (service principal) and makes the pool. */
export async function createBenchPool(
  emulator: AzureEmulator,
  instances: number,
): Promise<{ credential: AzureCredential; service: AzurePoolService; ref: AzurePoolRef }> {
  const credential = new AzureCredential({
    environment: resolveAzureEnvironment({
      resourceManagerEndpoint: emulator.url,
      authorityHost: emulator.url,
    }),
  });
  const service = new AzurePoolService({
    clients: (id) => credential.clientsFor(id),
    lroPollIntervalMs: 100,
  });
  await credential.signIn({
    kind: 'service-principal',
    tenantId: emulator.tenantId,
    clientId: 'bench',
    clientSecret: 'bench',
  });
  await service.createPool({
    subscriptionId: emulator.subscriptionId,
    resourceGroup: BENCH_RG,
    createResourceGroup: true,
    parameters: {
      poolName: BENCH_POOL,
      location: 'westeurope',
      instanceCount: 0,
      maxInstances: 1000,
      singlePlacementGroup: false,
      adminUsername: 'dsvmadmin',
      sshPublicKey: ed25519Line('bench'),
      allowedSourceCidrs: ['203.0.113.0/24'],
      dnsLabel: 'bench-pool',
      natFrontendPortStart: 20_000 + Math.floor(Math.random() * 10) * 1000,
    },
  }).result;
  const vmssId = `/subscriptions/${emulator.subscriptionId}/resourceGroups/${BENCH_RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${BENCH_POOL}`;
  const body = emulator.store.get(vmssId)?.body;
  await emulator.seedScaleSet({
    resourceGroup: BENCH_RG,
    name: BENCH_POOL,
    capacity: instances,
    body,
  });
  const ref = {
    subscriptionId: emulator.subscriptionId,
    resourceGroup: BENCH_RG,
    poolName: BENCH_POOL,
  };
  return { credential, service, ref };
}

/**
 * Every HTTP request the emulator saw while `fn` ran (ARM, long-running operation polls and the
 * token endpoint alike), and how long it took.
 */
export async function measure(emulator: AzureEmulator, fn: () => Promise<unknown>) {
  const first = emulator.requests.length;
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  const requests = emulator.requests.slice(first);
  return { ms, requests };
}
