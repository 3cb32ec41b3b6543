// The pool's storage and the agent's extension (pool.json 1.1, its own Node.js since 1.2): the new parameters and their
// validation, the deployment rendered by the Azure emulator's template engine (storage account,
// share with its quota, the CustomScript extension whose public settings hold nothing secret),
// the installer script's own rules, and az previews that never show the bundle's SAS URL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { ErrorCode, RpcError } from '../../../../../src/common/errors';
import {
  assertNoSecretParameters,
  azDeployPool,
} from '../../../../../src/core/azure/pools/pool-az';
import {
  type PoolParameters,
  buildDeploymentParameters,
  loadPoolTemplate,
  poolParameterWarnings,
} from '../../../../../src/core/azure/template/pool-template';
import { validatePoolParameters } from '../../../../../src/core/azure/template/pool-template-validation';
import {
  SECRET_DEPLOYMENT_PARAMETERS,
  agentBundleUriProblem,
  looksLikeSecretUrl,
  redactDeploymentParameters,
} from '../../../../../src/core/azure/template/pool-template-storage';
import { agentRuntimePackage } from '../../../../../src/core/agent-runtime';
import { idKey } from '../../../../emulators/azure/resource-ids';
import { TemplateEvaluation } from '../../../../emulators/azure/template-engine';
import { validInput } from './pool-fixtures';

type Json = Record<string, unknown>;

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const RG = 'rg-team';
const KEY = Buffer.alloc(64, 42).toString('base64');
const SAS =
  'https://teamstore.file.core.windows.net/team-share/.pool/agent/dsvm-pool-agent.js?sv=2024-11-04&sr=f&sp=r&se=2030-01-01T00%3A00%3A00Z&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';

const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Json | undefined)?.[k], value);

/** The fields of a refusal: path → message, and the whole message. */
function refusal(input: unknown): { message: string; fields: Record<string, string> } {
  try {
    validatePoolParameters(input);
  } catch (err) {
    assert.ok(err instanceof RpcError);
    assert.equal(err.code, ErrorCode.BadInput);
    const details = err.details as Array<{ path: string[]; message: string }>;
    return {
      message: err.message,
      fields: Object.fromEntries(details.map((d) => [d.path.join('.'), d.message])),
    };
  }
  return assert.fail('expected the parameters to be refused');
}

const storage = (extra: Json = {}) =>
  validInput({ storageAccountName: 'teamstore', fileShareName: 'team-share', ...extra });

