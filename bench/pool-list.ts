// Benchmark (not a test): list a 1,000-instance Azure pool in the emulator through the Azure
// provider with the real SDK clients; reports every HTTP request the emulator sees and the time,
// cold (first read + the NAT ports of the first page of 50 rows) and warm (a refresh, ports
// cached; median of N). Then the time to a rendered table in Chromium through the real app (needs
// `npm run build`).
// Run: node --import tsx bench/pool-list.ts [--instances 1000] [--runs 10] [--naive] [--skip-render]
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { AzurePoolProvider } from '../src/core/providers/azure/azure-pool-provider';
import { startAzureEmulator, type AzureEmulator } from '../test/emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../test/emulators/azure/emulator-trust';
import { startHost, stop as stopHost } from '../test/e2e/fixtures';
import { BENCH_POOL, BENCH_RG, createBenchPool, measure, median } from './bench-pool';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the script with it set if needed.
await trustEmulatorCertificate();

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '10' },
    naive: { type: 'boolean', default: false },
    'skip-render': { type: 'boolean', default: false },
  },
});
const instances = Number(values.instances);
const runs = Number(values.runs);
/** Rows on one page of the admin table. */
const PAGE = 50;

async function main(): Promise<void> {
  const emulator = await startAzureEmulator({ maxSshServers: 1 });
  let provider: AzurePoolProvider | undefined;
  const { credential, service, ref } = await createBenchPool(emulator, instances);
  try {
    provider = new AzurePoolProvider({
      pool: ref,
      clients: credential.clientsFor(emulator.subscriptionId),
      keys: async () => undefined,
      refreshIntervalMs: 0,
    });
    // Cold: the first read, then the NAT ports of the rows on the table's first page (50), as
    // the admin view asks for them: one port query per instance, 4 at a time.
    const cold = await measure(emulator, () => provider!.start());
    const listed = provider.listInstances();
    const page = listed.slice(0, PAGE).map((i) => i.id);
    let maxInFlight = 0;
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, provider!.stats.portQueries.inFlight);
    }, 1);
    const coldPorts = await measure(emulator, () => provider!.showInstances(page));
    clearInterval(sampler);
    const running = listed.filter((i) => i.state === 'running').length;
    const withPort = provider.listInstances().filter((i) => i.port > 0).length;

    // Warm: refreshes with every shown port cached.
    const times: number[] = [];
    const toTable: number[] = [];
    let perRefresh: string[] = [];
    let refreshRequests = 0;
    for (let i = 0; i < runs; i++) {
      const { ms, requests } = await measure(emulator, () => provider!.refresh());
      times.push(ms);
      refreshRequests = requests.length;
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
    const queries = (rs: { method: string; path: string }[]) =>
      rs.filter((r) => r.method === 'POST' && /queryInboundNatRulePortMapping$/i.test(r.path))
        .length;

    console.log(
      `pool-list: ${instances} instances in the Azure emulator, real SDK clients, ${runs} runs`,
    );
    console.log('  (every HTTP request the emulator saw: ARM, operation polls and token requests)');
    console.log(
      `  listed: ${listed.length} instances, ${running} running, ${withPort} with a NAT port known ` +
        `(the ${page.length} rows of page 1)`,
    );
    console.log(
      `  cold, first read: ${cold.requests.length} requests (VM list pages, load balancer, ` +
        `public IP and scale set once, a token if due), ${cold.ms.toFixed(0)} ms to the list`,
    );
    console.log(
      `  cold, NAT ports of page 1: ${coldPorts.requests.length} requests ` +
        `(${queries(coldPorts.requests)} port queries + their polls, at most ${maxInFlight} in flight), ` +
        `${coldPorts.ms.toFixed(0)} ms more to the ports; ` +
        `cold total ${cold.requests.length + coldPorts.requests.length} requests, ${(cold.ms + coldPorts.ms).toFixed(0)} ms`,
    );
    console.log(
      `  warm refresh: ${refreshRequests} requests = ${vmPages} VM list page${vmPages === 1 ? '' : 's'} ` +
        `(100 VMs each, nextLink) + ${lbGets} load balancer GET + ${refreshRequests - vmPages - lbGets} other; ` +
        `${queries(emulator.requests.slice(-refreshRequests))} port queries (ports cached)`,
    );
    console.log(
      `  warm refresh time: median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
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
              .map((id) =>
                clients.compute.virtualMachineScaleSetVMs.getInstanceView(BENCH_RG, BENCH_POOL, id),
              ),
          );
        }
      });
      console.log(
        `  naive (one instance view per VM): ${naive.requests.length} requests, ${naive.ms.toFixed(0)} ms`,
      );
    }
    if (!values['skip-render']) await renderedTable(emulator, instances, runs);
  } finally {
    provider?.dispose();
    service.dispose();
    credential.dispose();
    await emulator.close();
  }
}

/**
 * Time to a rendered table: the real app (headless host, built by `npm run build`) in Debian's
 * Chromium, signed in to the emulator, adds the pool and shows its instance table; then page
 * reloads and filtering, each to the moment the rows are on screen.
 */
async function renderedTable(emulator: AzureEmulator, instances: number, runs: number) {
  const { app, child } = await startHost({
    NODE_EXTRA_CA_CERTS: emulator.certificate.certPath,
    DSVM_POOL_ARM_ENDPOINT: emulator.url,
    DSVM_POOL_AUTHORITY_HOST: emulator.url,
    AZURE_TENANT_ID: emulator.tenantId,
    AZURE_CLIENT_ID: 'bench',
    AZURE_CLIENT_SECRET: 'bench',
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(app.url);
    await page.getByTestId('view-admin').click();
    await page.getByTestId('azure-signin-environment').click();
    const add = page.getByTestId(`azure-pool-${BENCH_POOL}`).getByRole('button', {
      name: 'Add to app',
    });
    await add.waitFor({ timeout: 30_000 });
    const rows = page.locator('tr[data-testid^="admin-instance-"]');
    const pager = page.getByText(`1–50 of ${instances}`);

    const first = emulator.requests.length;
    let start = performance.now();
    await add.click();
    await pager.waitFor({ timeout: 60_000 });
    const addMs = performance.now() - start;
    const addRequests = emulator.requests.length - first;
    const shown = await rows.count();
    // The page's NAT ports come after the table, a port query per row, 4 at a time.
    await page
      .locator('[data-testid="admin-nat-port"]', { hasText: '—' })
      .first()
      .waitFor({ state: 'detached', timeout: 180_000 });
    const portsMs = performance.now() - start;
    const portsRequests = emulator.requests.length - first;

    const reload: number[] = [];
    const filter: number[] = [];
    for (let i = 0; i < runs; i++) {
      start = performance.now();
      await page.reload();
      await page.getByTestId('view-admin').click();
      await pager.waitFor();
      reload.push(performance.now() - start);

      const name = `${BENCH_POOL}${(i * 97).toString(36).padStart(6, '0')}`;
      start = performance.now();
      await page.getByTestId('admin-filter').fill(name);
      await page.locator(`tr[data-testid^="admin-instance-"]`, { hasText: name }).waitFor();
      await rows
        .and(page.locator(`:not(:has-text("${name}"))`))
        .first()
        .waitFor({ state: 'detached' });
      filter.push(performance.now() - start);
    }
    console.log(`  rendered table (Chromium, headless host, ${runs} runs):`);
    console.log(
      `    Add to app → table of ${instances} on screen (${shown} rows on page 1): ${addMs.toFixed(0)} ms, ${addRequests} requests`,
    );
    console.log(
      `    Add to app → the NAT ports of page 1 on screen: ${portsMs.toFixed(0)} ms, ${portsRequests} requests`,
    );
    console.log(`    page reload → table on screen: median ${median(reload).toFixed(0)} ms`);
    console.log(`    filter by name → 1 row on screen: median ${median(filter).toFixed(0)} ms`);
  } finally {
    await browser.close();
    await stopHost(child);
    await rm(app.dataDir, { recursive: true, force: true });
  }
}

await main();
