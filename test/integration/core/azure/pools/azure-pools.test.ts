// The Azure pool service and provider end to end against the Azure emulator, with the real SDK
// clients: create from the template, list in two requests, SSH through a NAT port, every action,
// throttling, AllocationFailed, concurrency, start-on-connect and a typed-confirmation delete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, type RpcError } from '../../../../../src/common/errors';
import {
  POOL_TEMPLATE_VERSION,
  parseSshPublicKey,
} from '../../../../../src/core/azure/template/index';
import {
  createAzureClients,
  resolveAzureEnvironment,
} from '../../../../../src/core/azure/arm/index';
import { AzureCredential } from '../../../../../src/core/azure/identity/index';
import {
  type DeploymentProgress,
  type OperationInfo,
  AzurePoolService,
  type AzurePoolRef,
} from '../../../../../src/core/azure/pools/index';
import { AzurePoolProvider } from '../../../../../src/core/providers/azure/azure-pool-provider';
import { SshConnection } from '../../../../../src/core/ssh/ssh-connection';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';
import { RawArmClient } from '../../../../emulators/azure/raw-arm-client';
import { probePort } from '../../../../emulators/azure/ssh-probe';
import { ssh2Ed25519 } from '../../../../helpers/ssh-keys';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed.
await trustEmulatorCertificate();

const RG = 'pool-rg';
const POOL = 'team';
const CLIENT_ID = 'dsvm-pool-tests';
const CLIENT_SECRET = 'emulator-secret-for-tests';
/** The scale set's VM list (GET …/virtualMachineScaleSets/<name>/virtualMachines?…). */
const VM_LIST = /^GET .*\/virtualMachineScaleSets\/[^/]+\/virtualMachines$/i;

/** An ed25519 key pair Azure accepts (ssh2Ed25519 skips ssh2's occasional malformed key). */
function azureTestKey(): { public: string; private: string } {
  const key = ssh2Ed25519();
  assert.ok(parseSshPublicKey(key.public).ok);
  return key;
}

/** A NAT range below Linux's ephemeral ports, different per run so parallel runs rarely meet. */
function natRangeStart(): number {
  return 20_000 + Math.floor(Math.random() * 90) * 100;
}

/** ARM requests (not the token endpoint) made while `fn` runs. */
async function armRequestsDuring(emulator: AzureEmulator, fn: () => Promise<unknown>) {
  const start = emulator.requests.length;
  await fn();
  return emulator.requests
    .slice(start)
    .filter((r) => r.path.toLowerCase().startsWith('/subscriptions'));
}

async function sshRun(
  target: Awaited<ReturnType<AzurePoolProvider['connectTarget']>>,
  command: string,
) {
  const connection = await SshConnection.open({ target, verifyHostKey: async () => {} });
  try {
    return await connection.exec(command);
  } finally {
    connection.dispose();
  }
}

