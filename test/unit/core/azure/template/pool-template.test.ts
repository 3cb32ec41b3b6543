// Pool parameter validation (Azure's naming rules, counts, source ranges, keys), defaults,
// warnings, and the deployment parameters matching the template's declared parameters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, RpcError } from '../../../../../src/common/errors';
import {
  DEFAULT_IMAGE,
  buildDeploymentParameters,
  loadPoolTemplate,
  natPortRange,
  outboundPortsPerInstance,
  poolParameterWarnings,
  suggestDnsLabel,
} from '../../../../../src/core/azure/template/pool-template';
import { fieldLabel } from '../../../../../src/core/azure/template/pool-template-labels';
import { validatePoolParameters } from '../../../../../src/core/azure/template/pool-template-validation';
import {
  adminUsernameProblem,
  computerNamePrefixProblem,
  deriveComputerNamePrefix,
  dnsLabelProblem,
  fileShareNameProblem,
  poolNameProblem,
  resourceGroupProblem,
  storageAccountNameProblem,
} from '../../../../../src/core/azure/template/pool-template-names';
import { publicKey, validInput } from './pool-fixtures';

/** The error's details: field path → message. */
function refusal(input: unknown): { message: string; fields: Record<string, string> } {
  try {
    validatePoolParameters(input);
  } catch (err) {
    assert.ok(err instanceof RpcError, 'an RpcError');
    assert.equal(err.code, ErrorCode.BadInput);
    const details = err.details as Array<{ path: string[]; message: string }>;
    const fields = Object.fromEntries(details.map((d) => [d.path.join('.'), d.message]));
    // The sentence names each field by the wizard's label (the key when the wizard has none).
    for (const d of details) assert.ok(err.message.includes(fieldLabel(d.path)), d.path.join('.'));
    return { message: err.message, fields };
  }
  return assert.fail('expected the parameters to be refused');
}

