// The emulator's IMDS per VM (instance metadata, managed-identity token, scheduled events), ARM's
// role-based refusals of a managed identity's token outside its role assignment, instance
// protection rules, and terminate notifications on scale-in, over real loopback HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../emulators/azure/autoscale-clock';
import { startAzureEmulator, type AzureEmulator } from '../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';
import { RawArmClient, type RawResponse } from '../../emulators/azure/raw-arm-client';

await trustEmulatorCertificate();

const RG = 'imds-rg';
const OTHER_RG = 'imds-other-rg';
const START = '2025-03-03T09:00:00Z';
const MIN = 60_000;
const VM_ACTIONS = [
  'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read',
  'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/write',
  'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/deallocate/action',
];

/** A scale set with a system-assigned identity, a custom role scoped to it, and terminate notifications. */
function poolTemplate(withIdentity: boolean): Record<string, unknown> {
  const vmss = "[resourceId('Microsoft.Compute/virtualMachineScaleSets', parameters('name'))]";
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: { name: { type: 'string' }, capacity: { type: 'int' } },
    variables: { role: "[guid(resourceGroup().id, parameters('name'), 'instance-self')]" },
    resources: [
      {
        type: 'Microsoft.Compute/virtualMachineScaleSets',
        apiVersion: '2024-11-01',
        name: "[parameters('name')]",
        location: 'westeurope',
        ...(withIdentity ? { identity: { type: 'SystemAssigned' } } : {}),
        sku: { name: 'Standard_D4s_v5', tier: 'Standard', capacity: "[parameters('capacity')]" },
        properties: {
          overprovision: false,
          upgradePolicy: { mode: 'Manual' },
          scaleInPolicy: { rules: ['NewestVM'] },
          virtualMachineProfile: {
            osProfile: { computerNamePrefix: "[parameters('name')]", adminUsername: 'azureuser' },
            scheduledEventsProfile: {
              terminateNotificationProfile: { enable: true, notBeforeTimeout: 'PT10M' },
            },
          },
        },
      },
      ...(withIdentity
        ? [
            {
              type: 'Microsoft.Authorization/roleDefinitions',
              apiVersion: '2022-04-01',
              name: "[variables('role')]",
              properties: {
                roleName: "[concat('dsvm-pool instance self-service ', parameters('name'))]",
                type: 'CustomRole',
                assignableScopes: ['[resourceGroup().id]'],
                permissions: [{ actions: VM_ACTIONS, notActions: [] }],
              },
            },
            {
              type: 'Microsoft.Authorization/roleAssignments',
              apiVersion: '2022-04-01',
              scope: vmss,
              name: "[guid(resourceGroup().id, parameters('name'), 'instance-self-assignment')]",
              dependsOn: [vmss, "[variables('role')]"],
              properties: {
                roleDefinitionId:
                  "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('role'))]",
                principalId: `[reference(${vmss.slice(1, -1)}, '2024-11-01', 'full').identity.principalId]`,
                principalType: 'ServicePrincipal',
              },
            },
          ]
        : []),
    ],
  };
}

