// The activity watch on a fake machine with a loopback IMDS + ARM stand-in: busy from a member's
// terminal input or keep, protection set and cleared, the heartbeat and events log written at
// once, idle stop with its warning and grace, scheduled events told once, the events log rotated.
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { chown, mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActivityEvent } from '../../../src/common/agent-protocol';
import { AgentHeartbeatSchema } from '../../../src/common/agent-protocol';
import { appendActivityEvents } from '../../../src/agent/activity-events';
import { AzureInstanceClient } from '../../../src/agent/azure-instance';
import { loadConfig } from '../../../src/agent/config';
import { runKeep } from '../../../src/agent/keep';
import { saveState } from '../../../src/agent/state';
import { formatStatus } from '../../../src/agent/status';
import { ActivityWatch } from '../../../src/agent/watch';
import type { TestMachine } from './fake-system';
import { isRoot, makeMachine } from './fake-system';
import { ImdsStandIn } from './imds-stand-in';

const MIN = 60_000;
const ALICE = 1001;

describe('activity watch', () => {
  let machine: TestMachine;
  let standIn: ImdsStandIn;

  const at = (ms: number) => {
    machine.system.clock = new Date(ms);
  };
  const now = () => machine.system.clock.getTime();
  /** alice typed on her pty `ago` ms before the fake clock. */
  const typed = async (ago: number) => {
    const pts = join(machine.root, 'dev/pts/3');
    await mkdir(join(machine.root, 'dev/pts'), { recursive: true });
    await writeFile(pts, '');
    if (isRoot) await chown(pts, ALICE, ALICE);
    const when = new Date(now() - ago);
    await utimes(pts, when, when);
  };
  const watch = async (azure = true) =>
    new ActivityWatch({
      system: machine.system,
      config: await loadConfig(machine.system),
      computerName: 'vm-test-0',
      azure: azure
        ? new AzureInstanceClient({ endpoints: { imds: standIn.url, arm: standIn.url }, now })
        : undefined,
      jitter: () => Promise.resolve(),
    });
  const events = async (): Promise<ActivityEvent[]> =>
    (await readFile(join(machine.share, '.pool/events/vm-test-0.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ActivityEvent);
  const heartbeat = async () =>
    AgentHeartbeatSchema.parse(
      JSON.parse(await readFile(join(machine.share, '.pool/status/vm-test-0.json'), 'utf8')),
    );
  const policy = (json: unknown) =>
    writeFile(join(machine.share, '.pool/activity.json'), JSON.stringify(json));

  beforeEach(async () => {
    assert.ok(isRoot, 'the agent unit tests run as root (pty owners)');
    machine = await makeMachine();
    standIn = await new ImdsStandIn().start();
    await mkdir(join(machine.share, '.pool'), { recursive: true });
    const passwd = join(machine.root, 'etc/passwd');
    await writeFile(
      passwd,
      `${await readFile(passwd, 'utf8')}alice:x:${ALICE}:${ALICE}:dsvm-pool member:/home/alice:/bin/bash\n`,
    );
    await mkdir(join(machine.root, 'home/alice'), { recursive: true });
    await chown(join(machine.root, 'home/alice'), ALICE, ALICE);
    await saveState(machine.system, {
      version: 1,
      managedUsers: { alice: { uid: ALICE, createdAt: '2026-11-01T00:00:00Z' } },
      lastApply: null,
      lastMount: null,
    });
    at(Date.parse('2026-12-07T10:00:00Z'));
  });
  afterEach(async () => {
    await standIn.stop();
    await machine.cleanup();
  });

  it('protect: input → busy and protected, heartbeat now; 30 min quiet → idle and cleared', async () => {
    const w = await watch();
    await typed(3 * MIN);
    const busy = await w.cycle();
    assert.equal(busy.busy, true);
    assert.deepEqual(
      busy.reasons.map((r) => `${r.user}: ${r.text}`),
      ['alice: a terminal, last input 3 min ago'],
    );
    assert.deepEqual(busy.protection, {
      protectFromScaleIn: true,
      by: 'busy',
      changedAt: '2026-12-07T10:00:00.000Z',
    });
    assert.equal(standIn.protectFromScaleIn, true);
    assert.deepEqual((await heartbeat()).activity, busy);
    const text = formatStatus(await heartbeat());
    assert.match(
      text,
      /^activity: busy — alice: a terminal, last input 3 min ago \(idle after 30 min\)$/m,
    );
    assert.match(text, /^scale-in: protected \(while busy\)$/m);
    assert.deepEqual(
      (await events()).map((e) => e.kind),
      ['busy', 'protect'],
    );
    // Still within the window: nothing more on ARM.
    at(now() + 20 * MIN);
    assert.equal((await w.cycle()).busy, true);
    assert.equal(standIn.armCalls().length, 2);
    // 33 min after the input: idle, cleared with one call.
    at(now() + 10 * MIN);
    const idle = await w.cycle();
    assert.equal(idle.busy, false);
    assert.equal(idle.idleSince, new Date(now()).toISOString());
    assert.equal(idle.protection?.protectFromScaleIn, false);
    assert.equal(standIn.protectFromScaleIn, false);
    assert.equal(standIn.armCalls().length, 3);
    const log = await events();
    assert.deepEqual(
      log.map((e) => e.kind),
      ['busy', 'protect', 'idle', 'protect'],
    );
    assert.deepEqual(log[3], {
      time: new Date(now()).toISOString(),
      kind: 'protect',
      protect: false,
      by: 'busy',
      reason: 'idle for 30 min',
    });
    assert.equal((await heartbeat()).activity?.busy, false);
  });

  it('protect: the agent’s state file says who set it, across a restart', async () => {
    await typed(MIN);
    await (await watch()).cycle();
    // A new process (agent upgrade): it knows it set the protection, so idle clears it.
    const again = await watch();
    at(now() + 40 * MIN);
    const idle = await again.cycle();
    assert.equal(idle.protection?.by, null);
    assert.equal(standIn.protectFromScaleIn, false);
  });

  it('a keep run by the member makes it busy; the pool’s idle window comes from the share', async () => {
    await policy({ version: 1, idleMinutes: 45 });
    await runKeep({
      duration: '2h',
      reason: 'training',
      cancel: false,
      now: machine.system.now(),
      write: () => {},
      home: join(machine.root, 'home/alice'),
      uid: ALICE,
    });
    await chown(join(machine.root, 'home/alice/.local/state/dsvm-pool/keep.json'), ALICE, ALICE);
    const activity = await (await watch()).cycle();
    assert.equal(activity.idleMinutes, 45);
    assert.deepEqual(activity.reasons, [
      {
        user: 'alice',
        kind: 'keep',
        text: 'kept for 2 h more: training',
        at: '2026-12-07T12:00:00.000Z',
      },
    ]);
  });

  it('a Jupyter kernel busy (asked with the server’s token) makes it busy, and how long', async () => {
    const server = createServer((req, res) => {
      const ok = req.url === '/api/kernels' && req.headers.authorization === 'token t0k3n';
      res.writeHead(ok ? 200 : 403, { 'Content-Type': 'application/json' });
      res.end(
        ok
          ? JSON.stringify([
              { id: 'k1', execution_state: 'busy', last_activity: new Date(now()).toISOString() },
            ])
          : '{}',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const pid = 4242;
      const proc = join(machine.root, 'proc', String(pid));
      await mkdir(proc, { recursive: true });
      await writeFile(join(proc, 'cmdline'), '/usr/bin/python3\0/usr/bin/jupyter-lab\0');
      await writeFile(
        join(proc, 'status'),
        `Name:\tjupyter-lab\nUid:\t${ALICE}\t${ALICE}\t${ALICE}\t${ALICE}\n`,
      );
      const runtime = join(machine.root, 'home/alice/.local/share/jupyter/runtime');
      await mkdir(runtime, { recursive: true });
      await writeFile(
        join(runtime, `jpserver-${pid}.json`),
        JSON.stringify({
          port: (server.address() as AddressInfo).port,
          token: 't0k3n',
          pid,
          base_url: '/',
        }),
      );
      const w = await watch(false);
      assert.deepEqual(
        (await w.cycle()).reasons.map((r) => r.text),
        ['kernel busy'],
      );
      at(now() + 40 * MIN);
      assert.deepEqual(
        (await w.cycle()).reasons.map((r) => `${r.user}: ${r.text}`),
        ['alice: kernel busy 40 min'],
      );
    } finally {
      server.close();
    }
  });

  it('a bad policy falls back to the defaults and the log says why', async () => {
    await policy({ version: 1, idleMinutes: 2 });
    const activity = await (await watch(false)).cycle();
    assert.equal(activity.idleMinutes, 30);
    assert.ok(
      machine.system.logs.some((l) =>
        /warn: \/mnt\/pool\/\.pool\/activity\.json is not valid \(idleMinutes: .*\); using the defaults/.test(
          l,
        ),
      ),
      machine.system.logs.join('\n'),
    );
  });

  it('no IMDS: protection null, no idle stop, nothing asked of ARM', async () => {
    await policy({ version: 1, idleStop: true });
    await typed(MIN);
    const activity = await (await watch(false)).cycle();
    assert.equal(activity.protection, null);
    assert.equal(activity.idleStopAt, null);
    assert.equal(standIn.calls.length, 0);
  });

  it('idle stop: warns everyone, waits the grace, deallocates; activity cancels it', async () => {
    await policy({ version: 1, idleMinutes: 30, idleStop: true });
    machine.system.tmuxClients.set(ALICE, ['/dev/pts/5']);
    await typed(40 * MIN);
    const w = await watch();
    // Quiet since the watch started, not yet for the window.
    assert.equal((await w.cycle()).idleStopAt, null);
    at(now() + 30 * MIN);
    const warned = await w.cycle();
    assert.equal(warned.idleStopAt, new Date(now() + 5 * MIN).toISOString());
    const wall = machine.system.stdinOf.filter((s) => s.argv[0] === 'wall');
    assert.equal(wall.length, 1);
    assert.match(
      wall[0].input,
      /idle for 30 min and stops \(deallocates\) at 10:35 UTC.*dsvm-pool-agent keep 1h/,
    );
    assert.deepEqual(
      machine.system.runAs
        .filter((r) => r.argv[1] === 'display-message')
        .map((r) => [r.uid, r.argv[5]]),
      [[ALICE, '/dev/pts/5']],
    );
    assert.equal((await heartbeat()).activity?.idleStopAt, warned.idleStopAt);
    // She types: cancelled.
    at(now() + 2 * MIN);
    await typed(0);
    assert.equal((await w.cycle()).idleStopAt, null);
    // Quiet again for the window, warned again, then the grace passes: deallocated.
    at(now() + 31 * MIN);
    assert.notEqual((await w.cycle()).idleStopAt, null);
    at(now() + 4 * MIN);
    await w.cycle();
    assert.equal(standIn.deallocated, false);
    at(now() + MIN);
    await w.cycle();
    assert.equal(standIn.deallocated, true);
    // Azure takes a while: the next minute does not ask again.
    const calls = standIn.armCalls().length;
    at(now() + MIN);
    await w.cycle();
    assert.equal(standIn.armCalls().filter((c) => c.path.endsWith('/deallocate')).length, 1);
    assert.ok(standIn.armCalls().length - calls <= 1);
    assert.deepEqual((await events()).filter((e) => e.kind === 'idle-stop').length, 2);
  });

  it('scheduled events: told once, in the heartbeat at once; Terminate approved only when idle and alone', async () => {
    const w = await watch();
    await typed(MIN);
    await w.cycle();
    standIn.events = [
      {
        EventId: 'ev-1',
        EventType: 'Terminate',
        ResourceType: 'VirtualMachine',
        Resources: ['teampool_3'],
        EventStatus: 'Scheduled',
        NotBefore: new Date(now() + 10 * MIN).toUTCString(),
        Description: 'Virtual machine is being deleted',
        EventSource: 'User',
        DurationInSeconds: -1,
      },
      {
        EventId: 'other',
        EventType: 'Reboot',
        Resources: ['teampool_9'],
        EventStatus: 'Scheduled',
      },
    ];
    await w.pollScheduledEvents();
    await w.pollScheduledEvents();
    const wall = machine.system.stdinOf.filter((s) => s.argv[0] === 'wall');
    assert.equal(wall.length, 1);
    assert.match(
      wall[0].input,
      /Azure will delete this VM \(vm-test-0\) not before 10:10 UTC \(in 10 min\)\. Save your work/,
    );
    const beat = await heartbeat();
    assert.deepEqual(
      beat.activity?.scheduledEvents.map((e) => [e.eventId, e.eventType, e.notBefore]),
      [['ev-1', 'Terminate', '2026-12-07T10:10:00.000Z']],
    );
    assert.deepEqual((await events()).filter((e) => e.kind === 'scheduled-event').length, 1);
    // Busy: never approved early.
    assert.deepEqual(standIn.approvals, []);
    // Idle and nobody connected: approved (the scale-in was going to take it anyway).
    at(now() + 31 * MIN);
    await w.cycle();
    await w.pollScheduledEvents();
    assert.deepEqual(standIn.approvals, ['ev-1']);
  });

  it('scheduled events: nothing is approved before a cycle has decided busy or idle', async () => {
    standIn.events = [
      {
        EventId: 'ev-2',
        EventType: 'Terminate',
        Resources: ['teampool_3'],
        EventStatus: 'Scheduled',
        NotBefore: new Date(now() + 10 * MIN).toUTCString(),
      },
    ];
    const w = await watch();
    await w.pollScheduledEvents();
    assert.deepEqual(standIn.approvals, []);
    assert.equal((await heartbeat()).activity?.scheduledEvents[0]?.eventId, 'ev-2');
  });

  it('the events log is appended, and rotated past its cap', async () => {
    const config = await loadConfig(machine.system);
    const line: ActivityEvent = { time: '2026-12-07T10:00:00.000Z', kind: 'sessions', sessions: 1 };
    for (let i = 0; i < 5; i++) {
      await appendActivityEvents(machine.system, config, 'vm-test-0', [line, line], 300);
    }
    const path = join(machine.share, '.pool/events/vm-test-0.jsonl');
    const size = (await stat(path)).size;
    assert.ok(size <= 300 + 2 * (JSON.stringify(line).length + 1), String(size));
    const previous = await readFile(`${path}.1`, 'utf8');
    assert.ok(
      previous
        .split('\n')
        .filter(Boolean)
        .every((l) => JSON.parse(l).kind === 'sessions'),
    );
    assert.equal(((await stat(path)).mode & 0o777).toString(8), '644');
  });
});
