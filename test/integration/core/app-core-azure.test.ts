// The Azure admin capability as the UI sees it: createAppCore pointed at the Azure emulator by
// environment variables, driven over RPC on the in-memory transport.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TeamRegistrySchema, type AgentActivity } from '../../../src/common/agent-protocol';
import { ErrorCode, type RpcError } from '../../../src/common/errors';
import type { OperationInfo, PoolInfo } from '../../../src/common/models';
import { RpcClient } from '../../../src/common/rpc';
import { createMemoryTransportPair } from '../../../src/common/transports/memory';
import { createAppCore, type AppCore } from '../../../src/core/app-core';
import { ensureAppKey } from '../../../src/core/keys/app-key';
import { startAzureEmulator, type AzureEmulator } from '../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';
import { until as untilWithin } from '../../helpers/until';

await trustEmulatorCertificate();

const RG = 'core-rg';
const POOL = 'corepool';
const CLIENT_ID = 'dsvm-pool-core-tests';
const ACCOUNT = 'coreteamstore';
const SHARE = 'team';
const CLIENT_SECRET = 'emulator-secret-for-core-tests';

/** Azure operations in the emulator take seconds; wait longer than the helper's default. */
const until = <T>(what: string, probe: () => T | undefined | false, ms = 20_000) =>
  untilWithin(what, probe, ms);

