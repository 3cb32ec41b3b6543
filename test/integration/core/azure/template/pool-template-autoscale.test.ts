// Scale to zero that stays asleep: pool.json deployed in the Azure emulator, scaled to 0, then
// evaluated by the emulator's autoscale engine. With minInstances 0 the template's default is 0,
// so the missing CPU metric (nothing runs) keeps the pool at 0; the template as it was (default =
// instanceCount) is lifted straight back to 1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type ArmTemplate,
  buildDeploymentParameters,
  loadPoolTemplate,
} from '../../../../../src/core/azure/template/pool-template';
import { validatePoolParameters } from '../../../../../src/core/azure/template/pool-template-validation';
import { ManualClock } from '../../../../emulators/azure/autoscale-clock';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';
import {
  createEmulatorClients,
  type EmulatorClients,
} from '../../../../emulators/azure/sdk-clients';
import { ed25519Line } from '../../../../helpers/ssh-keys';

await trustEmulatorCertificate();

/** The template before the fix: the autoscale default was always instanceCount. */
function templateAsItWas(): ArmTemplate {
  const template = loadPoolTemplate();
  const autoscale = template.resources.find(
    (r) => r.type === 'Microsoft.Insights/autoscaleSettings',
  );
  const profile = (
    autoscale!.properties as { profiles: Array<{ capacity: Record<string, string> }> }
  ).profiles[0];
  assert.match(profile.capacity.default, /greater\(parameters\('minInstances'\), 0\)/);
  profile.capacity.default = "[format('{0}', parameters('instanceCount'))]";
  return template;
}

describe('pool.json: a pool scaled to 0 with CPU rules', () => {
  let emulator: AzureEmulator;
  let azure: EmulatorClients;
  const clock = new ManualClock('2025-01-15T10:00:00Z');

  before(async () => {
    emulator = await startAzureEmulator({
      delays: { vmCreate: 10, vmDelete: 10, resource: 10 },
      autoscale: { clock },
    });
    azure = createEmulatorClients(emulator);
  });
  after(async () => {
    await emulator?.close();
  });

  /** Deploys a pool of 1 (minInstances 0, CPU rules) and scales it to 0, as a quiet night does. */
  async function sleepingPool(rg: string, template: ArmTemplate, natStart: number) {
    const params = validatePoolParameters({
      poolName: 'night',
      location: 'westeurope',
      instanceCount: 1,
      minInstances: 0,
      maxInstances: 3,
      adminUsername: 'dsvmadmin',
      sshPublicKey: ed25519Line(),
      allowedSourceCidrs: ['203.0.113.0/24'],
      dnsLabel: `${rg}-night`,
      natFrontendPortStart: natStart,
    });
    await azure.resources.resourceGroups.createOrUpdate(rg, { location: 'westeurope' });
    await azure.deployments.deployments.createOrUpdate(
      rg,
      'dsvm-pool-night',
      {
        properties: {
          mode: 'Incremental',
          template: template as unknown as Record<string, unknown>,
          parameters: buildDeploymentParameters(params),
        },
      },
      { updateIntervalInMs: 50 },
    );
    const setting = await azure.monitor.autoscaleSettings.get(rg, 'night-autoscale');
    assert.equal(setting.enabled, true);
    assert.deepEqual(
      setting.profiles[0].rules.map(
        (r) => `${r.metricTrigger.metricName} ${r.scaleAction.direction}`,
      ),
      ['Percentage CPU Increase', 'Percentage CPU Decrease'],
    );
    await azure.compute.virtualMachineScaleSets.update(rg, 'night', { sku: { capacity: 0 } });
    assert.equal((await azure.compute.virtualMachineScaleSets.get(rg, 'night')).sku?.capacity, 0);
    return setting;
  }

  test('stays at 0 with the template; the template as it was lifts it back to 1', async () => {
    const natStart = 20_000 + Math.floor(Math.random() * 90) * 100;
    const now = await sleepingPool('asleep-rg', loadPoolTemplate(), natStart);
    const before = await sleepingPool('lifted-rg', templateAsItWas(), natStart + 5_000);
    assert.deepEqual(now.profiles[0].capacity, { minimum: '0', maximum: '3', default: '0' });
    assert.deepEqual(before.profiles[0].capacity, { minimum: '0', maximum: '3', default: '1' });

    // Several evaluations, minutes apart: nothing runs, so no CPU is reported.
    for (let i = 0; i < 3; i++) {
      await emulator.autoscale.evaluateNow();
      clock.advance(10 * 60_000);
    }
    const capacity = async (rg: string) =>
      (await azure.compute.virtualMachineScaleSets.get(rg, 'night')).sku?.capacity;
    assert.equal(await capacity('asleep-rg'), 0, 'the pool sleeps');
    assert.equal(await capacity('lifted-rg'), 1, 'the default of 1 woke it with nobody there');

    const lifted = emulator.autoscale
      .events()
      .filter((e) => e.resourceGroupName === 'lifted-rg' && e.status.value === 'Succeeded');
    assert.equal(lifted.length, 1);
    assert.equal(lifted[0].properties.ScaleReason, 'default');
    assert.equal(
      emulator.autoscale.events().filter((e) => e.resourceGroupName === 'asleep-rg').length,
      0,
    );
  });
});
