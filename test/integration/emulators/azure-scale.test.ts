// The Azure emulator holding a 1,000-instance scale set (for the list benchmark): seeded at once
// or deployed, listed through the real SDK with paging, with SSH only where it is asked for.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startAzureEmulator, type AzureEmulator } from '../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';
import { createEmulatorClients, type EmulatorClients } from '../../emulators/azure/sdk-clients';
import { probePort, sshExec } from '../../emulators/azure/ssh-probe';
import { ssh2Ed25519 } from '../../helpers/ssh-keys';

await trustEmulatorCertificate();

const TEMPLATE = JSON.parse(
  readFileSync(
    new URL('../../fixtures/azure-emulator/pool-template.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

describe('Azure emulator at 1,000 instances', () => {
  let emulator: AzureEmulator;
  let azure: EmulatorClients;

  before(async () => {
    emulator = await startAzureEmulator({ maxSshServers: 4 });
    azure = createEmulatorClients(emulator);
  });
  after(async () => {
    await emulator.close();
  });

  it('seeds 1,000 running VMs at once and lists them with instance views, page by page', async () => {
    await emulator.seedScaleSet({ resourceGroup: 'bench', name: 'big', capacity: 1000 });
    const started = Date.now();
    let count = 0;
    let running = 0;
    for await (const vm of azure.compute.virtualMachineScaleSetVMs.list('bench', 'big', {
      expand: 'instanceView',
    })) {
      count++;
      if (vm.instanceView?.statuses?.some((s) => s.code === 'PowerState/running')) running++;
    }
    assert.equal(count, 1000);
    assert.equal(running, 1000);
    const pages = emulator.requestsMatching('/virtualMachineScaleSets/big/virtualMachines');
    assert.equal(pages.length, 10, 'a page holds 100 VMs, as listPageSize says');
    assert.ok(Date.now() - started < 30_000);
  });

  it('deploys a pool of 1,000: every VM gets a NAT port, only the first few an SSH server', async () => {
    const key = ssh2Ed25519();
    const natStart = 30_000 + Math.floor(Math.random() * 100) * 10;
    await azure.resources.resourceGroups.createOrUpdate('big-pool', { location: 'westeurope' });
    await azure.deployments.deployments.createOrUpdate('big-pool', 'pool', {
      properties: {
        mode: 'Incremental',
        template: TEMPLATE,
        parameters: {
          poolName: { value: 'large' },
          sshPublicKey: { value: key.public },
          natPortRangeStart: { value: natStart },
          instanceCount: { value: 1000 },
          maxInstances: { value: 1000 },
        },
      },
    });
    const vms = emulator.vms('big-pool', 'large');
    assert.equal(vms.length, 1000);
    const ports = vms.map((vm) => vm.sshPort);
    assert.equal(new Set(ports).size, 1000, 'one distinct NAT port per VM');
    assert.deepEqual(
      [Math.min(...(ports as number[])), Math.max(...(ports as number[]))],
      [natStart, natStart + 999],
    );
    // maxSshServers is 4: the first instances answer, later ones keep a silent port...
    assert.equal(await probePort(vms[0].sshPort!), 'open');
    assert.equal(await probePort(vms[999].sshPort!), 'closed');
    // ...until a test asks for one.
    await emulator.enableSsh('big-pool', 'large', '999');
    const result = await sshExec(
      vms[999].sshPort!,
      'azureuser',
      key.private,
      'echo $DSVM_POOL_INSTANCE',
    );
    assert.equal(result.stdout.trim(), vms[999].computerName);
  });
});
