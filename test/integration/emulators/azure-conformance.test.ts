// The Azure emulator against Microsoft's official REST examples (the shared arm-examples folder):
// each example's request, after creating the state it presumes, must answer with the example's
// status, headers and body shape (same keys, same JSON types; values are not compared).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startAzureEmulator, type AzureEmulator } from '../../emulators/azure/azure-emulator';
import { RawArmClient, type RawResponse } from '../../emulators/azure/raw-arm-client';
import { shapeDiff } from '../../emulators/azure/shape-diff';

type Json = Record<string, unknown>;

interface Example {
  parameters: Json;
  responses: Record<string, { headers?: Record<string, string>; body?: unknown }>;
}

/** In CI the shared folder sits next to the repository; on the dev machines at /work/shared. */
function examplesFolder(): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const candidates = [join(repoRoot, '../shared/arm-examples'), '/work/shared/arm-examples'];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`No arm-examples folder at ${candidates.join(' or ')}`);
  return found;
}

const EXAMPLES = examplesFolder();

function load(file: string): Example {
  return JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Example;
}

/**
 * Paths of example keys the emulator leaves out on purpose, per example, with the reason.
 * Everything else the examples show must be there.
 */
const OMISSIONS: Record<string, Record<string, string>> = {
  'VirtualMachineScaleSet_Get.json': {
    'properties.virtualMachineProfile.userData':
      'ARM returns userData only with $expand=userData (as VirtualMachineScaleSet_Get_WithUserData ' +
      'asks for it); this example shows it on a plain GET',
  },
  'VirtualMachineScaleSet_GetInstanceView_MaximumSet_Gen.json': {
    'statuses[0].message':
      'a generated example ("aaaa…"); a provisioning status that succeeded carries no message',
  },
  'PutDeploymentResourceGroup.json': {
    'properties.templateLink.id':
      "the example's response describes a template-spec link although the request has a uri " +
      'link; for a uri link ARM echoes uri, contentVersion and queryString, which the emulator does',
  },
};

/** Examples the emulator does not serve, and why. */
const NOT_SERVED: Record<string, string> = {
  'FileSharesGet_Stats.json':
    'Azure Files (Microsoft.Storage file shares) belongs to the separate Azure Files emulator',
  'FileSharesPut.json':
    'Azure Files (Microsoft.Storage file shares) belongs to the separate Azure Files emulator',
};

