// An ssh-hosts pool with shared storage, through the contract: its host is a namespace VM (real
// sshd, sudo, useradd, mount) with no agent. agent.install puts the agent there (a tracked
// operation); then the team is edited through the host's share (SshShareFiles: sudo, an atomic
// write into <mount>/.pool, a flock held for the change), the agent applies it, and the new member
// signs in with their own key. An SMB share asks for its key with a `secret` prompt.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TeamRegistrySchema } from '../../../../src/common/agent-protocol';
import { ErrorCode, type RpcError } from '../../../../src/common/errors';
import type { OperationInfo, PoolInfo, Prompt } from '../../../../src/common/models';
import { RpcClient } from '../../../../src/common/rpc';
import { createMemoryTransportPair } from '../../../../src/common/transports/memory';
import { createAppCore, type AppCore } from '../../../../src/core/app-core';
import { ensureAppKey } from '../../../../src/core/keys/app-key';
import { SshConnection } from '../../../../src/core/ssh/ssh-connection';
import { NamespaceVm } from '../../../emulators/vm/namespace-vm';
import { until } from '../../../helpers/until';

const ADMIN = 'labadmin';
const KEY = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 5) & 0xff)).toString(
  'base64',
);

describe(
  'ssh-hosts pool: Install agent, then the team through the host’s share',
  { timeout: 90_000 },
  () => {
    let dir: string;
    let shareDir: string;
    let vm: NamespaceVm;
    let core: AppCore;
    let ui: RpcClient;
    let pool: PoolInfo;
    const operations: OperationInfo[] = [];
    const prompts: Prompt[] = [];

    const ended = (id: string) =>
      until(
        `operation ${id} to end`,
        () => operations.find((o) => o.id === id && o.status !== 'running'),
        45_000,
      );

    before(async () => {
      if (process.getuid?.() !== 0) throw new Error('this test runs namespace VMs: run it as root');
      dir = await mkdtemp(join(tmpdir(), 'ssh-hosts-agent-'));
      shareDir = join(dir, 'share');
      await mkdir(shareDir, { mode: 0o755 });
      const dataDir = join(dir, 'app');
      // The VM trusts the app key, which ssh-hosts pools use when a host names no key.
      const appKey = await ensureAppKey(dataDir);
      vm = new NamespaceVm({
        dir: join(dir, 'vm'),
        computerName: 'lab-1',
        adminUser: ADMIN,
        adminPublicKeys: appKey.publicKey,
      });
      await vm.boot();
      core = await createAppCore({
        dataDir,
        shell: 'headless',
        version: '9.9.9',
        log: () => {},
        localInstances: 1,
      });
      const [a, b] = createMemoryTransportPair();
      core.rpc.connect(b);
      ui = new RpcClient(a);
      ui.on('operations.onDidChange', (op) => operations.push(op));
      ui.on('prompts.onDidOpen', (p) => {
        prompts.push(p);
        if (p.kind === 'host-key') {
          ui.call('prompts.answer', { promptId: p.id, accept: true }).catch(() => {});
        }
      });
    });

    after(async () => {
      await core?.dispose();
      await vm?.destroy();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('saves the pool with its share (checked with the agent’s rules)', async () => {
      await assert.rejects(
        ui.call('pools.saveSshHosts', {
          name: 'Lab',
          hosts: [{ name: 'lab-1', address: '127.0.0.1', port: vm.port, user: ADMIN }],
          share: { protocol: 'bind', source: shareDir, mountPoint: '/home' },
        }),
        (err: RpcError) =>
          err.code === ErrorCode.BadInput && /mount point.*system folder/.test(err.message),
      );
      pool = await ui.call('pools.saveSshHosts', {
        name: 'Lab',
        hosts: [{ name: 'lab-1', address: '127.0.0.1', port: vm.port, user: ADMIN }],
        share: { protocol: 'bind', source: shareDir },
      });
      assert.deepEqual(pool.sshShare, { protocol: 'bind', source: shareDir });
      // No agent yet: the team has nowhere to live, and says what to do.
      await assert.rejects(ui.call('team.list', { poolId: pool.id }), /Install agent/);
    });

    it('agent.install installs the agent on the host as a tracked operation', async () => {
      const op = await ui.call('agent.install', { poolId: pool.id });
      assert.equal(op.status, 'running');
      assert.deepEqual(op.az, []);
      const done = await ended(op.id);
      assert.equal(done.status, 'succeeded', done.error?.message);
      const lines = done.progress.map((p) => p.text).join('\n');
      // The agent's own Node.js went along (the host's is never needed).
      assert.match(lines, /lab-1: Uploading the agent's Node\.js \d+\.\d+\.\d+ for x64/);
      assert.match(
        lines,
        /lab-1: Agent .* on lab-1: share mounted on \/mnt\/dsvm-pool, 0 members\.\nlab-1: done\.\nDone: the agent works on 1 host\./,
      );
      // The connection opened for it is closed again.
      assert.deepEqual(await ui.call('connections.list', {}), []);
    });

    it('team.add writes the registry through the host (root 0644, atomic, locked); the member signs in', async () => {
      const alice = await ensureAppKey(join(dir, 'alice'));
      const bob = await ensureAppKey(join(dir, 'bob'));
      const carol = await ensureAppKey(join(dir, 'carol'));
      const first = await ui.call('team.add', {
        poolId: pool.id,
        name: 'alice',
        sshKeys: [alice.publicKey],
      });
      assert.equal(first.share, 'share /mnt/dsvm-pool on lab-1');
      // Two at once: the lock serializes them, neither is lost.
      await Promise.all([
        ui.call('team.add', { poolId: pool.id, name: 'bob', sshKeys: [bob.publicKey] }),
        ui.call('team.add', {
          poolId: pool.id,
          name: 'carol',
          sshKeys: [carol.publicKey],
          admin: true,
        }),
      ]);
      const registry = join(shareDir, '.pool/users.json');
      const onDisk = TeamRegistrySchema.parse(JSON.parse(await readFile(registry, 'utf8')));
      assert.deepEqual(onDisk.members.map((m) => m.name).sort(), ['alice', 'bob', 'carol']);
      const info = await stat(registry);
      assert.equal(info.uid, 0);
      assert.equal(info.mode & 0o777, 0o644);
      assert.deepEqual(
        (await ui.call('team.list', { poolId: pool.id })).members.map((m) => m.name).sort(),
        ['alice', 'bob', 'carol'],
      );
      const removed = await ui.call('team.remove', { poolId: pool.id, name: 'bob' });
      assert.deepEqual(removed.members.map((m) => m.name).sort(), ['alice', 'carol']);

      // The agent applies it (the timer's work), and alice is in with her own key.
      const run = await vm.runAgent(['apply']);
      assert.equal(run.code, 0, run.stderr);
      const conn = await SshConnection.open({
        target: {
          host: '127.0.0.1',
          port: vm.port,
          username: 'alice',
          privateKey: alice.privateKey,
        },
        verifyHostKey: async () => {},
      });
      try {
        assert.equal(
          (await conn.exec('readlink ~/notebooks/remote')).stdout.trim(),
          '/mnt/dsvm-pool/notebooks/alice',
        );
        await conn.exec('head -c 5000 /dev/zero > ~/notebooks/remote/data.bin');
      } finally {
        conn.dispose();
      }

      const storage = await ui.call('storage.info', { poolId: pool.id });
      assert.equal(storage.share, 'share /mnt/dsvm-pool on lab-1');
      assert.ok((storage.perUser.alice ?? 0) >= 5000, JSON.stringify(storage));
      assert.ok(storage.usedBytes >= 5000);
      assert.equal(storage.quotaGiB, undefined);
      await assert.rejects(
        ui.call('storage.setQuota', { poolId: pool.id, quotaGiB: 10 }),
        (err: RpcError) => err.code === ErrorCode.BadInput && /quota/.test(err.message),
      );
      assert.deepEqual(await ui.call('connections.list', {}), []);
    });

    it('an SMB share asks for its key (a secret prompt) and hands it to the agent, never keeping it', async () => {
      pool = await ui.call('pools.saveSshHosts', {
        poolId: pool.id,
        name: 'Lab',
        hosts: [{ name: 'lab-1', address: '127.0.0.1', port: vm.port, user: ADMIN }],
        share: { protocol: 'smb', source: '//labfiles.file.core.windows.net/team' },
      });
      const op = await ui.call('agent.install', { poolId: pool.id, instanceIds: ['lab-1'] });
      const asked = await until('the key question', () =>
        prompts.find((p) => p.kind === 'secret' && p.poolId === pool.id),
      );
      assert.equal(asked.kind, 'secret');
      assert.match(asked.kind === 'secret' ? asked.label : '', /labfiles/);
      await assert.rejects(
        ui.call('prompts.answer', { promptId: asked.id, accept: true, value: '' }),
        /asks for a secret/,
      );
      await ui.call('prompts.answer', { promptId: asked.id, accept: true, value: KEY });
      const done = await ended(op.id);
      // No SMB here: the install works, the first apply cannot mount, and the operation says so.
      assert.equal(done.status, 'failed');
      assert.match(done.error?.message ?? '', /lab-1: installed, but its first apply failed/);
      assert.ok(!JSON.stringify(operations).includes(KEY), 'the key is in no operation event');
      const cred = await vm.exec(
        'stat -c "%a %U" /etc/smbcredentials/labfiles.cred && cat /etc/smbcredentials/labfiles.cred',
      );
      assert.equal(cred.stdout, `600 root\nusername=labfiles\npassword=${KEY}\n`);
      const settings = await readFile(join(dir, 'app', 'settings.json'), 'utf8');
      assert.ok(!settings.includes(KEY), 'the key is not in settings.json');
    });
  },
);