/** The deployment as the emulator's engine renders it; listKeys() answers KEY and is recorded. */
function render(params: PoolParameters) {
  const listKeys: string[] = [];
  const evaluation = new TemplateEvaluation(
    loadPoolTemplate() as unknown as Json,
    buildDeploymentParameters(params),
    {
      subscriptionId: SUBSCRIPTION,
      subscriptionName: 'Team',
      tenantId: '00000000-0000-0000-0000-0000000000aa',
      resourceGroup: {
        id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}`,
        name: RG,
        location: 'westeurope',
      },
      deploymentName: 'dsvm-pool-team-pool',
      origin: 'https://management.azure.com',
    },
    {
      // The full view (the scale set's, for the instance role's assignment) has its identity.
      reference: () => ({
        identity: { type: 'SystemAssigned', principalId: '11111111-2222-3333-4444-555555555555' },
        properties: { ipAddress: '20.0.0.1', dnsSettings: { fqdn: 'x' } },
      }),
      listKeys: (id) => {
        listKeys.push(id);
        return { keys: [{ keyName: 'key1', value: KEY, permissions: 'FULL' }] };
      },
    },
  );
  const resources = evaluation.resources.map((r) => ({
    id: r.id,
    type: r.type,
    name: r.name,
    dependsOn: r.dependsOn,
    body: evaluation.evaluateResource(r),
  }));
  const of = (type: string) => resources.filter((r) => r.type === type);
  const vmss = of('Microsoft.Compute/virtualMachineScaleSets')[0];
  const extensions = get(
    vmss.body,
    'properties.virtualMachineProfile.extensionProfile.extensions',
  ) as Json[];
  return { resources, of, vmss, extensions, listKeys };
}

/** The installer script the extension carries, decoded. */
function scriptOf(extension: Json): string {
  const encoded = get(extension, 'properties.protectedSettings.script');
  assert.equal(typeof encoded, 'string');
  return Buffer.from(encoded as string, 'base64').toString('utf8');
}

describe('pool parameters: storage and the agent', () => {
  test('storage names alone: the template creates Standard_LRS storage with a 100 GiB share', () => {
    const p = validatePoolParameters(storage());
    assert.equal(p.createStorage, true);
    assert.equal(p.storageSku, 'Standard_LRS');
    assert.equal(p.shareQuotaGiB, 100);
    assert.equal(p.agentBundleUri, undefined);
    assert.equal(p.storageResourceGroup, undefined);
    assert.deepEqual(validatePoolParameters(p), p, 'validating again changes nothing');
    const values = buildDeploymentParameters(p);
    assert.equal(values.createStorage.value, true);
    assert.equal(values.storageSku.value, 'Standard_LRS');
    assert.equal(values.shareQuotaGiB.value, 100);
    assert.equal('agentBundleUri' in values, false);
  });

  test('an existing account elsewhere: createStorage defaults to false with storageResourceGroup', () => {
    const p = validatePoolParameters(storage({ storageResourceGroup: 'rg-storage' }));
    assert.equal(p.createStorage, false);
    assert.equal(p.storageResourceGroup, 'rg-storage');
    assert.equal(p.storageSku, undefined);
    assert.equal(p.shareQuotaGiB, undefined);
    assert.deepEqual(validatePoolParameters(p), p);
    const values = buildDeploymentParameters(p);
    assert.equal(values.createStorage.value, false);
    assert.equal(values.storageResourceGroup.value, 'rg-storage');
    assert.equal('storageSku' in values, false);
    const same = validatePoolParameters(storage({ createStorage: false }));
    assert.equal(same.createStorage, false);
    assert.equal(same.storageResourceGroup, undefined, "the pool's own resource group");
  });

  test('SKU, quota and bundle URL are kept; no storage field is sent without storage', () => {
    const p = validatePoolParameters(
      storage({ storageSku: 'Standard_ZRS', shareQuotaGiB: 10_240, agentBundleUri: SAS }),
    );
    assert.equal(p.storageSku, 'Standard_ZRS');
    assert.equal(p.shareQuotaGiB, 10_240);
    assert.equal(p.agentBundleUri, SAS);
    assert.equal(buildDeploymentParameters(p).agentBundleUri.value, SAS);
    const none = buildDeploymentParameters(validatePoolParameters(validInput()));
    for (const name of [
      'createStorage',
      'storageResourceGroup',
      'storageSku',
      'shareQuotaGiB',
      'agentBundleUri',
    ]) {
      assert.equal(name in none, false, name);
    }
  });

  test('refuses storage-only fields without storage, and creation-only fields for an existing account', () => {
    const alone = refusal(
      validInput({ createStorage: true, shareQuotaGiB: 5, agentBundleUri: SAS }),
    ).fields;
    assert.match(alone.createStorage, /only with "Storage account" and "File share"/);
    assert.match(alone.shareQuotaGiB, /only with "Storage account" and "File share"/);
    assert.match(alone.agentBundleUri, /only with "Storage account" and "File share"/);
    const existing = refusal(
      storage({ createStorage: false, storageSku: 'Standard_GRS', shareQuotaGiB: 5 }),
    ).fields;
    assert.match(existing.storageSku, /only when the template creates the storage/);
    assert.match(existing.shareQuotaGiB, /existing account and share keep their own/);
    assert.match(
      refusal(storage({ createStorage: true, storageResourceGroup: 'rg-storage' })).fields
        .storageResourceGroup,
      /pool's own resource group/,
    );
    assert.match(
      refusal(storage({ storageResourceGroup: 'bad/group', createStorage: false })).fields
        .storageResourceGroup,
      /1 to 90/,
    );
  });

  test('a share named "notebooks" is refused: the admin\'s ~/notebooks is taken', () => {
    assert.match(
      refusal(storage({ fileShareName: 'notebooks' })).fields.fileShareName,
      /must not be "notebooks"/,
    );
  });

  test('quota: a whole number of GiB from 1 to 102400; SKU: one of the standard ones', () => {
    assert.equal(validatePoolParameters(storage({ shareQuotaGiB: 1 })).shareQuotaGiB, 1);
    assert.equal(
      validatePoolParameters(storage({ shareQuotaGiB: 102_400 })).shareQuotaGiB,
      102_400,
    );
    assert.match(refusal(storage({ shareQuotaGiB: 0 })).fields.shareQuotaGiB, /at least 1 GiB/);
    assert.match(
      refusal(storage({ shareQuotaGiB: 102_401 })).fields.shareQuotaGiB,
      /at most 102400/,
    );
    assert.match(refusal(storage({ shareQuotaGiB: 1.5 })).fields.shareQuotaGiB, /whole number/);
    assert.match(refusal(storage({ shareQuotaGiB: '100' })).fields.shareQuotaGiB, /whole number/);
    assert.match(
      refusal(storage({ storageSku: 'Premium_LRS' })).fields.storageSku,
      /Standard_LRS, Standard_ZRS, Standard_GRS, Standard_GZRS/,
    );
  });

  test('agentBundleUri: https, no user:password, named dsvm-pool-agent.js; never echoed', () => {
    const bad: Array<[string, RegExp]> = [
      [SAS.replace('https:', 'http:'), /must be an https URL/],
      ['ftp://host/dsvm-pool-agent.js?sig=zzsecret', /must be an https URL/],
      ['https://ana:zzsecret@host/dsvm-pool-agent.js', /user name or password/],
      ['https://host/agent.js?sig=zzsecret', /named dsvm-pool-agent\.js/],
      ['https://host/dsvm-pool-agent.js?sig=zz secret', /without spaces/],
      ['not a url zzsecret', /without spaces|https URL/],
      ['zzsecret', /https URL/],
    ];
    for (const [uri, why] of bad) {
      const { message, fields } = refusal(storage({ agentBundleUri: uri }));
      assert.match(fields.agentBundleUri, why, uri);
      assert.doesNotMatch(message, /zzsecret/, 'the message never repeats the URL');
      assert.doesNotMatch(JSON.stringify(fields), /zzsecret/);
    }
    assert.equal(agentBundleUriProblem(SAS), undefined);
    assert.equal(
      agentBundleUriProblem('https://example.com/releases/dsvm-pool-agent.js'),
      undefined,
    );
    assert.match(refusal(storage({ agentBundleUri: 42 })).fields.agentBundleUri, /https URL/);
  });

  test('warnings name the storage the template creates and the bundle to upload', () => {
    const warnings = poolParameterWarnings(
      validatePoolParameters(storage({ minInstances: 1 })),
    ).join('\n');
    assert.match(warnings, /creates \(or.*updates\) storage account teamstore/);
    assert.match(warnings, /teamstore\/team-share\/\.pool\/agent\/dsvm-pool-agent\.js/);
    const quiet = poolParameterWarnings(
      validatePoolParameters(
        storage({ minInstances: 1, createStorage: false, agentBundleUri: SAS }),
      ),
    );
    assert.deepEqual(quiet, []);
    assert.doesNotMatch(
      poolParameterWarnings(validatePoolParameters(storage({ agentBundleUri: SAS }))).join('\n'),
      /sig=|c2VjcmV0/,
    );
  });
});

describe('pool.json rendered: storage and the agent extension', () => {
  const withStorage = render(validatePoolParameters(storage({ agentBundleUri: SAS })));

  test('creates a StorageV2 account (TLS 1.2, HTTPS only, no public blobs) and the share with its quota', () => {
    const [account] = withStorage.of('Microsoft.Storage/storageAccounts');
    assert.equal(account.name, 'teamstore');
    assert.equal(account.body.kind, 'StorageV2');
    assert.deepEqual(account.body.sku, { name: 'Standard_LRS' });
    assert.equal(account.body.location, 'westeurope');
    assert.equal(get(account.body, 'tags.dsvm-pool'), 'team-pool');
    const props = account.body.properties as Json;
    assert.equal(props.minimumTlsVersion, 'TLS1_2');
    assert.equal(props.allowBlobPublicAccess, false);
    assert.equal(props.supportsHttpsTrafficOnly, true);
    // Not set (null) up to 5120 GiB: an account that has large file shares cannot turn them off.
    assert.equal(props.largeFileSharesState, null);
    const [share] = withStorage.of('Microsoft.Storage/storageAccounts/fileServices/shares');
    assert.equal(share.name, 'teamstore/default/team-share');
    assert.deepEqual(share.body.properties, { shareQuota: 100, enabledProtocols: 'SMB' });
    assert.deepEqual(share.dependsOn, [idKey(account.id)]);
    // The scale set (and so every instance's extension) waits for both.
    assert.ok(withStorage.vmss.dependsOn.includes(idKey(account.id)));
    assert.ok(withStorage.vmss.dependsOn.includes(idKey(share.id)));

    const big = render(
      validatePoolParameters(storage({ storageSku: 'Standard_ZRS', shareQuotaGiB: 20_000 })),
    );
    const [bigAccount] = big.of('Microsoft.Storage/storageAccounts');
    assert.deepEqual(bigAccount.body.sku, { name: 'Standard_ZRS' });
    assert.equal(get(bigAccount.body, 'properties.largeFileSharesState'), 'Enabled');
    const [bigShare] = big.of('Microsoft.Storage/storageAccounts/fileServices/shares');
    assert.equal(get(bigShare.body, 'properties.shareQuota'), 20_000);
  });

  test("the scale set model's extensionProfile has the CustomScript agent extension", () => {
    assert.equal(withStorage.extensions.length, 1);
    const [ext] = withStorage.extensions;
    assert.equal(ext.name, 'dsvm-pool-agent');
    const p = ext.properties as Json;
    assert.equal(p.publisher, 'Microsoft.Azure.Extensions');
    assert.equal(p.type, 'CustomScript');
    assert.equal(p.typeHandlerVersion, '2.1');
    assert.equal(p.autoUpgradeMinorVersion, true);
    assert.deepEqual(withStorage.listKeys, [
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/teamstore`,
    ]);
  });

  test('public settings are empty; protectedSettings hold the key (in the script) and the SAS URL', () => {
    const [ext] = withStorage.extensions;
    const p = ext.properties as Json;
    assert.deepEqual(p.settings, {});
    const secretFree = structuredClone(withStorage.vmss.body);
    const exts = get(secretFree, 'properties.virtualMachineProfile.extensionProfile.extensions');
    for (const e of exts as Json[]) delete (e.properties as Json).protectedSettings;
    const publicText = JSON.stringify(secretFree);
    for (const secret of [KEY, SAS, 'sig=', Buffer.from(KEY).toString('base64')]) {
      assert.ok(!publicText.includes(secret), `the public model holds ${secret.slice(0, 12)}…`);
    }
    const protectedSettings = p.protectedSettings as Json;
    assert.deepEqual(protectedSettings.fileUris, [SAS]);
    assert.deepEqual(Object.keys(protectedSettings).sort(), ['fileUris', 'script']);
    const script = scriptOf(ext);
    assert.ok(script.includes(`POOL_STORAGE_KEY='${KEY}'`));
    // No other resource carries either secret.
    for (const r of withStorage.resources.filter((x) => x !== withStorage.vmss)) {
      const text = JSON.stringify(r.body);
      assert.ok(!text.includes(KEY) && !text.includes('sig='), r.type);
    }
    // Without a bundle URL there is nothing to download.
    const noUri = render(validatePoolParameters(storage()));
    assert.deepEqual(get(noUri.extensions[0], 'properties.protectedSettings.fileUris'), []);
  });

  test('the script writes agent.json for the share and pipes the key to install on stdin', () => {
    const script = scriptOf(withStorage.extensions[0]);
    const lines = script.split('\n');
    assert.equal(lines[0], '#!/bin/bash');
    // Tracing is off before the key is set, and the key is set once, never exported.
    const keyLine = lines.findIndex((l) => l.includes(KEY));
    assert.ok(keyLine > lines.indexOf('set +x'));
    assert.equal(lines.filter((l) => l.includes(KEY)).length, 1);
    assert.doesNotMatch(script, /export POOL_STORAGE_KEY|set -x|set -o xtrace/);
    // The key only ever goes into a pipe or the temporary credentials file, with builtins.
    const uses = lines.filter((l) => l.includes('$POOL_STORAGE_KEY'));
    assert.deepEqual(
      uses.map((l) => l.trim().split(' ')[0]),
      uses.map(() => 'printf'),
    );
    assert.ok(
      uses.some((l) =>
        /printf '%s' "\$POOL_STORAGE_KEY" \| "\$NODE" "\$BUNDLE" install --config "\$WORK\/agent\.json" --storage-key-stdin/.test(
          l,
        ),
      ),
    );
    assert.doesNotMatch(script, /echo[^\n]*POOL_STORAGE_KEY/);
    const config = /<<'DSVM_POOL_AGENT_JSON'\n(.*)\nDSVM_POOL_AGENT_JSON\n/.exec(script)?.[1];
    assert.ok(config, 'agent.json is a quoted heredoc');
    assert.deepEqual(JSON.parse(config), {
      version: 1,
      share: {
        protocol: 'smb',
        source: '//teamstore.file.core.windows.net/team-share',
        mountPoint: '/mnt/dsvm-pool',
        account: 'teamstore',
      },
      shareName: 'team-share',
      adminUser: 'ana',
    });
    assert.match(
      script,
      /^POOL_SHARE_SOURCE='\/\/teamstore\.file\.core\.windows\.net\/team-share'$/m,
    );
    assert.match(script, /apt-get .*install -y .*"\$@"/);
    assert.match(script, /apt_install cifs-utils/);
    // No Node.js from apt (Ubuntu 22.04's is 12): the agent brings its own.
    assert.doesNotMatch(script, /apt_install nodejs/);
    const bash = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    assert.equal(bash.status, 0, bash.stderr);
  });

  test("the script installs the agent's own Node.js: pinned sha512 per arch, checked before unpacking", () => {
    const x64 = agentRuntimePackage('x64');
    const arm64 = agentRuntimePackage('arm64');
    const values = buildDeploymentParameters(validatePoolParameters(storage()));
    assert.equal(values.agentRuntimeVersion.value, x64.version);
    assert.equal(values.agentRuntimeSha512X64.value, x64.sha512);
    assert.equal(values.agentRuntimeSha512Arm64.value, arm64.sha512);
    assert.equal(
      'agentRuntimeVersion' in buildDeploymentParameters(validatePoolParameters(validInput())),
      false,
    );

    const script = scriptOf(withStorage.extensions[0]);
    assert.match(script, new RegExp(`^RT_VERSION='${x64.version.replace(/\./g, '\\.')}'$`, 'm'));
    assert.match(script, new RegExp(`^RT_SHA512_X64='${x64.sha512}'$`, 'm'));
    assert.match(script, new RegExp(`^RT_SHA512_ARM64='${arm64.sha512}'$`, 'm'));
    assert.match(script, /x86_64\|amd64\) RT_ARCH=x64; RT_SHA512=\$RT_SHA512_X64/);
    assert.match(script, /RT_FILE=node-linux-\$RT_ARCH-\$RT_VERSION\.tgz/);
    // The tarball from the share is checked before anything of it runs, then swapped in whole.
    const lines = script.split('\n');
    const check = lines.findIndex((l) => l.includes('sha512sum < "$RT_TGZ"'));
    const unpack = lines.findIndex((l) => l.trim().startsWith('tar -xzf "$RT_TGZ"'));
    assert.ok(check > 0 && unpack > check, 'sha512 checked before tar');
    assert.match(lines[check + 1]!, /test "\$got" = "\$RT_SHA512" \|\| fail /);
    assert.match(script, /package\/bin\/node package\/LICENSE/);
    assert.match(script, /^RUNTIME=\$LIB\/node$/m);
    assert.match(script, /NODE=\$RUNTIME\/bin\/node/);
    assert.match(script, /falling back to this image's Node\.js 18\+/);

    // Without the pinned values (pool.json deployed by hand), the image's Node.js is the fallback.
    const template = loadPoolTemplate();
    for (const name of [
      'agentRuntimeVersion',
      'agentRuntimeSha512X64',
      'agentRuntimeSha512Arm64',
    ]) {
      assert.equal(template.parameters[name]?.type, 'string', name);
      assert.equal(template.parameters[name]?.defaultValue, '', name);
    }
  });

  test('no script line can be taken for an ARM expression', () => {
    const template = loadPoolTemplate();
    for (const name of ['agentScriptPreamble', 'agentScriptBody']) {
      const lines = template.variables[name] as string[];
      assert.ok(Array.isArray(lines) && lines.length > 0, name);
      for (const line of lines) assert.ok(!line.startsWith('['), `${name}: ${line}`);
    }
  });

  test('an existing account: no storage resources, the key read from its resource group', () => {
    const existing = render(
      validatePoolParameters(storage({ storageResourceGroup: 'rg-storage' })),
    );
    assert.equal(existing.of('Microsoft.Storage/storageAccounts').length, 0);
    assert.equal(existing.of('Microsoft.Storage/storageAccounts/fileServices/shares').length, 0);
    assert.equal(existing.extensions.length, 1);
    assert.deepEqual(existing.listKeys, [
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/teamstore`,
    ]);
    assert.ok(existing.vmss.dependsOn.every((d) => !d.includes('microsoft.storage')));
  });

  test('without storage: no storage resource, no extension, no listKeys (as before)', () => {
    const bare = render(validatePoolParameters(validInput()));
    assert.equal(bare.resources.filter((r) => r.type.startsWith('Microsoft.Storage')).length, 0);
    assert.deepEqual(bare.extensions, []);
    assert.deepEqual(bare.listKeys, []);
    assert.equal(get(bare.vmss.body, 'tags.dsvm-pool-storage-account'), '');
  });
});

describe('az previews and secret parameters', () => {
  test('az deployment shows a placeholder for the bundle URL, never the SAS', () => {
    const params = validatePoolParameters(storage({ agentBundleUri: SAS }));
    const cmd = azDeployPool({ resourceGroup: 'rg-team', params });
    assert.ok(cmd.args.includes('agentBundleUri=<SAS URL of the agent bundle>'));
    assert.match(cmd.shell, / 'agentBundleUri=<SAS URL of the agent bundle>'/);
    assert.ok(cmd.args.includes('shareQuotaGiB=100'));
    assert.ok(cmd.args.includes('createStorage=true'));
    for (const text of [cmd.shell, ...cmd.args, cmd.summary]) {
      assert.doesNotMatch(text, /sig=|c2VjcmV0|se=2030/);
    }
    const plain = azDeployPool({
      resourceGroup: 'rg-team',
      params: validatePoolParameters(storage()),
    });
    assert.ok(!plain.args.some((a) => a.startsWith('agentBundleUri=')));
  });

  test('a SAS-looking value is refused on a command line whatever its name', () => {
    assert.throws(
      () => assertNoSecretParameters({ bundle: { value: SAS }, poolName: { value: 'p' } }),
      /Refusing to put secret parameters on a command line: bundle/,
    );
    assert.throws(
      () => assertNoSecretParameters({ mirror: { value: 'https://u:p@host/x' } }),
      /mirror/,
    );
    assert.doesNotThrow(() =>
      assertNoSecretParameters({ site: { value: 'https://example.com/?q=se' } }),
    );
    assert.equal(looksLikeSecretUrl(SAS), true);
    assert.equal(looksLikeSecretUrl('https://example.com/dsvm-pool-agent.js'), false);
    const redacted = redactDeploymentParameters({
      agentBundleUri: { value: SAS },
      poolName: { value: 'p' },
    });
    assert.deepEqual(redacted, {
      agentBundleUri: { value: SECRET_DEPLOYMENT_PARAMETERS.agentBundleUri },
      poolName: { value: 'p' },
    });
  });
});