describe('validatePoolParameters', () => {
  test('fills the defaults: DSVM image, D4s_v5, 0..3 instances starting with 1, prefix', () => {
    const p = validatePoolParameters(
      validInput({ poolName: 'Team_A.gpu', location: 'West Europe' }),
    );
    assert.deepEqual(p, {
      poolName: 'Team_A.gpu',
      location: 'westeurope',
      vmSize: 'Standard_D4s_v5',
      image: DEFAULT_IMAGE,
      instanceCount: 1,
      minInstances: 0,
      maxInstances: 3,
      singlePlacementGroup: true,
      computerNamePrefix: 'team-a-gpu',
      adminUsername: 'ana',
      sshPublicKey: publicKey('ed25519'),
      allowedSourceCidrs: ['203.0.113.0/24'],
      allowInternetSsh: false,
      dnsLabel: 'team-pool-x1y2z3',
      natFrontendPortStart: 50_000,
      osDiskType: 'StandardSSD_LRS',
      autoscaleEnabled: true,
      terminateNotBeforeTimeout: 'PT10M',
    });
  });

  test('the terminate notice: PT5M to PT15M (or minutes), refused beyond with its label', () => {
    for (const [given, normalized] of [
      ['PT5M', 'PT5M'],
      ['pt15m', 'PT15M'],
      [12, 'PT12M'],
    ] as const) {
      assert.equal(
        validatePoolParameters(validInput({ terminateNotBeforeTimeout: given }))
          .terminateNotBeforeTimeout,
        normalized,
      );
    }
    for (const bad of ['PT20M', 'PT4M', 'PT1H', '10 minutes', 0]) {
      const { message, fields } = refusal(validInput({ terminateNotBeforeTimeout: bad }));
      assert.match(fields.terminateNotBeforeTimeout, /must be 5 to 15 minutes/);
      assert.ok(message.includes('"Notice before an instance is removed" must be 5 to 15 minutes'));
    }
    assert.match(
      refusal(validInput({ terminateNotBeforeTimeout: 'PT20M' })).message,
      /"PT20M" is not/,
    );
  });

  test('validating normalized parameters again changes nothing', () => {
    const once = validatePoolParameters(
      validInput({
        location: 'North Europe',
        allowedSourceCidrs: ['198.51.100.7'],
        maxInstances: 250,
        storageAccountName: 'teamstore',
        fileShareName: 'team',
      }),
    );
    assert.deepEqual(validatePoolParameters(once), once);
  });

  test('names every wrong field in one error, each with what to do', () => {
    const { message, fields } = refusal({
      poolName: 'pool-',
      location: 'west-europe',
      vmSize: 'D4s_v5',
      adminUsername: 'Admin',
      sshPublicKey: 'ssh-rsa AAAA',
      allowedSourceCidrs: ['10.0.0.5/24'],
      dnsLabel: 'My-Pool',
      storageAccountName: 'Team-Store',
      fileShareName: 'team--share',
      adminPassword: 'hunter2',
      colour: 'blue',
    });
    assert.match(message, /^The pool's settings need changes: /);
    assert.deepEqual(Object.keys(fields).sort(), [
      'adminPassword',
      'adminUsername',
      'allowedSourceCidrs.0',
      'colour',
      'dnsLabel',
      'fileShareName',
      'location',
      'poolName',
      'sshPublicKey',
      'storageAccountName',
      'vmSize',
    ]);
    assert.match(fields.poolName, /must not end with "\." or "-"/);
    assert.match(fields.location, /Azure region name such as "westeurope"/);
    assert.match(fields.vmSize, /Standard_D4s_v5/);
    assert.match(fields.adminUsername, /reserved by Azure/);
    assert.match(fields.sshPublicKey, /damaged base64/);
    assert.match(fields['allowedSourceCidrs.0'], /did you mean 10\.0\.0\.0\/24/);
    assert.match(fields.dnsLabel, /lowercase/);
    assert.match(fields.storageAccountName, /3 to 24 lowercase letters and digits/);
    assert.match(fields.fileShareName, /single "-"/);
    assert.match(fields.adminPassword, /SSH keys only/);
    assert.match(fields.colour, /not a pool setting/);
  });

  test('refuses missing fields and wrong types by name', () => {
    const { fields } = refusal({
      location: 'westeurope',
      maxInstances: '3',
      allowedSourceCidrs: [],
    });
    for (const field of ['poolName', 'adminUsername', 'sshPublicKey', 'dnsLabel', 'maxInstances']) {
      assert.ok(field in fields, field);
    }
    assert.match(fields.allowedSourceCidrs, /at least one range/);
    assert.throws(() => validatePoolParameters(null), /must be an object/);
    assert.throws(() => validatePoolParameters([]), /must be an object/);
  });

  test('counts: min ≤ initial ≤ max, max ≤ 100 in one placement group and ≤ 1000 otherwise', () => {
    assert.match(
      refusal(validInput({ minInstances: 4, maxInstances: 2 })).fields.minInstances,
      /must not exceed "Most \(autoscale\)" \(2\)/,
    );
    assert.match(
      refusal(validInput({ minInstances: 1, maxInstances: 4, instanceCount: 5 })).fields
        .instanceCount,
      /between "Fewest \(autoscale\)" \(1\) and "Most \(autoscale\)" \(4\)/,
    );
    assert.match(
      refusal(validInput({ maxInstances: 101, singlePlacementGroup: true })).fields.maxInstances,
      /at most 100 while the pool keeps a single placement group/,
    );
    assert.match(refusal(validInput({ maxInstances: 1001 })).fields.maxInstances, /at most 1000/);
    assert.match(refusal(validInput({ maxInstances: 0 })).fields.maxInstances, /at least 1/);
    assert.match(refusal(validInput({ instanceCount: 1.5 })).fields.instanceCount, /whole number/);
    // Defaults follow what was given.
    const big = validatePoolParameters(validInput({ maxInstances: 500 }));
    assert.equal(big.singlePlacementGroup, false);
    const min2 = validatePoolParameters(validInput({ minInstances: 2 }));
    assert.deepEqual([min2.minInstances, min2.instanceCount, min2.maxInstances], [2, 2, 3]);
    const count5 = validatePoolParameters(validInput({ instanceCount: 5 }));
    assert.deepEqual([count5.instanceCount, count5.maxInstances], [5, 5]);
    const zero = validatePoolParameters(validInput({ instanceCount: 0 }));
    assert.equal(zero.instanceCount, 0);
  });

  test("errors name the wizard's field labels, not parameter names, and say what to do", () => {
    const { message } = refusal(validInput({ minInstances: 4, maxInstances: 2, dnsLabel: 'X' }));
    assert.match(
      message,
      /"Fewest \(autoscale\)" must not exceed "Most \(autoscale\)" \(2\) — lower it/,
    );
    assert.match(message, /"DNS label" /);
    assert.doesNotMatch(message, /minInstances|maxInstances|dnsLabel/);
    const range = refusal(validInput({ allowedSourceCidrs: ['203.0.113.0/24', '0.0.0.0/0'] }));
    assert.match(range.message, /"Who may reach SSH" range 2 .*tick "I accept 0\.0\.0\.0\/0"/);
    // A key the wizard does not know keeps its name: there is no label to give.
    assert.match(refusal(validInput({ colour: 'red' })).message, /colour is not a pool setting/);
  });

  test("SNAT ports: every instance the set can hold fits the public IP's 64,000", () => {
    for (const singlePlacementGroup of [true, false]) {
      const limit = singlePlacementGroup ? 100 : 1000;
      const ports = outboundPortsPerInstance({ singlePlacementGroup });
      assert.equal(ports % 8, 0, 'a multiple of 8');
      assert.ok(ports * limit <= 64_000, `${ports} × ${limit}`);
      assert.ok((ports + 8) * limit > 64_000, 'as many as fit');
    }
    // The template's own defaults follow singlePlacementGroup the same way.
    const template = loadPoolTemplate();
    assert.match(
      String(template.parameters.outboundPortsPerInstance.defaultValue),
      /if\(parameters\('singlePlacementGroup'\), 640, 64\)/,
    );
    assert.match(
      String(template.parameters.natFrontendPortEnd.defaultValue),
      /if\(parameters\('singlePlacementGroup'\), 99, 999\)/,
    );
  });

  test('the NAT range must fit below port 65534 for every possible instance', () => {
    assert.match(
      refusal(validInput({ natFrontendPortStart: 65_500 })).fields.natFrontendPortStart,
      /at most 65435/,
    );
    assert.match(
      refusal(validInput({ natFrontendPortStart: 22 })).fields.natFrontendPortStart,
      /1024/,
    );
    const p = validatePoolParameters(
      validInput({ natFrontendPortStart: 60_000, maxInstances: 200 }),
    );
    assert.deepEqual(natPortRange(p), { start: 60_000, end: 60_999 });
  });

  test('source ranges: canonical and deduplicated; the whole internet only with the flag', () => {
    const p = validatePoolParameters(
      validInput({ allowedSourceCidrs: ['198.51.100.7', '198.51.100.7/32', '203.0.113.0/24'] }),
    );
    assert.deepEqual(p.allowedSourceCidrs, ['198.51.100.7/32', '203.0.113.0/24']);
    const { fields } = refusal(validInput({ allowedSourceCidrs: ['203.0.113.0/24', '0.0.0.0/0'] }));
    assert.match(fields['allowedSourceCidrs.1'], /whole internet.*tick "I accept 0\.0\.0\.0\/0"/);
    assert.match(
      refusal(validInput({ allowedSourceCidrs: ['*'] })).fields['allowedSourceCidrs.0'],
      /whole internet/,
    );
    assert.match(
      refusal(validInput({ allowedSourceCidrs: ['2001:db8::/48'] })).fields['allowedSourceCidrs.0'],
      /IPv4 only/,
    );
    const open = validatePoolParameters(
      validInput({ allowedSourceCidrs: ['0.0.0.0/0'], allowInternetSsh: true }),
    );
    assert.deepEqual(open.allowedSourceCidrs, ['0.0.0.0/0']);
    assert.ok(poolParameterWarnings(open).some((w) => /whole internet/.test(w)));
  });

  test('SSH keys: ed25519 and RSA ≥ 2048 accepted; short RSA and ECDSA refused', () => {
    for (const kind of ['ed25519', 'rsa-2048'] as const) {
      const p = validatePoolParameters(validInput({ sshPublicKey: `  ${publicKey(kind)}\n` }));
      assert.equal(p.sshPublicKey, publicKey(kind));
    }
    assert.match(
      refusal(validInput({ sshPublicKey: publicKey('rsa-1024') })).fields.sshPublicKey,
      /2048/,
    );
    assert.match(
      refusal(validInput({ sshPublicKey: publicKey('ecdsa-256') })).fields.sshPublicKey,
      /ECDSA/,
    );
  });

  test('a marketplace plan is kept; storage names come in pairs', () => {
    const plan = { name: 'p', publisher: 'pub', product: 'prod' };
    const p = validatePoolParameters(
      validInput({ image: { publisher: 'pub', offer: 'prod', sku: 'p', plan } }),
    );
    assert.deepEqual(p.image, {
      publisher: 'pub',
      offer: 'prod',
      sku: 'p',
      version: 'latest',
      plan,
    });
    assert.match(
      refusal(validInput({ storageAccountName: 'teamstore' })).fields.fileShareName,
      /both/,
    );
    assert.match(
      refusal(validInput({ image: { ...DEFAULT_IMAGE, version: 'newest' } })).fields[
        'image.version'
      ],
      /latest/,
    );
  });

  test('an explicit computer name prefix is checked; a derived one is host-name safe', () => {
    assert.equal(
      validatePoolParameters(validInput({ computerNamePrefix: 'gpu' })).computerNamePrefix,
      'gpu',
    );
    assert.match(
      refusal(validInput({ computerNamePrefix: 'GPU_' })).fields.computerNamePrefix,
      /lowercase/,
    );
  });
});

describe('Azure naming rules', () => {
  test('pool (scale set) names', () => {
    for (const name of ['a', 'Team_A.gpu', 'pool-1', 'x_', 'a'.repeat(59)]) {
      assert.equal(poolNameProblem(name), undefined, name);
    }
    for (const name of [
      '',
      '-pool',
      '_pool',
      'pool.',
      'pool-',
      'my pool',
      'pool#1',
      'a'.repeat(60),
    ]) {
      assert.ok(poolNameProblem(name), name);
    }
  });

  test('computer name prefixes (Linux: Azure appends 6 characters to at most 58)', () => {
    for (const prefix of ['a', 'team-gpu', 'a'.repeat(58)]) {
      assert.equal(computerNamePrefixProblem(prefix), undefined, prefix);
    }
    for (const prefix of ['', '1pool', 'pool-', 'Pool', 'po_ol', 'a'.repeat(59)]) {
      assert.ok(computerNamePrefixProblem(prefix), prefix);
    }
    assert.equal(deriveComputerNamePrefix('Team_A.gpu'), 'team-a-gpu');
    assert.equal(deriveComputerNamePrefix('2024_pool'), 'pool');
    assert.equal(deriveComputerNamePrefix('___'), 'pool');
    assert.equal(deriveComputerNamePrefix('data-science-team-west'), 'data-science-te');
    assert.equal(deriveComputerNamePrefix('abcdefghijklmn-x'), 'abcdefghijklmn');
  });

  test('DNS labels, storage accounts, file shares, resource groups', () => {
    assert.equal(dnsLabelProblem('abc'), undefined);
    assert.equal(dnsLabelProblem(`a${'b'.repeat(61)}c`), undefined);
    for (const label of ['ab', '1abc', 'abc-', 'Abc', 'a_bc', `a${'b'.repeat(62)}c`]) {
      assert.ok(dnsLabelProblem(label), label);
    }
    assert.equal(storageAccountNameProblem('teamstore01'), undefined);
    for (const name of ['ab', 'Team', 'team-store', 'a'.repeat(25)]) {
      assert.ok(storageAccountNameProblem(name), name);
    }
    assert.equal(fileShareNameProblem('team-share-1'), undefined);
    for (const name of ['ab', '-share', 'share-', 'sh--are', 'Share', 'a'.repeat(64)]) {
      assert.ok(fileShareNameProblem(name), name);
    }
    assert.equal(resourceGroupProblem('rg-team(prod)_1.x'), undefined);
    assert.equal(resourceGroupProblem('équipe'), undefined);
    for (const name of ['', 'rg.', 'rg team', "rg'x", 'a'.repeat(91)]) {
      assert.ok(resourceGroupProblem(name), name);
    }
  });

  test("admin user names: Azure's reserved list, Ubuntu's system accounts, Linux syntax", () => {
    for (const name of ['ana', 'data_sci', '_svc', 'a1-b2', 'a'.repeat(32)]) {
      assert.equal(adminUsernameProblem(name), undefined, name);
    }
    for (const name of [
      'root',
      'admin',
      'Administrator',
      'test',
      'user1',
      'guest',
      'support_388945a0',
    ]) {
      assert.match(adminUsernameProblem(name) ?? '', /reserved by Azure/, name);
    }
    for (const name of ['daemon', 'sshd', 'nobody', 'www-data']) {
      assert.match(adminUsernameProblem(name) ?? '', /system account/, name);
    }
    for (const name of ['Ana', '1ana', '-ana', 'ana smith', 'a'.repeat(33), '']) {
      assert.match(adminUsernameProblem(name) ?? '', /lowercase/, name);
    }
  });
});

describe('poolParameterWarnings', () => {
  test('warns about private ranges, unknown regions and scale-to-zero', () => {
    const p = validatePoolParameters(
      validInput({ allowedSourceCidrs: ['10.0.0.0/8'], location: 'marsnorth' }),
    );
    const warnings = poolParameterWarnings(p).join('\n');
    assert.match(warnings, /10\.0\.0\.0\/8, a private range/);
    assert.match(warnings, /"marsnorth" is not a region this app knows/);
    assert.match(warnings, /Fewest \(autoscale\) is 0/);
    const quiet = validatePoolParameters(validInput({ minInstances: 1 }));
    assert.deepEqual(poolParameterWarnings(quiet), []);
  });
});

describe('suggestDnsLabel', () => {
  test('is a valid label made from the pool name and a random suffix', () => {
    const label = suggestDnsLabel('Team_A.gpu', () => 'ffffffffffff');
    assert.match(label, /^team-a-gpu-[0-9a-z]{6}$/);
    assert.equal(dnsLabelProblem(label), undefined);
    assert.notEqual(suggestDnsLabel('pool'), suggestDnsLabel('pool'));
    assert.equal(dnsLabelProblem(suggestDnsLabel('9')), undefined);
  });
});

describe('buildDeploymentParameters', () => {
  const template = loadPoolTemplate();

  function check(values: Record<string, { value: unknown }>) {
    for (const name of Object.keys(values)) {
      assert.ok(name in template.parameters, `${name} is not a parameter of pool.json`);
    }
    for (const [name, def] of Object.entries(template.parameters)) {
      assert.ok(
        name in values || 'defaultValue' in def,
        `pool.json's ${name} is neither provided nor defaulted`,
      );
      if (!(name in values)) continue;
      const value = values[name].value;
      const type = {
        string: 'string',
        securestring: 'string',
        int: 'number',
        bool: 'boolean',
        object: 'object',
        array: 'object',
      }[def.type];
      assert.equal(typeof value, type, `${name} is a ${def.type}`);
      if (def.type === 'array') assert.ok(Array.isArray(value), name);
      if (def.type === 'int') {
        assert.ok(Number.isInteger(value), name);
        if (typeof def.minValue === 'number') assert.ok((value as number) >= def.minValue, name);
        if (typeof def.maxValue === 'number') assert.ok((value as number) <= def.maxValue, name);
      }
      const length = (value as { length?: number }).length;
      if (typeof def.minLength === 'number') assert.ok((length ?? 0) >= def.minLength, name);
      if (typeof def.maxLength === 'number') assert.ok((length ?? 0) <= def.maxLength, name);
      if (Array.isArray(def.allowedValues)) assert.ok(def.allowedValues.includes(value), name);
    }
  }

  test('provides every parameter without a default, and no unknown one, with the declared types', () => {
    const minimal = validatePoolParameters(validInput());
    check(buildDeploymentParameters(minimal));
    const full = validatePoolParameters(
      validInput({
        maxInstances: 1000,
        storageAccountName: 'teamstore',
        fileShareName: 'team',
        shareQuotaGiB: 512,
        agentBundleUri: 'https://teamstore.file.core.windows.net/team/dsvm-pool-agent.js?sig=x',
        image: { ...DEFAULT_IMAGE, plan: { name: 'a', publisher: 'b', product: 'c' } },
      }),
    );
    const values = buildDeploymentParameters(full);
    check(values);
    check(
      buildDeploymentParameters(
        validatePoolParameters(
          validInput({
            storageAccountName: 'teamstore',
            fileShareName: 'team',
            storageResourceGroup: 'rg-storage',
          }),
        ),
      ),
    );
    assert.equal(values.storageAccountName.value, 'teamstore');
    assert.equal(values.shareQuotaGiB.value, 512);
    assert.deepEqual(values.imagePlan.value, { name: 'a', publisher: 'b', product: 'c' });
    assert.equal(values.natFrontendPortEnd.value, 50_999);
    assert.equal(values.outboundPortsPerInstance.value, 64);
  });

  test('carries no secret and the SSH key is the public line', () => {
    const values = buildDeploymentParameters(validatePoolParameters(validInput()));
    for (const name of Object.keys(values)) {
      assert.doesNotMatch(name, /password|secret|accountkey|token/i, name);
    }
    assert.match(String(values.sshPublicKey.value), /^ssh-ed25519 AAAA/);
    assert.equal(values.imagePlan.value && Object.keys(values.imagePlan.value).length, 0);
    assert.equal('storageAccountName' in values, false);
  });
});
