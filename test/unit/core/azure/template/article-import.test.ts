// Import of the article's dsvm-vmss-cluster.parameters.json: what maps, what is left, what is
// refused, and clear errors for other files.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, RpcError } from '../../../../../src/common/errors';
import { importArticleParameters } from '../../../../../src/core/azure/template/article-import';
import { validatePoolParameters } from '../../../../../src/core/azure/template/pool-template-validation';
import { validInput } from './pool-fixtures';

/** The article's sample file (Azure/DataScienceVM), filled in as an admin would. */
const ARTICLE_FILE = `{
  "$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
     "adminUsername": {"value" : "dsvmuser"},
     "adminPassword": { "value" :"Sup3r-Secret!" },
     "vmssName": { "value" :"dsvmpool" },
     "vmSku": { "value" :"Standard_D2s_v3" },
     "storageAccountKey": { "value" :"c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5AA==" },
     "storageAccountName": { "value" :"teamstore"},
     "instanceCount": { "value" : 2 }\t ,
\t "shareName": { "value" : "dsvmshare"},
\t "mountpointPath" : {"value" : "/mnt/dsvmshare"}
  }
}
`;

function rejects(input: unknown, pattern: RegExp) {
  assert.throws(
    () => importArticleParameters(input),
    (err: unknown) => {
      assert.ok(err instanceof RpcError);
      assert.equal(err.code, ErrorCode.BadInput);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('importArticleParameters', () => {
  test("maps the article's parameters and explains the rest", () => {
    const result = importArticleParameters(ARTICLE_FILE);
    assert.deepEqual(result.parameters, {
      poolName: 'dsvmpool',
      vmSize: 'Standard_D2s_v3',
      adminUsername: 'dsvmuser',
      storageAccountName: 'teamstore',
      fileShareName: 'dsvmshare',
      instanceCount: 2,
      maxInstances: 2,
    });
    assert.deepEqual(result.mapped.sort(), [
      'adminUsername',
      'instanceCount',
      'shareName',
      'storageAccountName',
      'vmSku',
      'vmssName',
    ]);
    assert.deepEqual(result.refused, [
      { name: 'adminPassword', reason: 'the pool uses SSH keys only; add your SSH public key' },
    ]);
    const notMapped = Object.fromEntries(result.notMapped.map((n) => [n.name, n.reason]));
    assert.deepEqual(Object.keys(notMapped).sort(), ['mountpointPath', 'storageAccountKey']);
    assert.match(notMapped.storageAccountKey, /protected settings/);
    assert.match(notMapped.mountpointPath, /notebooks\/<user> linked to ~\/notebooks\/remote/);
  });

  test('never carries the password or the storage key into the parameters', () => {
    const result = importArticleParameters(ARTICLE_FILE);
    const text = JSON.stringify(result);
    assert.doesNotMatch(text, /Sup3r-Secret/);
    assert.doesNotMatch(text, /c2VjcmV0a2V5/);
  });

  test('the imported values, with the SSH key and ranges added, make a valid pool', () => {
    const { parameters } = importArticleParameters(ARTICLE_FILE);
    const pool = validatePoolParameters({ ...validInput(), ...parameters });
    assert.equal(pool.poolName, 'dsvmpool');
    assert.equal(pool.fileShareName, 'dsvmshare');
    assert.deepEqual([pool.instanceCount, pool.maxInstances], [2, 2]);
  });

  test('accepts parsed JSON, case-insensitive names, fileShareName and string counts', () => {
    const result = importArticleParameters({
      parameters: {
        VMSSNAME: { value: 'pool2' },
        fileShareName: { value: 'share2' },
        instanceCount: { value: '3' },
        ADMINPASSWORD: { reference: { keyVault: { id: '/x' }, secretName: 'pw' } },
      },
    });
    assert.deepEqual(result.parameters, {
      poolName: 'pool2',
      fileShareName: 'share2',
      instanceCount: 3,
      maxInstances: 3,
    });
    assert.deepEqual(result.mapped, ['VMSSNAME', 'fileShareName', 'instanceCount']);
    assert.equal(result.refused[0].name, 'ADMINPASSWORD');
  });

  test("leaves out the sample's placeholders, unknown names, Key Vault references and bad values", () => {
    const result = importArticleParameters({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      parameters: {
        vmssName: { value: 'GEN-UNIQUE-8' },
        storageAccountName: { value: 'ENTER-YO-STORAGEACCT' },
        shareName: { value: 'YOUR-AZURE-FILES-SHARE' },
        location: { value: 'westeurope' },
        vmSku: { reference: { keyVault: { id: '/kv' }, secretName: 'size' } },
        instanceCount: { value: -1 },
        adminUsername: { value: 42 },
        storageAccountKey: { value: 'ENTER-YO-KEY' },
      },
    });
    assert.deepEqual(result.parameters, {});
    assert.deepEqual(result.mapped, []);
    const reasons = Object.fromEntries(result.notMapped.map((n) => [n.name, n.reason]));
    assert.match(reasons.vmssName, /placeholder "GEN-UNIQUE-8"/);
    assert.match(reasons.storageAccountName, /placeholder/);
    assert.match(reasons.shareName, /placeholder/);
    assert.match(reasons.location, /not a parameter of the article's template/);
    assert.match(reasons.vmSku, /Key Vault reference/);
    assert.match(reasons.instanceCount, /whole number/);
    assert.match(reasons.adminUsername, /not text/);
    assert.match(reasons.storageAccountKey, /protected settings/);
  });

  test('says clearly when the file is not JSON or not a parameters file', () => {
    rejects('{ "parameters": { ', /not valid JSON/);
    rejects('\uFEFF[1, 2]', /not an ARM parameters file/);
    rejects(42, /not an ARM parameters file/);
    rejects({ contentVersion: '1.0.0.0' }, /no "parameters" object/);
    rejects(
      {
        $schema: 'https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#',
        parameters: { vmssName: { type: 'string' } },
        resources: [],
      },
      /the article's template .* not its parameters file/,
    );
    rejects(
      { $schema: 'https://json.schemastore.org/package.json', parameters: {} },
      /not an ARM deployment parameters schema/,
    );
  });
});
