// The core behind the utility-process boundary, as main sees it: main's UtilityCore and the real
// runCoreProcess in a worker-thread stand-in of Electron's utility process (ports really transfer;
// test/helpers/utility-stand-in.ts). The real core, then a probe core for the channel's other uses
// (safeStorage, the updater, logs), then crashes and shutting down.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Prompt } from '../../../src/common/models';
import { RpcClient } from '../../../src/common/rpc';
import { MessagePortMainTransport } from '../../../src/common/transports/message-port-main';
import type { UpdateOffer } from '../../../src/common/update-models';
import { resourcePaths } from '../../../src/core/resource-paths';
import type { UpdateEngine } from '../../../src/core/updates/update-engine';
import { UtilityCore, type UtilityCoreOptions } from '../../../src/main/utility-core';
import { until } from '../../helpers/until';
import { channelLike, forkStandIn } from '../../helpers/utility-stand-in';

interface Started {
  core: UtilityCore;
  workers: ReturnType<typeof forkStandIn>[];
  lines: string[];
}

async function startCore(
  kind: 'real' | 'probe',
  dataDir: string,
  extra: Partial<UtilityCoreOptions> = {},
): Promise<Started> {
  const workers: ReturnType<typeof forkStandIn>[] = [];
  const lines: string[] = [];
  const core = await UtilityCore.start({
    fork: () => {
      const worker = forkStandIn({ core: kind });
      workers.push(worker);
      return worker;
    },
    start: { dataDir, version: '7.7.7', resources: { ...resourcePaths() } },
    logger: {
      info: (line) => lines.push(`info ${line}`),
      warn: (line) => lines.push(`warn ${line}`),
      error: (line) => lines.push(`error ${line}`),
    },
    ...extra,
  });
  return { core, workers, lines };
}

/** A page: the RPC client on the far end of a port the core serves. */
function page(core: UtilityCore): { ui: RpcClient; closed: Promise<void> } {
  const { port1, port2 } = channelLike();
  core.serve(port1);
  const transport = new MessagePortMainTransport(port2);
  const closed = new Promise<void>((resolve) => transport.onClose(() => resolve()));
  return { ui: new RpcClient(transport), closed };
}

function exitOf(worker: ReturnType<typeof forkStandIn>): Promise<number> {
  return new Promise((resolve) => worker.worker.once('exit', resolve));
}

describe('the core in a utility process: the real core', () => {
  let dataDir: string;
  let started: Started;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'utility-core-'));
    started = await startCore('real', dataDir);
  });
  after(async () => {
    await started.core.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("serves a page on its own port: connect, trust the host key, a working terminal, the tray's state", async () => {
    const { core } = started;
    // The tray reads the pools synchronously, from the state the core sent when it was ready.
    assert.deepEqual(
      core.listPools().map((p) => [p.id, p.instances.length]),
      [['local', 2]],
    );
    const { ui } = page(core);
    const info = await ui.call('app.info', {});
    assert.equal(info.version, '7.7.7');
    assert.equal(info.shell, 'electron');

    const prompts: Prompt[] = [];
    ui.on('prompts.onDidOpen', (p) => {
      prompts.push(p);
      void ui.call('prompts.answer', { promptId: p.id, accept: true });
    });
    const output: string[] = [];
    ui.on('terminals.onData', (e) => {
      output.push(e.data);
      void ui.call('terminals.ack', { terminalId: e.terminalId, chars: e.data.length });
    });
    const connectionsChanged = new Promise<void>((resolve) => {
      const sub = core.onDidChangeConnections(() => {
        if (core.connectedCount() === 1) {
          sub.dispose();
          resolve();
        }
      });
    });
    const connection = await ui.call('connections.connect', { poolId: 'local' });
    assert.equal(connection.state, 'connected');
    assert.equal(prompts[0]?.kind, 'host-key');
    await connectionsChanged;
    assert.deepEqual(
      core.listConnections().map((c) => c.id),
      [connection.id],
    );

    const terminal = await ui.call('terminals.open', {
      connectionId: connection.id,
      cols: 80,
      rows: 24,
    });
    await ui.call('terminals.write', { terminalId: terminal.id, data: 'echo utility-$((6*7))\n' });
    await until('the shell answer', () => /utility-42/.test(output.join('')), 30_000);

    // The tray's "Copy ssh command" goes through the same channel.
    const ssh = await core.openssh.sshCommand(connection.id);
    assert.match(ssh.command, /^ssh /);
    // A core error crosses as its sentence.
    await assert.rejects(core.openssh.sshCommand('no-such-connection'), /connection/i);
  });
});

