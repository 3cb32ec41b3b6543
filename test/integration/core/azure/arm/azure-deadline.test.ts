// Every ARM read has a deadline, not only the pool refresh: the subscription and resource group
// lists, the pool list and the autoscale GET (each through the SDK clients' read-deadline policy)
// end with "Azure did not answer in …" when the emulator answers too late, and the next try works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, type RpcError } from '../../../../../src/common/errors';
import { resolveAzureEnvironment } from '../../../../../src/core/azure/arm/index';
import { AzureCredential } from '../../../../../src/core/azure/identity/index';
import { AzurePoolService, type AzurePoolRef } from '../../../../../src/core/azure/pools/index';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';
import { ed25519Line } from '../../../../helpers/ssh-keys';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed.
await trustEmulatorCertificate();

/** Long enough that only the deadline can end the wait; the emulator's timers stop at close. */
const NEVER = 120_000;

describe('read deadlines on every ARM read (emulator, real SDK clients)', () => {
  let emulator: AzureEmulator;
  let credential: AzureCredential;
  let service: AzurePoolService;
  let ref: AzurePoolRef;

  /** The late request was cut by the deadline: the emulator had not answered it yet. */
  function unanswered(since: number, match: RegExp): void {
    const late = emulator.requests.slice(since).filter((r) => match.test(`${r.method} ${r.path}`));
    assert.equal(late.length, 1, 'one request, not retried after the deadline');
    assert.equal(late[0].status, 0);
  }

  before(async () => {
    emulator = await startAzureEmulator({ delays: { resource: 10 } });
    credential = new AzureCredential({
      environment: resolveAzureEnvironment({
        resourceManagerEndpoint: emulator.url,
        authorityHost: emulator.url,
      }),
      clients: { readDeadlineMs: 1_000 },
    });
    service = new AzurePoolService({
      clients: (id) => credential.clientsFor(id),
      deploymentPollIntervalMs: 100,
      lroPollIntervalMs: 50,
    });
    await credential.signIn({
      kind: 'service-principal',
      tenantId: emulator.tenantId,
      clientId: 'deadline-tests',
      clientSecret: 'any',
    });
    ref = { subscriptionId: emulator.subscriptionId, resourceGroup: 'late-rg', poolName: 'late' };
    await service.createPool({
      subscriptionId: ref.subscriptionId,
      resourceGroup: ref.resourceGroup,
      createResourceGroup: true,
      parameters: {
        poolName: ref.poolName,
        location: 'westeurope',
        instanceCount: 0,
        maxInstances: 2,
        adminUsername: 'dsvmadmin',
        sshPublicKey: ed25519Line('deadline'),
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'late-pool-test',
        natFrontendPortStart: 24_000 + Math.floor(Math.random() * 100) * 10,
      },
    }).result;
  });
  after(async () => {
    service?.dispose();
    credential?.dispose();
    await emulator?.close();
  });

  test('the subscription list', async () => {
    const match = /^GET \/subscriptions$/i;
    emulator.slow(match, NEVER, { times: 1 });
    const since = emulator.requests.length;
    await assert.rejects(credential.listSubscriptions(), (err: RpcError) => {
      assert.equal(err.code, ErrorCode.Unreachable);
      assert.equal(
        err.message,
        'Azure did not answer in 1 s (list your Azure subscriptions: GET /subscriptions); try again.',
      );
      return true;
    });
    unanswered(since, match);
    assert.equal((await credential.listSubscriptions()).length, 1);
  });

  test('the resource group list', async () => {
    const match = /^GET \/subscriptions\/[^/]+\/resourcegroups$/i;
    emulator.slow(match, NEVER, { times: 1 });
    const since = emulator.requests.length;
    await assert.rejects(credential.listResourceGroups(ref.subscriptionId), (err: RpcError) => {
      assert.match(
        err.message,
        /^Azure did not answer in 1 s \(list the resource groups of subscription \S+: GET resourcegroups\); try again\.$/i,
      );
      return true;
    });
    unanswered(since, match);
    assert.ok(
      (await credential.listResourceGroups(ref.subscriptionId)).some((g) => g.name === 'late-rg'),
    );
  });

  test('the pool list', async () => {
    const match = /^GET .*\/providers\/Microsoft\.Compute\/virtualMachineScaleSets$/i;
    emulator.slow(match, NEVER, { times: 1 });
    const since = emulator.requests.length;
    await assert.rejects(service.listPools(ref.subscriptionId), (err: RpcError) => {
      assert.equal(
        err.message,
        `Azure did not answer in 1 s (list the pools of subscription ${ref.subscriptionId}: GET virtualMachineScaleSets); try again.`,
      );
      return true;
    });
    unanswered(since, match);
    assert.deepEqual(
      (await service.listPools(ref.subscriptionId)).map((p) => p.poolName),
      ['late'],
    );
  });

  test('the autoscale setting', async () => {
    const match = /^GET .*\/autoscalesettings\/late-autoscale$/i;
    emulator.slow(match, NEVER, { times: 1 });
    const since = emulator.requests.length;
    await assert.rejects(service.getAutoscale(ref), (err: RpcError) => {
      assert.match(
        err.message,
        /^Azure did not answer in 1 s \(read the autoscale setting of pool late: GET autoscalesettings\/late-autoscale\); try again\.$/i,
      );
      return true;
    });
    unanswered(since, match);
    assert.equal((await service.getAutoscale(ref)).settings.name, 'late-autoscale');
  });
});
