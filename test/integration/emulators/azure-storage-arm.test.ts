// Microsoft.Storage in the ARM emulator with the real @azure/arm-storage client: accounts (a PUT
// polled through Location), keys, name checks, Azure Files shares with quota and usage; then the
// keys with the real @azure/storage-file-share SDK against the account's primaryEndpoints.file,
// which is the Azure Files emulator: both sides see the same shares and bytes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { AzureEmulator } from '../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';
import type { EmulatorClients } from '../../emulators/azure/sdk-clients';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed. The
// SDKs load after it, so a process that only re-runs itself does not load them.
await trustEmulatorCertificate();
const { ShareServiceClient, StorageSharedKeyCredential } =
  await import('@azure/storage-file-share');
const { startAzureEmulator } = await import('../../emulators/azure/azure-emulator');
const { createEmulatorClients } = await import('../../emulators/azure/sdk-clients');

const RG = 'storage-rg';
const ACCOUNT = 'dsvmpoolfiles';
const TYPE = 'Microsoft.Storage/storageAccounts';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

async function failure(call: Promise<unknown>): Promise<{ status?: number; code?: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as { statusCode?: number; code?: string; details?: { errorCode?: string } };
    return { status: e.statusCode, code: e.details?.errorCode ?? e.code };
  }
  assert.fail('expected the call to fail');
}