describe('Azure emulator: conformance with the official ARM examples', () => {
  let emulator: AzureEmulator;
  let arm: RawArmClient;
  let sub: string;
  let groups = 0;
  /** Omissions that were needed: one that no longer is must be removed from the list. */
  const usedOmissions = new Set<string>();

  before(async () => {
    emulator = await startAzureEmulator({
      delays: {
        vmCreate: 10,
        vmStart: 10,
        vmStop: 10,
        vmDeallocate: 10,
        vmRestart: 10,
        vmDelete: 10,
        resource: 5,
      },
    });
    arm = new RawArmClient(emulator);
    sub = `/subscriptions/${emulator.subscriptionId}`;
  });
  after(async () => {
    arm.close();
    await emulator.close();
  });

  async function group(): Promise<string> {
    const name = `conformance-${++groups}`;
    const created = await arm.request('PUT', `${sub}/resourceGroups/${name}`, {
      location: 'westus',
    });
    assert.equal(created.status, 201);
    return `${sub}/resourceGroups/${name}`;
  }

  /** Creates a scale set (waiting for it) from a request body. */
  async function scaleSet(rg: string, name: string, body: unknown): Promise<string> {
    const path = `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
    const created = await arm.request('PUT', path, body);
    assert.ok(created.status === 201 || created.status === 200, JSON.stringify(created.body));
    assert.equal(await arm.waitFor(created), 'Succeeded');
    return path;
  }

  /** Status among the example's, headers it shows, body shape (minus listed omissions). */
  function conforms(file: string, response: RawResponse, example: Example): void {
    const expected = example.responses[String(response.status)];
    assert.ok(
      expected,
      `${file}: answered ${response.status}, the example shows ${Object.keys(example.responses).join('/')}` +
        `: ${JSON.stringify(response.body)}`,
    );
    for (const header of Object.keys(expected.headers ?? {})) {
      assert.ok(
        response.headers[header.toLowerCase()],
        `${file}: ${response.status} lacks the ${header} header`,
      );
    }
    if (expected.body === undefined) return;
    const omitted = OMISSIONS[file] ?? {};
    const all = shapeDiff(expected.body, response.body);
    for (const d of all) if (d.path in omitted) usedOmissions.add(`${file}:${d.path}`);
    const differences = all.filter((d) => !(d.path in omitted));
    assert.deepEqual(
      differences,
      [],
      `${file} (${response.status}) differs from the example's shape`,
    );
  }

  /** A request body from an example's response: what ARM computes is left out. */
  function modelOf(body: unknown): Json {
    const model = structuredClone(body) as Json;
    for (const key of ['id', 'name', 'type', 'etag']) delete model[key];
    const props = model.properties as Json;
    for (const key of ['provisioningState', 'uniqueId', 'timeCreated']) delete props[key];
    delete (props.virtualMachineProfile as Json | undefined)?.timeCreated;
    return model;
  }

  /** A Windows scale set with what the VM examples show: tags, user data, a data disk, an extension. */
  function windowsScaleSet(extra: Json = {}): Json {
    return {
      location: 'westus',
      tags: { myTag1: 'tagValue1' },
      sku: { name: 'Standard_D1_v2', tier: 'Standard', capacity: 2 },
      properties: {
        upgradePolicy: { mode: 'Manual' },
        ...extra,
        virtualMachineProfile: {
          userData: 'RXhhbXBsZSBVc2VyRGF0YQ==',
          storageProfile: {
            imageReference: {
              publisher: 'MicrosoftWindowsServer',
              offer: 'WindowsServer',
              sku: '2012-R2-Datacenter',
              version: '4.127.20180315',
            },
            osDisk: {
              createOption: 'FromImage',
              caching: 'None',
              managedDisk: { storageAccountType: 'Standard_LRS' },
            },
            dataDisks: [
              {
                lun: 1,
                createOption: 'Empty',
                caching: 'None',
                diskSizeGB: 128,
                managedDisk: { storageAccountType: 'Standard_LRS' },
              },
            ],
          },
          osProfile: {
            computerNamePrefix: 'test',
            adminUsername: 'Foo12',
            adminPassword: 'Secret-123456',
          },
          networkProfile: {
            networkInterfaceConfigurations: [
              {
                name: 'vmsstestnetconfig5415',
                properties: {
                  primary: true,
                  enableIPForwarding: false,
                  ipConfigurations: [
                    {
                      name: 'vmsstestnetconfig9693',
                      properties: {
                        subnet: {
                          id: `${sub}/resourceGroups/x/providers/Microsoft.Network/virtualNetworks/vn4071/subnets/sn5503`,
                        },
                      },
                    },
                  ],
                },
              },
            ],
          },
          diagnosticsProfile: { bootDiagnostics: { enabled: true } },
          extensionProfile: {
            extensions: [
              {
                name: 'CustomScriptExtension-DSC',
                properties: {
                  publisher: 'Microsoft.Compute',
                  type: 'CustomScriptExtension',
                  typeHandlerVersion: '1.9',
                  autoUpgradeMinorVersion: true,
                  settings: {},
                },
              },
            ],
          },
        },
      },
    };
  }

  const vmssCases: Record<string, () => Promise<void>> = {
    'VirtualMachineScaleSet_Create_WithAzureLoadBalancer.json': () =>
      createTwice('VirtualMachineScaleSet_Create_WithAzureLoadBalancer.json'),
    'VirtualMachineScaleSet_Create_WithScaleInPolicy.json': () =>
      createTwice('VirtualMachineScaleSet_Create_WithScaleInPolicy.json'),
    'VirtualMachineScaleSet_Create_WithAMarketplaceImagePlan.json': () =>
      createTwice('VirtualMachineScaleSet_Create_WithAMarketplaceImagePlan.json'),
    'VirtualMachineScaleSet_Get.json': async () => {
      const file = 'VirtualMachineScaleSet_Get.json';
      const example = load(file);
      const path = await scaleSet(await group(), 'vmss', modelOf(example.responses['200'].body));
      conforms(file, await arm.request('GET', path), example);
    },
    'VirtualMachineScaleSet_Get_WithUserData.json': async () => {
      const file = 'VirtualMachineScaleSet_Get_WithUserData.json';
      const example = load(file);
      const path = await scaleSet(await group(), 'vmss', modelOf(example.responses['200'].body));
      conforms(file, await arm.request('GET', `${path}?$expand=userData`), example);
    },
    'VirtualMachineScaleSet_List_MinimumSet_Gen.json': async () => {
      const file = 'VirtualMachineScaleSet_List_MinimumSet_Gen.json';
      const rg = await group();
      await scaleSet(rg, 'one', windowsScaleSet());
      await scaleSet(rg, 'two', windowsScaleSet());
      conforms(
        file,
        await arm.request('GET', `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets`),
        load(file),
      );
    },
    'VirtualMachineScaleSet_Update_MinimumSet_Gen.json': async () => {
      const file = 'VirtualMachineScaleSet_Update_MinimumSet_Gen.json';
      const example = load(file);
      const path = await scaleSet(await group(), 'vmss', windowsScaleSet());
      const patched = await arm.request('PATCH', path, example.parameters.parameters);
      conforms(file, patched, example);
      assert.equal(await arm.waitFor(patched), 'Succeeded');
    },
    'VirtualMachineScaleSet_Deallocate_MaximumSet_Gen.json': () =>
      action(
        'VirtualMachineScaleSet_Deallocate_MaximumSet_Gen.json',
        'deallocate',
        'hibernate=true',
      ),
    'VirtualMachineScaleSet_PowerOff_MaximumSet_Gen.json': () =>
      action(
        'VirtualMachineScaleSet_PowerOff_MaximumSet_Gen.json',
        'poweroff',
        'skipShutdown=true',
      ),
    'VirtualMachineScaleSet_Start_MaximumSet_Gen.json': () =>
      action('VirtualMachineScaleSet_Start_MaximumSet_Gen.json', 'start'),
    'VirtualMachineScaleSet_DeleteInstances_MaximumSet_Gen.json': () =>
      action(
        'VirtualMachineScaleSet_DeleteInstances_MaximumSet_Gen.json',
        'delete',
        'forceDeletion=true',
      ),
    'VirtualMachineScaleSet_Delete_Force.json': async () => {
      const file = 'VirtualMachineScaleSet_Delete_Force.json';
      const path = await scaleSet(await group(), 'vmss', windowsScaleSet());
      const deleted = await arm.request('DELETE', `${path}?forceDeletion=true`);
      conforms(file, deleted, load(file));
      assert.equal(await arm.waitFor(deleted), 'Succeeded');
      assert.equal((await arm.request('GET', path)).status, 404);
      // Deleting what is not there is not an error in ARM.
      conforms(file, await arm.request('DELETE', `${path}?forceDeletion=true`), load(file));
    },
    'VirtualMachineScaleSet_GetInstanceView_MaximumSet_Gen.json': async () => {
      const file = 'VirtualMachineScaleSet_GetInstanceView_MaximumSet_Gen.json';
      const path = await scaleSet(await group(), 'vmss', windowsScaleSet());
      conforms(file, await arm.request('GET', `${path}/instanceView`), load(file));
    },
    'VirtualMachineScaleSetVM_List_MinimumSet_Gen.json': async () => {
      const file = 'VirtualMachineScaleSetVM_List_MinimumSet_Gen.json';
      const path = await scaleSet(await group(), 'vmss', windowsScaleSet());
      conforms(file, await arm.request('GET', `${path}/virtualMachines`), load(file));
    },
    'VirtualMachineScaleSetVM_Get_WithUserData.json': async () => {
      const file = 'VirtualMachineScaleSetVM_Get_WithUserData.json';
      const path = await scaleSet(await group(), 'vmss', windowsScaleSet());
      conforms(
        file,
        await arm.request('GET', `${path}/virtualMachines/0?$expand=UserData`),
        load(file),
      );
    },
    'VirtualMachineScaleSetVM_Get_InstanceViewAutoPlacedOnDedicatedHostGroup.json': async () => {
      const file = 'VirtualMachineScaleSetVM_Get_InstanceViewAutoPlacedOnDedicatedHostGroup.json';
      const rg = await group();
      const path = await scaleSet(
        rg,
        'vmss',
        windowsScaleSet({
          hostGroup: { id: `${rg}/providers/Microsoft.Compute/hostGroups/myHostGroup` },
        }),
      );
      conforms(
        file,
        await arm.request('GET', `${path}/virtualMachines/0/instanceView`),
        load(file),
      );
    },
    'VirtualMachineScaleSetVM_Update_MinimumSet_Gen.json': async () => {
      const file = 'VirtualMachineScaleSetVM_Update_MinimumSet_Gen.json';
      const example = load(file);
      const path = await scaleSet(await group(), 'vmss', windowsScaleSet());
      const updated = await arm.request(
        'PUT',
        `${path}/virtualMachines/0`,
        example.parameters.parameters,
      );
      conforms(file, updated, example);
      assert.equal(await arm.waitFor(updated), 'Succeeded');
    },
  };

  async function createTwice(file: string): Promise<void> {
    const example = load(file);
    const rg = await group();
    const path = `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss`;
    const created = await arm.request('PUT', path, example.parameters.parameters);
    assert.equal(created.status, 201);
    assert.ok(created.headers['azure-asyncoperation'], 'a PUT that provisions says where to poll');
    conforms(file, created, example);
    assert.equal(await arm.waitFor(created), 'Succeeded');
    const updated = await arm.request('PUT', path, example.parameters.parameters);
    assert.equal(updated.status, 200);
    conforms(file, updated, example);
    assert.equal(await arm.waitFor(updated), 'Succeeded');
    const body = updated.body as { properties: { virtualMachineProfile: { osProfile: Json } } };
    assert.equal(
      body.properties.virtualMachineProfile.osProfile.adminPassword,
      undefined,
      'secrets are never echoed',
    );
  }

  async function action(file: string, name: string, query?: string): Promise<void> {
    const example = load(file);
    const path = await scaleSet(await group(), 'vmss', windowsScaleSet());
    // The generated examples name instance "aaaa…"; this scale set's instances are 0 and 1.
    const response = await arm.request('POST', `${path}/${name}${query ? `?${query}` : ''}`, {
      instanceIds: ['0'],
    });
    assert.equal(response.status, 202);
    assert.ok(response.headers['retry-after'], 'a 202 says when to poll again');
    conforms(file, response, example);
    assert.equal(await arm.waitFor(response), 'Succeeded');
    // The example's other answer: no body at all is also what the Location URL ends with.
    const result = await arm.request('GET', response.headers['location']);
    conforms(file, result, example);
  }

  for (const [file, run] of Object.entries(vmssCases)) it(file, run);

  it('PutDeploymentResourceGroup.json', async () => {
    const file = 'PutDeploymentResourceGroup.json';
    const example = load(file);
    const request = example.parameters.parameters as Json;
    const link = (request.properties as { templateLink: { uri: string } }).templateLink.uri;
    emulator.registerTemplateLink(link, {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.Storage/storageAccounts',
          apiVersion: '2023-05-01',
          // The example's own name ("my-storage-account") breaks Azure's account naming rule
          // (3–24 lowercase letters and digits), which the emulator enforces as Azure does.
          name: 'mystorageaccount',
          location: 'eastus',
          sku: { name: 'Standard_LRS' },
          kind: 'StorageV2',
          properties: {},
        },
      ],
    });
    const path = `${await group()}/providers/Microsoft.Resources/deployments/my-deployment`;
    const created = await arm.request('PUT', path, request, '2025-04-01');
    assert.equal(created.status, 201);
    conforms(file, created, example);
    assert.equal(await arm.waitFor(created), 'Succeeded');
    const got = await arm.request('GET', path, undefined, '2025-04-01');
    assert.equal(got.status, 200);
    conforms(file, got, example);
  });

  describe('autoscale settings', () => {
    let rg: string;
    before(async () => {
      rg = await group();
    });
    const path = (name: string) => `${rg}/providers/Microsoft.Insights/autoscalesettings/${name}`;
    /** Azure allows one setting per target: each test's setting gets its own scale set id. */
    const own = (body: unknown, name: string): Json => {
      const copy = structuredClone(body) as Json;
      const props = copy.properties as Json;
      props.targetResourceUri = `${String(props.targetResourceUri)}-${name}`;
      return copy;
    };

    it('createOrUpdateAutoscaleSetting.json', async () => {
      const file = 'createOrUpdateAutoscaleSetting.json';
      const example = load(file);
      const created = await arm.request(
        'PUT',
        path('MySetting'),
        example.parameters.parameters,
        '2022-10-01',
      );
      assert.equal(created.status, 201);
      conforms(file, created, example);
      const updated = await arm.request(
        'PUT',
        path('MySetting'),
        example.parameters.parameters,
        '2022-10-01',
      );
      assert.equal(updated.status, 200);
      conforms(file, updated, example);
    });

    it('getAutoscaleSetting.json', async () => {
      const file = 'getAutoscaleSetting.json';
      const example = load(file);
      await arm.request(
        'PUT',
        path('FromGet'),
        own(modelOf(example.responses['200'].body), 'FromGet'),
        '2022-10-01',
      );
      conforms(file, await arm.request('GET', path('FromGet'), undefined, '2022-10-01'), example);
    });

    it('patchAutoscaleSetting.json', async () => {
      const file = 'patchAutoscaleSetting.json';
      const example = load(file);
      const create = load('createOrUpdateAutoscaleSetting.json').parameters.parameters;
      await arm.request('PUT', path('ToPatch'), own(create, 'ToPatch'), '2022-10-01');
      const patched = await arm.request(
        'PATCH',
        path('ToPatch'),
        own(example.parameters.autoscaleSettingResource, 'ToPatch'),
        '2022-10-01',
      );
      conforms(file, patched, example);
      assert.deepEqual((patched.body as Json).tags, { key1: 'value1' }, 'PATCH replaces the tags');
    });

    it('deleteAutoscaleSetting.json', async () => {
      const file = 'deleteAutoscaleSetting.json';
      const example = load(file);
      await arm.request(
        'PUT',
        path('ToDelete'),
        own(load('createOrUpdateAutoscaleSetting.json').parameters.parameters, 'ToDelete'),
        '2022-10-01',
      );
      const deleted = await arm.request('DELETE', path('ToDelete'), undefined, '2022-10-01');
      assert.equal(deleted.status, 200);
      conforms(file, deleted, example);
      const again = await arm.request('DELETE', path('ToDelete'), undefined, '2022-10-01');
      assert.equal(again.status, 204);
      conforms(file, again, example);
    });
  });

  it('every example in the folder is either checked above or listed as not served', () => {
    const checked = new Set([
      ...Object.keys(vmssCases),
      'PutDeploymentResourceGroup.json',
      'createOrUpdateAutoscaleSetting.json',
      'getAutoscaleSetting.json',
      'patchAutoscaleSetting.json',
      'deleteAutoscaleSetting.json',
    ]);
    const unaccounted = readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.json'))
      .filter((f) => !checked.has(f) && !(f in NOT_SERVED));
    assert.deepEqual(
      unaccounted,
      [],
      'a new example: add a case for it, or say why it is not served',
    );
    const listed = Object.entries(OMISSIONS).flatMap(([file, paths]) =>
      Object.keys(paths).map((path) => `${file}:${path}`),
    );
    assert.deepEqual(
      listed.filter((o) => !usedOmissions.has(o)),
      [],
      'omissions that no longer differ: remove them from OMISSIONS',
    );
    for (const file of [...Object.keys(OMISSIONS), ...Object.keys(NOT_SERVED)]) {
      assert.ok(
        existsSync(join(EXAMPLES, file)),
        `${file} is listed here but no longer in the folder`,
      );
    }
  });
});
