// The agent's watch in namespace VMs behind the Azure emulator (root): a member's keep makes the
// VM busy and the agent protects its own instance from scale-in with its scale set's managed
// identity (IMDS token, one ARM PUT); cancelled, it clears it; a VM whose identity has no role on
// its scale set, or a token used on another pool's instance, is refused. Also measures the flip
// latency and the ARM calls for the README.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentActivity, AgentHeartbeat } from '../../../src/common/agent-protocol';
import { AgentActivitySchema } from '../../../src/common/agent-protocol';
import type { AzureEmulator } from '../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';
import type { EmulatorClients } from '../../emulators/azure/sdk-clients';
import type { NamespaceVmBackendFactory } from '../../emulators/vm/namespace-vm-backend';
import {
  activityEvents,
  adminKey,
  buildAgent,
  poolTemplate,
  startWatchEmulator,
} from './watch-pool';

await trustEmulatorCertificate();

describe('agent watch: scale-in protection of its own instance (namespace VMs + emulator, root)', () => {
  let emulator: AzureEmulator;
  let backend: NamespaceVmBackendFactory;
  let keyDir: string;
  let azure: EmulatorClients;
  const share = () => emulator.files.dataDir('protfiles', 'protshare');

  async function deploy(rg: string, poolName: string, withRole: boolean): Promise<void> {
    await azure.resources.resourceGroups.createOrUpdate(rg, { location: 'westeurope' });
    await azure.deployments.deployments.createOrUpdate(rg, 'pool', {
      properties: {
        mode: 'Incremental',
        template: await poolTemplate(withRole),
        parameters: {
          poolName: { value: poolName },
          sshPublicKey: { value: (await readFile(join(keyDir, 'admin_key.pub'), 'utf8')).trim() },
          natPortRangeStart: { value: 27_000 + Math.floor(Math.random() * 250) * 4 },
          instanceCount: { value: 1 },
          maxInstances: { value: 2 },
        },
      },
    });
  }

  const vmOf = (rg: string, pool: string) => {
    const [vm] = emulator.vms(rg, pool);
    const nsVm = backend.vms.get(vm.computerName);
    assert.ok(nsVm?.running, `${pool}'s VM runs`);
    return { vm, nsVm };
  };

  /** `dsvm-pool-agent watch --once` in the VM: the heartbeat's activity it printed. */
  async function watchOnce(
    rg: string,
    pool: string,
  ): Promise<{ activity: AgentActivity; armCalls: number; ms: number }> {
    const { nsVm } = vmOf(rg, pool);
    const started = performance.now();
    const run = await nsVm.runAgent(['watch', '--once']);
    const ms = performance.now() - started;
    assert.equal(run.code, 0, `watch --once\n${run.stderr}`);
    const printed = JSON.parse(run.stdout) as AgentActivity & { armCalls: number };
    return { activity: AgentActivitySchema.parse(printed), armCalls: printed.armCalls, ms };
  }

  /** `dsvm-pool-agent keep …` as the VM's admin login (a member's own command). */
  async function keep(rg: string, pool: string, ...args: string[]) {
    const { nsVm } = vmOf(rg, pool);
    const run = await nsVm.exec(
      `runuser -u azureuser -- /usr/local/bin/dsvm-pool-agent keep ${args.map((a) => `'${a}'`).join(' ')}`,
    );
    assert.equal(run.code, 0, `keep ${args.join(' ')}\n${run.stdout}${run.stderr}`);
    return run.stdout;
  }

  const protectedOnAzure = async (rg: string, pool: string, instanceId: string) =>
    (await azure.compute.virtualMachineScaleSetVMs.get(rg, pool, instanceId)).protectionPolicy
      ?.protectFromScaleIn === true;

  before(async () => {
    await buildAgent();
    keyDir = await mkdtemp(join(tmpdir(), 'dsvm-protect-it-'));
    await adminKey(keyDir);
    ({ emulator, backend, azure } = await startWatchEmulator({
      account: 'protfiles',
      share: 'protshare',
      // The shortest window the policy allows: an idle flip needs no input for 5 minutes.
      idleMinutes: 5,
    }));
    await deploy('prot-rg', 'protpool', true);
    await deploy('prot-norole-rg', 'norolepool', false);
  });

  after(async () => {
    await emulator?.close();
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  it('protect: a keep makes the VM busy and it protects itself; cancelled, it clears it (flip-only)', async () => {
    const { vm } = vmOf('prot-rg', 'protpool');
    assert.equal(await protectedOnAzure('prot-rg', 'protpool', vm.instanceId), false);
    assert.match(await keep('prot-rg', 'protpool', '30m', '--reason', 'it test'), /kept until/);

    const busy = await watchOnce('prot-rg', 'protpool');
    assert.equal(busy.activity.busy, true);
    assert.ok(
      busy.activity.reasons.some(
        (r) => r.user === 'azureuser' && r.kind === 'keep' && /: it test$/.test(r.text),
      ),
      JSON.stringify(busy.activity.reasons),
    );
    assert.equal(busy.activity.idleMinutes, 5);
    assert.equal(busy.activity.protection?.protectFromScaleIn, true);
    assert.equal(busy.activity.protection?.by, 'busy');
    assert.equal(busy.activity.protection?.error, undefined);
    assert.equal(await protectedOnAzure('prot-rg', 'protpool', vm.instanceId), true);
    // One read and one PUT.
    assert.equal(busy.armCalls, 2);
    console.log(
      `[figure] protect flip: watch --once in the VM ${busy.ms.toFixed(0)} ms, ${busy.armCalls} ARM calls`,
    );

    // Still busy: no ARM call at all.
    const steady = await watchOnce('prot-rg', 'protpool');
    assert.equal(steady.activity.protection?.protectFromScaleIn, true);
    assert.equal(steady.armCalls, 0);

    await keep('prot-rg', 'protpool', '--cancel');
    const idle = await watchOnce('prot-rg', 'protpool');
    // Another engineer's terminal on this machine shares /dev/pts with the namespace VMs: if one
    // had input in the last 5 min the VM is busy for a reason outside this test.
    assert.equal(idle.activity.busy, false, `busy for: ${JSON.stringify(idle.activity.reasons)}`);
    assert.equal(idle.activity.protection?.protectFromScaleIn, false);
    assert.equal(idle.activity.protection?.by, null);
    assert.equal(idle.armCalls, 1, 'one PUT clears it');
    assert.equal(await protectedOnAzure('prot-rg', 'protpool', vm.instanceId), false);
    console.log(
      `[figure] unprotect flip: watch --once in the VM ${idle.ms.toFixed(0)} ms, ${idle.armCalls} ARM call`,
    );

    const events = await activityEvents(share(), vm.computerName);
    assert.deepEqual(
      events
        .filter((e) => e.kind !== 'sessions')
        .map((e) => (e.kind === 'protect' ? `protect ${e.protect} ${e.by}` : e.kind)),
      ['busy', 'protect true busy', 'idle', 'protect false busy'],
    );
    const heartbeat = JSON.parse(
      await readFile(join(share(), `.pool/status/${vm.computerName}.json`), 'utf8'),
    ) as AgentHeartbeat;
    assert.equal(heartbeat.activity?.busy, false, 'the flip wrote a heartbeat at once');
  });

  it('protect: a scheduled event reaches the heartbeat in the same run', async () => {
    const { vm } = vmOf('prot-rg', 'protpool');
    const eventId = emulator.injectScheduledEvent('prot-rg', 'protpool', vm.instanceId, {
      type: 'Reboot',
    });
    const { activity } = await watchOnce('prot-rg', 'protpool');
    assert.deepEqual(
      activity.scheduledEvents.map((e) => [e.eventId, e.eventType, e.eventStatus]),
      [[eventId, 'Reboot', 'Scheduled']],
    );
    const heartbeat = JSON.parse(
      await readFile(join(share(), `.pool/status/${vm.computerName}.json`), 'utf8'),
    ) as AgentHeartbeat;
    assert.equal(heartbeat.activity?.scheduledEvents[0]?.eventId, eventId);
    emulator.clearScheduledEvent('prot-rg', 'protpool', vm.instanceId, eventId);
  });

  it('protect: outside its scope is refused — no role on its own scale set, or another pool’s instance', async () => {
    await keep('prot-norole-rg', 'norolepool', '10m');
    const { activity } = await watchOnce('prot-norole-rg', 'norolepool');
    assert.equal(activity.busy, true);
    assert.equal(activity.protection?.protectFromScaleIn, false);
    assert.match(
      activity.protection?.error ?? '',
      /403: AuthorizationFailed: The client '.*' does not have authorization to perform action 'Microsoft\.Compute\/virtualMachineScaleSets\/virtualMachines\/read'/,
    );
    const other = vmOf('prot-norole-rg', 'norolepool').vm;
    assert.equal(await protectedOnAzure('prot-norole-rg', 'norolepool', other.instanceId), false);

    // protpool's identity (which may protect its own instances) on norolepool's instance.
    const { vm } = vmOf('prot-rg', 'protpool');
    const endpoint = await emulator.imdsEndpoint('prot-rg', 'protpool', vm.instanceId);
    const token = (await (
      await fetch(
        `${endpoint}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/`,
        { headers: { Metadata: 'true' } },
      )
    ).json()) as { access_token: string };
    const refused = await fetch(
      `${emulator.url}/subscriptions/${emulator.subscriptionId}/resourceGroups/prot-norole-rg/providers/Microsoft.Compute/virtualMachineScaleSets/norolepool/virtualMachines/${other.instanceId}?api-version=2024-11-01`,
      {
        method: 'PUT',
        headers: {
          Authorization: `Bearer ${token.access_token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ properties: { protectionPolicy: { protectFromScaleIn: true } } }),
      },
    );
    assert.equal(refused.status, 403);
    assert.equal(
      ((await refused.json()) as { error: { code: string } }).error.code,
      'AuthorizationFailed',
    );
    assert.equal(await protectedOnAzure('prot-norole-rg', 'norolepool', other.instanceId), false);
    assert.ok(existsSync(join(share(), '.pool/events')));
  });
});
