// Benchmark (not a test): list a 1,000-instance Azure pool in the emulator through the Azure
// provider with the real SDK clients; reports HTTP requests and time per refresh (median of N).
// Run: node --import tsx bench/pool-list.ts [--instances 1000] [--runs 10] [--naive]
import { parseArgs } from 'node:util';
import ssh2 from 'ssh2';
import { AzureCredential } from '../src/core/azure/azure-credential';
import { resolveAzureEnvironment } from '../src/core/azure/azure-environment';
import { AzurePoolService } from '../src/core/azure/azure-pools';
import { parseSshPublicKey } from '../src/core/azure/pool-template-ssh-key';
import { AzurePoolProvider } from '../src/core/providers/azure/azure-pool-provider';
import { startAzureEmulator, type AzureEmulator } from '../test/emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../test/emulators/azure/emulator-trust';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the script with it set if needed.
await trustEmulatorCertificate();

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '10' },
    naive: { type: 'boolean', default: false },
  },
});
const instances = Number(values.instances);
const runs = Number(values.runs);
const RG = 'bench-rg';
const POOL = 'bench';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** ARM requests (not the token endpoint) made while `fn` runs, and how long it took. */
async function measure(emulator: AzureEmulator, fn: () => Promise<unknown>) {
  const first = emulator.requests.length;
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  const requests = emulator.requests
    .slice(first)
    .filter((r) => r.path.toLowerCase().startsWith('/subscriptions'));
  return { ms, requests };
}

function validKey(): string {
  for (;;) {
    const key = ssh2.utils.generateKeyPairSync('ed25519').public;
    if (parseSshPublicKey(key).ok) return key; // ssh2 sometimes drops a leading zero byte
  }
}

async function main(): Promise<void> {
  const emulator = await startAzureEmulator({ maxSshServers: 1 });
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
  let provider: AzurePoolProvider | undefined;
  try {
    await credential.signIn({
      kind: 'service-principal',
      tenantId: emulator.tenantId,
      clientId: 'bench',
      clientSecret: 'bench',
    });
    // The real template with no instance (load balancer, NAT rule for 1,000 ports, public IP…),
    // then the scale set seeded with `instances` running VMs at once.
    await service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      createResourceGroup: true,
      parameters: {
        poolName: POOL,
        location: 'westeurope',
        instanceCount: 0,
        maxInstances: 1000,
        singlePlacementGroup: false,
        adminUsername: 'dsvmadmin',
        sshPublicKey: validKey(),
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'bench-pool',
        natFrontendPortStart: 30_000 + Math.floor(Math.random() * 20) * 1000,
      },
    }).result;
    const vmssId = `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${POOL}`;
    const body = emulator.store.get(vmssId)?.body;
    await emulator.seedScaleSet({ resourceGroup: RG, name: POOL, capacity: instances, body });

    const ref = { subscriptionId: emulator.subscriptionId, resourceGroup: RG, poolName: POOL };
    provider = new AzurePoolProvider({
      pool: ref,
      clients: credential.clientsFor(emulator.subscriptionId),
      keys: async () => undefined,
      refreshIntervalMs: 0,
    });
    const warm = await measure(emulator, () => provider!.start());
    const listed = provider.listInstances();
    const running = listed.filter((i) => i.state === 'running').length;
    const withPort = listed.filter((i) => i.port > 0).length;

    const times: number[] = [];
    const toTable: number[] = [];
    let perRefresh: string[] = [];
    for (let i = 0; i < runs; i++) {
      const { ms, requests } = await measure(emulator, () => provider!.refresh());
      times.push(ms);
      perRefresh = requests.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`);
      // What the UI receives: the snapshot, serialized as the RPC layer does.
      const start = performance.now();
      JSON.stringify({
        instances: provider.listInstances(),
        details: [...provider.instanceDetails()],
      });
      toTable.push(performance.now() - start);
    }
    const vmPages = perRefresh.filter((r) => r.endsWith('/virtualMachines')).length;
    const lbGets = perRefresh.filter((r) => r.includes('loadBalancers/')).length;

    console.log(
      `pool-list: ${instances} instances in the Azure emulator, real SDK clients, ${runs} runs`,
    );
    console.log(
      `  listed: ${listed.length} instances, ${running} running, ${withPort} with a NAT port`,
    );
    console.log(
      `  first read (start): ${warm.requests.length} requests (adds the public IP, once), ${warm.ms.toFixed(0)} ms`,
    );
    console.log(
      `  refresh: ${perRefresh.length} HTTP requests = ${vmPages} VM list page${vmPages === 1 ? '' : 's'} ` +
        `(100 VMs each, nextLink) + ${lbGets} load balancer GET`,
    );
    console.log(
      `  refresh time: median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
    );
    console.log(
      `  snapshot for the UI (listInstances + details, serialized): median ${median(toTable).toFixed(1)} ms`,
    );

    if (values.naive) {
      // For contrast: one instance-view GET per VM, 16 at a time, as a naive client would.
      const clients = credential.clientsFor(emulator.subscriptionId);
      const ids = listed.map((i) => i.id);
      const naive = await measure(emulator, async () => {
        for (let i = 0; i < ids.length; i += 16) {
          await Promise.all(
            ids
              .slice(i, i + 16)
              .map((id) => clients.compute.virtualMachineScaleSetVMs.getInstanceView(RG, POOL, id)),
          );
        }
      });
      console.log(
        `  naive (one instance view per VM): ${naive.requests.length} requests, ${naive.ms.toFixed(0)} ms`,
      );
    }
  } finally {
    provider?.dispose();
    service.dispose();
    credential.dispose();
    await emulator.close();
  }
}

await main();
