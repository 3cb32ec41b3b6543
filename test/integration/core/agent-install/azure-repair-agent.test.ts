// Repair agent on an Azure pool through the contract: the Azure emulator with namespace VMs (real
// sshd, sudo and the agent in private mount namespaces; the pool's CustomScript extension installs
// the agent at provisioning with its own Node.js, mounting the Azure Files emulator's folder of the
// share through the image's mount.cifs stand-in), createAppCore signed in as a service principal.
// The agent on the instance is broken (bundle, runtime and wrapper gone), a member added meanwhile
// cannot sign in; agent.install on that instance reinstalls it over SSH as the pool's admin, with
// the app's own Node.js runtime, keeping the instance's agent.json, and the member is in. With
// agent.json gone too, the repair writes the template's SMB configuration with the key from
// listKeys (root-only file), and the share mounts with it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OperationInfo, PoolInfo } from '../../../../src/common/models';
import { RpcClient } from '../../../../src/common/rpc';
import { createMemoryTransportPair } from '../../../../src/common/transports/memory';
import type { AppCore } from '../../../../src/core/app-core';
import { ensureAppKey } from '../../../../src/core/keys/app-key';
import { SshConnection } from '../../../../src/core/ssh/ssh-connection';
import type { AzureEmulator } from '../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../emulators/azure/emulator-trust';
import type { NamespaceVmBackendFactory } from '../../../emulators/vm/namespace-vm-backend';
import { until } from '../../../helpers/until';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed.
await trustEmulatorCertificate();
const { startAzureEmulator } = await import('../../../emulators/azure/azure-emulator');
const { FILE_SHARE_TAG, STORAGE_ACCOUNT_TAG, namespaceVmBackend } =
  await import('../../../emulators/vm/namespace-vm-backend');
const { createAppCore } = await import('../../../../src/core/app-core');

const CLIENT_ID = 'dsvm-pool-repair-tests';
const CLIENT_SECRET = 'emulator-secret-for-repair-tests';
const ACCOUNT = `repair${process.pid.toString(36)}`.slice(0, 24);
const SHARE = 'team';
const ADMIN = 'dsvmadmin';

