// "Test connection" through the app's core over RPC, on real sockets: the local sandbox and a real
// OpenSSH server pass; a closed port and a changed host key fail with the hint that fits.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticsReport } from '../../../../src/common/diagnostics';
import type { PoolInfo } from '../../../../src/common/models';
import { RpcClient } from '../../../../src/common/rpc';
import { createMemoryTransportPair } from '../../../../src/common/transports/memory';
import { createAppCore, type AppCore } from '../../../../src/core/app-core';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';

/** A port nothing listens on (bound, read, closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('connection diagnostics (core over RPC, real sockets)', () => {
  let dir: string;
  let sshd: OpenSshServer;
  let core: AppCore;
  let ui: RpcClient;
  let lab: PoolInfo;
  const updates: DiagnosticsReport[] = [];
  let runs = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'diagnostics-'));
    sshd = await startOpenSshServer();
    const keyPath = join(dir, 'lab_ed25519');
    await writeFile(keyPath, sshd.privateKey, { mode: 0o600 });
    await chmod(keyPath, 0o600);
    core = await createAppCore({
      dataDir: join(dir, 'data'),
      shell: 'headless',
      version: '9.9.9',
      log: () => {},
      localInstances: 1,
    });
    const [a, b] = createMemoryTransportPair();
    core.rpc.connect(b);
    ui = new RpcClient(a);
    ui.on('diagnostics.onDidUpdate', (r) => updates.push(r));
    // Connect asks to trust unknown host keys: the user says yes.
    ui.on('prompts.onDidOpen', (p) => {
      ui.call('prompts.answer', { promptId: p.id, accept: true }).catch(() => {});
    });
    lab = await ui.call('pools.saveSshHosts', {
      name: 'Lab',
      hosts: [
        { name: 'sshd', address: '127.0.0.1', port: sshd.port, user: sshd.username, keyPath },
        {
          name: 'closed',
          address: '127.0.0.1',
          port: await closedPort(),
          user: sshd.username,
          keyPath,
        },
      ],
    });
  });
  after(async () => {
    await core?.dispose();
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (poolId: string, instanceId?: string) =>
    ui.call('diagnostics.run', {
      poolId,
      runId: `run-${++runs}`,
      ...(instanceId ? { instanceId } : {}),
    });
  const step = (report: DiagnosticsReport, id: string) => report.steps.find((s) => s.id === id)!;
  const instanceId = (name: string) => lab.instances.find((i) => i.name === name)!.id;

  test('local sandbox: every step answers; the host key is "not trusted yet" until Connect trusts it', async () => {
    const first = await run('local');
    assert.equal(step(first, 'instance').status, 'pass');
    assert.match(step(first, 'instance').detail!, /the instance Connect would choose/);
    assert.equal(step(first, 'dns').status, 'info');
    assert.equal(step(first, 'tcp').status, 'pass');
    assert.match(step(first, 'tcp').detail!, /^connected to 127\.0\.0\.1:\d+ in \d+ ms$/);
    assert.match(step(first, 'banner').detail!, /^SSH-2\.0-/);
    assert.equal(step(first, 'host-key').status, 'warn');
    assert.match(step(first, 'host-key').detail!, /not trusted yet/);
    assert.equal(step(first, 'auth').status, 'pass');
    assert.equal(step(first, 'heartbeat').status, 'skip');
    // The events carried this run, step by step, ending with the final report.
    const mine = updates.filter((u) => u.runId === first.runId);
    assert.ok(mine.length >= 2 * first.steps.length - 4, `${mine.length} updates`);
    assert.deepEqual(mine.at(-1), first);

    const connection = await ui.call('connections.connect', { poolId: 'local' });
    await ui.call('connections.close', { connectionId: connection.id });
    const second = await run('local', connection.instanceId);
    assert.equal(step(second, 'host-key').status, 'pass');
    assert.match(step(second, 'host-key').detail!, /the key you trusted/);
    assert.match(step(second, 'auth').detail!, /with the app’s key/);
    assert.ok(['pass', 'info', 'warn'].includes(step(second, 'jupyter').status));
    assert.notEqual(second.outcome, 'fail');
    assert.equal(second.app?.version, '9.9.9');
  });

  test('a real OpenSSH server: banner, trusted key, sign-in with the pool’s key file', async () => {
    const connection = await ui.call('connections.connect', {
      poolId: lab.id,
      instanceId: instanceId('sshd'),
    });
    await ui.call('connections.close', { connectionId: connection.id });
    const report = await run(lab.id, instanceId('sshd'));
    assert.match(step(report, 'banner').detail!, /^SSH-2\.0-OpenSSH_/);
    assert.equal(step(report, 'host-key').status, 'pass');
    assert.equal(step(report, 'auth').status, 'pass');
    assert.match(step(report, 'auth').detail!, new RegExp(`signed in as ${sshd.username}`));
    assert.match(step(report, 'heartbeat').detail!, /no shared storage/);
    assert.equal(report.outcome === 'fail', false, JSON.stringify(report.steps, null, 1));
  });

  test('a closed port: TCP fails as refused, with what it means; the SSH steps are skipped', async () => {
    const report = await run(lab.id, instanceId('closed'));
    assert.equal(report.outcome, 'fail');
    assert.equal(step(report, 'tcp').status, 'fail');
    assert.match(step(report, 'tcp').detail!, /connection refused/);
    assert.match(step(report, 'tcp').hint!, /nothing listens on port \d+/);
    for (const id of ['banner', 'host-key', 'auth', 'jupyter']) {
      assert.equal(step(report, id).status, 'skip', id);
    }
  });

  test('a changed host key: refused with the mismatch hint, and the app does not sign in', async () => {
    await sshd.restartWithNewHostKey();
    const report = await run(lab.id, instanceId('sshd'));
    assert.equal(report.outcome, 'fail');
    const key = step(report, 'host-key');
    assert.equal(key.status, 'fail');
    assert.match(key.detail!, /but you trusted ssh-ed25519 SHA256:/);
    assert.match(key.hint!, /rebuilt/);
    assert.match(key.hint!, /known-hosts\.json/);
    assert.equal(step(report, 'auth').status, 'skip');
    assert.match(step(report, 'auth').detail!, /does not match the trusted one/);
  });

  test('bad input is refused naming the field; an unknown pool says so', async () => {
    await assert.rejects(ui.call('diagnostics.run', { poolId: 'local' } as never), /run id/);
    await assert.rejects(run('no-such-pool'), /No pool with id "no-such-pool"/);
  });
});
