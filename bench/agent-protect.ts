// Benchmark (not a test): the agent's scale-in protection against the Azure emulator, with an
// instance's own IMDS (managed-identity token) and ARM over HTTPS, as the watch does it:
//   1. flip latency: one reconcile (the decision's ARM part: read + PUT to protect, one PUT to
//      clear), median of N flips; the watch adds at most one cycle (60 s) and the jitter (0–30 s);
//   2. ARM calls per instance per hour over simulated hours (one reconcile a minute on a test
//      clock): steady busy, steady idle, and a busy hour a day pattern (one session an hour).
// Run: node --import tsx bench/agent-protect.ts [--flips 20] [--hours 3]
import { parseArgs } from 'node:util';
import { emptyActivityState } from '../src/agent/activity-state';
import { AzureInstanceClient } from '../src/agent/azure-instance';
import { reconcileProtection } from '../src/agent/protection';
import { startAzureEmulator } from '../test/emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../test/emulators/azure/emulator-trust';
import { RawArmClient } from '../test/emulators/azure/raw-arm-client';

await trustEmulatorCertificate();

const { values } = parseArgs({
  options: { flips: { type: 'string', default: '20' }, hours: { type: 'string', default: '3' } },
});
const FLIPS = Number(values.flips);
const HOURS = Number(values.hours);
const MIN = 60_000;

const median = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const emulator = await startAzureEmulator({ delays: { vmCreate: 10, vmDelete: 10, resource: 10 } });
const admin = new RawArmClient(emulator);
emulator.createResourceGroup('bench-rg');
const vmss = "[resourceId('Microsoft.Compute/virtualMachineScaleSets', 'benchpool')]";
const role = "[guid(resourceGroup().id, 'benchpool', 'instance-self')]";
const put = await admin.request(
  'PUT',
  `/subscriptions/${emulator.subscriptionId}/resourceGroups/bench-rg/providers/Microsoft.Resources/deployments/bench`,
  {
    properties: {
      mode: 'Incremental',
      template: {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [
          {
            type: 'Microsoft.Compute/virtualMachineScaleSets',
            apiVersion: '2024-11-01',
            name: 'benchpool',
            location: 'westeurope',
            identity: { type: 'SystemAssigned' },
            sku: { name: 'Standard_D4s_v5', tier: 'Standard', capacity: 1 },
            properties: {
              overprovision: false,
              upgradePolicy: { mode: 'Manual' },
              virtualMachineProfile: {
                osProfile: { computerNamePrefix: 'benchpool', adminUsername: 'azureuser' },
              },
            },
          },
          {
            type: 'Microsoft.Authorization/roleDefinitions',
            apiVersion: '2022-04-01',
            name: role,
            properties: {
              roleName: 'dsvm-pool instance self-service benchpool',
              type: 'CustomRole',
              assignableScopes: ['[resourceGroup().id]'],
              permissions: [
                {
                  actions: [
                    'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read',
                    'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/write',
                  ],
                  notActions: [],
                },
              ],
            },
          },
          {
            type: 'Microsoft.Authorization/roleAssignments',
            apiVersion: '2022-04-01',
            scope: vmss,
            name: "[guid(resourceGroup().id, 'benchpool', 'assignment')]",
            dependsOn: [vmss, role],
            properties: {
              roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${role.slice(1, -1)})]`,
              principalId: `[reference(${vmss.slice(1, -1)}, '2024-11-01', 'full').identity.principalId]`,
              principalType: 'ServicePrincipal',
            },
          },
        ],
      },
    },
  },
);
if ((await admin.waitFor(put)) !== 'Succeeded') throw new Error('the bench pool did not deploy');
const [vm] = emulator.vms('bench-rg', 'benchpool');
const endpoints = {
  imds: await emulator.imdsEndpoint('bench-rg', 'benchpool', vm.instanceId),
  arm: emulator.url,
};
const log = {
  info: () => {},
  warn: (m: string) => console.log(`warn: ${m}`),
  error: (m: string) => console.log(`error: ${m}`),
};

// 1. Flip latency (real time), budget off so every flip calls.
{
  const client = new AzureInstanceClient({ endpoints });
  const state = emptyActivityState();
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < FLIPS; i++) {
    for (const busy of [true, false]) {
      state.checkedAt = busy ? null : state.checkedAt;
      const started = performance.now();
      await reconcileProtection({
        busy,
        reasons: 'bench',
        idleMinutes: 30,
        now: Date.now,
        state,
        api: client,
        log,
        jitter: () => Promise.resolve(),
        budgetPerHour: 1_000_000,
      });
      (busy ? on : off).push(performance.now() - started);
    }
  }
  console.log(
    `flip latency over HTTPS to the emulator (median of ${FLIPS}): protect (read + PUT) ${median(on).toFixed(1)} ms, clear (PUT) ${median(off).toFixed(1)} ms`,
  );
}

// 2. ARM calls per instance per hour on a simulated clock, one reconcile a minute.
async function simulate(name: string, busyAt: (minute: number) => boolean): Promise<void> {
  // Each run starts from an unprotected instance, as the agent left it (not counted).
  await new AzureInstanceClient({ endpoints }).setProtection(false);
  let clock = Date.parse('2026-12-07T08:00:00Z');
  const client = new AzureInstanceClient({ endpoints, now: () => clock });
  const state = emptyActivityState();
  const perHour: number[] = [];
  for (let hour = 0; hour < HOURS; hour++) {
    const before = client.armCalls;
    for (let minute = 0; minute < 60; minute++) {
      await reconcileProtection({
        busy: busyAt(hour * 60 + minute),
        reasons: 'bench',
        idleMinutes: 30,
        now: () => clock,
        state,
        api: client,
        log,
        jitter: () => Promise.resolve(),
      });
      clock += MIN;
    }
    perHour.push(client.armCalls - before);
  }
  console.log(`${name}: ARM calls per hour ${perHour.join(', ')} (hour 1 includes the first read)`);
}

await simulate('steady busy', () => true);
await simulate('steady idle', () => false);
// The watch's decision busy 20 min of every hour (idle window included): one flip each way.
await simulate('one session an hour', (m) => m % 60 < 20);

admin.close();
await emulator.close();
