// A pool's autoscale setting end to end against the Azure emulator with the real SDK pipeline:
// the template-made setting of a pool created through AzurePoolService, a weekday schedule saved
// and read back identical, a portal-made setting (another name and group, JSON-named end profile,
// notifications, predictive autoscale) edited with everything it holds intact, a setting changed
// behind the editor's back, and the three contract methods over RPC.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, RpcError } from '../../../../../src/common/errors';
import type { AutoscaleSettings, OperationInfo } from '../../../../../src/common/models';
import { RpcClient, RpcServer } from '../../../../../src/common/rpc';
import { createMemoryTransportPair } from '../../../../../src/common/transports/memory';
import { createHandlers, type HandlerServices } from '../../../../../src/core/app-handlers';
import { AzureCredential } from '../../../../../src/core/azure/identity/index';
import { resolveAzureEnvironment } from '../../../../../src/core/azure/arm/index';
import { AzurePoolService, type AzurePoolRef } from '../../../../../src/core/azure/pools/index';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';
import { RawArmClient } from '../../../../emulators/azure/raw-arm-client';
import { ed25519Line } from '../../../../helpers/ssh-keys';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed.
await trustEmulatorCertificate();

const RG = 'scale-rg';
const POOL = 'sched';
const CLIENT_ID = 'dsvm-pool-autoscale-tests';
const CLIENT_SECRET = 'emulator-secret-for-autoscale-tests';
const PORTAL_NAME = 'sched-Autoscale-731';
const PORTAL_RG = 'ops-rg';
const PORTAL_DEFAULT = 'Auto created default scale condition';
const WEBHOOK = 'https://hooks.example.com/scale?sig=SECRET-TOKEN-123';
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'] as const;

/** The model without what says where it came from, to compare a save with its read-back. */
function shape(settings: AutoscaleSettings): unknown {
  return JSON.parse(
    JSON.stringify(settings, (key, value: unknown) =>
      key === 'ref' || key === 'revision' ? undefined : value,
    ),
  );
}