describe('app core: Azure pools over RPC against the emulator', () => {
  let emulator: AzureEmulator;
  let dataDir: string;
  let core: AppCore;
  let ui: RpcClient;
  const operations: OperationInfo[] = [];
  let pools: PoolInfo[] = [];

  const opEnded = (id: string) =>
    until(`operation ${id} to end`, () =>
      operations.find((o) => o.id === id && o.status !== 'running'),
    );
  const azurePool = () => pools.find((p) => p.kind === 'azure');

  before(async () => {
    emulator = await startAzureEmulator({
      clientSecrets: { [CLIENT_ID]: CLIENT_SECRET },
      delays: {
        vmCreate: 50,
        vmStart: 50,
        vmDeallocate: 50,
        vmStop: 30,
        vmRestart: 50,
        vmDelete: 30,
        resource: 20,
      },
    });
    process.env.DSVM_POOL_ARM_ENDPOINT = emulator.url;
    process.env.DSVM_POOL_AUTHORITY_HOST = emulator.url;
    process.env.AZURE_TENANT_ID = emulator.tenantId;
    process.env.AZURE_CLIENT_ID = CLIENT_ID;
    process.env.AZURE_CLIENT_SECRET = CLIENT_SECRET;
    dataDir = await mkdtemp(join(tmpdir(), 'app-core-azure-'));
    core = await createAppCore({
      dataDir,
      shell: 'headless',
      version: '9.9.9',
      log: () => {},
      localInstances: 1,
      azurePollIntervalMs: 50,
      heartbeatIntervalMs: 100,
    });
    const [a, b] = createMemoryTransportPair();
    core.rpc.connect(b);
    ui = new RpcClient(a);
    ui.on('operations.onDidChange', (op) => operations.push(op));
    ui.on('pools.onDidChange', (list) => (pools = list));
    ui.on('prompts.onDidOpen', (p) => {
      ui.call('prompts.answer', { promptId: p.id, accept: true }).catch(() => {});
    });
  });

  after(async () => {
    await core?.dispose();
    await emulator?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('signs in from the environment and lists the subscription', async () => {
    assert.equal((await ui.call('azure.status', {})).signedIn, false);
    const status = await ui.call('azure.signIn', { kind: 'environment' });
    assert.equal(status.signedIn, true);
    assert.equal(status.account?.isServicePrincipal, true);
    assert.equal((await ui.call('azure.status', {})).signedIn, true);
    const subs = await ui.call('azure.listSubscriptions', {});
    assert.deepEqual(
      subs.map((s) => s.subscriptionId),
      [emulator.subscriptionId],
    );
  });

  it('refuses a bad pool parameter with E_BAD_INPUT naming the field', async () => {
    await assert.rejects(
      ui.call('azure.validatePool', {
        parameters: { poolName: POOL, location: 'westeurope', instanceCount: -3 },
      }),
      (err: RpcError) => {
        assert.equal(err.code, ErrorCode.BadInput);
        // Named as the wizard labels it; the details keep the parameter path for the field.
        assert.match(err.message, /"Instances now" must be 0 or more/);
        assert.doesNotMatch(err.message, /instanceCount/);
        const details = err.details as Array<{ path: string[] }>;
        assert.ok(details.some((d) => d.path.join('.') === 'instanceCount'));
        return true;
      },
    );
  });

  it('creates a pool of 2, which appears in pools.list with NAT ports; connects and runs a command', async () => {
    const appKey = await ensureAppKey(dataDir);
    const natStart = 20_000 + Math.floor(Math.random() * 90) * 100;
    const op = await ui.call('azure.createPool', {
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      createResourceGroup: true,
      parameters: {
        poolName: POOL,
        location: 'westeurope',
        instanceCount: 2,
        maxInstances: 4,
        adminUsername: 'dsvmadmin',
        sshPublicKey: appKey.publicKey,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'core-pool-test',
        natFrontendPortStart: natStart,
        // The template creates the account and the share with its quota.
        storageAccountName: ACCOUNT,
        fileShareName: SHARE,
        shareQuotaGiB: 50,
      },
    });
    assert.equal(op.status, 'running');
    assert.ok(op.az.some((c) => c.args.join(' ').startsWith('az deployment group create')));
    const ended = await opEnded(op.id);
    assert.equal(ended.status, 'succeeded', ended.error?.message);
    assert.ok(operations.filter((o) => o.id === op.id).length >= 2, 'progress events');

    const pool = await until('the Azure pool with 2 running instances', () => {
      const p = azurePool();
      return p?.instances.filter((i) => i.state === 'running').length === 2 ? p : undefined;
    });
    // As the admin table does for its rows on screen: their NAT ports are asked from Azure and
    // come with a pools.onDidChange.
    await ui.call('azure.showInstances', { poolId: pool.id, instanceIds: ['0', '1'] });
    await until('the NAT ports of the instances on screen', () =>
      azurePool()?.instances.every((i) => i.port > 0),
    );
    const listed = (await ui.call('pools.list', {})).find((p) => p.id === pool.id)!;
    assert.equal(listed.instances.length, 2);
    for (const i of listed.instances) {
      assert.equal(i.state, 'running');
      assert.ok(i.port >= natStart && i.port < natStart + 100);
      assert.equal(i.azure?.natPort, i.port);
    }

    const connection = await ui.call('connections.connect', { poolId: pool.id });
    assert.equal(connection.state, 'connected');
    let output = '';
    ui.on('terminals.onData', (e) => (output += e.data));
    const terminal = await ui.call('terminals.open', {
      connectionId: connection.id,
      cols: 80,
      rows: 24,
    });
    await ui.call('terminals.write', { terminalId: terminal.id, data: 'echo az-$((40+2))-ok\r' });
    await until('the echo', () => output.includes('az-42-ok'), 10_000);
    await ui.call('connections.close', { connectionId: connection.id });
  });

  it('scales to 3 and deallocates one instance', async () => {
    const poolId = azurePool()!.id;
    const scale = await ui.call('azure.scale', { poolId, capacity: 3 });
    assert.ok(scale.az.length > 0);
    assert.equal((await opEnded(scale.id)).status, 'succeeded');
    await until('3 instances', () => azurePool()!.instances.length === 3);

    const target = azurePool()!.instances[0]!.id;
    const stop = await ui.call('azure.instanceAction', {
      poolId,
      action: 'deallocate',
      instanceIds: [target],
    });
    assert.equal((await opEnded(stop.id)).status, 'succeeded');
    const listed = (await ui.call('pools.list', {})).find((p) => p.id === poolId)!;
    assert.equal(listed.instances.find((i) => i.id === target)?.state, 'stopped');
  });

  it("manages the team in the share's registry, as the agents read it", async () => {
    const poolId = azurePool()!.id;
    const registry = join(emulator.files.dataDir(ACCOUNT, SHARE), '.pool', 'users.json');
    const alice = (await ensureAppKey(join(dataDir, 'alice'))).publicKey;
    const bob = (await ensureAppKey(join(dataDir, 'bob'))).publicKey;

    // Creating the pool put the agent on the share, where the instances' extension takes it.
    const agent = await readFile(
      join(emulator.files.dataDir(ACCOUNT, SHARE), '.pool', 'agent', 'dsvm-pool-agent.js'),
      'utf8',
    );
    assert.match(agent, /dsvm-pool-agent/);
    assert.deepEqual((await ui.call('team.list', { poolId })).members, []);
    await ui.call('team.add', { poolId, name: 'alice', sshKeys: [alice] });
    const team = await ui.call('team.add', { poolId, name: 'bob', sshKeys: [bob], admin: true });
    assert.match(team.share, new RegExp(`${ACCOUNT}/${SHARE}`));
    assert.deepEqual(
      team.members.map((m) => [m.name, m.admin ?? false]),
      [
        ['alice', false],
        ['bob', true],
      ],
    );
    // Exactly what the agent parses, written through the Azure Files SDK into the share's folder.
    const onDisk = TeamRegistrySchema.parse(JSON.parse(await readFile(registry, 'utf8')));
    assert.deepEqual(
      onDisk.members.map((m) => m.name),
      ['alice', 'bob'],
    );
    assert.equal(onDisk.members[0]!.sshKeys[0], alice.trim());

    // Bad input is refused by field, and loses nothing.
    await assert.rejects(
      ui.call('team.add', { poolId, name: 'Carol!', sshKeys: ['ssh-rsa AAAA'] }),
      (err: RpcError) => {
        assert.equal(err.code, ErrorCode.BadInput);
        const paths = (err.details as Array<{ path: string[] }>).map((d) => d.path.join('.'));
        assert.ok(paths.includes('name'), paths.join());
        assert.ok(
          paths.some((p) => p.startsWith('sshKeys')),
          paths.join(),
        );
        return true;
      },
    );
    await assert.rejects(
      ui.call('team.add', { poolId, name: 'alice', sshKeys: [alice] }),
      /already a member/,
    );
    // The scale set's admin account is every VM's already: never a member, and the app says why.
    await assert.rejects(
      ui.call('team.add', { poolId, name: 'dsvmadmin', sshKeys: [alice] }),
      (err: RpcError) => {
        assert.equal(err.code, ErrorCode.BadInput);
        assert.match(err.message, /is the pool's admin account/);
        assert.deepEqual(
          (err.details as Array<{ path: string[] }>).map((d) => d.path.join('.')),
          ['name'],
        );
        return true;
      },
    );
    assert.deepEqual((await ui.call('team.list', { poolId })).adminAccounts, ['dsvmadmin']);
    const after = await ui.call('team.remove', { poolId, name: 'alice' });
    assert.deepEqual(
      after.members.map((m) => m.name),
      ['bob'],
    );
    assert.deepEqual(
      TeamRegistrySchema.parse(JSON.parse(await readFile(registry, 'utf8'))).members.map(
        (m) => m.name,
      ),
      ['bob'],
    );
  });

  it("shows the share's usage, each member's folder size, and sets its quota", async () => {
    const poolId = azurePool()!.id;
    const folder = join(emulator.files.dataDir(ACCOUNT, SHARE), 'notebooks', 'bob');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'model.ipynb'), Buffer.alloc(12_345, 1));
    const info = await ui.call('storage.info', { poolId });
    assert.equal(info.account, ACCOUNT);
    assert.equal(info.quotaGiB, 50);
    assert.equal(info.perUser.bob, 12_345);
    assert.ok(info.usedBytes >= 12_345);
    const set = await ui.call('storage.setQuota', { poolId, quotaGiB: 200 });
    assert.equal(set.quotaGiB, 200);
    await assert.rejects(ui.call('storage.setQuota', { poolId, quotaGiB: 0 }), /at least 1 GiB/);
  });

  it("activity: the pool's idle policy is written to and read from its share", async () => {
    const poolId = azurePool()!.id;
    assert.deepEqual(await ui.call('activity.policy', { poolId }), {
      version: 1,
      idleMinutes: 30,
      idleStop: false,
    });
    const set = await ui.call('activity.setPolicy', { poolId, idleMinutes: 45, idleStop: true });
    assert.deepEqual(set, { version: 1, idleMinutes: 45, idleStop: true });
    const file = join(emulator.files.dataDir(ACCOUNT, SHARE), '.pool', 'activity.json');
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), set);
    assert.deepEqual(await ui.call('activity.policy', { poolId }), set);
    await assert.rejects(
      ui.call('activity.setPolicy', { poolId, idleMinutes: 2, idleStop: false }),
      /must be at least 5 minutes/,
    );
  });

  it("places a new connection by the agents' heartbeats (everyone's sessions)", async () => {
    const poolId = azurePool()!.id;
    const running = azurePool()!.instances.filter((i) => i.state === 'running');
    assert.ok(running.length >= 2, 'two running instances to choose from');
    const busy = running[0]!;
    const status = join(emulator.files.dataDir(ACCOUNT, SHARE), '.pool', 'status');
    await mkdir(status, { recursive: true });
    const activity: AgentActivity = {
      busy: true,
      reasons: [{ user: 'carol', kind: 'kernel', text: 'kernel busy 40 min' }],
      idleSince: null,
      idleMinutes: 30,
      protection: { protectFromScaleIn: true, by: 'busy' },
      idleStopAt: null,
      scheduledEvents: [],
    };
    const beat = (computerName: string, sessions: Record<string, number>, withActivity = false) =>
      JSON.stringify({
        version: 1,
        computerName,
        agentVersion: '1.0.0',
        time: new Date().toISOString(),
        mount: null,
        users: { applied: [], locked: [] },
        sessions,
        jupyter: {},
        load: { avg1: 0, avg5: 0, avg15: 0, cpus: 2 },
        lastApply: null,
        ...(withActivity ? { activity } : {}),
      });
    await writeFile(
      join(status, `${busy.name}.json`),
      beat(busy.name, { carol: 3, dave: 1 }, true),
    );
    // A stale heartbeat (a VM that stopped hours ago) counts for nothing.
    const stale = JSON.parse(beat(running[1]!.name, { erin: 9 })) as { time: string };
    stale.time = new Date(Date.now() - 3_600_000).toISOString();
    await writeFile(join(status, `${running[1]!.name}.json`), JSON.stringify(stale));

    const seen = await until('the heartbeat sessions on the busy instance', () => {
      const i = azurePool()!.instances.find((x) => x.id === busy.id);
      return i?.sessions.carol === 3 ? i : undefined;
    });
    assert.equal(seen.sessions.dave, 1);
    // The agent's activity (busy and why, protection) reaches the instance as the UI sees it.
    assert.deepEqual(seen.activity, activity);
    assert.equal(
      azurePool()!.instances.find((x) => x.id === running[1]!.id)?.sessions.erin,
      undefined,
    );
    const connection = await ui.call('connections.connect', { poolId });
    assert.notEqual(connection.instanceId, busy.id, 'the least loaded instance, not the busy one');
    await ui.call('connections.close', { connectionId: connection.id });
  });

  it('starts an instance on connect when none runs, showing what it does on the pool', async () => {
    const poolId = azurePool()!.id;
    const stop = await ui.call('azure.stopAll', { poolId });
    assert.equal((await opEnded(stop.id)).status, 'succeeded');
    await until('every instance stopped', () =>
      azurePool()!.instances.every((i) => i.state === 'stopped'),
    );
    const activities: string[] = [];
    const sub = ui.on('pools.onDidChange', (list) => {
      const activity = list.find((p) => p.id === poolId)?.activity;
      if (activity) activities.push(activity);
    });
    const connection = await ui.call('connections.connect', { poolId });
    sub.dispose();
    assert.equal(connection.state, 'connected');
    assert.ok(
      activities.some((a) => /starting/i.test(a)),
      `activity shown: ${activities.join(' | ')}`,
    );
    const listed = (await ui.call('pools.list', {})).find((p) => p.id === poolId)!;
    assert.equal(listed.activity, undefined, 'the activity ends with the start');
    assert.equal(listed.instances.find((i) => i.id === connection.instanceId)?.state, 'running');
    const start = operations.find((o) => /start/i.test(o.title) && o.status === 'succeeded');
    assert.ok(start, 'a start-on-connect operation, with its az equivalent');
    assert.ok(start.az.some((c) => c.args.includes('start')));
    await ui.call('connections.close', { connectionId: connection.id });
  });

  it('says whom to ask when the account may not start an instance on connect', async () => {
    const poolId = azurePool()!.id;
    const stop = await ui.call('azure.stopAll', { poolId });
    assert.equal((await opEnded(stop.id)).status, 'succeeded');
    await until('every instance stopped', () =>
      azurePool()!.instances.every((i) => i.state === 'stopped'),
    );
    emulator.failNext((r) => r.method === 'POST' && /\/start$/i.test(r.path), 403, {
      code: 'AuthorizationFailed',
      message: 'The client does not have authorization to perform action start.',
    });
    await assert.rejects(ui.call('connections.connect', { poolId }), (err: RpcError) => {
      assert.equal(err.code, ErrorCode.NoInstance);
      assert.match(err.message, /Ask the pool's admin to start an instance/);
      return true;
    });
    assert.equal(
      (await ui.call('pools.list', {})).find((p) => p.id === poolId)?.activity,
      undefined,
    );
  });

  it('signed out, Connect says to sign in to Azure (not that the account lacks a role)', async () => {
    const poolId = azurePool()!.id;
    await until('every instance stopped', () =>
      azurePool()!.instances.every((i) => i.state !== 'running'),
    );
    await ui.call('azure.signOut', {});
    try {
      await assert.rejects(ui.call('connections.connect', { poolId }), (err: RpcError) => {
        assert.equal(err.code, ErrorCode.NotSignedIn);
        assert.match(err.message, /^Sign in to Azure to connect to corepool/);
        assert.doesNotMatch(err.message, /may not|role|permission/i);
        return true;
      });
    } finally {
      await ui.call('azure.signIn', { kind: 'environment' });
    }
  });

  it('deletes the pool only with its exact name; its open terminal ends saying the pool was deleted', async () => {
    const poolId = azurePool()!.id;
    const connection = await ui.call('connections.connect', { poolId });
    const terminal = await ui.call('terminals.open', {
      connectionId: connection.id,
      cols: 80,
      rows: 24,
    });
    assert.equal(terminal.poolName, POOL);
    const exits: string[] = [];
    ui.on('terminals.onDidExit', (e) => e.terminalId === terminal.id && exits.push(e.reason));
    await assert.rejects(
      ui.call('azure.deletePool', { poolId, confirmName: 'wrong' }),
      (err: RpcError) => err.code === ErrorCode.BadInput,
    );
    const del = await ui.call('azure.deletePool', { poolId, confirmName: POOL });
    assert.equal((await opEnded(del.id)).status, 'succeeded');
    const gone = await until('the pool to leave pools.list', () =>
      pools.every((p) => p.id !== poolId) ? true : undefined,
    );
    assert.ok(gone);
    assert.ok((await ui.call('pools.list', {})).every((p) => p.id !== poolId));
    await until('the terminal to end', () => exits.length > 0);
    assert.equal(
      exits[0],
      `The pool ${POOL} was deleted: this terminal cannot reconnect. Close the tab.`,
    );
  });
});
