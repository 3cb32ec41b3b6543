// "Why did / didn't the pool scale" against the emulator: its autoscale engine scales a pool by
// a weekday schedule around an instance protected from scale-in, writing Activity Log events;
// the app reads them with the real MonitorClient and names the profile, the bound and from → to,
// the kept instance, and the agents' events from the share folder.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InstanceInfo } from '../../../../../src/common/models';
import { resolveAzureEnvironment } from '../../../../../src/core/azure/arm/index';
import { AzureCredential } from '../../../../../src/core/azure/identity/index';
import { AzureScaling } from '../../../../../src/core/azure/scaling/index';
import type { ShareFiles } from '../../../../../src/core/storage/share-files';
import { ManualClock } from '../../../../emulators/azure/autoscale-clock';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';

await trustEmulatorCertificate();

const RG = 'why-rg';
const POOL = 'why';
const CLIENT_ID = 'dsvm-pool-scaling-tests';
const CLIENT_SECRET = 'emulator-secret-for-scaling-tests';
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const START = '2025-01-15T07:55:00Z'; // a Wednesday
const MIN = 60_000;

/** The share as a folder: only what the read needs (list and read), as the agents wrote it. */
function folderShare(root: string): ShareFiles {
  const refuse = () => Promise.reject(new Error('read-only in this test'));
  return {
    label: `folder ${root}`,
    read: (path) => readFile(join(root, path), 'utf8').catch(() => undefined),
    list: async (dir) =>
      (await readdir(join(root, dir), { withFileTypes: true }).catch(() => [])).map((d) => ({
        name: d.name,
        isDirectory: d.isDirectory(),
      })) as never,
    writeAtomic: refuse,
    withLock: refuse,
    usage: refuse,
    setQuota: refuse,
  };
}

