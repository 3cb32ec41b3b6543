// The agent's long-running watch as its systemd unit runs it, in a namespace VM behind the Azure
// emulator (root): no `--once`, the VM starts it and restarts it. A keep protects the instance by
// itself; idle past the window (on the test clock) it clears it; while steady it calls ARM at most
// twice an hour; a watch that dies is started again; with idle stop on, an idle VM warns and then
// deallocates itself. Measures the flip latency for the README.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  TEST_CLOCK_FILE_ENV,
  TEST_CYCLE_ENV,
  TEST_EVENTS_POLL_ENV,
  TEST_JITTER_ENV,
} from '../../../src/agent/watch-test-knobs';
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

const MIN = 60_000;
const CYCLE_MS = 300;

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('agent watch service: the long-running watch in a namespace VM (emulator, root)', () => {
  let emulator: AzureEmulator;
  let backend: NamespaceVmBackendFactory;
  let azure: EmulatorClients;
  let dir: string;
  const clockFile = () => join(dir, 'clock');
  let clock = Date.now();
  const setClock = async (at: number) => {
    clock = at;
    await writeFile(clockFile(), `${at}\n`);
  };
  const share = () => emulator.files.dataDir('watchfiles', 'watchshare');

  const vm = () => {
    const [found] = emulator.vms('watch-rg', 'watchpool');
    const nsVm = backend.vms.get(found.computerName);
    assert.ok(nsVm?.running, 'the VM runs');
    return { vm: found, nsVm };
  };
  const protectedOnAzure = async () =>
    (await azure.compute.virtualMachineScaleSetVMs.get('watch-rg', 'watchpool', vm().vm.instanceId))
      .protectionPolicy?.protectFromScaleIn === true;
  /** The watch's saved state (/var/lib/dsvm-pool/activity.json in the VM). */
  const state = async () => {
    const run = await vm().nsVm.exec('cat /var/lib/dsvm-pool/activity.json');
    if (run.code !== 0) return undefined;
    return JSON.parse(run.stdout) as { armCalls: number[]; updatedAt?: number };
  };
  /** Waits for a cycle that saw the clock at `at` or later. */
  const cycleAt = (at: number) =>
    until('a watch cycle on the moved clock', async () => {
      const s = await state();
      return s?.updatedAt !== undefined && s.updatedAt >= at ? s : undefined;
    });
  const keep = async (...args: string[]) => {
    const run = await vm().nsVm.exec(
      `runuser -u azureuser -- /usr/local/bin/dsvm-pool-agent keep ${args.map((a) => `'${a}'`).join(' ')}`,
    );
    assert.equal(run.code, 0, `keep ${args.join(' ')}\n${run.stdout}${run.stderr}`);
  };

  before(async () => {
    await buildAgent();
    dir = await mkdtemp(join(tmpdir(), 'dsvm-watch-it-'));
    await setClock(Date.now());
    await adminKey(dir);
    ({ emulator, backend, azure } = await startWatchEmulator({
      account: 'watchfiles',
      share: 'watchshare',
      idleMinutes: 5,
      agentWatch: {
        env: {
          [TEST_CYCLE_ENV]: String(CYCLE_MS),
          [TEST_EVENTS_POLL_ENV]: String(CYCLE_MS),
          [TEST_JITTER_ENV]: '0',
          [TEST_CLOCK_FILE_ENV]: clockFile(),
        },
        restartMs: 200,
      },
    }));
    await azure.resources.resourceGroups.createOrUpdate('watch-rg', { location: 'westeurope' });
    await azure.deployments.deployments.createOrUpdate('watch-rg', 'pool', {
      properties: {
        mode: 'Incremental',
        template: await poolTemplate(true, { account: 'watchfiles', name: 'watchshare' }),
        parameters: {
          poolName: { value: 'watchpool' },
          sshPublicKey: { value: (await readFile(join(dir, 'admin_key.pub'), 'utf8')).trim() },
          natPortRangeStart: { value: 28_000 + Math.floor(Math.random() * 250) * 4 },
          instanceCount: { value: 1 },
          maxInstances: { value: 2 },
        },
      },
    });
  });

  // The deployment returns once the instance exists; under load its VM may still be booting.
  before(async () => {
    await until(
      'the VM boots',
      async () => {
        const [found] = emulator.vms('watch-rg', 'watchpool');
        return found && backend.vms.get(found.computerName)?.running ? true : undefined;
      },
      120_000,
    );
  });

  after(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('protect: the running watch protects its instance on a keep, and clears it once idle for the window', async () => {
    // The watch runs by itself (nobody calls the agent) and found the VM idle.
    await until('a first cycle', state);
    assert.equal(await protectedOnAzure(), false);

    const asked = performance.now();
    await keep('4h', '--reason', 'training');
    await until('protected on Azure', async () => ((await protectedOnAzure()) ? true : undefined));
    const flip = performance.now() - asked;
    console.log(
      `[figure] protect flip with the running watch: ${flip.toFixed(0)} ms (cycle ${CYCLE_MS} ms, no jitter)`,
    );

    await keep('--cancel');
    // The keep's end was its last activity: idle once the window (5 min) has passed on the clock.
    await setClock(clock + 6 * MIN);
    const cleared = performance.now();
    await until('cleared on Azure', async () => ((await protectedOnAzure()) ? undefined : true));
    console.log(
      `[figure] unprotect flip with the running watch: ${(performance.now() - cleared).toFixed(0)} ms`,
    );
    // The watch logs the flip just after its ARM call: wait for the line, not only for Azure.
    const events = await until('the clear in the event log', async () => {
      const logged = await activityEvents(share(), vm().vm.computerName);
      return logged.some((e) => e.kind === 'protect' && !e.protect) ? logged : undefined;
    });
    assert.deepEqual(
      events
        .filter((e) => e.kind !== 'sessions')
        .map((e) => (e.kind === 'protect' ? `protect ${e.protect} ${e.by} ${e.reason}` : e.kind)),
      [
        'busy',
        'protect true busy azureuser: kept for 4 h more: training',
        'idle',
        'protect false busy idle for 5 min',
      ],
    );
  });

  it('protect: steady and busy for an hour of the test clock, the watch calls ARM at most twice', async () => {
    await keep('4h', '--reason', 'steady');
    await until('protected again', async () => ((await protectedOnAzure()) ? true : undefined));
    const start = clock;
    // An hour in 5-minute steps, one watch cycle at each.
    for (let step = 1; step <= 12; step++) {
      await setClock(start + step * 5 * MIN);
      await cycleAt(clock);
    }
    const saved = await state();
    const lastHour = (saved?.armCalls ?? []).filter((at) => at > start && clock - at < 60 * MIN);
    console.log(`[figure] ARM calls per instance in a steady hour: ${lastHour.length}`);
    assert.ok(lastHour.length <= 2, `ARM calls in the hour: ${lastHour.length}`);
    assert.equal(await protectedOnAzure(), true, 'still protected');
    await keep('--cancel');
  });

  it('protect: a watch that dies is started again, as systemd restarts its unit', async () => {
    const { nsVm } = vm();
    const pid = await until('the watch runs', async () => nsVm.watchPid);
    // Its process group: the watch and the nsenter that entered the VM for it.
    process.kill(-pid, 'SIGKILL');
    const again = await until('the watch runs again', async () => {
      const now = nsVm.watchPid;
      return now !== undefined && now !== pid ? now : undefined;
    });
    assert.notEqual(again, pid);
    assert.equal(nsVm.watchExits.at(-1)?.signal, 'SIGKILL');
    // And it works: its next cycle saves its state on the clock.
    await setClock(clock + MIN);
    await cycleAt(clock);
  });

  it('idle: with idle stop on, an idle VM warns, then deallocates itself with its own identity', async () => {
    const { vm: found } = vm();
    await writeFile(
      join(share(), '.pool/activity.json'),
      JSON.stringify({ version: 1, idleMinutes: 5, idleStop: true }),
    );
    const powerState = async () =>
      (
        await azure.compute.virtualMachineScaleSetVMs.getInstanceView(
          'watch-rg',
          'watchpool',
          found.instanceId,
        )
      ).statuses?.find((status) => status.code?.startsWith('PowerState/'))?.code;
    assert.equal(await powerState(), 'PowerState/running');
    // Idle for the window on the clock: the warning, with the time it stops.
    await setClock(clock + 6 * MIN);
    const warned = await until('the idle stop warning', async () => {
      const s = (await state()) as { idleStopAt?: number | null } | undefined;
      return s?.idleStopAt ? s.idleStopAt : undefined;
    });
    assert.equal(warned, clock + 5 * MIN, 'the grace: 5 min from the warning');
    assert.equal(await powerState(), 'PowerState/running', 'not before the grace');
    // The grace passes: the watch deallocates its own VM (IMDS token, its role's deallocate).
    await setClock(clock + 6 * MIN);
    await until('deallocated on Azure', async () =>
      (await powerState()) === 'PowerState/deallocated' ? true : undefined,
    );
    const kinds = (await activityEvents(share(), found.computerName)).map((e) => e.kind);
    assert.ok(kinds.includes('idle-stop'), kinds.join(', '));
  });
});