describe('Microsoft.Storage in the ARM emulator, linked to the Azure Files emulator', () => {
  let emulator: AzureEmulator;
  let azure: EmulatorClients;
  let fileEndpoint: string;
  let key1: string;

  const dataPlane = (key = key1) =>
    new ShareServiceClient(fileEndpoint, new StorageSharedKeyCredential(ACCOUNT, key), {
      retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100 },
    });

  before(async () => {
    emulator = await startAzureEmulator({ delays: { resource: 40 } });
    azure = createEmulatorClients(emulator);
    await azure.resources.resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  });
  after(async () => {
    await emulator.close();
  });

  it('checks names: 3-24 lower-case letters and digits, globally unique', async () => {
    const check = (name: string) =>
      azure.storage.storageAccounts.checkNameAvailability({ name, type: TYPE });
    assert.equal((await check(ACCOUNT)).nameAvailable, true);
    const invalid = await check('Not_Valid');
    assert.equal(invalid.nameAvailable, false);
    assert.equal(invalid.reason, 'AccountNameInvalid');
    assert.equal((await check('ab')).reason, 'AccountNameInvalid');
    // An account only the data plane knows is someone else's.
    emulator.files.addAccount('takenelsewhere');
    assert.equal((await check('takenelsewhere')).reason, 'AlreadyExists');
  });

  it('creates an account as a long-running operation: 202 + Location, then 200', async () => {
    const account = await azure.storage.storageAccounts.create(RG, ACCOUNT, {
      location: 'westeurope',
      sku: { name: 'Standard_LRS' },
      kind: 'StorageV2',
      tags: { pool: 'team' },
    });
    assert.equal(account.provisioningState, 'Succeeded');
    assert.equal(account.name, ACCOUNT);
    assert.equal(account.sku?.tier, 'Standard');
    assert.deepEqual(account.tags, { pool: 'team' });
    fileEndpoint = account.primaryEndpoints?.file ?? '';
    assert.equal(fileEndpoint, `${emulator.files.url}/${ACCOUNT}/`);
    const put = emulator.requestsMatching(
      `PUT /subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/${TYPE}/${ACCOUNT}`,
    );
    assert.equal(put[0].status, 202);
    const polls = emulator.requests.filter((r) =>
      r.path.includes('/providers/Microsoft.Storage/locations/'),
    );
    assert.deepEqual(
      [...new Set(polls.map((r) => r.status))],
      [202, 200].slice(polls.length > 1 ? 0 : 1),
    );
    assert.equal(polls.at(-1)?.status, 200);
    assert.ok(emulator.files.hasAccount(ACCOUNT));

    const again = await azure.storage.storageAccounts.checkNameAvailability({
      name: ACCOUNT,
      type: TYPE,
    });
    assert.equal(again.reason, 'AlreadyExists');
    await azure.resources.resourceGroups.createOrUpdate('other-rg', { location: 'westeurope' });
    assert.deepEqual(
      await failure(
        azure.storage.storageAccounts.create('other-rg', ACCOUNT, {
          location: 'westeurope',
          sku: { name: 'Standard_LRS' },
          kind: 'StorageV2',
        }),
      ),
      { status: 409, code: 'StorageAccountAlreadyTaken' },
    );
    assert.deepEqual(
      await failure(
        azure.storage.storageAccounts.create(RG, 'Bad-Name', {
          location: 'westeurope',
          sku: { name: 'Standard_LRS' },
          kind: 'StorageV2',
        }),
      ),
      { status: 400, code: 'AccountNameInvalid' },
    );

    const got = await azure.storage.storageAccounts.getProperties(RG, ACCOUNT);
    assert.equal(got.primaryEndpoints?.file, fileEndpoint);
    assert.deepEqual(
      (await collect(azure.storage.storageAccounts.listByResourceGroup(RG))).map((a) => a.name),
      [ACCOUNT],
    );
    assert.deepEqual(
      (await collect(azure.storage.storageAccounts.list())).map((a) => a.name),
      [ACCOUNT],
    );
  });

  it('lists two keys that the data plane accepts at primaryEndpoints.file', async () => {
    const { keys } = await azure.storage.storageAccounts.listKeys(RG, ACCOUNT);
    assert.deepEqual(
      keys?.map((k) => [k.keyName, k.permissions]),
      [
        ['key1', 'FULL'],
        ['key2', 'FULL'],
      ],
    );
    key1 = keys?.[0].value ?? '';
    assert.equal(Buffer.from(key1, 'base64').length, 64);
    assert.deepEqual(await collect(dataPlane().listShares()), []);
    assert.deepEqual(await collect(dataPlane(keys?.[1].value).listShares()), []);
  });

  it('creates a share with a quota through ARM; the data plane has it, with the same bytes', async () => {
    const share = await azure.storage.fileShares.create(RG, ACCOUNT, 'home', {
      shareQuota: 100,
      enabledProtocols: 'SMB',
      metadata: { purpose: 'notebooks' },
    });
    assert.equal(share.shareQuota, 100);
    assert.equal(share.type, 'Microsoft.Storage/storageAccounts/fileServices/shares');
    const client = dataPlane().getShareClient('home');
    const props = await client.getProperties();
    assert.equal(props.quota, 100);
    assert.deepEqual(props.metadata, { purpose: 'notebooks' });
    assert.ok(existsSync(emulator.files.dataDir(ACCOUNT, 'home')), 'a real folder');

    await client
      .getDirectoryClient('')
      .getFileClient('registry.json')
      .uploadData(Buffer.alloc(4321, 1));
    const withStats = await azure.storage.fileShares.get(RG, ACCOUNT, 'home', { expand: 'stats' });
    assert.equal(withStats.shareUsageBytes, 4321);
    const plain = await azure.storage.fileShares.get(RG, ACCOUNT, 'home');
    assert.equal(plain.shareUsageBytes, undefined, 'usage only with $expand=stats');

    // A quota change through ARM is the data plane's quota.
    const updated = await azure.storage.fileShares.update(RG, ACCOUNT, 'home', { shareQuota: 200 });
    assert.equal(updated.shareQuota, 200);
    assert.equal((await client.getProperties()).quota, 200);
    // And the other way round.
    await client.setQuota(300);
    assert.equal((await azure.storage.fileShares.get(RG, ACCOUNT, 'home')).shareQuota, 300);
    // The protocol of a share is fixed.
    assert.equal(
      (
        await failure(
          azure.storage.fileShares.update(RG, ACCOUNT, 'home', { enabledProtocols: 'NFS' }),
        )
      ).status,
      400,
    );
  });

  it('shows shares made through the data plane, and deletes on either side', async () => {
    await dataPlane().createShare('scratch', { quota: 7 });
    const listed = await collect(azure.storage.fileShares.list(RG, ACCOUNT));
    assert.deepEqual(
      listed.map((s) => [s.name, s.shareQuota]),
      [
        ['home', 300],
        ['scratch', 7],
      ],
    );
    await azure.storage.fileShares.delete(RG, ACCOUNT, 'scratch');
    assert.equal(await dataPlane().getShareClient('scratch').exists(), false);
    assert.equal(existsSync(emulator.files.dataDir(ACCOUNT, 'scratch')), false);

    await dataPlane().createShare('temp');
    await dataPlane().deleteShare('temp');
    assert.deepEqual(await failure(azure.storage.fileShares.get(RG, ACCOUNT, 'temp')), {
      status: 404,
      code: 'ResourceNotFound',
    });
    const service = await azure.storage.fileServices.getServiceProperties(RG, ACCOUNT);
    assert.equal(service.name, 'default');
  });

  it('regenerates a key: the old one no longer signs', async () => {
    const { keys } = await azure.storage.storageAccounts.regenerateKey(RG, ACCOUNT, {
      keyName: 'key1',
    });
    const fresh = keys?.[0].value ?? '';
    assert.notEqual(fresh, key1);
    assert.deepEqual(await failure(dataPlane(key1).getShareClient('home').getProperties()), {
      status: 403,
      code: 'AuthenticationFailed',
    });
    key1 = fresh;
    assert.equal((await dataPlane().getShareClient('home').getProperties()).quota, 300);
  });

  it('deploys a template with a storage account, its file service and a share', async () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      parameters: { accountName: { type: 'string' } },
      resources: [
        {
          type: 'Microsoft.Storage/storageAccounts',
          apiVersion: '2023-05-01',
          name: "[parameters('accountName')]",
          location: '[resourceGroup().location]',
          sku: { name: 'Standard_LRS' },
          kind: 'StorageV2',
          properties: { minimumTlsVersion: 'TLS1_2' },
        },
        {
          type: 'Microsoft.Storage/storageAccounts/fileServices',
          apiVersion: '2023-05-01',
          name: "[concat(parameters('accountName'), '/default')]",
          dependsOn: [
            "[resourceId('Microsoft.Storage/storageAccounts', parameters('accountName'))]",
          ],
          properties: {},
        },
        {
          type: 'Microsoft.Storage/storageAccounts/fileServices/shares',
          apiVersion: '2023-05-01',
          name: "[concat(parameters('accountName'), '/default/home')]",
          dependsOn: [
            "[resourceId('Microsoft.Storage/storageAccounts/fileServices', parameters('accountName'), 'default')]",
          ],
          properties: { shareQuota: 512 },
        },
      ],
      outputs: {
        key: {
          type: 'string',
          value:
            "[listKeys(resourceId('Microsoft.Storage/storageAccounts', parameters('accountName')), '2023-05-01').keys[0].value]",
        },
        fileEndpoint: {
          type: 'string',
          value:
            "[reference(resourceId('Microsoft.Storage/storageAccounts', parameters('accountName')), '2023-05-01').primaryEndpoints.file]",
        },
      },
    };
    await azure.resources.resourceGroups.createOrUpdate('deployed-rg', { location: 'westeurope' });
    const deployment = await azure.deployments.deployments.createOrUpdate(
      'deployed-rg',
      'storage',
      {
        properties: {
          mode: 'Incremental',
          template,
          parameters: { accountName: { value: 'deployedfiles' } },
        },
      },
    );
    assert.equal(deployment.properties?.provisioningState, 'Succeeded');
    const outputs = deployment.properties?.outputs as Record<string, { value: string }>;
    const { keys } = await azure.storage.storageAccounts.listKeys('deployed-rg', 'deployedfiles');
    assert.equal(
      outputs.key.value,
      keys?.[0].value,
      "the template's listKeys is the account's key",
    );
    assert.equal(outputs.fileEndpoint.value, `${emulator.files.url}/deployedfiles/`);
    const share = new ShareServiceClient(
      outputs.fileEndpoint.value,
      new StorageSharedKeyCredential('deployedfiles', outputs.key.value),
    ).getShareClient('home');
    assert.equal((await share.getProperties()).quota, 512);
  });

  it('deletes an account with its data', async () => {
    await azure.storage.storageAccounts.delete(RG, ACCOUNT);
    assert.equal(emulator.files.hasAccount(ACCOUNT), false);
    assert.equal(existsSync(emulator.files.dataDir(ACCOUNT, 'home')), false);
    assert.deepEqual(await failure(azure.storage.storageAccounts.getProperties(RG, ACCOUNT)), {
      status: 404,
      code: 'ResourceNotFound',
    });
    const check = await azure.storage.storageAccounts.checkNameAvailability({
      name: ACCOUNT,
      type: TYPE,
    });
    assert.equal(check.nameAvailable, true);
  });
});
