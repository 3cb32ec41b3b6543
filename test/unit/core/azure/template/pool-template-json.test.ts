// Self-check of resources/templates/pool.json: references resolve, nothing but SSH is exposed,
// only the admin's ranges get in, no secret can land in public settings, tags everywhere. The
// template is rendered by the Azure emulator's template engine (the same evaluation a deployment
// in the emulator makes), with a fake key for listKeys().
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  type ArmTemplate,
  INSTANCE_LIMIT,
  POOL_TEMPLATE_VERSION,
  buildDeploymentParameters,
  loadPoolTemplate,
  poolResourceNames,
} from '../../../../../src/core/azure/template/pool-template';
import { validatePoolParameters } from '../../../../../src/core/azure/template/pool-template-validation';
import { buildResourceId, idKey } from '../../../../emulators/azure/resource-ids';
import { TemplateEvaluation } from '../../../../emulators/azure/template-engine';
import { templateFunctions } from '../../../../emulators/azure/template-functions';
import { ALLOWED_FUNCTIONS, calls, expressionsIn } from './arm-expression';
import { validInput } from './pool-fixtures';

const TEMPLATE_URL = new URL('../../../../../resources/templates/pool.json', import.meta.url);
const raw = JSON.parse(readFileSync(TEMPLATE_URL, 'utf8')) as ArmTemplate;

type Json = Record<string, unknown>;
type Resource = Json & { id: string; type: string; name: string; dependsOn: string[] };

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const RG = { name: 'rg-team', location: 'westeurope' };
const TENANT_ID = '00000000-0000-0000-0000-0000000000aa';
/** The scale set's system-assigned identity, as ARM reports it once created. */
const PRINCIPAL_ID = '11111111-2222-3333-4444-555555555555';
/** What listKeys() answers in these renderings: a well-formed account key nobody uses. */
const FAKE_KEY = Buffer.alloc(64, 7).toString('base64');

/** The functions pool.json may use beyond the first template's: storage, the agent extension. */
const AGENT_FUNCTIONS = [
  'and',
  'or',
  'not',
  'greater',
  'createArray',
  'join',
  'replace',
  'string',
  'base64',
  'environment',
  'listKeys',
  // The instance role (1.3.0): stable GUID names and the role's subscription-level id.
  'guid',
  'subscriptionResourceId',
] as const;

/** The id the template gives a resource of this resource group. */
function idFor(type: string, names: string[]): string {
  return buildResourceId(SUBSCRIPTION, RG.name, type, names);
}

/**
 * A deployment of the template as ARM evaluates it (the emulator's engine), with the given
 * parameter values: resources with their evaluated bodies, outputs and variables.
 */