describe('the core in a utility process: what main lends it', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'utility-probe-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const offer: UpdateOffer = { version: '8.0.0', date: '2026-12-01T00:00:00.000Z' };

  function engine(): UpdateEngine & { checks: number } {
    return {
      checks: 0,
      unavailable: () => undefined,
      async check() {
        this.checks++;
        return { available: true, latest: offer };
      },
      download: async () => {},
      restart: async () => {},
    };
  }

  it('seals tokens with main’s protector, checks for updates with main’s updater, logs redacted lines', async () => {
    const sealed: string[] = [];
    const updater = engine();
    const { core, lines } = await startCore('probe', dataDir, {
      tokenProtector: {
        encrypt: (plain) => {
          sealed.push(plain);
          return Buffer.from(plain, 'utf8').reverse();
        },
        decrypt: (data) => Buffer.from(data).reverse().toString('utf8'),
      },
      updateEngine: updater,
    });
    try {
      // The probe sealed and opened its token through main and named its pool with the result.
      assert.deepEqual(sealed, ['probe-token-7']);
      assert.deepEqual(
        core.listPools().map((p) => p.name),
        ['probe-token-7'],
      );
      assert.ok(lines.includes('info probe: sealed 13 bytes into a Buffer'), lines.join('\n'));
      // A secret the core knows is redacted before the line leaves its process.
      assert.ok(lines.includes('warn probe: the user typed [redacted]'), lines.join('\n'));
      assert.ok(!lines.some((line) => line.includes('hunter2')));

      const status = await core.updates.check({ manual: true });
      assert.equal(updater.checks, 1);
      assert.equal(status.offer?.version, '8.0.0');

      const ssh = await core.openssh.sshCommand('c1');
      assert.equal(ssh.command, 'ssh -F /t/ssh/config dsvm-test-c1');
    } finally {
      await core.dispose();
    }
  });

  it(
    'starts a new core after a crash, reloads nothing itself, and gives up after too many',
    { timeout: 90_000 },
    async () => {
      const { core, workers, lines } = await startCore('probe', dataDir, {
        tokenProtector: { encrypt: (p) => Buffer.from(p), decrypt: (d) => d.toString() },
        restartDelaysMs: [0],
        crashWindowMs: 60_000,
      });
      try {
        const first = page(core);
        assert.equal((await first.ui.call('app.info', {})).version, '0.0.0-test');
        const restarts: (number | null)[] = [];
        core.onDidRestart(({ code }) => restarts.push(code));
        const restarted = new Promise<void>((resolve) => core.onDidRestart(() => resolve()));
        const givenUp: string[] = [];
        const gaveUp = new Promise<void>((resolve) => core.onDidGiveUp(() => resolve()));
        core.onDidGiveUp((sentence) => givenUp.push(sentence));

        // A crash: the page's port closes with the process, and a new core comes up (a new
        // worker loads its TypeScript afresh: seconds on a loaded machine, so no polling limit).
        workers[0]!.kill();
        await first.closed;
        await restarted;
        assert.equal(restarts.length, 1);
        assert.equal(workers.length, 2);
        assert.ok(lines.some((l) => /^error core: the core process stopped unexpectedly/.test(l)));
        assert.deepEqual(
          core.listPools().map((p) => p.id),
          ['probe'],
        );
        // A reloaded page reaches the new core.
        const second = page(core);
        assert.equal((await second.ui.call('app.info', {})).version, '0.0.0-test');

        // A second crash within the window: no more restarts, and the user is told why.
        workers[1]!.kill();
        await gaveUp;
        assert.equal(givenUp.length, 1);
        assert.match(
          givenUp[0]!,
          /stopped 2 times within 60 s .* Restart dsvm-pool from its tray menu/,
        );
        assert.equal(workers.length, 2);
        await assert.rejects(core.updates.check({ manual: true }), /not started|stopped/i);
      } finally {
        await core.dispose();
      }
    },
  );

  it(
    'holds what the tray asks while the core starts again, and the new core answers it',
    { timeout: 30_000 },
    async () => {
      const { core, workers } = await startCore('probe', dataDir, {
        tokenProtector: { encrypt: (p) => Buffer.from(p), decrypt: (d) => d.toString() },
        restartDelaysMs: [300],
      });
      try {
        const exit = exitOf(workers[0]!);
        workers[0]!.kill();
        await exit;
        // No process now: the call waits for the next one instead of failing.
        const answer = core.openssh.sshCommand('c9');
        assert.equal(workers.length, 1);
        assert.equal((await answer).command, 'ssh -F /t/ssh/config dsvm-test-c9');
        assert.equal(workers.length, 2);
      } finally {
        await core.dispose();
      }
    },
  );

  it('shuts the core down on dispose: the process ends by itself and is not started again', async () => {
    const { core, workers } = await startCore('probe', dataDir, {
      tokenProtector: { encrypt: (p) => Buffer.from(p), decrypt: (d) => d.toString() },
      restartDelaysMs: [0],
    });
    const exit = exitOf(workers[0]!);
    const restarts: unknown[] = [];
    core.onDidRestart((info) => restarts.push(info));
    await core.dispose();
    assert.equal(await exit, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(workers.length, 1);
    assert.equal(restarts.length, 0);
  });

  it('says why the core could not start, and starts no other', async () => {
    // The real core refuses a data folder that is a file.
    const file = join(dataDir, 'not-a-folder');
    await writeFile(file, 'x');
    await assert.rejects(startCore('real', file), /EEXIST|ENOTDIR|not a directory|exists/i);
  });
});
