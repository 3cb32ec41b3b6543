// Fills the demo's Azure with something to look at, through the app's own services and the real
// SDK clients (as an admin would with the wizard): signed in as the app will be, a resource group
// with a pool of 2 running instances, its autoscale setting with a scale-out in the Activity Log,
// its storage account and share with the agent and a team of two. The app's data folder comes out
// signed in (azure-account.json) and tracking the pool (settings.json), as after a first session.
import type { AzurePoolRef } from '../src/core/azure/arm/index';
import { AzureAdmin } from '../src/core/azure/admin/index';
import { ensureAppKey } from '../src/core/keys/app-key';
import { azurePoolId } from '../src/core/providers/azure/azure-pool-provider';
import type { ResourcePaths } from '../src/core/resource-paths';
import { SettingsStore } from '../src/core/settings/settings-store';
import { TeamRegistryService } from '../src/core/storage/team-registry';
import type { AzureEmulator } from '../test/emulators/azure/azure-emulator';
import { ed25519Line } from '../test/helpers/ssh-keys';

export const DEMO_RESOURCE_GROUP = 'demo-rg';
export const DEMO_POOL = 'demopool';
export const DEMO_SHARE = 'teamshare';
const ADMIN_USER = 'dsvmadmin';
/** Two members in the share's registry (.pool/users.json); their keys are made up. */
const DEMO_MEMBERS = [
  { name: 'ada', admin: true },
  { name: 'grace', admin: false },
];

export interface DemoSeedOptions {
  emulator: AzureEmulator;
  /** The app's data folder: signed in and tracking the pool afterwards. */
  dataDir: string;
  /** Where the agent bundle and its runtimes are (the share gets them, as Create pool does). */
  resources: ResourcePaths;
  /** Progress, one short line a step. */
  step: (line: string) => void;
  log: (line: string) => void;
  /** How long the instances may take to run (default 5 minutes: Linux VMs install the agent). */
  timeoutMs?: number;
}

export interface DemoSeed {
  pool: AzurePoolRef;
  poolId: string;
  storageAccount: string;
  share: string;
  members: string[];
  instances: number;
}

/**
 * Seeds the emulator. The app's Azure settings (DSVM_POOL_ARM_ENDPOINT, AZURE_CLIENT_ID, …) must
 * already be in process.env: the environment credential reads them, as the app's will.
 */
export async function seedDemo(options: DemoSeedOptions): Promise<DemoSeed> {
  const { emulator, dataDir, step, log } = options;
  const settings = await SettingsStore.open(dataDir, { log });
  const appKey = await ensureAppKey(dataDir);
  const admin = new AzureAdmin({
    dataDir,
    settings,
    providers: new Map(),
    appPrivateKey: appKey.privateKey,
    log,
    pollIntervalMs: 250,
    agentBundlePath: options.resources.agentBundle,
    agentRuntimeDir: options.resources.agentRuntimeDir,
  });
  try {
    // Saved as the app's account: the app signs in silently with it at start.
    await admin.credential.signIn({ kind: 'environment' });
    const pool: AzurePoolRef = {
      subscriptionId: emulator.subscriptionId,
      resourceGroup: DEMO_RESOURCE_GROUP,
      poolName: DEMO_POOL,
    };
    const storageAccount = `demo${Date.now().toString(36)}`.slice(0, 24);
    step(`creating pool ${DEMO_POOL} in resource group ${DEMO_RESOURCE_GROUP}, with its storage`);
    await admin.service.createPool({
      subscriptionId: pool.subscriptionId,
      resourceGroup: pool.resourceGroup,
      createResourceGroup: true,
      parameters: {
        poolName: DEMO_POOL,
        location: 'westeurope',
        instanceCount: 1,
        minInstances: 1,
        maxInstances: 4,
        adminUsername: ADMIN_USER,
        // The app's own key, as the wizard's default: Connect works on the pool at once.
        sshPublicKey: appKey.publicKey,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: `${DEMO_POOL}-${storageAccount.slice(4)}`,
        // All NAT frontends share 127.0.0.1: a range of its own, away from other runs.
        natFrontendPortStart: 20_000 + Math.floor(Math.random() * 100) * 100,
        storageAccountName: storageAccount,
        fileShareName: DEMO_SHARE,
      },
    }).result;
    const poolId = azurePoolId(pool);
    await waitForRunning(emulator, 1, options.timeoutMs);

    // Autoscale at work: a busy CPU fires the template's scale-out rule (> 75 %), as Azure's
    // engine would, so the Activity Log has its Started and Succeeded events and the pool has 2.
    step('autoscale: a busy CPU scales the pool out to 2 (in the Activity Log)');
    const vmssId = `/subscriptions/${pool.subscriptionId}/resourceGroups/${pool.resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${DEMO_POOL}`;
    const cpu = { resourceUri: vmssId, metricName: 'Percentage CPU' };
    emulator.autoscale.setMetric(cpu, 90);
    const evaluations = await emulator.autoscale.evaluateNow();
    // No CPU data from now on: autoscale never scales in on missing data.
    emulator.autoscale.metrics.delete(cpu);
    const scaled = evaluations.find((e) => e.outcome === 'Succeeded');
    if (!scaled) {
      const why = evaluations.map((e) => e.skipped ?? e.error ?? e.outcome).join('; ');
      throw new Error(`autoscale did not scale the demo pool out (${why || 'no setting found'})`);
    }
    await waitForRunning(emulator, 2, options.timeoutMs);

    step(`team: ${DEMO_MEMBERS.map((m) => m.name).join(' and ')} in the share's registry`);
    await admin.add(pool);
    const { files } = await admin.share(poolId);
    const team = new TeamRegistryService(files);
    for (const member of DEMO_MEMBERS) {
      await team.add(
        { name: member.name, sshKeys: [ed25519Line(`${member.name}@demo`)], admin: member.admin },
        { adminAccounts: [ADMIN_USER] },
      );
    }
    // Autoscale keeps evaluating while the demo runs, so the admin's changes act (every 30 s).
    emulator.autoscale.start();
    return {
      pool,
      poolId,
      storageAccount,
      share: DEMO_SHARE,
      members: DEMO_MEMBERS.map((m) => m.name),
      instances: 2,
    };
  } finally {
    admin.dispose();
    settings.dispose();
  }
}

/** Until `count` instances run (Linux VMs first run the agent's extension). */
async function waitForRunning(emulator: AzureEmulator, count: number, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const vms = emulator.vms(DEMO_RESOURCE_GROUP, DEMO_POOL);
    const running = vms.filter(
      (vm) => vm.powerState === 'running' && vm.provisioningState === 'Succeeded',
    );
    if (running.length >= count) return;
    const failed = vms.find((vm) => vm.provisioningState === 'Failed');
    if (failed) throw new Error(`instance ${failed.name} of the demo pool failed to provision`);
    if (Date.now() > deadline) {
      throw new Error(
        `the demo pool has ${running.length} of ${count} instances running after ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
