// Template evaluation: parameters (types, defaults, allowed values, lengths), variables, resource
// planning (copy, condition, nested children, dependsOn) and outputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NotReadyError,
  TemplateEvaluation,
  type DeploymentScope,
  type ResourceResolver,
} from '../../../emulators/azure/template-engine';
import { TemplateError } from '../../../emulators/azure/template-error';

const scope: DeploymentScope = {
  subscriptionId: 's1',
  subscriptionName: 'sub',
  tenantId: 't1',
  resourceGroup: { id: '/subscriptions/s1/resourceGroups/rg', name: 'rg', location: 'westeurope' },
  deploymentName: 'dep',
  origin: 'https://127.0.0.1:1',
};

const nothing: ResourceResolver = {
  reference: (id) => {
    throw new NotReadyError(id);
  },
  listKeys: () => ({}),
};

function evaluate(template: Record<string, unknown>, parameters: Record<string, unknown> = {}) {
  return new TemplateEvaluation(template, parameters, scope, nothing);
}

const id = (type: string, name: string) =>
  `/subscriptions/s1/resourceGroups/rg/providers/${type}/${name}`;

describe('template evaluation', () => {
  it('binds given values, evaluates defaults (which may read other parameters) and checks types', () => {
    const t = evaluate(
      {
        parameters: {
          name: { type: 'string' },
          label: { type: 'string', defaultValue: "[concat(parameters('name'), '-x')]" },
          location: { type: 'string', defaultValue: '[resourceGroup().location]' },
          count: { type: 'int', defaultValue: 2 },
          secret: { type: 'securestring', defaultValue: 's' },
        },
        resources: [],
      },
      { name: { value: 'pool' } },
    );
    assert.deepEqual(t.parameters.label, { type: 'String', value: 'pool-x' });
    assert.equal(t.parameters.location.value, 'westeurope');
    assert.equal(t.parameters.count.type, 'Int');
    assert.equal(t.parameters.secret.type, 'SecureString');
  });

  it('refuses missing, undeclared, mistyped and out-of-range parameters', () => {
    const template = {
      parameters: {
        name: { type: 'string', minLength: 3, allowedValues: ['alpha', 'beta'] },
        count: { type: 'int', minValue: 0, maxValue: 10, defaultValue: 1 },
      },
      resources: [],
    };
    assert.throws(() => evaluate(template), /'name' is not provided/);
    assert.throws(
      () => evaluate(template, { name: { value: 'alpha' }, other: { value: 1 } }),
      /'other'.*not valid/,
    );
    assert.throws(() => evaluate(template, { name: { value: 'gamma' } }), /allowed value/);
    assert.throws(
      () => evaluate(template, { name: { value: 'alpha' }, count: { value: '3' } }),
      /type 'Int'/,
    );
    assert.throws(
      () => evaluate(template, { name: { value: 'alpha' }, count: { value: 11 } }),
      /at most 10/,
    );
    assert.throws(
      () => evaluate(template, { name: { value: 'x' } }),
      (err: Error) => err instanceof TemplateError && err.code === 'InvalidTemplate',
    );
  });

  it('plans resources: copy loops, conditions, nested children and dependsOn by name, id or loop', () => {
    const t = evaluate({
      parameters: { withIp: { type: 'bool', defaultValue: false } },
      variables: { vnet: 'net' },
      resources: [
        {
          type: 'Microsoft.Network/virtualNetworks',
          apiVersion: '2024-05-01',
          name: "[variables('vnet')]",
          resources: [{ type: 'subnets', apiVersion: '2024-05-01', name: 'sub', properties: {} }],
        },
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          apiVersion: '2024-05-01',
          name: "[concat('nsg', copyIndex())]",
          copy: { name: 'nsgs', count: 2 },
          dependsOn: ["[resourceId('Microsoft.Network/virtualNetworks', variables('vnet'))]"],
        },
        {
          type: 'Microsoft.Network/publicIPAddresses',
          apiVersion: '2024-05-01',
          name: 'ip',
          condition: "[parameters('withIp')]",
        },
        {
          type: 'Microsoft.Network/loadBalancers',
          apiVersion: '2024-05-01',
          name: 'lb',
          dependsOn: ['nsgs', 'Microsoft.Network/virtualNetworks/net', 'ip'],
        },
      ],
    });
    assert.deepEqual(
      t.resources.map((r) => r.id),
      [
        id('Microsoft.Network/virtualNetworks', 'net'),
        id('Microsoft.Network/virtualNetworks', 'net/subnets/sub'),
        id('Microsoft.Network/networkSecurityGroups', 'nsg0'),
        id('Microsoft.Network/networkSecurityGroups', 'nsg1'),
        id('Microsoft.Network/loadBalancers', 'lb'),
      ],
    );
    const lb = t.resources.find((r) => r.name === 'lb');
    assert.deepEqual(lb?.dependsOn.sort(), [
      id('Microsoft.Network/networkSecurityGroups', 'nsg0').toLowerCase(),
      id('Microsoft.Network/networkSecurityGroups', 'nsg1').toLowerCase(),
      id('Microsoft.Network/virtualNetworks', 'net').toLowerCase(),
    ]);
    const subnet = t.resources[1];
    assert.equal(subnet.type, 'Microsoft.Network/virtualNetworks/subnets');
    assert.deepEqual(subnet.dependsOn, [
      id('Microsoft.Network/virtualNetworks', 'net').toLowerCase(),
    ]);
  });

  it('refuses unknown dependencies, duplicates and cycles', () => {
    const res = (name: string, dependsOn: string[] = []) => ({
      type: 'Microsoft.Network/networkSecurityGroups',
      apiVersion: '1',
      name,
      dependsOn,
    });
    assert.throws(() => evaluate({ resources: [res('a', ['nope'])] }), /'nope' is not defined/);
    assert.throws(() => evaluate({ resources: [res('a'), res('a')] }), /defined multiple times/);
    assert.throws(() => evaluate({ resources: [res('a', ['b']), res('b', ['a'])] }), /Circular/);
  });

  it('evaluates a resource body at deploy time; reference() to one not made yet says "wait"', () => {
    const t = evaluate({
      resources: [
        {
          type: 'Microsoft.Network/publicIPAddresses',
          apiVersion: '1',
          name: 'ip',
          properties: {},
        },
        {
          type: 'Microsoft.Network/loadBalancers',
          apiVersion: '1',
          name: 'lb',
          plan: "[json('null')]",
          properties: { fqdn: "[reference('ip').dnsSettings.fqdn]" },
        },
      ],
      outputs: { n: { type: 'int', value: '[length(createArray(1, 2))]' } },
    });
    assert.throws(() => t.evaluateResource(t.resources[1]), NotReadyError);
    t.resolver = {
      reference: () => ({ properties: { dnsSettings: { fqdn: 'a.b' } } }),
      listKeys: () => ({}),
    };
    assert.deepEqual(t.evaluateResource(t.resources[1]), { properties: { fqdn: 'a.b' } });
    assert.deepEqual(t.outputs(), { n: { type: 'Int', value: 2 } });
  });

  it('refuses what the emulator cannot do, saying so', () => {
    assert.throws(() => evaluate({ resources: {} }), /languageVersion 2.0/);
    assert.throws(
      () =>
        evaluate(
          { parameters: { p: { type: 'string' } }, resources: [] },
          { p: { reference: { keyVault: { id: 'x' }, secretName: 's' } } },
        ),
      /Key Vault/,
    );
  });
});