async function imds(
  endpoint: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${endpoint}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.headers ?? { Metadata: 'true' }),
      ...(init.body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const TOKEN =
  '/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/';
const EVENTS = '/metadata/scheduledevents?api-version=2020-07-01';
const INSTANCE = '/metadata/instance?api-version=2021-02-01';

interface ImdsEvent {
  EventId: string;
  EventType: string;
  EventStatus: string;
  NotBefore: string;
  Resources: string[];
  ResourceType: string;
  EventSource: string;
  DurationInSeconds: number;
  Description: string;
}

describe('Azure emulator: IMDS, managed identity and terminate notifications', () => {
  let emulator: AzureEmulator;
  let admin: RawArmClient;
  const clock = new ManualClock(START);
  const vmssId = (rg: string, name: string) =>
    `/subscriptions/${emulator.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;

  async function deployPool(rg: string, name: string, capacity: number, withIdentity = true) {
    const put = await admin.request(
      'PUT',
      `/subscriptions/${emulator.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Resources/deployments/${name}`,
      {
        properties: {
          mode: 'Incremental',
          template: poolTemplate(withIdentity),
          parameters: { name: { value: name }, capacity: { value: capacity } },
        },
      },
    );
    assert.ok(put.status === 201 || put.status === 200, JSON.stringify(put.body));
    assert.equal(await admin.waitFor(put), 'Succeeded');
  }

  async function tokenOf(rg: string, name: string, instanceId: string): Promise<string> {
    const endpoint = await emulator.imdsEndpoint(rg, name, instanceId);
    const answer = await imds(endpoint, TOKEN);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return String(answer.body.access_token);
  }

  async function eventsOf(endpoint: string): Promise<{ incarnation: number; events: ImdsEvent[] }> {
    const answer = await imds(endpoint, EVENTS);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return {
      incarnation: Number(answer.body.DocumentIncarnation),
      events: answer.body.Events as ImdsEvent[],
    };
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async function operationStatus(response: RawResponse): Promise<string> {
    const poll = await admin.request('GET', response.headers['azure-asyncoperation']);
    return String((poll.body as { status?: string }).status);
  }

  before(async () => {
    emulator = await startAzureEmulator({
      delays: { vmCreate: 10, vmDelete: 300, resource: 10 },
      autoscale: { clock },
    });
    admin = new RawArmClient(emulator);
    emulator.createResourceGroup(RG);
    emulator.createResourceGroup(OTHER_RG);
    await deployPool(RG, 'poola', 2);
    await deployPool(RG, 'poolb', 1);
    await deployPool(OTHER_RG, 'poolc', 1);
    await deployPool(RG, 'anon', 1, false);
    await deployPool(RG, 'poold', 2);
  });
  after(async () => {
    admin?.close();
    await emulator?.close();
  });

  it('IMDS answers with Metadata: true only, refuses proxied requests, and names the VM', async () => {
    const endpoint = await emulator.imdsEndpoint(RG, 'poola', '1');
    const noHeader = await imds(endpoint, INSTANCE, { headers: {} });
    assert.equal(noHeader.status, 400);
    assert.match(String(noHeader.body.error), /Required metadata header not specified/);
    const proxied = await imds(endpoint, INSTANCE, {
      headers: { Metadata: 'true', 'X-Forwarded-For': '10.0.0.9' },
    });
    assert.equal(proxied.status, 400);
    const tokenNoHeader = await imds(endpoint, TOKEN, { headers: {} });
    assert.equal(tokenNoHeader.status, 400);
    assert.equal(tokenNoHeader.body.error, 'invalid_request');
    const noVersion = await imds(endpoint, '/metadata/instance');
    assert.equal(noVersion.status, 400);
    assert.ok(Array.isArray(noVersion.body['newest-versions']));

    const answer = await imds(endpoint, INSTANCE);
    assert.equal(answer.status, 200);
    const compute = answer.body.compute as Record<string, string>;
    assert.equal(compute.name, 'poola_1');
    assert.equal(compute.vmScaleSetName, 'poola');
    assert.equal(compute.resourceGroupName, RG);
    assert.equal(compute.subscriptionId, emulator.subscriptionId);
    assert.equal(compute.resourceId, `${vmssId(RG, 'poola')}/virtualMachines/1`);
    assert.equal(compute.location, 'westeurope');
    assert.match(compute.vmId, /^[0-9a-f-]{36}$/);
    const network = answer.body.network as { interface: { ipv4: { ipAddress: unknown[] } }[] };
    assert.equal(network.interface[0].ipv4.ipAddress.length, 1);
    // Each VM has its own listener: another instance is another VM.
    const other = await imds(await emulator.imdsEndpoint(RG, 'poola', '0'), INSTANCE);
    assert.equal((other.body.compute as Record<string, string>).name, 'poola_0');
  });

  it('a VM without a managed identity gets no token', async () => {
    const answer = await imds(await emulator.imdsEndpoint(RG, 'anon', '0'), TOKEN);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'invalid_request');
    assert.match(String(answer.body.error_description), /Identity not found/);
  });

  it("a VM's token reads its scale set's VMs and sets its own instance's protection", async () => {
    const endpoint = await emulator.imdsEndpoint(RG, 'poola', '0');
    const tokenAnswer = await imds(endpoint, TOKEN);
    assert.equal(tokenAnswer.status, 200);
    assert.equal(tokenAnswer.body.token_type, 'Bearer');
    assert.equal(tokenAnswer.body.resource, 'https://management.azure.com/');
    assert.ok(Number(tokenAnswer.body.expires_on) > Date.now() / 1000);
    const vm = new RawArmClient(emulator, { token: String(tokenAnswer.body.access_token) });
    try {
      const list = await vm.request('GET', `${vmssId(RG, 'poola')}/virtualMachines`);
      assert.equal(list.status, 200, JSON.stringify(list.body));
      const put = await vm.request('PUT', `${vmssId(RG, 'poola')}/virtualMachines/0`, {
        properties: { protectionPolicy: { protectFromScaleIn: true } },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const got = await vm.request('GET', `${vmssId(RG, 'poola')}/virtualMachines/0`);
      assert.deepEqual(
        (got.body as { properties: { protectionPolicy: unknown } }).properties.protectionPolicy,
        {
          protectFromScaleIn: true,
        },
      );
      // A scale set VM is updated with PUT only: the REST API has no PATCH for it.
      const patch = await vm.request('PATCH', `${vmssId(RG, 'poola')}/virtualMachines/0`, {
        properties: { protectionPolicy: { protectFromScaleIn: true } },
      });
      assert.equal(patch.status, 405);
      // protectFromScaleSetActions alone is refused: it needs protectFromScaleIn.
      const bad = await vm.request('PUT', `${vmssId(RG, 'poola')}/virtualMachines/0`, {
        properties: { protectionPolicy: { protectFromScaleSetActions: true } },
      });
      assert.equal(bad.status, 400);
      const cleared = await vm.request('PUT', `${vmssId(RG, 'poola')}/virtualMachines/0`, {
        properties: { protectionPolicy: { protectFromScaleIn: false } },
      });
      assert.equal(cleared.status, 200);
    } finally {
      vm.close();
    }
  });

  it("scope: a VM's token is refused on another pool, another group, its scale set's PUT and storage keys", async () => {
    const token = await tokenOf(RG, 'poola', '0');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      oid: string;
    };
    const vm = new RawArmClient(emulator, { token });
    try {
      const refusals: [string, string, unknown, string][] = [
        [
          'PUT',
          `${vmssId(RG, 'poolb')}/virtualMachines/0`,
          { properties: { protectionPolicy: { protectFromScaleIn: true } } },
          'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/write',
        ],
        [
          'GET',
          `${vmssId(OTHER_RG, 'poolc')}/virtualMachines`,
          undefined,
          'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read',
        ],
        [
          'PUT',
          vmssId(RG, 'poola'),
          { location: 'westeurope', sku: { capacity: 5 } },
          'Microsoft.Compute/virtualMachineScaleSets/write',
        ],
        [
          'POST',
          `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/poolfiles/listKeys`,
          undefined,
          'Microsoft.Storage/storageAccounts/listKeys/action',
        ],
        [
          'DELETE',
          `${vmssId(RG, 'poola')}/virtualMachines/1`,
          undefined,
          'Microsoft.Compute/virtualMachineScaleSets/virtualMachines/delete',
        ],
      ];
      for (const [method, path, body, action] of refusals) {
        const answer = await vm.request(method, path, body);
        assert.equal(answer.status, 403, `${method} ${path}: ${JSON.stringify(answer.body)}`);
        const error = (answer.body as { error: { code: string; message: string } }).error;
        assert.equal(error.code, 'AuthorizationFailed');
        assert.match(
          error.message,
          new RegExp(
            `^The client '[0-9a-f-]{36}' with object id '${claims.oid}' does not have authorization to perform action '${action.replace(/\//g, '\\/')}' over scope '`,
          ),
        );
      }
      assert.equal(emulator.vms(RG, 'poola').length, 2, 'nothing was changed');
      assert.equal(emulator.vms(RG, 'poolb')[0]?.instanceId, '0');
    } finally {
      vm.close();
    }
  });

  it('terminate: a scale-in posts a Terminate event, waits, and proceeds on approval', async () => {
    const endpoint = await emulator.imdsEndpoint(RG, 'poola', '1');
    const before = await eventsOf(endpoint); // enrolls the VM in scheduled events
    assert.deepEqual(before.events, []);
    const patch = await admin.request('PATCH', vmssId(RG, 'poola'), { sku: { capacity: 1 } });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    const event = await until('the Terminate event', async () => {
      const { events } = await eventsOf(endpoint);
      return events.find((e) => e.EventType === 'Terminate');
    });
    assert.equal(event.EventStatus, 'Scheduled');
    assert.equal(event.ResourceType, 'VirtualMachine');
    assert.deepEqual(event.Resources, ['poola_1']);
    assert.equal(event.DurationInSeconds, -1);
    assert.equal(new Date(event.NotBefore).getTime(), clock.now() + 10 * MIN);
    assert.equal(event.NotBefore, new Date(clock.now() + 10 * MIN).toUTCString());
    // The delete waits: the operation is in progress, the VM still runs, and its protection
    // can no longer change.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await operationStatus(patch), 'InProgress');
    const vm1 = emulator.vms(RG, 'poola').find((v) => v.instanceId === '1');
    assert.equal(vm1?.provisioningState, 'Deleting');
    assert.equal(vm1?.powerState, 'running');
    const protect = await admin.request('PUT', `${vmssId(RG, 'poola')}/virtualMachines/1`, {
      properties: { protectionPolicy: { protectFromScaleIn: true } },
    });
    assert.equal(protect.status, 409);
    // Unknown event ids are refused; the VM's own id approves.
    const wrong = await imds(endpoint, EVENTS.split('?')[0] + '?api-version=2020-07-01', {
      method: 'POST',
      headers: { Metadata: 'true' },
      body: { StartRequests: [{ EventId: 'not-an-event' }] },
    });
    assert.equal(wrong.status, 400);
    const approve = await imds(endpoint, EVENTS, {
      method: 'POST',
      headers: { Metadata: 'true' },
      body: { StartRequests: [{ EventId: event.EventId }] },
    });
    assert.equal(approve.status, 200);
    const started = await until('the event to start', async () => {
      const { events } = await eventsOf(endpoint).catch(() => ({ events: [] as ImdsEvent[] }));
      return events.find((e) => e.EventId === event.EventId && e.EventStatus === 'Started');
    });
    assert.equal(started.NotBefore, '');
    assert.equal(await admin.waitFor(patch), 'Succeeded');
    assert.deepEqual(
      emulator.vms(RG, 'poola').map((v) => v.instanceId),
      ['0'],
    );
  });

  it('terminate: without approval the delete proceeds at NotBefore on the emulator clock', async () => {
    const endpoint = await emulator.imdsEndpoint(OTHER_RG, 'poolc', '0');
    await eventsOf(endpoint);
    const del = await admin.request('POST', `${vmssId(OTHER_RG, 'poolc')}/delete`, {
      instanceIds: ['0'],
    });
    assert.equal(del.status, 202);
    const event = await until('the Terminate event', async () => {
      const { events } = await eventsOf(endpoint);
      return events.find((e) => e.EventType === 'Terminate');
    });
    clock.advance(9 * MIN);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await operationStatus(del), 'InProgress', 'still within the 10 minutes');
    assert.equal((await eventsOf(endpoint)).events[0]?.EventStatus, 'Scheduled');
    clock.advance(1 * MIN);
    assert.equal(await admin.waitFor(del), 'Succeeded');
    assert.equal(emulator.vms(OTHER_RG, 'poolc').length, 0);
    assert.ok(event.EventId);
  });

  it('terminate: an autoscale scale-in waits for the Terminate event too, its action in progress', async () => {
    const endpoint = await emulator.imdsEndpoint(RG, 'poold', '1');
    await eventsOf(endpoint);
    const setting = await admin.request(
      'PUT',
      `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Insights/autoscaleSettings/poold-autoscale`,
      {
        location: 'westeurope',
        properties: {
          enabled: true,
          targetResourceUri: vmssId(RG, 'poold'),
          profiles: [
            { name: 'default', capacity: { minimum: '1', maximum: '1', default: '1' }, rules: [] },
          ],
        },
      },
      '2022-10-01',
    );
    assert.ok(setting.status === 200 || setting.status === 201, JSON.stringify(setting.body));
    const evaluation = emulator.autoscale.evaluateNow();
    const event = await until('the Terminate event', async () => {
      const { events } = await eventsOf(endpoint);
      return events.find((e) => e.EventType === 'Terminate');
    });
    assert.deepEqual(event.Resources, ['poold_1']);
    const statuses = () =>
      emulator.autoscale
        .events()
        .filter((e) => e.resourceId?.toLowerCase().endsWith('/poold-autoscale'))
        .map((e) => e.status?.value);
    assert.deepEqual(statuses(), ['Started'], 'the scale action is still in progress');
    await imds(endpoint, EVENTS, {
      method: 'POST',
      headers: { Metadata: 'true' },
      body: { StartRequests: [{ EventId: event.EventId }] },
    });
    await evaluation;
    assert.deepEqual(statuses(), ['Started', 'Succeeded']);
    assert.deepEqual(
      emulator.vms(RG, 'poold').map((v) => v.instanceId),
      ['0'],
    );
  });

  it('terminate: a VM that never asked for scheduled events is not enrolled and goes at once', async () => {
    const del = await admin.request('POST', `${vmssId(RG, 'poolb')}/delete`, {
      instanceIds: ['0'],
    });
    assert.equal(await admin.waitFor(del), 'Succeeded');
  });

  it('test hook: injected Reboot, Redeploy, Freeze and Preempt events show and start on approval', async () => {
    const endpoint = await emulator.imdsEndpoint(RG, 'poola', '0');
    const first = await eventsOf(endpoint);
    const ids = (['Reboot', 'Redeploy', 'Freeze', 'Preempt'] as const).map((type) =>
      emulator.injectScheduledEvent(RG, 'poola', '0', { type }),
    );
    const { incarnation, events } = await eventsOf(endpoint);
    assert.ok(incarnation > first.incarnation);
    assert.deepEqual(
      events.map((e) => [e.EventType, e.EventStatus, e.EventSource]),
      [
        ['Reboot', 'Scheduled', 'Platform'],
        ['Redeploy', 'Scheduled', 'Platform'],
        ['Freeze', 'Scheduled', 'Platform'],
        ['Preempt', 'Scheduled', 'Platform'],
      ],
    );
    assert.equal(new Date(events[3].NotBefore).getTime(), clock.now() + 30_000);
    await imds(endpoint, EVENTS, {
      method: 'POST',
      headers: { Metadata: 'true' },
      body: { StartRequests: [{ EventId: ids[0] }] },
    });
    await until('the Reboot to start', async () => {
      const { events: now } = await eventsOf(endpoint);
      return now.find((e) => e.EventId === ids[0] && e.EventStatus === 'Started');
    });
    emulator.clearScheduledEvent(RG, 'poola', '0');
    assert.deepEqual((await eventsOf(endpoint)).events, []);
  });
});