function deploy(template: ArmTemplate, given: Record<string, { value: unknown }>) {
  // Variables are read through outputs, so they are evaluated exactly as the engine does.
  const probe = structuredClone(template) as unknown as Json;
  probe.outputs = {
    ...template.outputs,
    ...Object.fromEntries(
      Object.keys(template.variables).map((k) => [
        `variable:${k}`,
        { type: 'object', value: `[variables('${k}')]` },
      ]),
    ),
  };
  const resources: Resource[] = [];
  const evaluation = new TemplateEvaluation(
    probe,
    given,
    {
      subscriptionId: SUBSCRIPTION,
      subscriptionName: 'Team subscription',
      tenantId: TENANT_ID,
      resourceGroup: { id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG.name}`, ...RG },
      deploymentName: 'dsvm-pool-test',
      origin: 'https://management.azure.com',
    },
    {
      reference: (id) => {
        const found = resources.find((r) => idKey(r.id) === idKey(id));
        assert.ok(found, `reference() to ${id}, which the template does not deploy`);
        const props = found.properties as Json;
        const dns = props.dnsSettings as { domainNameLabel: string } | undefined;
        // The full view (reference(…, 'full')) has the identity ARM filled in.
        const identity = found.identity as Json | undefined;
        return {
          ...(identity
            ? { identity: { ...identity, principalId: PRINCIPAL_ID, tenantId: TENANT_ID } }
            : {}),
          properties: {
            ...props,
            ipAddress: '20.0.0.10',
            dnsSettings: dns && {
              ...dns,
              fqdn: `${dns.domainNameLabel}.${found.location as string}.cloudapp.azure.com`,
            },
          },
        };
      },
      listKeys: () => ({ keys: [{ keyName: 'key1', value: FAKE_KEY, permissions: 'FULL' }] }),
    },
  );
  for (const planned of evaluation.resources) {
    resources.push({
      ...evaluation.evaluateResource(planned),
      id: planned.id,
      type: planned.type,
      name: planned.name,
      apiVersion: planned.apiVersion,
      dependsOn: planned.dependsOn,
    });
  }
  const outputs: Record<string, { value: unknown }> = {};
  const variables: Record<string, unknown> = {};
  for (const [name, out] of Object.entries(evaluation.outputs())) {
    if (name.startsWith('variable:')) variables[name.slice('variable:'.length)] = out.value;
    else outputs[name] = out;
  }
  const parameters = Object.fromEntries(
    Object.entries(evaluation.parameters).map(([k, v]) => [k, v.value]),
  );
  return { parameters, resources, outputs, variables };
}

const params = validatePoolParameters(
  validInput({ storageAccountName: 'teamstore', fileShareName: 'team-share' }),
);
const given = buildDeploymentParameters(params);
const deployed = deploy(raw, given);
/** The same pool without storage, as the first callers deploy it. */
const bare = deploy(raw, buildDeploymentParameters(validatePoolParameters(validInput())));

function resourceOf(type: string): Resource {
  const found = deployed.resources.filter((r) => r.type === type);
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0];
}

const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Json | undefined)?.[k], value);

/** The child collections ARM ids can point into, per parent type. */
const CHILDREN: Record<string, string[]> = {
  'Microsoft.Network/loadBalancers': [
    'frontendIPConfigurations',
    'backendAddressPools',
    'inboundNatRules',
    'outboundRules',
    'probes',
    'loadBalancingRules',
  ],
  'Microsoft.Network/virtualNetworks': ['subnets'],
};

/** Splits a resource id into the top-level resource's id and the child path below it. */
function resolveId(id: string, resources: Resource[]): string | undefined {
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/([^/]+)\/(.+)$/.exec(id);
  if (!m) return `${id} is not a resource group resource id`;
  const [, namespace, rest] = m;
  const segments = rest.split('/');
  const type = `${namespace}/${segments[0]}`;
  const parent = resources.find(
    (r) => r.type.toLowerCase() === type.toLowerCase() && r.name === segments[1],
  );
  if (!parent) return `${id}: no ${type} named ${segments[1]} in the template`;
  if (segments.length === 2) return undefined;
  if (segments.length !== 4) return `${id}: only one level of child resources is expected`;
  const [, , childType, childName] = segments;
  if (!CHILDREN[parent.type]?.includes(childType)) return `${id}: unknown child type ${childType}`;
  const list = get(parent, `properties.${childType}`) as Array<{ name: string }> | undefined;
  if (!list?.some((c) => c.name === childName)) {
    return `${id}: ${parent.name} declares no ${childType} named ${childName}`;
  }
  return undefined;
}

/** Every port a resource lets in from outside, as [from, to] ranges. */
function publicPorts(resources: Resource[]): Array<{ where: string; from: number; to: number }> {
  const out: Array<{ where: string; from: number; to: number }> = [];
  const span = (where: string, from: unknown, to: unknown = from) => {
    if (typeof from === 'number') out.push({ where, from, to: Number(to) });
  };
  const portText = (where: string, text: unknown) => {
    if (typeof text !== 'string') return;
    if (text === '*') return out.push({ where, from: 1, to: 65535 });
    const [a, b = a] = text.split('-').map(Number);
    out.push({ where, from: a, to: b });
  };
  for (const r of resources) {
    const props = (r.properties ?? {}) as Json;
    if (r.type === 'Microsoft.Network/loadBalancers') {
      for (const key of ['loadBalancingRules', 'inboundNatRules', 'inboundNatPools']) {
        for (const rule of (props[key] ?? []) as Json[]) {
          const p = rule.properties as Json;
          const where = `${r.name}/${key}/${rule.name as string}`;
          span(where, p.frontendPort);
          span(where, p.frontendPortRangeStart, p.frontendPortRangeEnd);
          span(`${where} (backend)`, p.backendPort);
        }
      }
    }
    if (r.type === 'Microsoft.Network/networkSecurityGroups') {
      for (const rule of (props.securityRules ?? []) as Json[]) {
        const p = rule.properties as Json;
        if (p.direction !== 'Inbound' || p.access !== 'Allow') continue;
        const where = `${r.name}/${rule.name as string}`;
        portText(where, p.destinationPortRange);
        for (const range of (p.destinationPortRanges ?? []) as string[]) portText(where, range);
      }
    }
  }
  return out;
}

const JUPYTER_PORTS = [8000, 8888];

const SECRET_NAME = /password|secret|token|sas|key|credential/i;

/** Problems with extension settings: secrets belong in protectedSettings, never in settings. */
function publicSettingsProblems(template: ArmTemplate): string[] {
  const problems: string[] = [];
  const secretParams = Object.entries(template.parameters)
    .filter(([name, def]) => /^secure/i.test(def.type) || /key|password|secret/i.test(name))
    .map(([name]) => name)
    .filter((name) => name !== 'sshPublicKey');
  const check = (where: string, settings: unknown) => {
    if (settings === undefined) return;
    for (const key of Object.keys(settings as Json)) {
      if (SECRET_NAME.test(key)) problems.push(`${where}.settings.${key} names a secret`);
    }
    for (const e of expressionsIn(settings, `${where}.settings`)) {
      for (const call of calls(e.node)) {
        const arg = call.args[0];
        if (
          call.name.toLowerCase() === 'parameters' &&
          arg?.kind === 'literal' &&
          (secretParams.includes(String(arg.value)) ||
            /storage/i.test(String(arg.value)) ||
            SECRET_NAME.test(String(arg.value).replace('sshPublicKey', '')))
        ) {
          problems.push(`${e.path} puts parameter ${String(arg.value)} in public settings`);
        }
        if (/^list/i.test(call.name))
          problems.push(`${e.path} puts ${call.name}() output in public settings`);
      }
    }
  };
  template.resources.forEach((r, i) => {
    const profile = (get(r, 'properties.virtualMachineProfile.extensionProfile') ?? {}) as Json;
    // Extensions as a list, and as the input of a property copy loop (how pool.json adds its own).
    const listed = Array.isArray(profile.extensions) ? (profile.extensions as Json[]) : [];
    const looped = (Array.isArray(profile.copy) ? (profile.copy as Json[]) : [])
      .filter((loop) => loop.name === 'extensions')
      .map((loop) => loop.input as Json);
    assert.ok(
      Array.isArray(profile.extensions) || profile.extensions === undefined,
      `resources[${i}]: extensions must be a list or a copy loop, so this check can read them`,
    );
    [...listed, ...looped].forEach((ext, j) =>
      check(`resources[${i}].extensions[${j}]`, get(ext, 'properties.settings')),
    );
    if (/\/extensions$/i.test(r.type)) check(`resources[${i}]`, get(r, 'properties.settings'));
  });
  return problems;
}

describe('pool.json', () => {
  test('is a versioned ARM template that names dsvm-pool and its version', () => {
    assert.match(raw.$schema, /\/deploymentTemplate\.json#$/);
    assert.match(raw.contentVersion, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(raw.metadata.name, 'dsvm-pool');
    assert.equal(raw.metadata.templateVersion, POOL_TEMPLATE_VERSION);
    assert.equal(raw.variables.templateVersion, POOL_TEMPLATE_VERSION);
    assert.equal(deployed.outputs.templateVersion.value, POOL_TEMPLATE_VERSION);
    assert.deepEqual(loadPoolTemplate(), raw, 'the bundled copy is the file');
  });

  test('uses only the ARM functions the emulator implements', () => {
    const used = new Set(expressionsIn(raw).flatMap((e) => calls(e.node).map((c) => c.name)));
    const allowed = new Set<string>([...ALLOWED_FUNCTIONS, ...AGENT_FUNCTIONS]);
    for (const name of used) {
      assert.ok(allowed.has(name), `${name}() is not in the allowed list`);
      assert.ok(name.toLowerCase() in templateFunctions, `the emulator lacks ${name}()`);
    }
  });

  test("every parameters('x') and variables('y') exists, and every one declared is used", () => {
    const usedParams = new Set<string>();
    const usedVars = new Set<string>();
    for (const e of expressionsIn(raw)) {
      for (const call of calls(e.node)) {
        const arg = call.args[0];
        if (call.name === 'parameters' || call.name === 'variables') {
          assert.equal(arg?.kind, 'literal', `${e.path}: ${call.name}() with a computed name`);
          const name = String((arg as { value: unknown }).value);
          const declared = call.name === 'parameters' ? raw.parameters : raw.variables;
          assert.ok(name in declared, `${e.path}: ${call.name}('${name}') is not declared`);
          (call.name === 'parameters' ? usedParams : usedVars).add(name);
        }
      }
    }
    assert.deepEqual(
      Object.keys(raw.parameters).filter((p) => !usedParams.has(p)),
      [],
    );
    assert.deepEqual(
      Object.keys(raw.variables).filter((v) => !usedVars.has(v)),
      [],
    );
  });

  test('every resource id in the deployment points at a resource of the template, deployed first', () => {
    for (const rendering of [deployed, bare]) {
      const byKey = new Map(rendering.resources.map((r) => [idKey(r.id), r]));
      for (const r of rendering.resources) {
        for (const dep of r.dependsOn) assert.ok(byKey.has(dep), `${r.type} depends on ${dep}`);
        // Every id in the evaluated body (directly or through a variable) exists, and the
        // top-level resource it belongs to is deployed before this one.
        const { id: _self, dependsOn: _deps, ...body } = r;
        for (const id of idsIn(body)) {
          assert.equal(resolveId(id, rendering.resources), undefined, `${r.type}: ${id}`);
          const top = idKey(id.split('/').slice(0, 9).join('/'));
          if (top === idKey(r.id)) continue;
          assert.ok(
            dependsTransitively(r, top, byKey),
            `${r.type} uses ${id} but does not depend on it`,
          );
        }
      }
    }
  });

  test('tags every resource with dsvm-pool = the pool name and the template version', () => {
    // Child resources (the share) carry neither tags nor a location, nor do role definitions
    // and assignments (Microsoft.Authorization takes neither).
    for (const r of deployed.resources.filter(
      (x) => x.type.split('/').length === 2 && !x.type.startsWith('Microsoft.Authorization/'),
    )) {
      const tags = r.tags as Record<string, string>;
      assert.equal(tags?.['dsvm-pool'], params.poolName, `${r.type} has the dsvm-pool tag`);
      assert.equal(tags['dsvm-pool-template'], POOL_TEMPLATE_VERSION, `${r.type} version tag`);
      assert.equal(r.location, 'westeurope', `${r.type} is in the chosen region`);
      assert.match(String(r.apiVersion), /^\d{4}-\d{2}-\d{2}$/);
    }
    const vmssTags = resourceOf('Microsoft.Compute/virtualMachineScaleSets').tags as Json;
    assert.equal(vmssTags['dsvm-pool-storage-account'], 'teamstore');
    assert.equal(vmssTags['dsvm-pool-file-share'], 'team-share');
  });

  test('names resources as poolResourceNames() says', () => {
    const names = poolResourceNames(params.poolName);
    const v = deployed.variables;
    assert.deepEqual(
      {
        vmss: v.vmssName,
        nsg: v.nsgName,
        vnet: v.vnetName,
        subnet: v.subnetName,
        publicIp: v.publicIpName,
        loadBalancer: v.loadBalancerName,
        frontend: v.frontendName,
        backendPool: v.backendPoolName,
        natRule: v.natRuleName,
        outboundRule: v.outboundRuleName,
        autoscale: v.autoscaleName,
      },
      names,
    );
  });

  test('exposes no Jupyter or JupyterHub port (8000, 8888) and no instance public IPs', () => {
    const ports = publicPorts(deployed.resources);
    assert.ok(ports.length > 0, 'the SSH ports are found, so the check looks at something');
    for (const port of ports) {
      for (const jupyter of JUPYTER_PORTS) {
        assert.ok(
          jupyter < port.from || jupyter > port.to,
          `${port.where} exposes ${jupyter} (${port.from}-${port.to})`,
        );
      }
    }
    const text = JSON.stringify(raw);
    assert.doesNotMatch(
      text,
      /publicIPAddressConfiguration|inboundNatPools|loadBalancerInboundNatPools/,
    );
    const lb = resourceOf('Microsoft.Network/loadBalancers');
    assert.deepEqual(get(lb, 'properties.loadBalancingRules'), []);
  });

  test("the port check catches the article's JupyterHub rule", () => {
    const lb = structuredClone(resourceOf('Microsoft.Network/loadBalancers'));
    (lb.properties as Json).loadBalancingRules = [
      { name: 'Jupyter', properties: { frontendPort: 8000, backendPort: 8000 } },
    ];
    const nsg = structuredClone(resourceOf('Microsoft.Network/networkSecurityGroups'));
    const rules = get(nsg, 'properties.securityRules') as Json[];
    (rules[0].properties as Json).destinationPortRange = '8000-8999';
    const hits = publicPorts([lb, nsg]).filter((p) => p.from <= 8888 && p.to >= 8000);
    assert.equal(hits.length, 3);
  });

  test('the NSG admits SSH (port 22, where NAT lands) only from the allowedSourceCidrs parameter', () => {
    const rawNsg = raw.resources.find((r) => r.type === 'Microsoft.Network/networkSecurityGroups');
    const rules = get(rawNsg, 'properties.securityRules') as Json[];
    const allows = rules.filter((r) => get(r, 'properties.access') === 'Allow');
    assert.equal(allows.length, 1);
    const p = allows[0].properties as Json;
    assert.equal(p.direction, 'Inbound');
    assert.equal(p.protocol, 'Tcp');
    assert.equal(p.sourceAddressPrefixes, "[parameters('allowedSourceCidrs')]");
    assert.equal(p.sourceAddressPrefix, undefined);
    assert.equal(p.destinationPortRange, '22');
    assert.equal(p.destinationPortRanges, undefined);
    const evaluated = resourceOf('Microsoft.Network/networkSecurityGroups');
    assert.deepEqual(
      get(
        (get(evaluated, 'properties.securityRules') as Json[])[0],
        'properties.sourceAddressPrefixes',
      ),
      ['203.0.113.0/24'],
    );
    // The NSG guards the instances' subnet.
    const vnet = resourceOf('Microsoft.Network/virtualNetworks');
    const subnet = (get(vnet, 'properties.subnets') as Json[])[0];
    assert.equal(get(subnet, 'properties.networkSecurityGroup.id'), evaluated.id);
  });

  test('holds no secret parameter but the bundle URL, and puts nothing secret in public settings', () => {
    for (const [name, def] of Object.entries(raw.parameters)) {
      // The agent bundle's SAS URL is the one secret a deployment may carry: secureString, so
      // ARM never echoes it, and used only in protectedSettings (checked below).
      if (name === 'agentBundleUri') assert.equal(def.type, 'securestring');
      else assert.doesNotMatch(def.type, /^secure/i, `${name} is a secure parameter`);
      if (name !== 'sshPublicKey') assert.doesNotMatch(name, /password|secret|accountkey|token/i);
    }
    assert.deepEqual(publicSettingsProblems(raw), []);
    // listKeys() and the secure parameter appear only under protectedSettings.
    for (const e of expressionsIn(raw)) {
      for (const call of calls(e.node)) {
        const arg = call.args[0];
        const secret =
          /^list/i.test(call.name) ||
          (call.name === 'parameters' && arg?.kind === 'literal' && arg.value === 'agentBundleUri');
        if (secret) assert.match(e.path, /\.protectedSettings\./, `${call.name}() at ${e.path}`);
      }
    }
    const vmss = raw.resources.find((r) => r.type === 'Microsoft.Compute/virtualMachineScaleSets');
    assert.equal(get(vmss, 'properties.virtualMachineProfile.osProfile.adminPassword'), undefined);
  });

  test("the settings check catches the article's CustomScript extension", () => {
    const article = structuredClone(raw);
    article.parameters.storageAccountKey = { type: 'securestring' };
    const vmss = article.resources.find(
      (r) => r.type === 'Microsoft.Compute/virtualMachineScaleSets',
    );
    (get(vmss, 'properties.virtualMachineProfile.extensionProfile') as Json).extensions = [
      {
        name: 'filesextension',
        properties: {
          publisher: 'Microsoft.Azure.Extensions',
          type: 'CustomScript',
          settings: {
            commandToExecute:
              "[concat('bash mountazurefiles.sh ', parameters('storageAccountName'), ' ', parameters('storageAccountKey'))]",
          },
        },
      },
    ];
    const problems = publicSettingsProblems(article);
    assert.ok(
      problems.some((p) => p.includes('storageAccountKey')),
      problems.join('\n'),
    );
  });

  test('the inbound NAT rule is v2: a frontend port range onto port 22 of the backend pool', () => {
    const lb = resourceOf('Microsoft.Network/loadBalancers');
    const rules = get(lb, 'properties.inboundNatRules') as Json[];
    assert.equal(rules.length, 1);
    const p = rules[0].properties as Json;
    assert.equal(p.backendPort, 22);
    assert.equal(p.protocol, 'Tcp');
    assert.equal(p.frontendPort, undefined);
    const names = poolResourceNames(params.poolName);
    const backendId = idFor('Microsoft.Network/loadBalancers/backendAddressPools', [
      names.loadBalancer,
      names.backendPool,
    ]);
    assert.equal(get(p, 'backendAddressPool.id'), backendId);
    const start = p.frontendPortRangeStart as number;
    const end = p.frontendPortRangeEnd as number;
    assert.equal(start, 50_000);
    assert.ok(
      end - start + 1 >= INSTANCE_LIMIT.singlePlacementGroup,
      'one port per possible instance',
    );
    assert.ok(end <= 65_534);
    assert.deepEqual(
      [deployed.outputs.natFrontendPortStart.value, deployed.outputs.natFrontendPortEnd.value],
      [start, end],
    );
  });

  test('an outbound rule gives the backend pool SNAT ports that fit every possible instance', () => {
    const lb = resourceOf('Microsoft.Network/loadBalancers');
    assert.equal(get(lb, 'sku.name'), 'Standard');
    const rules = get(lb, 'properties.outboundRules') as Json[];
    assert.equal(rules.length, 1);
    const p = rules[0].properties as Json;
    const ports = p.allocatedOutboundPorts as number;
    assert.equal(ports % 8, 0);
    assert.ok(ports * INSTANCE_LIMIT.singlePlacementGroup <= 64_000);
    const names = poolResourceNames(params.poolName);
    assert.equal(
      get(p, 'backendAddressPool.id'),
      idFor('Microsoft.Network/loadBalancers/backendAddressPools', [
        names.loadBalancer,
        names.backendPool,
      ]),
    );
    const ip = resourceOf('Microsoft.Network/publicIPAddresses');
    assert.equal(get(ip, 'sku.name'), 'Standard');
    assert.equal(get(ip, 'properties.publicIPAllocationMethod'), 'Static');
    assert.equal(get(ip, 'properties.dnsSettings.domainNameLabel'), params.dnsLabel);
  });

  test('the scale set: Uniform, SSH keys only, managed identity, scale-in policy, no overprovision', () => {
    const vmss = resourceOf('Microsoft.Compute/virtualMachineScaleSets');
    const p = vmss.properties as Json;
    assert.equal(p.orchestrationMode, 'Uniform');
    assert.equal(p.overprovision, false);
    assert.equal(p.singlePlacementGroup, true);
    assert.deepEqual(p.upgradePolicy, { mode: 'Manual' });
    assert.equal(get(p, 'scaleInPolicy.forceDeletion'), false);
    assert.ok(
      ['Default', 'NewestVM', 'OldestVM'].includes((get(p, 'scaleInPolicy.rules') as string[])[0]),
    );
    assert.deepEqual(vmss.identity, { type: 'SystemAssigned' });
    assert.deepEqual(vmss.sku, { name: 'Standard_D4s_v5', tier: 'Standard', capacity: 1 });
    assert.equal(vmss.plan, undefined, 'the DSVM needs no purchase plan (a null plan is no plan)');
    const os = get(p, 'virtualMachineProfile.osProfile') as Json;
    assert.equal(os.adminUsername, 'ana');
    assert.equal(os.computerNamePrefix, 'team-pool');
    assert.equal(os.adminPassword, undefined);
    assert.equal(get(os, 'linuxConfiguration.disablePasswordAuthentication'), true);
    assert.deepEqual(get(os, 'linuxConfiguration.ssh.publicKeys'), [
      { path: '/home/ana/.ssh/authorized_keys', keyData: params.sshPublicKey },
    ]);
    assert.deepEqual(get(p, 'virtualMachineProfile.storageProfile.imageReference'), {
      publisher: 'microsoft-dsvm',
      offer: 'ubuntu-2204',
      sku: '2204-gen2',
      version: 'latest',
    });
    const ipConfig = get(
      p,
      'virtualMachineProfile.networkProfile.networkInterfaceConfigurations',
    ) as Json[];
    const ipc = (get(ipConfig[0], 'properties.ipConfigurations') as Json[])[0];
    const names = poolResourceNames(params.poolName);
    assert.equal(
      get(ipc, 'properties.subnet.id'),
      idFor('Microsoft.Network/virtualNetworks/subnets', [names.vnet, names.subnet]),
    );
    assert.equal((get(ipc, 'properties.loadBalancerBackendAddressPools') as Json[]).length, 1);
  });

  test('terminate notifications: enabled with the notice parameter (PT10M by default)', () => {
    const vmss = resourceOf('Microsoft.Compute/virtualMachineScaleSets');
    assert.deepEqual(get(vmss, 'properties.virtualMachineProfile.scheduledEventsProfile'), {
      terminateNotificationProfile: { enable: true, notBeforeTimeout: 'PT10M' },
    });
    const allowed = raw.parameters.terminateNotBeforeTimeout.allowedValues as string[];
    assert.deepEqual(
      allowed,
      Array.from({ length: 11 }, (_, i) => `PT${i + 5}M`),
    );
  });

  test("the instance role: exactly the three actions, assigned to the scale set's identity at its scope", () => {
    const role = resourceOf('Microsoft.Authorization/roleDefinitions');
    assert.deepEqual(get(role, 'properties.permissions'), [
      {
        actions: [
          'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read',
          'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/write',
          'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/deallocate/action',
        ],
        notActions: [],
      },
    ]);
    assert.equal(get(role, 'properties.type'), 'CustomRole');
    const groupId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG.name}`;
    assert.deepEqual(get(role, 'properties.assignableScopes'), [groupId]);
    assert.match(
      String(get(role, 'properties.roleName')),
      new RegExp(`${RG.name}/${params.poolName}`),
    );
    const assignment = resourceOf('Microsoft.Authorization/roleAssignments');
    const vmssId = idFor('Microsoft.Compute/virtualMachineScaleSets', [params.poolName]);
    assert.ok(
      idKey(assignment.id).startsWith(`${idKey(vmssId)}/providers/microsoft.authorization/`),
      `scoped to the scale set: ${assignment.id}`,
    );
    assert.equal(get(assignment, 'properties.principalId'), PRINCIPAL_ID);
    assert.equal(get(assignment, 'properties.principalType'), 'ServicePrincipal');
    assert.equal(
      get(assignment, 'properties.roleDefinitionId'),
      `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${role.name}`,
    );
    // Stable names: a redeployment updates the same role and assignment instead of adding more.
    assert.equal(resourceOf('Microsoft.Authorization/roleAssignments').name, assignment.name);
    assert.equal(
      bare.resources.find((r) => r.type === 'Microsoft.Authorization/roleAssignments')?.name,
      assignment.name,
    );
  });

  test('a marketplace plan, when given, becomes the scale set plan', () => {
    const withPlan = validatePoolParameters(
      validInput({
        image: {
          publisher: 'microsoft-ads',
          offer: 'linux-data-science-vm-ubuntu',
          sku: 'linuxdsvmubuntu',
          plan: {
            name: 'linuxdsvmubuntu',
            publisher: 'microsoft-ads',
            product: 'linux-data-science-vm-ubuntu',
          },
        },
      }),
    );
    const vmss = deploy(raw, buildDeploymentParameters(withPlan)).resources.find(
      (r) => r.type === 'Microsoft.Compute/virtualMachineScaleSets',
    );
    assert.deepEqual(vmss?.plan, {
      name: 'linuxdsvmubuntu',
      publisher: 'microsoft-ads',
      product: 'linux-data-science-vm-ubuntu',
    });
  });

  test('the autoscale setting targets the scale set with min/default/max from the parameters', () => {
    const autoscale = resourceOf('Microsoft.Insights/autoscaleSettings');
    const vmssId = resourceOf('Microsoft.Compute/virtualMachineScaleSets').id;
    const p = autoscale.properties as Json;
    assert.equal(p.targetResourceUri, vmssId);
    assert.equal(p.enabled, true);
    const profiles = p.profiles as Json[];
    assert.equal(profiles[0].name, 'default');
    // A minimum of 0 makes the default 0: Azure scales to the default when metrics are missing.
    assert.equal(params.instanceCount, 1);
    assert.deepEqual(profiles[0].capacity, { minimum: '0', maximum: '3', default: '0' });
    const rules = profiles[0].rules as Json[];
    assert.deepEqual(
      rules.map((r) => [get(r, 'metricTrigger.metricName'), get(r, 'scaleAction.direction')]),
      [
        ['Percentage CPU', 'Increase'],
        ['Percentage CPU', 'Decrease'],
      ],
    );
    for (const rule of rules) assert.equal(get(rule, 'metricTrigger.metricResourceUri'), vmssId);
  });

  test('with a minimum above 0 the default is the instance count', () => {
    const busy = validatePoolParameters(
      validInput({ minInstances: 1, instanceCount: 2, maxInstances: 4 }),
    );
    const { resources } = deploy(raw, buildDeploymentParameters(busy));
    const autoscale = resources.find((r) => r.type === 'Microsoft.Insights/autoscaleSettings');
    assert.deepEqual(get(autoscale, 'properties.profiles.0.capacity'), {
      minimum: '1',
      maximum: '4',
      default: '2',
    });
  });

  test('a redeployment (deployAutoscale false) leaves the autoscale setting out', () => {
    const { resources, outputs } = deploy(raw, { ...given, deployAutoscale: { value: false } });
    assert.equal(
      resources.filter((r) => r.type === 'Microsoft.Insights/autoscaleSettings').length,
      0,
    );
    assert.equal(resources.filter((r) => r.type.includes('virtualMachineScaleSets')).length, 1);
    assert.equal(outputs.autoscaleSettingName.value, `${params.poolName}-autoscale`);
  });

  test('outputs the public FQDN, the NAT port range and the scale set', () => {
    const o = deployed.outputs;
    assert.equal(o.fqdn.value, `${params.dnsLabel}.westeurope.cloudapp.azure.com`);
    assert.equal(o.publicIpAddress.value, '20.0.0.10');
    assert.equal(o.vmssName.value, params.poolName);
    assert.equal(o.vmssId.value, resourceOf('Microsoft.Compute/virtualMachineScaleSets').id);
    for (const [name, out] of Object.entries(raw.outputs)) {
      assert.equal(typeof o[name].value, out.type === 'int' ? 'number' : 'string', name);
    }
  });

  test('a 1000-instance pool gets a 1000-port NAT range and fewer SNAT ports each', () => {
    const big = validatePoolParameters(validInput({ maxInstances: 1000 }));
    const { resources } = deploy(raw, buildDeploymentParameters(big));
    const lb = resources.find((r) => r.type === 'Microsoft.Network/loadBalancers');
    const nat = (get(lb, 'properties.inboundNatRules') as Json[])[0].properties as Json;
    assert.equal(
      (nat.frontendPortRangeEnd as number) - (nat.frontendPortRangeStart as number) + 1,
      1000,
    );
    const outbound = (get(lb, 'properties.outboundRules') as Json[])[0].properties as Json;
    assert.ok((outbound.allocatedOutboundPorts as number) * 1000 <= 64_000);
    const vmss = resources.find((r) => r.type === 'Microsoft.Compute/virtualMachineScaleSets');
    assert.equal(get(vmss, 'properties.singlePlacementGroup'), false);
  });
});

/** Whether `r` reaches the resource with id key `key` through dependsOn chains. */
function dependsTransitively(
  r: Resource,
  key: string,
  byKey: Map<string, Resource>,
  seen = new Set<string>(),
): boolean {
  if (seen.has(idKey(r.id))) return false;
  seen.add(idKey(r.id));
  return r.dependsOn.some((dep) => {
    if (dep === key) return true;
    const next = byKey.get(dep);
    return next !== undefined && dependsTransitively(next, key, byKey, seen);
  });
}

/** Every resource-group resource id in a JSON value. */
function idsIn(value: unknown): string[] {
  if (typeof value === 'string') {
    return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\//i.test(value)
      ? [value]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap(idsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(idsIn);
  return [];
}