describe('Azure pools against the emulator (real SDK clients)', () => {
  let emulator: AzureEmulator;
  let credential: AzureCredential;
  let service: AzurePoolService;
  let provider: AzurePoolProvider;
  let ref: AzurePoolRef;
  const key = azureTestKey();
  const natStart = natRangeStart();
  const operations: OperationInfo[] = [];

  const states = () => provider.listInstances().map((i) => `${i.id}:${i.state}`);
  const emulatorStates = () =>
    emulator.vms(RG, POOL).map((vm) => ({
      id: vm.instanceId,
      power: vm.powerState,
      provisioning: vm.provisioningState,
    }));

  before(async () => {
    emulator = await startAzureEmulator({
      clientSecrets: { [CLIENT_ID]: CLIENT_SECRET },
      delays: {
        // Long enough that the deployment's progress (polled every 100 ms) sees the scale set
        // while it is still being created, even on a loaded machine.
        vmCreate: 800,
        vmStart: 100,
        vmDeallocate: 100,
        vmStop: 60,
        vmRestart: 100,
        vmDelete: 60,
        resource: 30,
      },
    });
    credential = new AzureCredential({
      environment: resolveAzureEnvironment({
        resourceManagerEndpoint: emulator.url,
        authorityHost: emulator.url,
      }),
    });
    service = new AzurePoolService({
      clients: (id) => credential.clientsFor(id),
      deploymentPollIntervalMs: 100,
      lroPollIntervalMs: 100,
    });
    service.tracker.onDidChange((op) => operations.push(op));
    ref = { subscriptionId: emulator.subscriptionId, resourceGroup: RG, poolName: POOL };
  });
  after(async () => {
    provider?.dispose();
    service?.dispose();
    credential?.dispose();
    await emulator?.close();
  });

  test("signs in with a service principal against the emulator's token endpoint", async () => {
    await assert.rejects(
      credential.signIn({
        kind: 'service-principal',
        tenantId: emulator.tenantId,
        clientId: CLIENT_ID,
        clientSecret: 'a wrong secret',
      }),
      (err: RpcError) => {
        assert.equal(err.code, ErrorCode.AuthFailed);
        assert.match(err.message, /as the service principal/);
        assert.doesNotMatch(err.message, /a wrong secret/, 'the secret never appears in errors');
        return true;
      },
    );
    const account = await credential.signIn({
      kind: 'service-principal',
      tenantId: emulator.tenantId,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    assert.equal(account.isServicePrincipal, true);
    assert.equal(account.tenantId, emulator.tenantId);
    assert.equal(account.userName, CLIENT_ID);
    assert.ok(
      emulator.requestsMatching(`POST /${emulator.tenantId}/oauth2/v2.0/token`).length > 0,
      'the credential got its token from the emulator',
    );
    const subscriptions = await credential.listSubscriptions();
    assert.deepEqual(
      subscriptions.map((s) => s.subscriptionId),
      [emulator.subscriptionId],
    );
  });

  test('refuses invalid pool settings before anything is created', () => {
    assert.throws(
      () =>
        service.createPool({
          subscriptionId: emulator.subscriptionId,
          resourceGroup: RG,
          createResourceGroup: true,
          parameters: { poolName: POOL, location: 'westeurope', adminPassword: 'hunter2' },
        }),
      (err: RpcError) => err.code === ErrorCode.BadInput && /adminPassword/.test(err.message),
    );
    assert.equal(emulator.store.all().length, 0);
  });

  test('creates a pool of 2 from the template: validate, deploy, progress, 2 running instances with distinct NAT ports', async () => {
    const progress: DeploymentProgress[] = [];
    const tracked = service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      createResourceGroup: true,
      parameters: {
        poolName: POOL,
        location: 'westeurope',
        instanceCount: 2,
        maxInstances: 4,
        adminUsername: 'dsvmadmin',
        sshPublicKey: key.public,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'team-pool-test',
        natFrontendPortStart: natStart,
      },
      onProgress: (p) => progress.push(p),
    });
    assert.equal(tracked.operation.status, 'running');
    assert.deepEqual(
      tracked.operation.az.map((c) => c.args.slice(0, 4).join(' ')),
      ['az group create --name', 'az deployment group create'],
    );
    assert.doesNotMatch(tracked.operation.az[1].shell, /PRIVATE KEY/);
    const created = await tracked.result;
    assert.equal(created.createdResourceGroup, true);
    assert.equal(created.pool.capacity, 2);
    assert.equal(created.pool.adminUsername, 'dsvmadmin');
    assert.equal(created.outputs.fqdn, 'team-pool-test.westeurope.cloudapp.azure.com');

    // Progress: resources seen while running and at the end, per type and name.
    const seen = new Set(
      progress.flatMap((p) => p.resources.map((r) => `${r.type}:${r.provisioningState}`)),
    );
    assert.ok(seen.has('Microsoft.Compute/virtualMachineScaleSets:Running'), [...seen].join(', '));
    const last = progress.at(-1)!;
    assert.equal(last.status, 'Succeeded');
    // The instance role and its assignment are named by stable GUIDs.
    const named = (name: string) => (/^[0-9a-f-]{36}$/.test(name) ? '<guid>' : name);
    assert.deepEqual(
      last.resources.map((r) => `${r.type}/${named(r.name)} ${r.provisioningState}`),
      [
        'Microsoft.Authorization/roleAssignments/<guid> Succeeded',
        'Microsoft.Authorization/roleDefinitions/<guid> Succeeded',
        'Microsoft.Compute/virtualMachineScaleSets/team Succeeded',
        'Microsoft.Insights/autoscaleSettings/team-autoscale Succeeded',
        'Microsoft.Network/loadBalancers/team-lb Succeeded',
        'Microsoft.Network/networkSecurityGroups/team-nsg Succeeded',
        'Microsoft.Network/publicIPAddresses/team-ip Succeeded',
        'Microsoft.Network/virtualNetworks/team-vnet Succeeded',
      ],
    );
    assert.equal(emulator.requestsMatching('/deployments/dsvm-pool-team/validate').length, 1);
    const op = service.tracker.get(tracked.operation.id);
    assert.equal(op.status, 'succeeded');
    assert.ok(op.progress.some((l) => /Validating/.test(l.text)));
    assert.equal(op.resources?.length, 8);
    assert.ok(
      operations.some((o) => o.id === op.id && o.resources?.length),
      'the tracker fired progress events',
    );

    provider = new AzurePoolProvider({
      pool: ref,
      clients: credential.clientsFor(emulator.subscriptionId),
      keys: async () => ({ privateKey: key.private }),
      service,
      refreshIntervalMs: 0,
    });
    await provider.start();
    // As the admin table does for the rows on screen: their NAT ports are asked from Azure.
    await provider.showInstances(['0', '1']);
    const instances = provider.listInstances();
    assert.deepEqual(states(), ['0:running', '1:running']);
    assert.equal(provider.user, 'dsvmadmin');
    assert.equal(new Set(instances.map((i) => i.port)).size, 2, 'distinct NAT ports');
    for (const i of instances) {
      assert.equal(i.host, '127.0.0.1', 'the public IP address, not its unresolvable fqdn');
      assert.ok(i.port >= natStart && i.port < natStart + 100);
      assert.equal(i.port, emulator.vms(RG, POOL).find((vm) => vm.instanceId === i.id)?.sshPort);
    }
    const details = provider.instanceDetails().get('0')!;
    assert.equal(details.latestModelApplied, true);
    assert.equal(details.protectFromScaleIn, false);
    assert.equal(details.powerState, 'running');
    assert.deepEqual(provider.address, {
      ipAddress: '127.0.0.1',
      fqdn: 'team-pool-test.westeurope.cloudapp.azure.com',
    });
  });

  test('lists instances with exactly one VM list request and one load balancer request', async () => {
    const requests = await armRequestsDuring(emulator, () => provider.refresh());
    assert.deepEqual(
      requests
        .map(
          (r) =>
            `${r.method} ${r.path.split('/').slice(-2).join('/')}${r.query.includes('instanceView') ? ' +instanceView' : ''}`,
        )
        .sort(),
      ['GET loadBalancers/team-lb', 'GET team/virtualMachines +instanceView'],
    );
  });

  test('connectTarget leads through the NAT port to a real SSH login as the admin user', async () => {
    const target = await provider.connectTarget('1');
    assert.equal(target.username, 'dsvmadmin');
    assert.equal(target.host, '127.0.0.1');
    const result = await sshRun(target, 'echo "$USER on $DSVM_POOL_INSTANCE"');
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), `dsvmadmin on ${provider.listInstances()[1].name}`);
    await assert.rejects(
      provider.connectTarget('42'),
      (err: RpcError) => err.code === ErrorCode.NotFound,
    );
  });

  test('refuses to scale past what the scale set holds, before asking Azure', async () => {
    // The template's pool keeps one placement group (most 3): 100 at most, and the provider
    // knows it from its read.
    assert.deepEqual(provider.capacityLimit?.max, 100);
    const patches = () =>
      emulator
        .requestsMatching('PATCH')
        .filter((r) =>
          r.path.toLowerCase().endsWith(`/virtualmachinescalesets/${POOL}`.toLowerCase()),
        ).length;
    const before = patches();
    const tracked = service.scale(ref, 101);
    await assert.rejects(tracked.result, (err: RpcError) => {
      assert.equal(err.code, ErrorCode.BadInput);
      assert.match(
        err.message,
        /can hold at most 100 instances: a scale set in a single placement group holds at most 100 instances\. Enter 100 or fewer/,
      );
      return true;
    });
    assert.equal(patches(), before, 'no PATCH sent');
  });

  test('scales to 3; the new instance runs with its own port', async () => {
    const tracked = service.scale(ref, 3);
    assert.match(tracked.operation.az[0].shell, /^az vmss scale .* --new-capacity 3$/);
    await tracked.result;
    assert.deepEqual(
      states(),
      ['0:running', '1:running', '2:running'],
      'refreshed before the result',
    );
    await provider.showInstances(['0', '1', '2']);
    assert.equal(new Set(provider.listInstances().map((i) => i.port)).size, 3);
  });

  test('refreshes on its timer: a change made elsewhere shows up by itself', async () => {
    const watcher = new AzurePoolProvider({
      pool: ref,
      clients: credential.clientsFor(emulator.subscriptionId),
      keys: async () => undefined,
      refreshIntervalMs: 100,
    });
    try {
      await watcher.start();
      assert.equal(watcher.instanceDetails().get('0')?.protectFromScaleIn, false);
      const changed = new Promise<void>((resolve) => watcher.onDidChangeInstances(() => resolve()));
      // Protect instance 0 behind the app's back, as the portal or the agent would.
      const vms = credential.clientsFor(emulator.subscriptionId).compute.virtualMachineScaleSetVMs;
      await vms.update(
        RG,
        POOL,
        '0',
        { location: 'westeurope', protectionPolicy: { protectFromScaleIn: true } },
        { updateIntervalInMs: 50 },
      );
      await changed;
      assert.equal(watcher.instanceDetails().get('0')?.protectFromScaleIn, true);
      await service.setScaleInProtection(ref, '0', false).result;
      assert.equal(provider.instanceDetails().get('0')?.protectFromScaleIn, false);
    } finally {
      watcher.dispose();
    }
  });

  test('deallocates one: stopped, its port refuses, connectTarget says so; start brings it back', async () => {
    const port = provider.listInstances()[1].port;
    const changes: string[][] = [];
    const sub = provider.onDidChangeInstances(() => changes.push(states()));
    const tracked = service.instanceAction(ref, 'deallocate', ['1']);
    assert.match(tracked.operation.az[0].shell, /^az vmss deallocate .* --instance-ids 1$/);
    await tracked.result;
    sub.dispose();
    assert.deepEqual(states(), ['0:running', '1:stopped', '2:running']);
    assert.ok(changes.length > 0, 'onDidChangeInstances fired');
    assert.equal(provider.instanceDetails().get('1')?.powerState, 'deallocated');
    assert.equal(await probePort(port), 'closed');
    await assert.rejects(provider.connectTarget('1'), (err: RpcError) => {
      assert.equal(err.code, ErrorCode.NoInstance);
      assert.match(err.message, /stopped/);
      return true;
    });

    await service.instanceAction(ref, 'start', ['1']).result;
    assert.deepEqual(states(), ['0:running', '1:running', '2:running']);
    assert.equal(provider.listInstances()[1].port, port, 'the NAT port stays with the instance');
    const result = await sshRun(await provider.connectTarget('1'), 'true');
    assert.equal(result.code, 0);
  });

  test('runs actions on different instances concurrently; the list ends consistent', async () => {
    await Promise.all([
      service.instanceAction(ref, 'deallocate', ['0']).result,
      service.instanceAction(ref, 'restart', ['1']).result,
      service.setScaleInProtection(ref, '2', true).result,
    ]);
    assert.deepEqual(states(), ['0:stopped', '1:running', '2:running']);
    assert.equal(provider.instanceDetails().get('2')?.protectFromScaleIn, true);
    assert.equal(provider.instanceDetails().get('1')?.protectFromScaleIn, false);
    assert.deepEqual(
      emulatorStates().map((v) => `${v.id}:${v.power}`),
      ['0:deallocated', '1:running', '2:running'],
    );
    await service.instanceAction(ref, 'start', ['0']).result;
    assert.deepEqual(states(), ['0:running', '1:running', '2:running']);
  });

  test('restarts an instance, then deletes another (protection does not stop a delete)', async () => {
    await service.instanceAction(ref, 'restart', ['0']).result;
    assert.equal(emulator.requestsMatching(`/virtualMachineScaleSets/${POOL}/restart`).length, 2);
    assert.deepEqual(states(), ['0:running', '1:running', '2:running']);

    const tracked = service.instanceAction(ref, 'delete', ['2']);
    assert.match(tracked.operation.az[0].shell, /^az vmss delete-instances .* --instance-ids 2$/);
    await tracked.result;
    assert.deepEqual(states(), ['0:running', '1:running']);
  });

  test('rides out throttling: two 429s with Retry-After, then success', async () => {
    const served = emulator.faults.served.throttled;
    emulator.throttleNext(2, { retryAfterSeconds: 1 });
    const started = Date.now();
    await provider.refresh();
    assert.equal(emulator.faults.served.throttled - served, 2);
    assert.ok(Date.now() - started >= 900, 'waited out Retry-After');
    assert.ok(emulator.requests.slice(-6).some((r) => r.status === 429));
    assert.deepEqual(states(), ['0:running', '1:running']);
  });

  test('a final 429 becomes a specific message; the list is kept, then re-read', async () => {
    // Clients with one retry, so the test need not wait out three.
    const impatient = new AzurePoolProvider({
      pool: ref,
      clients: createAzureClients(credential, emulator.subscriptionId, {
        environment: credential.environment,
        maxRetries: 1,
      }),
      keys: async () => undefined,
      refreshIntervalMs: 0,
    });
    try {
      await impatient.start();
      emulator.throttleNext(4, { retryAfterSeconds: 1 });
      await assert.rejects(impatient.refresh(), (err: RpcError) => {
        assert.match(
          err.message,
          /^Azure is throttling requests from this subscription \(TooManyRequests\) and still refused after 1 retry, so the app could not read pool team\. Try again in about 1 s\.$/,
        );
        assert.deepEqual(err.details, {
          retryable: true,
          azureCode: 'TooManyRequests',
          statusCode: 429,
          retryAfterSeconds: 1,
        });
        return true;
      });
      assert.equal(impatient.listInstances().length, 2, 'the last list is kept');
      assert.ok(impatient.lastError);
      emulator.faults.clear();

      // Retry-After longer than the app waits by itself: no hang, a clear message at once. Only
      // the VM list is throttled, so no retry of the read above can take this fault; a few of
      // them, because another provider of this file (refreshed by the service when an earlier
      // test's operation settles) may read the list first on a loaded machine.
      emulator.throttleNext(5, { retryAfterSeconds: 600, match: VM_LIST });
      const started = Date.now();
      await assert.rejects(
        impatient.refresh(),
        /asked the app to wait longer than it waits by itself.*Try again in about 600 s/,
      );
      assert.ok(Date.now() - started < 5_000);
      emulator.faults.clear();
      await impatient.refresh();
      assert.equal(impatient.lastError, undefined);
    } finally {
      impatient.dispose();
    }
  });

  test('a read that fails stops its other requests: no retry is sent after it', async () => {
    const sibling = new AzurePoolProvider({
      pool: ref,
      clients: credential.clientsFor(emulator.subscriptionId),
      keys: async () => undefined,
      refreshIntervalMs: 0,
    });
    try {
      await sibling.start();
      const lbReads = () => emulator.requestsMatching('/loadBalancers/').length;
      const before = lbReads();
      // The load balancer read waits out a 1 s Retry-After; the VM list fails for good meanwhile.
      emulator.throttleNext(1, { retryAfterSeconds: 1, match: '/loadBalancers/' });
      emulator.failNext(VM_LIST, 403, { code: 'AuthorizationFailed' });
      await assert.rejects(sibling.refresh(), /AuthorizationFailed|not allowed|permission/i);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(lbReads() - before, 1, 'the throttled load balancer read was not retried');
    } finally {
      emulator.faults.clear();
      sibling.dispose();
    }
  });

  test('AllocationFailed on start: the specific message, a failed operation, and a list that matches Azure', async () => {
    await service.instanceAction(ref, 'deallocate', ['1']).result;
    emulator.failOperation('/start', {
      code: 'AllocationFailed',
      message:
        'Allocation failed. We do not have sufficient capacity for the requested VM size in this region.',
    });
    const tracked = service.instanceAction(ref, 'start', ['1']);
    await assert.rejects(tracked.result, (err: RpcError) => {
      assert.equal(
        err.message,
        'Azure could not allocate Standard_D4s_v5 in westeurope right now (AllocationFailed). Try another size or region, or try again later.',
      );
      assert.deepEqual(err.details, { retryable: true, azureCode: 'AllocationFailed' });
      return true;
    });
    const op = service.tracker.get(tracked.operation.id);
    assert.equal(op.status, 'failed');
    assert.match(op.error?.message ?? '', /AllocationFailed/);
    // Re-read before the result settled: the provider shows what Azure shows.
    const one = provider.listInstances()[1];
    assert.equal(one.state, 'failed');
    assert.match(one.detail ?? '', /AllocationFailed.*deallocated/);
    assert.equal(provider.instanceDetails().get('1')?.failureCode, 'AllocationFailed');
    assert.deepEqual(emulatorStates()[1], {
      id: '1',
      power: 'deallocated',
      provisioning: 'Failed',
    });
  });

  test('stops all, then start-on-connect starts one instance and SSH works', async () => {
    const stop = service.stopAll(ref);
    assert.match(
      stop.operation.az[0].shell,
      /^az vmss deallocate --resource-group pool-rg --subscription \S+ --name team$/,
    );
    await stop.result;
    assert.deepEqual(states(), ['0:stopped', '1:stopped']);
    for (const i of provider.listInstances()) assert.equal(await probePort(i.port), 'closed');

    const tracked = service.startOnConnect(ref);
    const result = await tracked.result;
    assert.deepEqual(result, { instanceId: '0', how: 'started' });
    const op = service.tracker.get(tracked.operation.id);
    assert.match(op.az[0].shell, /az vmss start .* --instance-ids 0$/);
    assert.ok(op.progress.some((l) => /No instance is running: starting instance 0/.test(l.text)));
    assert.equal(provider.listInstances()[0].state, 'running');
    const ssh = await sshRun(await provider.connectTarget('0'), 'echo ok');
    assert.equal(ssh.stdout.trim(), 'ok');

    const again = await service.startOnConnect(ref).result;
    assert.deepEqual(again, { instanceId: '0', how: 'running' });
  });

  test('start-on-connect from an empty pool scales to 1', async () => {
    await service.instanceAction(ref, 'delete', ['0', '1']).result;
    assert.deepEqual(states(), []);
    const result = await service.startOnConnect(ref).result;
    assert.equal(result.how, 'scaled');
    assert.deepEqual(states(), [`${result.instanceId}:running`]);
    const ssh = await sshRun(await provider.connectTarget(result.instanceId), 'echo $USER');
    assert.equal(ssh.stdout.trim(), 'dsvmadmin');
  });

  test('a failed deployment names the cause, size and region', async () => {
    emulator.failOperation('virtualMachineScaleSets/broken', {
      code: 'SkuNotAvailable',
      message: 'The requested size is not available.',
    });
    const tracked = service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: RG,
      parameters: {
        poolName: 'broken',
        location: 'northeurope',
        vmSize: 'Standard_NC6s_v3',
        instanceCount: 1,
        adminUsername: 'dsvmadmin',
        sshPublicKey: key.public,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'broken-pool-test',
        natFrontendPortStart: natStart + 200,
      },
    });
    await assert.rejects(tracked.result, (err: RpcError) => {
      assert.match(
        err.message,
        /^Standard_NC6s_v3 is not available to this subscription in northeurope \(SkuNotAvailable\)\. Choose another size or region/,
      );
      return true;
    });
    const op = service.tracker.get(tracked.operation.id);
    assert.ok(
      op.progress.some((l) =>
        /virtualMachineScaleSets broken failed: SkuNotAvailable/.test(l.text),
      ),
    );
  });

  test('lists the pools of the subscription by their tag', async () => {
    const pools = await service.listPools(emulator.subscriptionId);
    assert.deepEqual(
      pools.map((p) => `${p.resourceGroup}/${p.poolName} ${p.vmSize}`),
      ['pool-rg/broken Standard_NC6s_v3', 'pool-rg/team Standard_D4s_v5'],
    );
    assert.equal(pools[1].templateVersion, POOL_TEMPLATE_VERSION);
  });

  test('deletes the pool: a wrong name is refused; then exactly its resources go, nothing else', async () => {
    // Something else in the same group, and the broken pool's leftovers: both must stay.
    const clients = credential.clientsFor(emulator.subscriptionId);
    await clients.network.publicIPAddresses.beginCreateOrUpdateAndWait(RG, 'someone-elses-ip', {
      location: 'westeurope',
      sku: { name: 'Standard' },
      publicIPAllocationMethod: 'Static',
    });
    const before = emulator.store.all().length;
    assert.throws(
      () => service.deletePool(ref, { confirmName: 'Team' }),
      (err: RpcError) =>
        err.code === ErrorCode.BadInput && /type its name "team" exactly/.test(err.message),
    );
    assert.equal(emulator.store.all().length, before, 'nothing deleted');

    const tracked = service.deletePool(ref, { confirmName: 'team' });
    assert.deepEqual(
      tracked.operation.az.map((c) => c.args.slice(0, 3).join(' ')),
      [
        'az monitor autoscale',
        'az vmss delete',
        'az network lb',
        'az network public-ip',
        'az network vnet',
        'az network nsg',
      ],
    );
    const result = await tracked.result;
    assert.deepEqual(result.deleted, [
      'Microsoft.Insights/autoscaleSettings/team-autoscale',
      'Microsoft.Compute/virtualMachineScaleSets/team',
      'Microsoft.Network/loadBalancers/team-lb',
      'Microsoft.Network/publicIPAddresses/team-ip',
      'Microsoft.Network/virtualNetworks/team-vnet',
      'Microsoft.Network/networkSecurityGroups/team-nsg',
    ]);
    assert.equal(result.resourceGroupDeleted, false, 'the group still holds other resources');
    const left = (await collect(clients.resources.resources.listByResourceGroup(RG)))
      .map((r) => r.name)
      .sort();
    assert.deepEqual(left, [
      'broken',
      'broken-ip',
      'broken-lb',
      'broken-nsg',
      'broken-vnet',
      'someone-elses-ip',
    ]);
    assert.deepEqual(provider.listInstances(), [], 'the provider re-read the (gone) pool');
    assert.ok(provider.lastError?.code === ErrorCode.NotFound);
  });

  test('deleting a pool that created its resource group removes the emptied group too', async () => {
    const created = await service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: 'solo-rg',
      createResourceGroup: true,
      parameters: {
        poolName: 'solo',
        location: 'westeurope',
        instanceCount: 0,
        adminUsername: 'dsvmadmin',
        sshPublicKey: key.public,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'solo-pool-test',
        natFrontendPortStart: natStart + 400,
      },
    }).result;
    assert.equal(created.pool.capacity, 0);
    const solo = {
      subscriptionId: emulator.subscriptionId,
      resourceGroup: 'solo-rg',
      poolName: 'solo',
    };
    const tracked = service.deletePool(solo, { confirmName: 'solo' });
    const result = await tracked.result;
    assert.equal(result.deleted.length, 6);
    assert.equal(result.resourceGroupDeleted, true);
    const clients = credential.clientsFor(emulator.subscriptionId);
    assert.equal((await clients.resources.resourceGroups.checkExistence('solo-rg')).body, false);
    assert.equal((await clients.resources.resourceGroups.checkExistence(RG)).body, true);
    assert.match(
      service.tracker.get(tracked.operation.id).az.at(-1)!.shell,
      /^az group delete --name solo-rg/,
    );
  });

  test('a delete Azure refuses as in use says what, what is gone, and a retry finishes', async () => {
    await service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup: 'busy-rg',
      createResourceGroup: true,
      parameters: {
        poolName: 'busy',
        location: 'westeurope',
        instanceCount: 0,
        adminUsername: 'dsvmadmin',
        sshPublicKey: key.public,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'busy-pool-test',
        natFrontendPortStart: natStart + 500,
      },
    }).result;
    // Someone else's scale set (not tagged) put its NICs in the pool's load balancer.
    const raw = new RawArmClient(emulator);
    const rg = `/subscriptions/${emulator.subscriptionId}/resourceGroups/busy-rg`;
    const lb = `${rg}/providers/Microsoft.Network/loadBalancers/busy-lb`;
    const other = `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/other`;
    try {
      const put = await raw.request('PUT', other, {
        location: 'westeurope',
        sku: { name: 'Standard_D2s_v5', capacity: 0 },
        properties: {
          upgradePolicy: { mode: 'Manual' },
          virtualMachineProfile: {
            osProfile: { computerNamePrefix: 'other', adminUsername: 'azureuser' },
            networkProfile: {
              networkInterfaceConfigurations: [
                {
                  name: 'nic',
                  properties: {
                    primary: true,
                    ipConfigurations: [
                      {
                        name: 'ip',
                        properties: {
                          loadBalancerBackendAddressPools: [
                            { id: `${lb}/backendAddressPools/instances` },
                          ],
                        },
                      },
                    ],
                  },
                },
              ],
            },
          },
        },
      });
      assert.equal(await raw.waitFor(put), 'Succeeded');
      const busy = {
        subscriptionId: emulator.subscriptionId,
        resourceGroup: 'busy-rg',
        poolName: 'busy',
      };
      await assert.rejects(
        service.deletePool(busy, { confirmName: 'busy' }).result,
        (err: RpcError) => {
          assert.equal(err.code, ErrorCode.BadInput);
          assert.match(
            err.message,
            /^Pool busy is only partly deleted: Azure refused to delete Microsoft\.Network\/loadBalancers\/busy-lb because another resource still uses it \(LoadBalancerInUseByVirtualMachineScaleSet: .*virtualMachineScaleSets\/other.*\)\. Deleted so far: Microsoft\.Insights\/autoscaleSettings\/busy-autoscale, Microsoft\.Compute\/virtualMachineScaleSets\/busy\. .*delete the pool again/,
          );
          return true;
        },
      );
      // Once the other scale set is gone, deleting again finishes what is left.
      assert.equal(await raw.waitFor(await raw.request('DELETE', other)), 'Succeeded');
      const result = await service.deletePool(busy, { confirmName: 'busy' }).result;
      assert.deepEqual(result.deleted, [
        'Microsoft.Network/loadBalancers/busy-lb',
        'Microsoft.Network/publicIPAddresses/busy-ip',
        'Microsoft.Network/virtualNetworks/busy-vnet',
        'Microsoft.Network/networkSecurityGroups/busy-nsg',
      ]);
      assert.equal(result.resourceGroupDeleted, true);
    } finally {
      raw.close();
    }
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}
