// pool.json 1.3.0 in the Azure emulator through the app's own create path: the scale set's
// identity, its instance role scoped to the scale set, terminate notifications with the pool's
// notice; a VM's IMDS token may protect its pool's instances and nothing outside that scope; a
// deployment refused for the role assignment says who may deploy; the notice is validated.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, RpcError } from '../../../../../src/common/errors';
import { resolveAzureEnvironment } from '../../../../../src/core/azure/arm/index';
import { AzureCredential } from '../../../../../src/core/azure/identity/index';
import { AzurePoolService } from '../../../../../src/core/azure/pools/index';
import {
  POOL_TEMPLATE_VERSION,
  buildDeploymentParameters,
  loadPoolTemplate,
} from '../../../../../src/core/azure/template/pool-template';
import { validatePoolParameters } from '../../../../../src/core/azure/template/pool-template-validation';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';
import { RawArmClient } from '../../../../emulators/azure/raw-arm-client';
import { ed25519Line } from '../../../../helpers/ssh-keys';

await trustEmulatorCertificate();

const RG = 'role-rg';
const CLIENT_ID = 'dsvm-pool-tests';
const CLIENT_SECRET = 'emulator-secret-for-tests';

type Json = Record<string, unknown>;

describe('pool.json: the instance role and terminate notifications', () => {
  let emulator: AzureEmulator;
  let credential: AzureCredential;
  let service: AzurePoolService;
  const natStart = 20_000 + Math.floor(Math.random() * 90) * 100;

  const input = (poolName: string, extra: Json = {}) => ({
    poolName,
    location: 'westeurope',
    instanceCount: 2,
    adminUsername: 'dsvmadmin',
    sshPublicKey: ed25519Line(),
    allowedSourceCidrs: ['203.0.113.0/24'],
    dnsLabel: `${poolName}-role-test`,
    ...extra,
  });
  const vmssId = (name: string) =>
    `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;

  before(async () => {
    emulator = await startAzureEmulator({
      clientSecrets: { [CLIENT_ID]: CLIENT_SECRET },
      delays: { vmCreate: 20, vmDelete: 20, resource: 10 },
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
      deploymentPollIntervalMs: 100,
      lroPollIntervalMs: 100,
    });
    emulator.createResourceGroup(RG);
  });
  after(async () => {
    service?.dispose();
    credential?.dispose();
    await emulator?.close();
  });

  test('deploys the identity, the instance role at the scale set scope and the terminate profile', async () => {
    const created = await service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      parameters: input('alpha', {
        natFrontendPortStart: natStart,
        terminateNotBeforeTimeout: 'PT7M',
      }),
    }).result;
    assert.equal(created.pool.templateVersion, POOL_TEMPLATE_VERSION);
    const vmss = emulator.store.get(vmssId('alpha'));
    assert.ok(vmss);
    const principalId = (vmss.body.identity as { principalId?: string }).principalId;
    assert.match(String(principalId), /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      (vmss.body.properties as { virtualMachineProfile: Json }).virtualMachineProfile
        .scheduledEventsProfile,
      { terminateNotificationProfile: { enable: true, notBeforeTimeout: 'PT7M' } },
    );
    const auth = emulator.store.all().filter((r) => r.type.startsWith('Microsoft.Authorization/'));
    const role = auth.find((r) => r.type === 'Microsoft.Authorization/roleDefinitions');
    const assignment = auth.find((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    assert.ok(role && assignment, 'a role definition and its assignment');
    assert.deepEqual((role.body.properties as { permissions: unknown }).permissions, [
      {
        actions: [
          'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read',
          'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/write',
          'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/deallocate/action',
        ],
        notActions: [],
      },
    ]);
    assert.ok(
      assignment.id.toLowerCase().startsWith(`${vmssId('alpha').toLowerCase()}/providers/`),
      assignment.id,
    );
    assert.equal((assignment.body.properties as Json).principalId, principalId);
  });

  test("scope: a VM's token protects its pool's instances and is refused outside the scale set", async () => {
    await service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      parameters: input('beta', { natFrontendPortStart: natStart + 200 }),
    }).result;
    const endpoint = await emulator.imdsEndpoint(RG, 'alpha', '0');
    const answer = await fetch(
      `${endpoint}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/`,
      { headers: { Metadata: 'true' } },
    );
    assert.equal(answer.status, 200);
    const token = ((await answer.json()) as { access_token: string }).access_token;
    const vm = new RawArmClient(emulator, { token });
    try {
      const own = await vm.request('PUT', `${vmssId('alpha')}/virtualMachines/0`, {
        properties: { protectionPolicy: { protectFromScaleIn: true } },
      });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      const list = await vm.request('GET', `${vmssId('alpha')}/virtualMachines`);
      assert.equal(list.status, 200);
      const other = await vm.request('PUT', `${vmssId('beta')}/virtualMachines/0`, {
        properties: { protectionPolicy: { protectFromScaleIn: true } },
      });
      assert.equal(other.status, 403, 'another pool of the same group');
      const scaleSet = await vm.request('PATCH', vmssId('alpha'), { sku: { capacity: 9 } });
      assert.equal(scaleSet.status, 403, "its own scale set's model");
      assert.match(
        (scaleSet.body as { error: { message: string } }).error.message,
        /does not have authorization to perform action 'Microsoft\.Compute\/virtualMachineScaleSets\/write' over scope '/,
      );
    } finally {
      vm.close();
    }
  });

  test('the terminate notice is validated with its field label, and passed on by the template', async () => {
    // Refused before anything is sent to Azure.
    await assert.rejects(
      async () =>
        service.createPool({
          subscriptionId: emulator.subscriptionId,
          resourceGroup: RG,
          parameters: input('gamma', { terminateNotBeforeTimeout: 'PT20M' }),
        }).result,
      (err: RpcError) => {
        assert.equal(err.code, ErrorCode.BadInput);
        assert.match(err.message, /"Notice before an instance is removed" must be 5 to 15 minutes/);
        return true;
      },
    );
    // The template itself refuses it too (allowedValues), should anything bypass the app.
    const parameters = buildDeploymentParameters(
      validatePoolParameters(input('gamma', { natFrontendPortStart: natStart + 600 })),
    );
    parameters.terminateNotBeforeTimeout = { value: 'PT20M' };
    const admin = new RawArmClient(emulator);
    try {
      const put = await admin.request(
        'PUT',
        `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Resources/deployments/gamma`,
        { properties: { mode: 'Incremental', template: loadPoolTemplate(), parameters } },
      );
      assert.equal(put.status, 400, JSON.stringify(put.body));
      assert.match(JSON.stringify(put.body), /terminateNotBeforeTimeout/);
    } finally {
      admin.close();
    }
  });

  test('a deployment refused for the role assignment says that an Owner or User Access Administrator must deploy', async () => {
    emulator.failOperation(/roleAssignments/i, {
      code: 'AuthorizationFailed',
      message:
        "The client 'contributor' with object id '00000000-0000-0000-0000-00000000c0de' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '/subscriptions/x/resourceGroups/role-rg/providers/Microsoft.Compute/virtualMachineScaleSets/delta/providers/Microsoft.Authorization/roleAssignments/y' or the scope is invalid. If access was recently granted, please refresh your credentials.",
    });
    await assert.rejects(
      service.createPool({
        subscriptionId: emulator.subscriptionId,
        resourceGroup: RG,
        parameters: input('delta', { natFrontendPortStart: natStart + 400 }),
      }).result,
      (err: RpcError) => {
        assert.ok(err instanceof RpcError);
        assert.equal(err.code, ErrorCode.AuthFailed);
        assert.match(
          err.message,
          /needs Microsoft\.Authorization\/roleAssignments\/write, which Contributor does not have\. Ask an Owner or User Access Administrator/,
        );
        return true;
      },
    );
  });
});
