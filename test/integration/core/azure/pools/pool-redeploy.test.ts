// Redeploying a pool keeps what the admin set: a pool created through AzurePoolService, its
// autoscale edited (a schedule added, the bounds changed) and scaled by hand, then redeployed
// with a changed source range — the range is applied, the autoscale setting and the capacity are
// exactly as they were. Against the Azure emulator with the real SDK.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode } from '../../../../../src/common/errors';
import type { AutoscaleSettings } from '../../../../../src/common/models';
import { resolveAzureEnvironment } from '../../../../../src/core/azure/arm/index';
import { AzureCredential } from '../../../../../src/core/azure/identity/index';
import { AzurePoolService, type AzurePoolRef } from '../../../../../src/core/azure/pools/index';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';
import { RawArmClient } from '../../../../emulators/azure/raw-arm-client';
import { ed25519Line } from '../../../../helpers/ssh-keys';

await trustEmulatorCertificate();

const RG = 'redeploy-rg';
const POOL = 'keep';
const CLIENT_ID = 'dsvm-pool-redeploy-tests';
const CLIENT_SECRET = 'emulator-secret-for-redeploy-tests';

describe('redeploying a pool', () => {
  let emulator: AzureEmulator;
  let credential: AzureCredential;
  let service: AzurePoolService;
  let raw: RawArmClient;
  let ref: AzurePoolRef;
  const settingPath = () =>
    `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Insights/autoscalesettings/${POOL}-autoscale`;

  before(async () => {
    emulator = await startAzureEmulator({
      clientSecrets: { [CLIENT_ID]: CLIENT_SECRET },
      delays: { vmCreate: 20, vmStart: 20, vmDelete: 20, resource: 10 },
    });
    credential = new AzureCredential({
      environment: resolveAzureEnvironment({
        resourceManagerEndpoint: emulator.url,
        authorityHost: emulator.url,
      }),
    });
    await credential.signIn({
      kind: 'service-principal',
      tenantId: emulator.tenantId,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    service = new AzurePoolService({
      clients: (id) => credential.clientsFor(id),
      deploymentPollIntervalMs: 50,
      lroPollIntervalMs: 50,
    });
    raw = new RawArmClient(emulator);
    ref = { subscriptionId: emulator.subscriptionId, resourceGroup: RG, poolName: POOL };
    await service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      createResourceGroup: true,
      parameters: {
        poolName: POOL,
        location: 'westeurope',
        instanceCount: 1,
        maxInstances: 3,
        adminUsername: 'dsvmadmin',
        sshPublicKey: ed25519Line(),
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'keep-pool-test',
        natFrontendPortStart: 20_000 + Math.floor(Math.random() * 90) * 100,
      },
    }).result;
  });

  after(async () => {
    service?.dispose();
    credential?.dispose();
    await emulator?.close();
  });

  test('redeploy keeps the autoscale profiles and bounds the admin edited, and the capacity', async () => {
    // The admin's edits: a weekday schedule, new default bounds, and two instances by hand.
    const { settings } = await service.getAutoscale(ref);
    const edited: AutoscaleSettings = structuredClone(settings);
    edited.defaultProfile.capacity = { minimum: 0, default: 0, maximum: 5 };
    edited.schedules.push({
      name: 'Weekdays',
      days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
      start: '08:00',
      end: '19:00',
      timeZone: 'W. Europe Standard Time',
      capacity: { minimum: 2, default: 2, maximum: 5 },
      rules: edited.defaultProfile.rules,
    });
    await service.setAutoscale(ref, edited).result;
    await service.scale(ref, 2).result;
    const before = (await raw.request('GET', settingPath(), undefined, '2022-10-01')).body;

    // Redeploy with another source range.
    const tracked = service.redeployPool(ref, {
      changes: { allowedSourceCidrs: ['203.0.113.0/24', '198.51.100.0/24'] },
    });
    const result = await tracked.result;
    assert.deepEqual(result.kept, { capacity: 2, autoscaleSetting: `${POOL}-autoscale` });
    assert.equal(result.pool.capacity, 2);

    // The change is applied…
    const clients = credential.clientsFor(emulator.subscriptionId);
    const nsg = await clients.network.networkSecurityGroups.get(RG, `${POOL}-nsg`);
    assert.ok(
      JSON.stringify(nsg.securityRules).includes('198.51.100.0/24'),
      'the new source range reached the NSG',
    );
    // …and what the admin set is as it was: the setting untouched, byte for byte, and 2 instances.
    const after = (await raw.request('GET', settingPath(), undefined, '2022-10-01')).body;
    assert.deepEqual(after, before);
    const view = await service.getAutoscale(ref);
    assert.deepEqual(view.settings.defaultProfile.capacity, { minimum: 0, default: 0, maximum: 5 });
    assert.deepEqual(
      view.settings.schedules.map((s) => `${s.name} ${s.start}-${s.end} min ${s.capacity.minimum}`),
      ['Weekdays 08:00-19:00 min 2'],
    );
    assert.equal(emulator.vms(RG, POOL).length, 2);

    // The deployment left the autoscale setting out and kept the capacity.
    const deployment = await clients.deployments.deployments.get(RG, `dsvm-pool-${POOL}`);
    const parameters = deployment.properties?.parameters as Record<string, { value: unknown }>;
    assert.equal(parameters.deployAutoscale.value, false);
    assert.equal(parameters.instanceCount.value, 2);
    const op = service.tracker.get(tracked.operation.id);
    assert.ok(
      op.progress.some((l) =>
        /Keeping autoscale setting keep-autoscale \(3 profiles\)/.test(l.text),
      ),
    );
    assert.match(op.az[0].shell, /^az deployment group create .* deployAutoscale=false/);
    assert.match(op.az[0].shell, / instanceCount=2 /);
  });

  test('redeploy refuses to change what Scale… and Autoscale… own', async () => {
    const tracked = service.redeployPool(ref, { changes: { maxInstances: 9 } });
    await assert.rejects(tracked.result, (err: { code?: string; message?: string }) => {
      assert.equal(err.code, ErrorCode.BadInput);
      assert.match(err.message ?? '', /keeps the most instances \(use Autoscale…\)/);
      return true;
    });
  });
});