describe('scaling history against the emulator (real MonitorClient)', () => {
  let emulator: AzureEmulator;
  let credential: AzureCredential;
  let shareDir: string;
  const clock = new ManualClock(START);

  before(async () => {
    emulator = await startAzureEmulator({
      clientSecrets: { [CLIENT_ID]: CLIENT_SECRET },
      delays: { vmCreate: 10, vmDelete: 10, resource: 10 },
      autoscale: { clock },
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
    shareDir = await mkdtemp(join(tmpdir(), 'why-share-'));
  });

  after(async () => {
    credential?.dispose();
    await emulator?.close();
    if (shareDir) await rm(shareDir, { recursive: true, force: true });
  });

  it('names the profile, the bound and from → to of each autoscale action, and the kept instance', async () => {
    const clients = credential.clientsFor(emulator.subscriptionId);
    const vmssId = `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${POOL}`;
    await emulator.seedScaleSet({
      resourceGroup: RG,
      name: POOL,
      capacity: 0,
      body: {
        location: 'westeurope',
        sku: { name: 'Standard_D4s_v5', tier: 'Standard', capacity: 0 },
        properties: {
          upgradePolicy: { mode: 'Manual' },
          virtualMachineProfile: {
            osProfile: { computerNamePrefix: POOL, adminUsername: 'azureuser' },
          },
        },
      },
    });
    const weekly = (hour: number) => ({
      frequency: 'Week' as const,
      schedule: { timeZone: 'UTC', days: WEEKDAYS, hours: [hour], minutes: [0] },
    });
    const cap = (min: number, max: number) => ({
      minimum: String(min),
      maximum: String(max),
      default: String(min),
    });
    await clients.monitor.autoscaleSettings.createOrUpdate(RG, `${POOL}-autoscale`, {
      location: 'westeurope',
      targetResourceUri: vmssId,
      enabled: true,
      profiles: [
        { name: 'default', capacity: cap(0, 0), rules: [] },
        { name: 'weekdays', capacity: cap(3, 3), rules: [], recurrence: weekly(8) },
        {
          name: JSON.stringify({ name: 'default', for: 'weekdays' }),
          capacity: cap(0, 0),
          rules: [],
          recurrence: weekly(19),
        },
      ],
    });

    clock.set('2025-01-15T08:00:00Z');
    await emulator.autoscale.evaluateNow();
    assert.equal(emulator.vms(RG, POOL).length, 3);
    // alice is busy on instance 1: her agent protected it.
    await clients.compute.virtualMachineScaleSetVMs.update(RG, POOL, '1', {
      location: 'westeurope',
      protectionPolicy: { protectFromScaleIn: true },
    });
    await mkdir(join(shareDir, '.pool/events'), { recursive: true });
    await writeFile(
      join(shareDir, '.pool/events/why000001.jsonl'),
      [
        { time: '2025-01-15T09:00:00Z', kind: 'sessions', sessions: 1 },
        {
          time: '2025-01-15T09:00:30Z',
          kind: 'protect',
          protect: true,
          by: 'busy',
          reason: 'alice: kernel busy 5 min',
        },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    clock.set('2025-01-15T19:00:00Z');
    await emulator.autoscale.evaluateNow();
    assert.deepEqual(
      emulator.vms(RG, POOL).map((v) => v.instanceId),
      ['1'],
      'the protected instance stays',
    );
    clock.advance(5 * MIN);

    const instances: InstanceInfo[] = emulator.vms(RG, POOL).map((v) => ({
      id: v.instanceId,
      name: `${POOL}00000${v.instanceId}`,
      state: 'running',
      host: '127.0.0.1',
      port: 22,
      sessions: { alice: 1 },
      azure: { protectFromScaleIn: true },
    }));
    const history = await new AzureScaling(clients, {
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      poolName: POOL,
    }).history({
      poolId: 'azure:why',
      hours: 24,
      instances,
      share: { files: folderShare(shareDir), account: 'whystore', share: 'notebooks' },
      now: clock.now(),
      timeZone: 'UTC',
    });

    assert.deepEqual(history.problems, []);
    const scale = history.markers.filter((m) => m.kind === 'scale-out' || m.kind === 'scale-in');
    assert.deepEqual(
      scale.map((m) => [m.time.slice(11, 16), m.profile, m.rule, m.from, m.to]),
      [
        ['08:00', 'weekdays', 'minimum 3', 0, 3],
        ['19:00', JSON.stringify({ name: 'default', for: 'weekdays' }), 'maximum 0', 3, 0],
      ],
    );
    assert.match(scale[1]!.reason, /allows at most 0 \(its maximum\); 1 instance was kept/);
    const protect = history.markers.find((m) => m.kind === 'protect');
    assert.equal(protect?.instance, 'why000001');
    assert.equal(protect?.reason, 'alice: kernel busy 5 min');
    assert.deepEqual(
      history.series.map((p) => `${p.time.slice(11, 16)} ${p.instances} ${p.sessions ?? '-'}`),
      ['19:05 0 -', '08:00 3 -', '09:00 3 1', '19:00 1 1', '19:05 1 1'],
      'from 0 to 3 at 08:00, then 1 left (kept) from 19:00 to now',
    );
    assert.match(history.now.text, /^1 instance, above the maximum 0 from profile/);
    assert.match(history.now.text, /why000001 kept: protected from scale-in/);
    const az = history.az.map((c) => c.shell);
    assert.match(
      az[0]!,
      /^az monitor activity-log list --resource-id \/subscriptions\/.+\/autoscalesettings\/why-autoscale --offset 1d/i,
    );
    assert.match(
      az.join('\n'),
      /az vmss list-instances .*--query '\[\]\.\{id:instanceId, protect:protectionPolicy\.protectFromScaleIn\}'/,
    );
    assert.match(
      az.join('\n'),
      /az monitor autoscale show --resource-group why-rg --name why-autoscale/,
    );
    assert.match(
      az.join('\n'),
      /az storage file download --account-name whystore --share-name notebooks --path \.pool\/events\/why000001\.jsonl/,
    );
  });
});
