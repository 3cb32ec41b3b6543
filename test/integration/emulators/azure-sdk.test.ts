// The real Azure SDK clients (identity, compute, network, resources, deployments, monitor) against
// the Azure emulator: a pool deployed from a template, VMs over time, real SSH through NAT ports,
// scaling, throttling and failures.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startAzureEmulator, type AzureEmulator } from '../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';
import { createEmulatorClients, type EmulatorClients } from '../../emulators/azure/sdk-clients';
import {
  buildDeploymentParameters,
  loadPoolTemplate,
  validatePoolParameters,
} from '../../../src/core/azure/template/index';
import { probePort, sshExec } from '../../emulators/azure/ssh-probe';
import { ssh2Ed25519 } from '../../helpers/ssh-keys';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed.
await trustEmulatorCertificate();

const RG = 'pool-rg';
const POOL = 'team';
const LB = `${POOL}-lb`;
const TEMPLATE = JSON.parse(
  readFileSync(
    new URL('../../fixtures/azure-emulator/pool-template.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

/** A port range below Linux's ephemeral ports, different per run so parallel runs rarely meet. */
function natRangeStart(): number {
  return 20_000 + Math.floor(Math.random() * 1_000) * 10;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

function powerOf(statuses: { code?: string }[] | undefined): string | undefined {
  return statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code;
}

describe('Azure emulator with the real SDK clients', () => {
  let emulator: AzureEmulator;
  let azure: EmulatorClients;
  const key = ssh2Ed25519();
  const natStart = natRangeStart();

  before(async () => {
    emulator = await startAzureEmulator({
      delays: {
        vmCreate: 150,
        vmStart: 150,
        vmDeallocate: 300,
        vmStop: 100,
        vmRestart: 150,
        vmDelete: 100,
        resource: 40,
      },
    });
    azure = createEmulatorClients(emulator);
  });
  after(async () => {
    await emulator.close();
  });

  const sshPort = (instanceId: string) => {
    const port = emulator.vms(RG, POOL).find((vm) => vm.instanceId === instanceId)?.sshPort;
    assert.ok(port, `instance ${instanceId} has a NAT port`);
    return port;
  };

  it('signs in with ClientSecretCredential through the metadata and token endpoints', async () => {
    const token = await azure.credential.getToken(`${emulator.url}/.default`);
    assert.ok(token.token.split('.').length === 3, 'a JWT');
    assert.ok(token.expiresOnTimestamp > Date.now());
    const paths = emulator.requests.map((r) => `${r.method} ${r.path}`);
    assert.ok(paths.includes(`GET /${emulator.tenantId}/v2.0/.well-known/openid-configuration`));
    assert.ok(paths.includes(`POST /${emulator.tenantId}/oauth2/v2.0/token`));
  });

  it('refuses an ARM request without a token, as ARM does (401 and a challenge)', async () => {
    const response = await new Promise<{ status: number; challenge: string }>((resolve, reject) => {
      https
        .get(`${emulator.url}/subscriptions?api-version=2022-12-01`, (res) => {
          res.resume();
          resolve({
            status: res.statusCode ?? 0,
            challenge: String(res.headers['www-authenticate']),
          });
        })
        .on('error', reject);
    });
    assert.equal(response.status, 401);
    assert.match(response.challenge, /^Bearer authorization_uri=/);
  });

  it('creates a resource group and records every api-version it is called with', async () => {
    const group = await azure.resources.resourceGroups.createOrUpdate(RG, {
      location: 'West Europe',
    });
    assert.equal(group.location, 'westeurope');
    assert.equal(group.properties?.provisioningState, 'Succeeded');
    const names = (await collect(azure.resources.resourceGroups.list())).map((g) => g.name);
    assert.deepEqual(names, [RG]);
    const put = emulator.requestsMatching(
      `PUT /subscriptions/${emulator.subscriptionId}/resourcegroups/${RG}`,
    );
    assert.equal(put.length, 1);
    assert.match(put[0].apiVersion ?? '', /^\d{4}-\d{2}-\d{2}/);
  });

  it('deploys a template: a scale set of 2 with load balancer, NAT rule v2, public IP, NSG, autoscale', async () => {
    const poller = azure.deployments.deployments.createOrUpdate(RG, 'pool', {
      properties: {
        mode: 'Incremental',
        template: TEMPLATE,
        parameters: {
          poolName: { value: POOL },
          sshPublicKey: { value: key.public },
          natPortRangeStart: { value: natStart },
          agentSettings: { value: { storageKey: 'never-echoed' } },
        },
      },
    });
    // A progress view polls the deployment's operations while it runs.
    const seen = new Set<string>();
    let done = false;
    const watching = (async () => {
      while (!done) {
        for (const op of await collect(azure.deployments.deploymentOperations.list(RG, 'pool'))) {
          seen.add(
            `${op.properties?.targetResource?.resourceType}:${op.properties?.provisioningState}`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const deployment = await poller;
    done = true;
    await watching;
    assert.equal(deployment.properties?.provisioningState, 'Succeeded');
    const outputs = deployment.properties?.outputs as Record<string, { value: unknown }>;
    assert.match(
      String(outputs.fqdn.value),
      /^team-[a-z2-7]{13}\.westeurope\.cloudapp\.azure\.com$/,
    );
    assert.ok(seen.has('Microsoft.Compute/virtualMachineScaleSets:Running'), [...seen].join(', '));

    const operations = await collect(azure.deployments.deploymentOperations.list(RG, 'pool'));
    const created = operations
      .filter((o) => o.properties?.targetResource)
      .map(
        (o) => `${o.properties?.targetResource?.resourceType} ${o.properties?.provisioningState}`,
      )
      .sort();
    assert.deepEqual(created, [
      'Microsoft.Compute/virtualMachineScaleSets Succeeded',
      'Microsoft.Insights/autoscaleSettings Succeeded',
      'Microsoft.Network/loadBalancers Succeeded',
      'Microsoft.Network/networkSecurityGroups Succeeded',
      'Microsoft.Network/publicIPAddresses Succeeded',
      'Microsoft.Network/virtualNetworks Succeeded',
    ]);
    const scaleSet = await azure.compute.virtualMachineScaleSets.get(RG, POOL);
    assert.equal(scaleSet.sku?.capacity, 2);
    assert.deepEqual(scaleSet.scaleInPolicy?.rules, ['NewestVM']);
    assert.ok(scaleSet.identity?.principalId, 'a system-assigned identity has a principal');
    const extension = scaleSet.virtualMachineProfile?.extensionProfile?.extensions?.[0];
    assert.equal(extension?.protectedSettings, undefined, 'protected settings are never returned');
  });

  it('lists the VMs with power and provisioning state in one request', async () => {
    const before = emulator.requestsMatching('/virtualMachines').length;
    const vms = await collect(
      azure.compute.virtualMachineScaleSetVMs.list(RG, POOL, { expand: 'instanceView' }),
    );
    assert.equal(emulator.requestsMatching('/virtualMachines').length - before, 1);
    assert.deepEqual(
      vms.map((vm) => vm.instanceId),
      ['0', '1'],
    );
    for (const vm of vms) {
      // arm-compute 24 flattens `properties` into the model.
      assert.equal(vm.provisioningState, 'Succeeded');
      assert.equal(vm.latestModelApplied, true);
      assert.equal(powerOf(vm.instanceView?.statuses), 'PowerState/running');
      assert.match(String(vm.instanceView?.computerName), /^team\d{6}$/);
    }
  });

  it("tells each instance's NAT frontend port: load balancer GET and queryInboundNatRulePortMapping agree", async () => {
    const lb = await azure.network.loadBalancers.get(RG, LB);
    const pool = lb.backendAddressPools?.[0];
    assert.equal(pool?.backendIPConfigurations?.length, 2);
    const fromLb = new Map(
      (pool?.loadBalancerBackendAddresses ?? []).map((a) => [
        a.networkInterfaceIPConfiguration?.id,
        a.inboundNatRulesPortMapping?.[0]?.frontendPort,
      ]),
    );
    for (const ipConfig of pool?.backendIPConfigurations ?? []) {
      const mapping = await azure.network.loadBalancers.beginListInboundNatRulePortMappingsAndWait(
        RG,
        LB,
        'pool',
        { ipConfiguration: { id: ipConfig.id } },
      );
      const [only] = mapping.inboundNatRulePortMappings ?? [];
      assert.equal(only.backendPort, 22);
      assert.equal(only.inboundNatRuleName, 'ssh');
      assert.equal(fromLb.get(ipConfig.id), only.frontendPort);
      assert.ok(only.frontendPort! >= natStart && only.frontendPort! < natStart + 10);
    }
    const ip = await azure.network.publicIPAddresses.get(RG, `${POOL}-pip`);
    assert.equal(ip.ipAddress, '127.0.0.1');
    assert.equal(ip.publicIPAllocationMethod, 'Static');
    assert.equal(ip.sku?.name, 'Standard');
    assert.match(String(ip.dnsSettings?.fqdn), /\.westeurope\.cloudapp\.azure\.com$/);
    assert.equal(ip.ipConfiguration?.id, `${lb.id}/frontendIPConfigurations/frontend`);
  });

  it('SSH through instance 0 NAT port reaches a real shell as the admin user', async () => {
    const result = await sshExec(
      sshPort('0'),
      'azureuser',
      key.private,
      'echo "$USER on $DSVM_POOL_INSTANCE"',
    );
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), 'azureuser on team000000');
    await assert.rejects(
      sshExec(sshPort('0'), 'azureuser', ssh2Ed25519().private, 'true'),
      /authentication/i,
      'only the scale set key is accepted',
    );
  });

  it('scales out to 3 with a PATCH of sku.capacity; the new VM gets the next id, a port and SSH', async () => {
    const scaled = await azure.compute.virtualMachineScaleSets.update(RG, POOL, {
      sku: { capacity: 3 },
    });
    assert.equal(scaled.sku?.capacity, 3);
    assert.equal(scaled.provisioningState, 'Succeeded');
    const vms = emulator.vms(RG, POOL);
    assert.deepEqual(
      vms.map((vm) => [vm.instanceId, vm.powerState]),
      [
        ['0', 'running'],
        ['1', 'running'],
        ['2', 'running'],
      ],
    );
    const result = await sshExec(
      sshPort('2'),
      'azureuser',
      key.private,
      'echo $DSVM_POOL_INSTANCE',
    );
    assert.equal(result.stdout.trim(), 'team000002');
  });

  it('deallocates one VM: deallocating then deallocated, its NAT port stops answering; start brings it back', async () => {
    const port = sshPort('1');
    const first = await sshExec(port, 'azureuser', key.private, 'true');
    const poller = azure.compute.virtualMachineScaleSetVMs.deallocate(RG, POOL, '1');
    const states = new Set<string | undefined>();
    let settled = false;
    const result = poller.then(() => (settled = true));
    while (!settled) {
      const view = await azure.compute.virtualMachineScaleSetVMs.getInstanceView(RG, POOL, '1');
      states.add(powerOf(view.statuses));
      await new Promise((r) => setTimeout(r, 30));
    }
    await result;
    assert.ok(states.has('PowerState/deallocating'), [...states].join(', '));
    const after = await azure.compute.virtualMachineScaleSetVMs.getInstanceView(RG, POOL, '1');
    assert.equal(powerOf(after.statuses), 'PowerState/deallocated');
    assert.equal(await probePort(port), 'closed');
    assert.equal(await probePort(sshPort('0')), 'open', 'the others still answer');

    await azure.compute.virtualMachineScaleSetVMs.start(RG, POOL, '1');
    assert.equal(sshPort('1'), port, 'the NAT port stays with the instance');
    const again = await sshExec(port, 'azureuser', key.private, 'true');
    assert.deepEqual(again.hostKey, first.hostKey, 'the same host key after a restart');
  });

  it('runs actions on different instances concurrently', async () => {
    await Promise.all([
      azure.compute.virtualMachineScaleSets.deallocate(RG, POOL, {
        vmInstanceIDs: { instanceIds: ['0'] },
      }),
      azure.compute.virtualMachineScaleSets.powerOff(RG, POOL, {
        vmInstanceIDs: { instanceIds: ['1'] },
      }),
      azure.compute.virtualMachineScaleSets.restart(RG, POOL, {
        vmInstanceIDs: { instanceIds: ['2'] },
      }),
    ]);
    assert.deepEqual(
      emulator.vms(RG, POOL).map((vm) => vm.powerState),
      ['deallocated', 'stopped', 'running'],
    );
    await azure.compute.virtualMachineScaleSets.start(RG, POOL);
    assert.deepEqual(
      emulator.vms(RG, POOL).map((vm) => vm.powerState),
      ['running', 'running', 'running'],
    );
  });

  it('retries a throttled call: two 429s with Retry-After, then success', async () => {
    const servedBefore = emulator.faults.served.throttled;
    emulator.throttleNext(2, { retryAfterSeconds: 1 });
    const started = Date.now();
    const scaleSet = await azure.compute.virtualMachineScaleSets.get(RG, POOL);
    assert.equal(scaleSet.name, POOL);
    assert.equal(emulator.faults.served.throttled - servedBefore, 2);
    assert.ok(Date.now() - started >= 1900, 'the SDK waited out both Retry-After');
    const gets = emulator.requestsMatching(
      `GET /subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${POOL}`,
    );
    assert.deepEqual(
      gets.slice(-3).map((r) => r.status),
      [429, 429, 200],
    );
  });

  it('retries a 500 from failNext, as the SDK does for server errors', async () => {
    emulator.failNext('/publicIPAddresses/', 500);
    const ip = await azure.network.publicIPAddresses.get(RG, `${POOL}-pip`);
    assert.equal(ip.ipAddress, '127.0.0.1');
    assert.deepEqual(
      emulator
        .requestsMatching('/publicIPAddresses/')
        .slice(-2)
        .map((r) => r.status),
      [500, 200],
    );
  });

  it('answers slowly where slow() says so', async () => {
    emulator.slow('/networkSecurityGroups/', 400, { times: 1 });
    const started = Date.now();
    await azure.network.networkSecurityGroups.get(RG, `${POOL}-nsg`);
    assert.ok(Date.now() - started >= 400);
    const quick = Date.now();
    await azure.network.networkSecurityGroups.get(RG, `${POOL}-nsg`);
    assert.ok(Date.now() - quick < 400, 'only once');
  });

  it('surfaces AllocationFailed as the error the SDK throws, and in the instance view', async () => {
    await azure.compute.virtualMachineScaleSets.deallocate(RG, POOL, {
      vmInstanceIDs: { instanceIds: ['2'] },
    });
    emulator.failOperation('/start', {
      code: 'AllocationFailed',
      message: 'No capacity for Standard_D4s_v5 in westeurope.',
    });
    await assert.rejects(
      azure.compute.virtualMachineScaleSets.start(RG, POOL, {
        vmInstanceIDs: { instanceIds: ['2'] },
      }),
      (err: Error) => /AllocationFailed/.test(err.message) && /No capacity/.test(err.message),
    );
    const view = await azure.compute.virtualMachineScaleSetVMs.getInstanceView(RG, POOL, '2');
    assert.deepEqual(
      view.statuses?.map((s) => s.code),
      ['ProvisioningState/failed/AllocationFailed', 'PowerState/deallocated'],
    );
    await azure.compute.virtualMachineScaleSets.start(RG, POOL, {
      vmInstanceIDs: { instanceIds: ['2'] },
    });
    assert.equal(emulator.vms(RG, POOL)[2].powerState, 'running');
  });

  it('keeps a VM protected from scale-in when scaling in', async () => {
    await azure.compute.virtualMachineScaleSetVMs.update(RG, POOL, '2', {
      location: 'westeurope',
      protectionPolicy: { protectFromScaleIn: true },
    });
    await azure.compute.virtualMachineScaleSets.update(RG, POOL, { sku: { capacity: 2 } });
    // NewestVM would remove 2 first; it is protected, so 1 goes.
    assert.deepEqual(
      emulator.vms(RG, POOL).map((vm) => vm.instanceId),
      ['0', '2'],
    );
    const vm = await azure.compute.virtualMachineScaleSetVMs.get(RG, POOL, '2');
    assert.equal(vm.protectionPolicy?.protectFromScaleIn, true);
  });

  it('reads and edits the autoscale setting, keeping profile names', async () => {
    const name = `${POOL}-autoscale`;
    const setting = await azure.monitor.autoscaleSettings.get(RG, name);
    assert.deepEqual(
      setting.profiles.map((p) => p.name),
      ['default', 'weekdays'],
    );
    setting.profiles.push({
      name: 'nights',
      capacity: { minimum: '0', maximum: '0', default: '0' },
      rules: [],
      recurrence: {
        frequency: 'Week',
        schedule: { timeZone: 'UTC', days: ['Saturday'], hours: [0], minutes: [0] },
      },
    });
    await azure.monitor.autoscaleSettings.createOrUpdate(RG, name, setting);
    const patched = await azure.monitor.autoscaleSettings.update(RG, name, { enabled: false });
    assert.equal(patched.enabled, false);
    assert.deepEqual(
      patched.profiles?.map((p) => p.name),
      ['default', 'weekdays', 'nights'],
    );
  });

  it('fails a deployment whose scale set cannot be allocated; its operations say why', async () => {
    emulator.failOperation('virtualMachineScaleSets/broken', { code: 'AllocationFailed' });
    await assert.rejects(
      azure.deployments.deployments.createOrUpdate(RG, 'broken', {
        properties: {
          mode: 'Incremental',
          template: TEMPLATE,
          parameters: {
            poolName: { value: 'broken' },
            sshPublicKey: { value: key.public },
            natPortRangeStart: { value: natStart + 10 },
            instanceCount: { value: 1 },
          },
        },
      }),
      /DeploymentFailed/,
    );
    const deployment = await azure.deployments.deployments.get(RG, 'broken');
    assert.equal(deployment.properties?.provisioningState, 'Failed');
    assert.equal(deployment.properties?.error?.details?.[0]?.code, 'AllocationFailed');
    const failed = (
      await collect(azure.deployments.deploymentOperations.list(RG, 'broken'))
    ).filter((o) => o.properties?.provisioningState === 'Failed');
    assert.equal(
      failed[0]?.properties?.targetResource?.resourceType,
      'Microsoft.Compute/virtualMachineScaleSets',
    );
    const autoscale = (
      await collect(azure.deployments.deploymentOperations.list(RG, 'broken'))
    ).find(
      (o) => o.properties?.targetResource?.resourceType === 'Microsoft.Insights/autoscaleSettings',
    );
    assert.equal(autoscale, undefined, 'what depends on a failed resource is not started');
    // Deleting a deployment deletes its history, not what it made.
    await azure.deployments.deployments.delete(RG, 'broken');
    await assert.rejects(azure.deployments.deployments.get(RG, 'broken'), { statusCode: 404 });
    assert.ok(await azure.network.loadBalancers.get(RG, 'broken-lb'));
  });

  it('rejects an invalid template synchronously with InvalidTemplate', async () => {
    await assert.rejects(
      azure.deployments.deployments.createOrUpdate(RG, 'invalid', {
        properties: {
          mode: 'Incremental',
          template: TEMPLATE,
          parameters: { poolName: { value: 'abc' } },
        },
      }),
      (err: Error & { code?: string; statusCode?: number }) =>
        err.statusCode === 400 &&
        err.code === 'InvalidTemplate' &&
        /sshPublicKey/.test(err.message),
    );
  });

  it('deletes the resource group with everything in it; the NAT ports stop answering', async () => {
    const ports = emulator.vms(RG, POOL).map((vm) => vm.sshPort!);
    await azure.resources.resourceGroups.beginDeleteAndWait(RG);
    assert.equal((await azure.resources.resourceGroups.checkExistence(RG)).body, false);
    for (const port of ports) assert.equal(await probePort(port), 'closed');
    assert.deepEqual(emulator.store.all(), []);
  });
});

describe("Azure emulator deploying the app's own resources/templates/pool.json", () => {
  let emulator: AzureEmulator;
  let azure: EmulatorClients;
  const key = ssh2Ed25519();

  before(async () => {
    emulator = await startAzureEmulator();
    azure = createEmulatorClients(emulator);
  });
  after(async () => {
    await emulator.close();
  });

  it('deploys it with the parameters the app builds, and the pool answers SSH', async () => {
    const params = validatePoolParameters({
      poolName: 'dsvm',
      location: 'westeurope',
      instanceCount: 2,
      maxInstances: 4,
      adminUsername: 'dsvmadmin',
      sshPublicKey: key.public,
      allowedSourceCidrs: ['203.0.113.0/24'],
      dnsLabel: 'dsvm-team-pool',
      natFrontendPortStart: natRangeStart(),
    });
    await azure.resources.resourceGroups.createOrUpdate('app-rg', { location: 'westeurope' });
    const deployment = await azure.deployments.deployments.createOrUpdate('app-rg', 'dsvm-pool', {
      properties: {
        mode: 'Incremental',
        template: loadPoolTemplate() as unknown as Record<string, unknown>,
        parameters: buildDeploymentParameters(params),
      },
    });
    assert.equal(deployment.properties?.provisioningState, 'Succeeded');
    const outputs = deployment.properties?.outputs as Record<string, { value: unknown }>;
    assert.equal(outputs.publicIpAddress.value, '127.0.0.1');
    assert.equal(outputs.fqdn.value, 'dsvm-team-pool.westeurope.cloudapp.azure.com');

    const vms = await collect(
      azure.compute.virtualMachineScaleSetVMs.list('app-rg', 'dsvm', { expand: 'instanceView' }),
    );
    assert.equal(vms.length, 2);
    const lb = await azure.network.loadBalancers.get(
      'app-rg',
      String(outputs.loadBalancerName.value),
    );
    const ports = (lb.backendAddressPools?.[0]?.loadBalancerBackendAddresses ?? []).map(
      (a) => a.inboundNatRulesPortMapping?.[0]?.frontendPort,
    );
    assert.equal(ports.length, 2);
    assert.equal(ports[0], params.natFrontendPortStart);
    const result = await sshExec(ports[0]!, 'dsvmadmin', key.private, 'echo $USER');
    assert.equal(result.stdout.trim(), 'dsvmadmin');
    const autoscale = await azure.monitor.autoscaleSettings.get(
      'app-rg',
      String(outputs.autoscaleSettingName.value),
    );
    assert.equal(autoscale.profiles[0].capacity.maximum, '4');
  });
});