describe('autoscale settings against the emulator (real SDK pipeline)', () => {
  let emulator: AzureEmulator;
  let credential: AzureCredential;
  let service: AzurePoolService;
  let raw: RawArmClient;
  let ref: AzurePoolRef;
  let vmssId: string;
  const ours = () =>
    `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Insights/autoscalesettings/${POOL}-autoscale`;
  const portal = () =>
    `/subscriptions/${emulator.subscriptionId}/resourceGroups/${PORTAL_RG}/providers/Microsoft.Insights/autoscalesettings/${PORTAL_NAME}`;

  before(async () => {
    emulator = await startAzureEmulator({
      clientSecrets: { [CLIENT_ID]: CLIENT_SECRET },
      delays: { vmCreate: 20, vmStart: 20, resource: 10 },
    });
    credential = new AzureCredential({
      environment: resolveAzureEnvironment({
        resourceManagerEndpoint: emulator.url,
        authorityHost: emulator.url,
      }),
    });
    await credential.signIn({
      kind: 'service-principal',
      tenantId: emulator.tenantId,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    service = new AzurePoolService({
      clients: (id) => credential.clientsFor(id),
      deploymentPollIntervalMs: 50,
      lroPollIntervalMs: 50,
    });
    raw = new RawArmClient(emulator);
    ref = { subscriptionId: emulator.subscriptionId, resourceGroup: RG, poolName: POOL };
    vmssId = `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${POOL}`;
    // A pool of 0 instances: the template's autoscale setting, no VM to wait for.
    const created = service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      createResourceGroup: true,
      parameters: {
        poolName: POOL,
        location: 'westeurope',
        instanceCount: 0,
        maxInstances: 4,
        adminUsername: 'dsvmadmin',
        sshPublicKey: ed25519Line(),
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'sched-pool-test',
        natFrontendPortStart: 20_000 + Math.floor(Math.random() * 90) * 100,
      },
    });
    await created.result;
  });

  after(async () => {
    service?.dispose();
    credential?.dispose();
    await emulator?.close();
  });

  test('reads the template-made setting of a new pool', async () => {
    const view = await service.getAutoscale(ref);
    const s = view.settings;
    assert.equal(s.exists, true);
    assert.equal(s.name, `${POOL}-autoscale`);
    assert.equal(s.resourceGroup, RG);
    assert.equal(s.enabled, true);
    assert.equal(s.defaultProfile.name, 'default');
    assert.deepEqual(s.defaultProfile.capacity, { minimum: 0, default: 0, maximum: 4 });
    assert.deepEqual(
      s.defaultProfile.rules.map(
        (r) => `${r.direction} ${r.metricName} ${r.operator} ${r.threshold}`,
      ),
      ['Increase Percentage CPU GreaterThan 75', 'Decrease Percentage CPU LessThan 10'],
    );
    assert.deepEqual(s.schedules, []);
    assert.deepEqual(
      view.warnings.map((w) => [w.path.join('.'), w.suggest]),
      [['settings.defaultProfile.capacity.minimum', 'weekdays-schedule']],
    );
    assert.match(view.warnings[0].message, /its CPU rules cannot wake it/);
    assert.equal(
      view.az[0].shell,
      `az monitor autoscale show --resource-group ${RG} --subscription ${emulator.subscriptionId} --name ${POOL}-autoscale`,
    );
    assert.ok(
      view.timeZones.some((z) => z.id === 'W. Europe Standard Time' && z.offset === '+01:00'),
    );
  });

  test('saves "weekdays 08–19 min 2, nights and weekends 0" and reads it back identical', async () => {
    const { settings } = await service.getAutoscale(ref);
    const next: AutoscaleSettings = structuredClone(settings);
    next.schedules.push({
      name: 'Weekdays',
      days: [...WEEKDAYS],
      start: '08:00',
      end: '19:00',
      timeZone: 'W. Europe Standard Time',
      capacity: { minimum: 2, default: 2, maximum: 4 },
      rules: next.defaultProfile.rules,
    });
    const preview = await service.previewAutoscale(ref, next);
    assert.deepEqual(preview.problems, []);
    assert.equal(preview.changed, true);
    // az's `profile create` cannot be trusted with settings the app writes: az rest with the JSON.
    assert.deepEqual(
      preview.az.map((c) => c.args.slice(0, 4).join(' ')),
      ['az rest --method patch'],
    );
    assert.match(preview.az[0].shell, /--body @- <<'JSON'\n/);

    const tracked = service.setAutoscale(ref, next);
    assert.equal(tracked.operation.status, 'running');
    assert.deepEqual(tracked.operation.az, preview.az, 'the az commands are known at once');
    const saved = await tracked.result;
    assert.deepEqual(shape(saved.settings), shape(next));
    const op = service.tracker.get(tracked.operation.id);
    assert.equal(op.status, 'succeeded');
    assert.ok(
      op.progress.some((l) => /Saving autoscale setting sched-autoscale \(3 profiles/.test(l.text)),
    );

    const back = await service.getAutoscale(ref);
    assert.deepEqual(shape(back.settings), shape(next));
    assert.equal(back.settings.revision, saved.settings.revision);
    const stored = (await raw.request('GET', ours(), undefined, '2022-10-01')).body as {
      properties: { profiles: Array<{ name: string }>; predictiveAutoscalePolicy: unknown };
      tags: Record<string, string>;
    };
    assert.deepEqual(
      stored.properties.profiles.map((p) => p.name),
      ['default', 'Weekdays', '{"name":"default","for":"Weekdays"}'],
    );
    assert.deepEqual(
      (JSON.parse(preview.az[0].stdin!) as { properties: { profiles: unknown } }).properties
        .profiles,
      stored.properties.profiles,
      'the az command sends the profiles the app saved',
    );
    assert.equal(
      stored.tags['dsvm-pool'],
      POOL,
      'the pool tag stays, so deleting the pool finds it',
    );
    // The emulator saw our api-version, not arm-monitor's 2015-04-01.
    const put = emulator.requests
      .filter((r) => r.method === 'PUT' && /autoscalesettings/i.test(r.path))
      .at(-1);
    assert.equal(put?.apiVersion, '2022-10-01');

    // Nothing changed: a save writes nothing.
    const before = emulator.requests.length;
    const again = await service.setAutoscale(ref, back.settings).result;
    assert.equal(again.settings.revision, back.settings.revision);
    assert.equal(
      emulator.requests.slice(before).filter((r) => r.method === 'PUT').length,
      0,
      'no PUT for an unchanged setting',
    );
  });

  test('refuses an invalid setting at once, naming the fields', async () => {
    const { settings } = await service.getAutoscale(ref);
    const next = structuredClone(settings);
    next.defaultProfile.capacity = { minimum: 3, default: 3, maximum: 2 };
    next.schedules[0].timeZone = 'Europe/Paris';
    assert.throws(
      () => service.setAutoscale(ref, next),
      (err: RpcError) => {
        assert.equal(err.code, ErrorCode.BadInput);
        assert.match(
          err.message,
          /defaultProfile\.capacity\.maximum: The maximum \(2\) must be at least the minimum \(3\)/,
        );
        assert.deepEqual(
          (err.details as Array<{ path: string[] }>).map((d) => d.path.join('.')),
          ['settings.defaultProfile.capacity.maximum', 'settings.schedules.0.timeZone'],
        );
        return true;
      },
    );
    // The emulator refuses it too, as Azure would.
    const stored = (await raw.request('GET', ours(), undefined, '2022-10-01')).body as {
      properties: { profiles: Array<{ recurrence?: { schedule: { timeZone: string } } }> };
    };
    stored.properties.profiles[1].recurrence!.schedule.timeZone = 'Europe/Paris';
    const refused = await raw.request('PUT', ours(), stored, '2022-10-01');
    assert.equal(refused.status, 400);
  });

  test('a setting changed in Azure since it was read is not overwritten', async () => {
    const { settings } = await service.getAutoscale(ref);
    // Someone raises the maximum in the portal meanwhile.
    const stored = (await raw.request('GET', ours(), undefined, '2022-10-01')).body as {
      properties: { profiles: Array<{ capacity: { maximum: string } }> };
    };
    stored.properties.profiles[0].capacity.maximum = '6';
    assert.equal((await raw.request('PUT', ours(), stored, '2022-10-01')).status, 200);

    const next = structuredClone(settings);
    next.enabled = false;
    const preview = await service.previewAutoscale(ref, { ...next, revision: 'stale' });
    assert.match(preview.problems[0].message, /changed in Azure since it was read/);
    await assert.rejects(service.setAutoscale(ref, next).result, (err: RpcError) => {
      assert.equal(err.code, ErrorCode.BadInput);
      assert.match(err.message, /changed in Azure since it was read.*Reload it/);
      return true;
    });
    const after = await service.getAutoscale(ref);
    assert.equal(after.settings.enabled, true);
    assert.equal(after.settings.defaultProfile.capacity.maximum, 6);
  });

  test('a portal-made setting in another group keeps its names, notifications and predictive policy', async () => {
    // The portal replaced ours: one setting per scale set.
    assert.equal((await raw.request('DELETE', ours(), undefined, '2022-10-01')).status, 200);
    emulator.createResourceGroup(PORTAL_RG);
    const weekly = (hour: number) => ({
      frequency: 'Week',
      schedule: {
        timeZone: 'W. Europe Standard Time',
        days: [...WEEKDAYS],
        hours: [hour],
        minutes: [0],
      },
    });
    const rule = {
      metricTrigger: {
        metricName: 'Percentage CPU',
        metricNamespace: 'microsoft.compute/virtualmachinescalesets',
        metricResourceUri: vmssId,
        timeGrain: 'PT1M',
        statistic: 'Average',
        timeWindow: 'PT10M',
        timeAggregation: 'Average',
        operator: 'GreaterThan',
        threshold: 70,
        dividePerInstance: false,
        dimensions: [{ DimensionName: 'VMName', Operator: 'Equals', Values: ['sched_0'] }],
      },
      scaleAction: { direction: 'Increase', type: 'ChangeCount', value: '1', cooldown: 'PT5M' },
    };
    const body = {
      location: 'West Europe',
      tags: { owner: 'ops' },
      properties: {
        name: PORTAL_NAME,
        enabled: true,
        targetResourceUri: vmssId,
        profiles: [
          {
            name: PORTAL_DEFAULT,
            capacity: { minimum: '0', maximum: '4', default: '0' },
            rules: [rule],
          },
          {
            name: 'Office',
            capacity: { minimum: '2', maximum: '4', default: '2' },
            rules: [rule],
            recurrence: weekly(8),
          },
          {
            name: `{"name":"${PORTAL_DEFAULT}","for":"Office"}`,
            capacity: { minimum: '0', maximum: '4', default: '0' },
            rules: [rule],
            recurrence: weekly(19),
          },
        ],
        notifications: [
          {
            operation: 'Scale',
            email: { sendToSubscriptionAdministrator: false, customEmails: ['ops@example.com'] },
            webhooks: [{ serviceUri: WEBHOOK, properties: {} }],
          },
        ],
        predictiveAutoscalePolicy: { scaleMode: 'ForecastOnly', scaleLookAheadTime: 'PT10M' },
      },
    };
    assert.equal((await raw.request('PUT', portal(), body, '2022-10-01')).status, 201);

    const view = await service.getAutoscale(ref);
    const s = view.settings;
    assert.equal(s.name, PORTAL_NAME, 'found by the scale set it targets, not by our name');
    assert.equal(s.resourceGroup, PORTAL_RG);
    assert.equal(s.defaultProfile.name, PORTAL_DEFAULT);
    assert.deepEqual(
      s.schedules.map(
        (x) => `${x.name} ${x.days.length}d ${x.start}-${x.end} ${x.capacity.minimum}`,
      ),
      ['Office 5d 08:00-19:00 2'],
    );
    assert.deepEqual(s.kept, [
      'Scale notifications to 1 e-mail address, 1 webhook.',
      'Predictive autoscale: ForecastOnly, looking PT10M ahead.',
    ]);
    assert.doesNotMatch(JSON.stringify(view), /SECRET-TOKEN/);

    // Evenings until 20:00, a minimum of 3, and a scale-in rule next to the portal's.
    const next = structuredClone(s);
    next.schedules[0] = {
      ...next.schedules[0],
      end: '20:00',
      capacity: { minimum: 3, default: 3, maximum: 4 },
    };
    next.schedules[0].rules.push({
      ...next.schedules[0].rules[0],
      ref: undefined,
      direction: 'Decrease',
      operator: 'LessThan',
      threshold: 20,
      timeWindow: 'PT30M',
    });
    const tracked = service.setAutoscale(ref, next);
    const saved = await tracked.result;
    assert.deepEqual(shape(saved.settings), shape(next));
    const op = service.tracker.get(tracked.operation.id);
    assert.ok(op.az.length > 0);
    for (const c of op.az) {
      assert.doesNotMatch(`${c.shell}\n${c.stdin ?? ''}`, /SECRET|hooks\.example|ops@example/);
    }
    const names = (c: { args: string[] }, name: string) => c.args.some((a) => a.includes(name));
    assert.ok(op.az.every((c) => names(c, PORTAL_NAME) && names(c, PORTAL_RG)));

    const stored = (await raw.request('GET', portal(), undefined, '2022-10-01')).body as {
      tags: Record<string, string>;
      location: string;
      properties: typeof body.properties;
    };
    assert.deepEqual(
      stored.properties.profiles.map((p) => p.name),
      [PORTAL_DEFAULT, 'Office', `{"name":"${PORTAL_DEFAULT}","for":"Office"}`],
    );
    assert.deepEqual(stored.properties.notifications, body.properties.notifications);
    assert.deepEqual(
      stored.properties.predictiveAutoscalePolicy,
      body.properties.predictiveAutoscalePolicy,
    );
    assert.deepEqual(stored.tags, { owner: 'ops' });
    assert.equal(stored.location, 'West Europe');
    const office = stored.properties.profiles[1];
    assert.deepEqual(office.capacity, { minimum: '3', maximum: '4', default: '3' });
    assert.deepEqual(office.rules[0], rule, 'the unedited rule, dimensions and all');
    assert.equal(office.rules.length, 2);
    assert.deepEqual(
      (stored.properties.profiles[2].recurrence as { schedule: { hours: number[] } }).schedule
        .hours,
      [20],
    );
    assert.deepEqual(
      stored.properties.profiles[0],
      body.properties.profiles[0],
      'default untouched',
    );
  });

  test('the contract methods over RPC: input checked, handlers wired by pool id', async () => {
    const poolId = `azure:${ref.subscriptionId}/${RG}/${POOL}`;
    const handlers = createHandlers({
      azure: {
        service,
        provider: (id: string) => {
          if (id !== poolId) throw new RpcError(ErrorCode.NotFound, `No Azure pool ${id}`);
          return { pool: ref };
        },
      },
    } as unknown as HandlerServices);
    const server = new RpcServer(handlers);
    const [a, b] = createMemoryTransportPair();
    server.connect(b);
    const ui = new RpcClient(a);
    try {
      const view = await ui.call('azure.getAutoscale', { poolId });
      assert.equal(view.settings.name, PORTAL_NAME);

      await assert.rejects(
        ui.call('azure.setAutoscale', {
          poolId,
          settings: {
            ...view.settings,
            defaultProfile: {
              ...view.settings.defaultProfile,
              capacity: { minimum: 1, default: 0, maximum: 2 },
            },
          },
        }),
        (err: RpcError) => {
          assert.equal(err.code, ErrorCode.BadInput);
          assert.deepEqual(err.details, [
            {
              path: ['settings', 'defaultProfile', 'capacity', 'default'],
              message: 'the default (0) must lie between the minimum (1) and the maximum (2)',
            },
          ]);
          return true;
        },
      );

      const next = structuredClone(view.settings);
      next.enabled = false;
      const preview = await ui.call('azure.previewAutoscale', { poolId, settings: next });
      assert.deepEqual(preview.problems, []);
      assert.deepEqual(
        preview.az.map((c) => c.shell),
        [
          `az monitor autoscale update --resource-group ${PORTAL_RG} --subscription ${ref.subscriptionId} --name ${PORTAL_NAME} --enabled false`,
        ],
      );
      assert.ok(preview.notes.some((n) => /Autoscale is off/.test(n)));

      const op = await ui.call('azure.setAutoscale', { poolId, settings: next });
      assert.equal(op.status, 'running');
      const ended = await new Promise<OperationInfo>((resolve) => {
        const check = () => {
          const info = service.tracker.get(op.id);
          if (info.status !== 'running') resolve(info);
          else setTimeout(check, 20);
        };
        check();
      });
      assert.equal(ended.status, 'succeeded', ended.error?.message);
      assert.equal((await ui.call('azure.getAutoscale', { poolId })).settings.enabled, false);

      await assert.rejects(
        ui.call('azure.getAutoscale', { poolId: 'azure:nope' }),
        (err: RpcError) => err.code === ErrorCode.NotFound,
      );
    } finally {
      ui.dispose();
      server.dispose();
    }
  });
  test("a pool whose setting was deleted gets a new one, tagged as the pool's", async () => {
    assert.equal((await raw.request('DELETE', portal(), undefined, '2022-10-01')).status, 200);
    const view = await service.getAutoscale(ref);
    assert.equal(view.settings.exists, false);
    assert.equal(view.settings.name, `${POOL}-autoscale`);
    assert.equal(view.settings.enabled, false);
    assert.match(view.notes[0], /has no autoscale setting: saving creates sched-autoscale/);
    const next = structuredClone(view.settings);
    next.enabled = true;
    next.defaultProfile.capacity = { minimum: 0, default: 0, maximum: 3 };
    next.schedules.push({
      name: 'Weekdays',
      days: [...WEEKDAYS],
      start: '08:00',
      end: '19:00',
      timeZone: 'UTC',
      capacity: { minimum: 2, default: 2, maximum: 3 },
      rules: [],
    });
    const preview = await service.previewAutoscale(ref, next);
    assert.deepEqual(
      preview.az.map((c) => c.args.slice(0, 4).join(' ')),
      ['az rest --method put'],
    );
    const saved = await service.setAutoscale(ref, next).result;
    assert.equal(saved.settings.exists, true);
    assert.deepEqual(shape({ ...saved.settings, exists: false }), shape(next));
    const stored = (await raw.request('GET', ours(), undefined, '2022-10-01')).body as {
      location: string;
      tags: Record<string, string>;
      properties: { targetResourceUri: string };
    };
    assert.equal(stored.location, 'westeurope');
    assert.deepEqual(stored.tags, { 'dsvm-pool': POOL });
    assert.equal(stored.properties.targetResourceUri, vmssId);
  });
});
