// ARM template expressions: parsing (strings, escapes, nesting, indexes) and the functions a pool
// template uses, evaluated as ARM evaluates them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateError } from '../../../emulators/azure/template-error';
import {
  evaluateExpression,
  evaluateValue,
  type TemplateContext,
} from '../../../emulators/azure/template-expressions';

function context(overrides: Partial<TemplateContext> = {}): TemplateContext {
  const params: Record<string, unknown> = {
    name: 'Pool',
    count: 3,
    ranges: ['10.0.0.0/8', '192.168.0.0/16'],
    settings: { Region: 'westeurope', nested: { list: [1, 2] } },
  };
  const vars: Record<string, unknown> = { prefix: 'dsvm' };
  return {
    parameter: (n) => {
      if (!(n in params)) throw new TemplateError(`no parameter ${n}`);
      return params[n];
    },
    variable: (n) => vars[n],
    resourceGroup: () => ({
      id: '/subscriptions/s1/resourceGroups/rg1',
      name: 'rg1',
      location: 'westeurope',
    }),
    subscription: () => ({ id: '/subscriptions/s1', subscriptionId: 's1', tenantId: 't1' }),
    tenant: () => ({ tenantId: 't1' }),
    deployment: () => ({ name: 'dep' }),
    environment: () => ({ name: 'AzureCloud' }),
    reference: (id, full) => (full ? { id, properties: { fqdn: 'x' } } : { fqdn: `fqdn-of-${id}` }),
    listKeys: () => ({ keys: [{ value: 'k1' }] }),
    copyIndexes: new Map(),
    ...overrides,
  };
}

const run = (text: string, ctx = context()) => evaluateExpression(text, ctx);

describe('template expressions', () => {
  it('reads parameters and variables, with property access and indexes', () => {
    assert.equal(run("parameters('name')"), 'Pool');
    assert.equal(run("variables('prefix')"), 'dsvm');
    assert.equal(run("parameters('ranges')[1]"), '192.168.0.0/16');
    assert.equal(
      run("parameters('settings').region"),
      'westeurope',
      'properties are case-insensitive',
    );
    assert.equal(run("parameters('settings')['nested'].list[1]"), 2);
  });

  it('parses string escapes, numbers, booleans and nested calls', () => {
    assert.equal(run("concat('it''s', ' ', string(add(1, 2)))"), "it's 3");
    assert.equal(run("if(equals(parameters('count'), 3), 'three', 'other')"), 'three');
    assert.equal(run('not(true)'), false);
    assert.equal(run('sub(-2, 3)'), -5);
  });

  it('formats, concatenates, lowercases and builds resource ids', () => {
    assert.equal(run("format('{0}-{1:D3}', parameters('name'), 7)"), 'Pool-007');
    assert.deepEqual(run('concat(createArray(1), createArray(2, 3))'), [1, 2, 3]);
    assert.equal(run("toLower(concat(parameters('name'), '-LB'))"), 'pool-lb');
    assert.equal(
      run("resourceId('Microsoft.Network/loadBalancers/backendAddressPools', 'lb', 'pool')"),
      '/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/pool',
    );
    assert.equal(
      run("resourceId('other-rg', 'Microsoft.Compute/virtualMachineScaleSets', 'v')"),
      '/subscriptions/s1/resourceGroups/other-rg/providers/Microsoft.Compute/virtualMachineScaleSets/v',
    );
    assert.equal(run('resourceGroup().location'), 'westeurope');
  });

  it('uniqueString is 13 deterministic base-32 characters', () => {
    const a = run('uniqueString(resourceGroup().id)');
    assert.match(String(a), /^[a-z2-7]{13}$/);
    assert.equal(run('uniqueString(resourceGroup().id)'), a);
    assert.notEqual(run("uniqueString(resourceGroup().id, 'x')"), a);
  });

  it('reference() returns properties, or the whole resource with Full', () => {
    assert.equal(run("reference('/x/pip').fqdn"), 'fqdn-of-/x/pip');
    assert.equal(run("reference('/x/pip', '2024-05-01', 'Full').properties.fqdn"), 'x');
  });

  it('copyIndex() reads the loop in scope, with an offset or a loop name', () => {
    const ctx = context({
      copyIndexes: new Map([
        ['', 2],
        ['rules', 5],
      ]),
    });
    assert.equal(run('copyIndex()', ctx), 2);
    assert.equal(run('copyIndex(1)', ctx), 3);
    assert.equal(run("copyIndex('rules', 10)", ctx), 15);
    assert.throws(() => run('copyIndex()'), TemplateError);
  });

  it('if() evaluates only the branch it takes', () => {
    assert.equal(run("if(true, 'ok', parameters('missing'))"), 'ok');
  });

  it('evaluates whole JSON values, escapes "[[" and expands property copy loops', () => {
    const value = evaluateValue(
      {
        name: "[parameters('name')]",
        literal: '[[not an expression]',
        plain: 'text',
        copy: [
          {
            name: 'securityRules',
            count: "[length(parameters('ranges'))]",
            input: { source: "[parameters('ranges')[copyIndex('securityRules')]]" },
          },
        ],
      },
      context(),
    );
    assert.deepEqual(value, {
      name: 'Pool',
      literal: '[not an expression]',
      plain: 'text',
      securityRules: [{ source: '10.0.0.0/8' }, { source: '192.168.0.0/16' }],
    });
  });

  it('fails with InvalidTemplate on unknown functions and bad syntax', () => {
    assert.throws(() => run('frobnicate(1)'), /template function 'frobnicate' is not valid/);
    assert.throws(() => run("concat('a'"), TemplateError);
    assert.throws(() => run("parameters('settings').missing"), /doesn't exist/);
  });
});