describe('Repair agent on an Azure pool (emulator + namespace VMs)', { timeout: 120_000 }, () => {
  let dir: string;
  let emulator: AzureEmulator;
  let backend: NamespaceVmBackendFactory;
  let core: AppCore;
  let ui: RpcClient;
  let pools: PoolInfo[] = [];
  const operations: OperationInfo[] = [];

  const ended = (id: string, ms = 45_000) =>
    until(
      `operation ${id} to end`,
      () => operations.find((o) => o.id === id && o.status !== 'running'),
      ms,
    );
  const azurePool = () => pools.find((p) => p.kind === 'azure');

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test runs namespace VMs: run it as root');
    dir = await mkdtemp(join(tmpdir(), 'azure-repair-'));
    const started: { emulator?: AzureEmulator } = {};
    backend = namespaceVmBackend({
      shareDir: (vm) => {
        const account = vm.tags[STORAGE_ACCOUNT_TAG];
        const share = vm.tags[FILE_SHARE_TAG];
        return account && share ? started.emulator?.files.dataDir(account, share) : undefined;
      },
      agentIntervalMs: 1000,
    });
    emulator = await startAzureEmulator({
      clientSecrets: { [CLIENT_ID]: CLIENT_SECRET },
      delays: { vmCreate: 50, vmStart: 50, resource: 20 },
      vmBackend: backend,
    });
    started.emulator = emulator;
    process.env.DSVM_POOL_ARM_ENDPOINT = emulator.url;
    process.env.DSVM_POOL_AUTHORITY_HOST = emulator.url;
    process.env.AZURE_TENANT_ID = emulator.tenantId;
    process.env.AZURE_CLIENT_ID = CLIENT_ID;
    process.env.AZURE_CLIENT_SECRET = CLIENT_SECRET;
    core = await createAppCore({
      dataDir: join(dir, 'app'),
      shell: 'headless',
      version: '9.9.9',
      log: () => {},
      localInstances: 1,
      azurePollIntervalMs: 50,
      heartbeatIntervalMs: 600_000,
    });
    const [a, b] = createMemoryTransportPair();
    core.rpc.connect(b);
    ui = new RpcClient(a);
    ui.on('operations.onDidChange', (op) => operations.push(op));
    ui.on('pools.onDidChange', (list) => (pools = list));
    ui.on('prompts.onDidOpen', (p) => {
      ui.call('prompts.answer', { promptId: p.id, accept: true }).catch(() => {});
    });
    await ui.call('azure.signIn', { kind: 'environment' });
    const appKey = await ensureAppKey(join(dir, 'app'));
    const natStart = 23_000 + Math.floor(Math.random() * 90) * 100;
    const op = await ui.call('azure.createPool', {
      subscriptionId: emulator.subscriptionId,
      resourceGroup: 'repair-rg',
      createResourceGroup: true,
      parameters: {
        poolName: 'repairpool',
        location: 'westeurope',
        instanceCount: 1,
        maxInstances: 2,
        adminUsername: ADMIN,
        sshPublicKey: appKey.publicKey,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'repair-pool-test',
        natFrontendPortStart: natStart,
        storageAccountName: ACCOUNT,
        fileShareName: SHARE,
      },
    });
    const created = await ended(op.id, 90_000);
    assert.equal(created.status, 'succeeded', created.error?.message);
    await until(
      'the pool with a running instance',
      () => azurePool()?.instances.some((i) => i.state === 'running'),
      30_000,
    );
  });

  after(async () => {
    await core?.dispose();
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A command as `user` on the instance, with their key; undefined when they cannot sign in. */
  const asUser = async (user: string, privateKey: string, command: string) => {
    const instance = azurePool()!.instances[0]!;
    let conn: SshConnection | undefined;
    try {
      conn = await SshConnection.open({
        target: { host: '127.0.0.1', port: instance.port, username: user, privateKey },
        verifyHostKey: async () => {},
        readyTimeoutMs: 5_000,
      });
      return (await conn.exec(command)).stdout.trim();
    } catch {
      return undefined;
    } finally {
      conn?.dispose();
    }
  };

  it('reinstalls a broken agent on the chosen instance; a member added meanwhile signs in', async () => {
    const pool = azurePool()!;
    const instance = pool.instances[0]!;
    const vm = backend.vms.get(instance.name)!;
    assert.ok(vm, `namespace VM ${instance.name}`);
    // It boots when the instance comes up (not awaited by the emulator): wait for that boot.
    await vm.boot();

    // Break it: no bundle, no wrapper; the timer's runs now fail.
    await vm.exec('rm -rf /usr/local/bin/dsvm-pool-agent /usr/local/lib/dsvm-pool');
    const dana = await ensureAppKey(join(dir, 'dana'));
    await ui.call('team.add', { poolId: pool.id, name: 'dana', sshKeys: [dana.publicKey] });
    const broken = await vm.agentRunAfter(Date.now());
    assert.notEqual(broken.code, 0, 'the agent is broken');
    assert.equal(await asUser('dana', dana.privateKey, 'true'), undefined);

    // The confirmation's az equivalent: the extension, no secret.
    const az = await ui.call('azure.previewAz', {
      poolId: pool.id,
      action: 'repairAgent',
      instanceIds: [instance.id],
    });
    assert.match(
      az[0]!.shell,
      /^az vmss extension set .*--extension-instance-name dsvm-pool-agent .*--protected-settings @dsvm-pool-agent-protected\.json/,
    );
    assert.match(
      az[1]!.shell,
      new RegExp(`^az vmss update-instances .*--instance-ids ${instance.id}$`),
    );

    const op = await ui.call('agent.install', { poolId: pool.id, instanceIds: [instance.id] });
    assert.deepEqual(op.az, az);
    assert.equal(op.pool?.poolName, 'repairpool');
    const done = await ended(op.id);
    assert.equal(done.status, 'succeeded', done.error?.message);
    const lines = done.progress.map((p) => p.text).join('\n');
    assert.match(
      lines,
      new RegExp(
        `${instance.name}: Keeping this machine's agent.json \\(smb //${ACCOUNT}\\.file\\.`,
      ),
    );
    // The runtime was deleted with the rest: the app brought its own again.
    assert.match(
      lines,
      new RegExp(`${instance.name}: Uploading the agent's Node\\.js [\\d.]+ for x64`),
    );
    assert.match(
      lines,
      new RegExp(
        `${instance.name}: Agent .*: share mounted on /mnt/dsvm-pool, \\d+ members?\\.\\n${instance.name}: done\\.`,
      ),
    );

    // Back: the wrapper (on the agent's own Node.js; the image has none), the timer's runs, and dana.
    assert.equal((await vm.exec('test -x /usr/local/bin/dsvm-pool-agent')).code, 0);
    assert.notEqual((await vm.exec('command -v node')).code, 0, 'no node on the image');
    assert.match(
      (await vm.exec('grep ^NODE= /usr/local/bin/dsvm-pool-agent')).stdout,
      /^NODE=\/usr\/local\/lib\/dsvm-pool\/node\/bin\/node$/m,
    );
    assert.equal(
      await asUser('dana', dana.privateKey, 'readlink ~/notebooks/remote'),
      '/mnt/dsvm-pool/notebooks/dana',
    );
    // The admin's connection the repair opened is closed again.
    assert.deepEqual(await ui.call('connections.list', {}), []);
  });

  it('without agent.json, writes the template’s SMB configuration with the listKeys key (root-only); the share mounts', async () => {
    const pool = azurePool()!;
    const instance = pool.instances[0]!;
    const vm = backend.vms.get(instance.name)!;
    await vm.exec('rm -f /etc/dsvm-pool/agent.json; umount -R /mnt/dsvm-pool');
    const op = await ui.call('agent.install', { poolId: pool.id, instanceIds: [instance.id] });
    const done = await ended(op.id);
    assert.equal(done.status, 'succeeded', done.error?.message);
    const lines = done.progress.map((p) => p.text).join('\n');
    assert.match(
      lines,
      new RegExp(`${instance.name}: The agent's own Node\\.js [\\d.]+ \\(x64\\) is there already`),
    );
    assert.match(lines, new RegExp(`${instance.name}: Agent .*: share mounted on /mnt/dsvm-pool`));
    const config = JSON.parse((await vm.exec('cat /etc/dsvm-pool/agent.json')).stdout) as {
      share: Record<string, string>;
      shareName: string;
      adminUser: string;
    };
    assert.deepEqual(config.share, {
      protocol: 'smb',
      source: `//${ACCOUNT}.file.core.windows.net/${SHARE}`,
      mountPoint: '/mnt/dsvm-pool',
      account: ACCOUNT,
    });
    assert.equal(config.shareName, SHARE);
    assert.equal(config.adminUser, ADMIN);
    const cred = await vm.exec(
      `stat -c "%a %U" /etc/smbcredentials/${ACCOUNT}.cred && cat /etc/smbcredentials/${ACCOUNT}.cred`,
    );
    const key = /password=(.+)\n/.exec(cred.stdout)?.[1];
    assert.match(cred.stdout, new RegExp(`^600 root\\nusername=${ACCOUNT}\\n`));
    assert.ok(key && key.length >= 40, 'the account key from listKeys');
    assert.ok(!JSON.stringify(operations).includes(key), 'the key is in no operation event');
  });
});
