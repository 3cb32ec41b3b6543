// The emulator's autoscale engine through the real SDK: scale-out on high CPU with its cooldown,
// scale-in by the scale-in policy around protected instances, the default capacity when no
// metric exists, a schedule in Berlin time, a failed action, and the Activity Log events read
// with MonitorClient.activityLogs.list.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventData } from '@azure/arm-monitor';
import { ManualClock } from '../../emulators/azure/autoscale-clock';
import { startAzureEmulator, type AzureEmulator } from '../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';
import { createEmulatorClients, type EmulatorClients } from '../../emulators/azure/sdk-clients';

await trustEmulatorCertificate();

const RG = 'autoscale-rg';
const START = '2025-01-15T10:00:00Z'; // a Wednesday
const MIN = 60_000;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];

describe('Azure emulator: the autoscale engine', () => {
  let emulator: AzureEmulator;
  let azure: EmulatorClients;
  const clock = new ManualClock(START);

  before(async () => {
    emulator = await startAzureEmulator({
      delays: { vmCreate: 10, vmDelete: 10, resource: 10 },
      autoscale: { clock },
    });
    azure = createEmulatorClients(emulator);
    await azure.resources.resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  });
  after(async () => {
    await emulator?.close();
  });

  const vmssId = (name: string) =>
    `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;

  function cpuRule(direction: 'Increase' | 'Decrease', name: string, cooldown = 'PT5M') {
    return {
      metricTrigger: {
        metricName: 'Percentage CPU',
        metricNamespace: 'microsoft.compute/virtualmachinescalesets',
        metricResourceUri: vmssId(name),
        timeGrain: 'PT1M',
        statistic: 'Average' as const,
        timeWindow: 'PT10M',
        timeAggregation: 'Average' as const,
        operator: direction === 'Increase' ? ('GreaterThan' as const) : ('LessThan' as const),
        threshold: direction === 'Increase' ? 75 : 10,
      },
      scaleAction: { direction, type: 'ChangeCount' as const, value: '1', cooldown },
    };
  }

  /** A running scale set and its autoscale setting (created through MonitorClient). */
  async function pool(
    name: string,
    capacity: number,
    profiles: Array<Record<string, unknown>>,
    scaleInPolicy?: string,
  ) {
    await emulator.seedScaleSet({
      resourceGroup: RG,
      name,
      capacity,
      body: {
        location: 'westeurope',
        sku: { name: 'Standard_D4s_v5', tier: 'Standard', capacity },
        properties: {
          upgradePolicy: { mode: 'Manual' },
          ...(scaleInPolicy ? { scaleInPolicy: { rules: [scaleInPolicy] } } : {}),
          virtualMachineProfile: {
            osProfile: { computerNamePrefix: name, adminUsername: 'azureuser' },
          },
        },
      },
    });
    const setting = await azure.monitor.autoscaleSettings.createOrUpdate(RG, `${name}-autoscale`, {
      location: 'westeurope',
      targetResourceUri: vmssId(name),
      enabled: true,
      profiles: profiles as never,
    });
    return { settingId: setting.id!, capacity: () => capacityOf(name) };
  }

  async function capacityOf(name: string): Promise<number> {
    return (await azure.compute.virtualMachineScaleSets.get(RG, name)).sku?.capacity ?? -1;
  }

  async function events(settingId: string): Promise<EventData[]> {
    const out: EventData[] = [];
    const filter = `eventTimestamp ge '2025-01-01T00:00:00Z' and resourceUri eq '${settingId}'`;
    for await (const e of azure.monitor.activityLogs.list(filter)) out.push(e);
    return out;
  }

  const cap = (minimum: number, maximum: number, def: number) => ({
    minimum: String(minimum),
    maximum: String(maximum),
    default: String(def),
  });

  it('scales out on high CPU, waits out the cooldown, stops at the maximum; Scaleup events in the Activity Log', async () => {
    clock.set(START);
    const p = await pool('hot', 1, [
      {
        name: 'default',
        capacity: cap(1, 3, 1),
        rules: [cpuRule('Increase', 'hot'), cpuRule('Decrease', 'hot')],
      },
    ]);
    emulator.autoscale.setMetric({ resourceUri: vmssId('hot'), metricName: 'Percentage CPU' }, 90);

    const [first] = (await emulator.autoscale.evaluateNow()).filter(
      (r) => r.targetId === vmssId('hot'),
    );
    assert.equal(first.profile?.name, 'default');
    assert.equal(first.outcome, 'Succeeded');
    assert.equal(await p.capacity(), 2);

    await emulator.autoscale.evaluateNow();
    assert.equal(await p.capacity(), 2, 'within the 5-minute cooldown nothing happens');
    clock.advance(5 * MIN);
    await emulator.autoscale.evaluateNow();
    assert.equal(await p.capacity(), 3);
    clock.advance(5 * MIN);
    await emulator.autoscale.evaluateNow();
    assert.equal(await p.capacity(), 3, 'the maximum is 3');

    const log = await events(p.settingId);
    assert.deepEqual(
      log.map(
        (e) =>
          `${e.status?.value} ${e.properties?.OldInstancesCount}→${e.properties?.NewInstancesCount}`,
      ),
      ['Succeeded 2→3', 'Started 2→3', 'Succeeded 1→2', 'Started 1→2'],
      'newest first, a Started and a Succeeded event per action',
    );
    const e = log[1];
    assert.equal(e.operationName?.value, 'Microsoft.Insights/AutoscaleSettings/Scaleup/Action');
    assert.equal(e.category?.value, 'Autoscale');
    assert.equal(e.eventName?.value, 'AutoscaleAction');
    assert.equal(e.caller, 'Microsoft.Insights/autoscaleSettings');
    assert.equal(e.level, 'Informational');
    assert.ok(e.eventTimestamp instanceof Date);
    assert.equal(
      e.eventTimestamp.toISOString(),
      new Date(Date.parse(START) + 5 * MIN).toISOString(),
    );
    assert.equal(
      e.correlationId,
      log[0].correlationId,
      'Started and Succeeded share the operation',
    );
    assert.equal(e.properties?.ResourceName, vmssId('hot'));
    assert.equal(JSON.parse(e.properties!.ActiveAutoscaleProfile).Name, 'default');
    assert.equal(e.properties?.ScaleReason, 'rule');
    const [fired] = JSON.parse(e.properties!.FiredRules) as Array<{
      metricName: string;
      observed: number;
    }>;
    assert.deepEqual([fired.metricName, fired.observed], ['Percentage CPU', 90]);
    assert.match(e.description ?? '', /from 2 instances count to 3 instances count/);
  });

  it('scales in by the scale-in policy, skipping the instance protected from scale-in', async () => {
    clock.set(START);
    const rules = [cpuRule('Increase', 'quiet', 'PT1M'), cpuRule('Decrease', 'quiet', 'PT1M')];
    const oldest = await pool(
      'quiet',
      4,
      [{ name: 'default', capacity: cap(0, 4, 0), rules }],
      'OldestVM',
    );
    const newest = await pool('calm', 3, [
      {
        name: 'default',
        capacity: cap(0, 4, 0),
        rules: [cpuRule('Increase', 'calm', 'PT1M'), cpuRule('Decrease', 'calm', 'PT1M')],
      },
    ]);
    await azure.compute.virtualMachineScaleSetVMs.update(RG, 'quiet', '0', {
      location: 'westeurope',
      protectionPolicy: { protectFromScaleIn: true },
    });
    await azure.compute.virtualMachineScaleSetVMs.update(RG, 'calm', '2', {
      location: 'westeurope',
      protectionPolicy: { protectFromScaleIn: true },
    });
    for (const name of ['quiet', 'calm']) {
      emulator.autoscale.setMetric({ resourceUri: vmssId(name), metricName: 'Percentage CPU' }, 5);
    }
    await emulator.autoscale.evaluateNow();
    const ids = (name: string) => emulator.vms(RG, name).map((vm) => vm.instanceId);
    assert.deepEqual(ids('quiet'), ['0', '2', '3'], 'OldestVM: 0 is protected, so 1 goes');
    assert.deepEqual(ids('calm'), ['0', '2'], 'Default: the newest, 2, is protected, so 1 goes');
    clock.advance(MIN);
    await emulator.autoscale.evaluateNow();
    assert.deepEqual(ids('quiet'), ['0', '3']);
    assert.equal(await oldest.capacity(), 2);
    assert.equal(await newest.capacity(), 1);
    const [last] = await events(oldest.settingId);
    assert.equal(
      last.operationName?.value,
      'Microsoft.Insights/AutoscaleSettings/Scaledown/Action',
    );
    assert.equal(last.status?.value, 'Succeeded');
  });

  it('no metric data: a pool at 0 is lifted to a default of 1, and stays asleep with a default of 0', async () => {
    clock.set(START);
    const rules = (name: string) => [cpuRule('Increase', name), cpuRule('Decrease', name)];
    const lifted = await pool('lifted', 0, [
      { name: 'default', capacity: cap(0, 3, 1), rules: rules('lifted') },
    ]);
    const asleep = await pool('asleep', 0, [
      { name: 'default', capacity: cap(0, 3, 0), rules: rules('asleep') },
    ]);
    // A CPU series exists, but with no instance running nothing reports it.
    emulator.autoscale.setMetric(
      { resourceUri: vmssId('asleep'), metricName: 'Percentage CPU' },
      90,
    );
    const results = await emulator.autoscale.evaluateNow();
    assert.equal(await lifted.capacity(), 1);
    assert.equal(await asleep.capacity(), 0);
    const r = results.find((x) => x.targetId === vmssId('asleep'));
    assert.equal(r?.decision?.kind, 'none');
    assert.match(r?.decision?.why ?? '', /no data for Percentage CPU/);
    const [done] = await events(lifted.settingId);
    assert.equal(done.properties?.ScaleReason, 'default');
  });

  it('a weekday schedule in Berlin time: at least 2 from 08:00, back to the default at 19:00', async () => {
    const weekly = (hour: number) => ({
      frequency: 'Week',
      schedule: {
        timeZone: 'W. Europe Standard Time',
        days: WEEKDAYS,
        hours: [hour],
        minutes: [0],
      },
    });
    const rules = [cpuRule('Increase', 'office', 'PT1M'), cpuRule('Decrease', 'office', 'PT1M')];
    clock.set('2025-01-15T06:59:00Z'); // 07:59 in Berlin
    const p = await pool('office', 0, [
      { name: 'default', capacity: cap(0, 4, 0), rules },
      { name: 'Weekdays', capacity: cap(2, 4, 2), rules, recurrence: weekly(8) },
      {
        name: '{"name":"default","for":"Weekdays"}',
        capacity: cap(0, 4, 0),
        rules,
        recurrence: weekly(19),
      },
    ]);
    let [r] = (await emulator.autoscale.evaluateNow()).filter(
      (x) => x.targetId === vmssId('office'),
    );
    assert.equal(r.profile?.name, '{"name":"default","for":"Weekdays"}');
    assert.equal(await p.capacity(), 0);
    clock.set('2025-01-15T07:00:00Z'); // 08:00 in Berlin
    [r] = (await emulator.autoscale.evaluateNow()).filter((x) => x.targetId === vmssId('office'));
    assert.deepEqual(
      [r.profile?.name, r.decision?.kind === 'scale' && r.decision.reason],
      ['Weekdays', 'minimum'],
    );
    assert.equal(await p.capacity(), 2);
    emulator.autoscale.setMetric(
      { resourceUri: vmssId('office'), metricName: 'Percentage CPU' },
      3,
    );
    clock.set('2025-01-15T17:59:00Z'); // 18:59: the minimum of 2 holds
    await emulator.autoscale.evaluateNow();
    assert.equal(await p.capacity(), 2);
    clock.set('2025-01-15T18:00:00Z'); // 19:00: the default's bounds and its scale-in rule
    await emulator.autoscale.evaluateNow();
    assert.equal(await p.capacity(), 1);
  });

  it('a failed scale action is logged as Failed, with the error', async () => {
    clock.set(START);
    const p = await pool('failing', 0, [{ name: 'default', capacity: cap(1, 2, 1), rules: [] }]);
    emulator.failOperation(`PATCH ${vmssId('failing')}`, {
      code: 'AllocationFailed',
      message: 'Allocation failed. Please try again later.',
    });
    const [r] = (await emulator.autoscale.evaluateNow()).filter(
      (x) => x.targetId === vmssId('failing'),
    );
    assert.equal(r.outcome, 'Failed');
    const [failed, started] = await events(p.settingId);
    assert.deepEqual([failed.status?.value, started.status?.value], ['Failed', 'Started']);
    assert.equal(failed.level, 'Error');
    assert.match(failed.properties?.Error ?? '', /^AllocationFailed: Allocation failed/);
  });

  it('a disabled setting does nothing; a filter outside the documented grammar is a 400', async () => {
    clock.set(START);
    await pool('off', 0, [{ name: 'default', capacity: cap(2, 3, 2), rules: [] }]);
    await azure.monitor.autoscaleSettings.update(RG, 'off-autoscale', { enabled: false });
    const [r] = (await emulator.autoscale.evaluateNow()).filter(
      (x) => x.targetId === vmssId('off'),
    );
    assert.equal(r.skipped, 'the setting is disabled');
    assert.equal(await capacityOf('off'), 0);
    await assert.rejects(
      async () => {
        for await (const _ of azure.monitor.activityLogs.list("resourceUri eq '/x'")) break;
      },
      (err: { statusCode?: number; message?: string }) =>
        err.statusCode === 400 && /eventTimestamp ge/.test(err.message ?? ''),
    );
  });

  it('in real time it evaluates by itself every period until stopped', async () => {
    clock.set(START);
    await pool('timer', 0, [{ name: 'default', capacity: cap(1, 2, 1), rules: [] }]);
    emulator.autoscale.start(50);
    try {
      for (let i = 0; i < 200 && (await capacityOf('timer')) !== 1; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(await capacityOf('timer'), 1);
      assert.equal(emulator.autoscale.started, true);
    } finally {
      emulator.autoscale.stop();
    }
    assert.equal(emulator.autoscale.started, false);
  });
});
