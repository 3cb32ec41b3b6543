// The Azure pool provider against the emulator with the real SDK clients: a refresh is the VM list
// pages + one load balancer GET; SSH NAT ports come from Azure's port query, only for the rows
// shown and on Connect, 4 at a time, cached per instance; every read has a deadline.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { ErrorCode, type RpcError } from '../../../../src/common/errors';
import { resolveAzureEnvironment } from '../../../../src/core/azure/arm/index';
import { AzureCredential } from '../../../../src/core/azure/identity/index';
import { AzurePoolService, type AzurePoolRef } from '../../../../src/core/azure/pools/index';
import { AzurePoolProvider } from '../../../../src/core/providers/azure/azure-pool-provider';
import { SshConnection } from '../../../../src/core/ssh/ssh-connection';
import { startAzureEmulator, type AzureEmulator } from '../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../emulators/azure/emulator-trust';
import { parseSshPublicKey } from '../../../../src/core/azure/template/index';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed.
await trustEmulatorCertificate();

const { utils } = ssh2;
/** The scale set's VM list (GET …/virtualMachineScaleSets/<name>/virtualMachines). */
const VM_LIST = /^GET .*\/virtualMachineScaleSets\/[^/]+\/virtualMachines$/i;
const PORT_QUERY = /^POST .*\/queryInboundNatRulePortMapping$/i;

/** An ed25519 key pair Azure accepts (ssh2 now and then makes a 31-byte one; skip those). */
function azureTestKey(): { public: string; private: string } {
  for (;;) {
    const key = utils.generateKeyPairSync('ed25519');
    if (parseSshPublicKey(key.public).ok) return key;
  }
}

describe('Azure pool provider: NAT ports and read deadlines (emulator, real SDK clients)', () => {
  let emulator: AzureEmulator;
  let credential: AzureCredential;
  let service: AzurePoolService;
  const key = azureTestKey();
  const providers: AzurePoolProvider[] = [];

  /** Every HTTP request the emulator saw while `fn` ran. */
  async function requestsDuring(fn: () => Promise<unknown>) {
    const first = emulator.requests.length;
    await fn();
    return emulator.requests.slice(first);
  }
  const count = (requests: { method: string; path: string }[], match: RegExp) =>
    requests.filter((r) => match.test(`${r.method} ${r.path}`)).length;

  /** A pool from the app's template with no instance, then `capacity` running VMs at once. */
  async function createPool(resourceGroup: string, poolName: string, capacity: number) {
    const natStart = 20_000 + Math.floor(Math.random() * 10) * 1_000 + (capacity > 10 ? 0 : 500);
    await service.createPool({
      subscriptionId: emulator.subscriptionId,
      resourceGroup,
      createResourceGroup: true,
      parameters: {
        poolName,
        location: 'westeurope',
        instanceCount: 0,
        maxInstances: Math.max(capacity, 2),
        singlePlacementGroup: capacity <= 100,
        adminUsername: 'dsvmadmin',
        sshPublicKey: key.public,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: `${poolName}-provider-test`,
        natFrontendPortStart: natStart,
      },
    }).result;
    const vmssId = `/subscriptions/${emulator.subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${poolName}`;
    await emulator.seedScaleSet({
      resourceGroup,
      name: poolName,
      capacity,
      body: emulator.store.get(vmssId)?.body,
    });
    const ref: AzurePoolRef = {
      subscriptionId: emulator.subscriptionId,
      resourceGroup,
      poolName,
    };
    return ref;
  }

  function provider(ref: AzurePoolRef, options: { readDeadlineMs?: number } = {}) {
    const p = new AzurePoolProvider({
      pool: ref,
      clients: credential.clientsFor(emulator.subscriptionId),
      keys: async () => ({ privateKey: key.private }),
      service,
      refreshIntervalMs: 0,
      lroPollIntervalMs: 50,
      ...options,
    });
    providers.push(p);
    return p;
  }

  before(async () => {
    emulator = await startAzureEmulator({
      maxSshServers: 2,
      delays: { vmCreate: 50, vmStart: 50, vmDeallocate: 50, vmDelete: 50, resource: 20 },
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
      lroPollIntervalMs: 50,
    });
    await credential.signIn({
      kind: 'service-principal',
      tenantId: emulator.tenantId,
      clientId: 'provider-tests',
      clientSecret: 'any',
    });
  });
  after(async () => {
    for (const p of providers) p.dispose();
    service?.dispose();
    credential?.dispose();
    await emulator?.close();
  });

  describe('a pool of 1,000 instances', () => {
    let ref: AzurePoolRef;
    let pool: AzurePoolProvider;
    const sshPortOf = (id: string) =>
      emulator.vms('big-rg', 'big').find((vm) => vm.instanceId === id)?.sshPort;

    before(async () => {
      ref = await createPool('big-rg', 'big', 1000);
      pool = provider(ref);
    });

    test('the first read is the VM list pages, the load balancer, the public IP and the scale set: no port is asked', async () => {
      const requests = await requestsDuring(() => pool.start());
      assert.equal(count(requests, VM_LIST), 10, '100 VMs a page');
      assert.equal(count(requests, /^GET .*\/loadBalancers\/big-lb$/i), 1);
      assert.equal(count(requests, /^GET .*\/publicIPAddresses\/big-ip$/i), 1);
      // The scale set itself once (its placement group bounds Scale).
      assert.equal(count(requests, /^GET .*\/virtualMachineScaleSets\/big$/i), 1);
      assert.equal(count(requests, PORT_QUERY), 0);
      assert.equal(requests.length, 13);
      const instances = pool.listInstances();
      assert.equal(instances.length, 1000);
      assert.ok(instances.every((i) => i.state === 'running' && i.port === 0 && !i.detail));
    });

    test('the rows shown get their ports from the port query, at most 4 at a time', async () => {
      const page = pool
        .listInstances()
        .slice(0, 50)
        .map((i) => i.id);
      let maxInFlight = 0;
      const sampler = setInterval(() => {
        maxInFlight = Math.max(maxInFlight, pool.stats.portQueries.inFlight);
      }, 1);
      const requests = await requestsDuring(() => pool.showInstances(page));
      clearInterval(sampler);
      assert.equal(count(requests, PORT_QUERY), 50, 'one query per row shown, no more');
      assert.ok(maxInFlight <= 4 && maxInFlight > 0, `at most 4 in flight (saw ${maxInFlight})`);
      const details = pool.instanceDetails();
      for (const i of pool.listInstances()) {
        const shown = page.includes(i.id);
        assert.equal(i.port, shown ? sshPortOf(i.id) : 0, `instance ${i.id}`);
        assert.equal(details.get(i.id)?.natPort, shown ? sshPortOf(i.id) : undefined);
      }
      assert.deepEqual(pool.stats.portQueries, { inFlight: 0, waiting: 0, cached: 50 });
    });

    test('once cached, a refresh is the VM list pages and one load balancer GET (≤ 3 + pages)', async () => {
      const requests = await requestsDuring(() => pool.refresh());
      assert.equal(count(requests, VM_LIST), 10);
      assert.equal(requests.length, 11, requests.map((r) => `${r.method} ${r.path}`).join('\n'));
      assert.equal(pool.listInstances().filter((i) => i.port > 0).length, 50);
      // Paging back to rows already seen asks nothing either.
      const again = await requestsDuring(() => pool.showInstances(['0', '1', '2']));
      assert.equal(again.length, 0);
    });

    test('Connect to an instance whose port is not known asks once, then SSH works', async () => {
      await emulator.enableSsh('big-rg', 'big', '999');
      let target: Awaited<ReturnType<AzurePoolProvider['connectTarget']>> | undefined;
      const requests = await requestsDuring(async () => {
        target = await pool.connectTarget('999');
      });
      assert.equal(count(requests, PORT_QUERY), 1);
      assert.equal(target?.port, sshPortOf('999'));
      assert.equal(pool.listInstances().find((i) => i.id === '999')?.port, target?.port);
      const connection = await SshConnection.open({
        target: target!,
        verifyHostKey: async () => {},
      });
      try {
        assert.equal((await connection.exec('echo $USER')).stdout.trim(), 'dsvmadmin');
      } finally {
        connection.dispose();
      }
      // Known now: the next Connect asks nothing.
      const second = await requestsDuring(() => pool.connectTarget('999'));
      assert.equal(count(second, PORT_QUERY), 0);
    });

    test('an instance that is deleted takes its cached port with it', async () => {
      assert.equal(pool.stats.portQueries.cached, 51);
      await service.instanceAction(ref, 'delete', ['3']).result;
      assert.equal(pool.listInstances().length, 999);
      assert.equal(pool.stats.portQueries.cached, 50);
    });

    test('Connect fails with a clear message when Azure maps no port (the rule moved to another pool)', async () => {
      const network = credential.clientsFor(emulator.subscriptionId).network;
      const lb = await network.loadBalancers.get('big-rg', 'big-lb');
      lb.backendAddressPools = [...(lb.backendAddressPools ?? []), { name: 'elsewhere' }];
      lb.inboundNatRules![0].backendAddressPool = { id: `${lb.id}/backendAddressPools/elsewhere` };
      await network.loadBalancers.beginCreateOrUpdateAndWait('big-rg', 'big-lb', lb, {
        updateIntervalInMs: 50,
      });
      await pool.refresh();
      assert.equal(
        pool.listInstances().find((i) => i.id === '0')?.port,
        0,
        'no answer outlives its rule',
      );
      await assert.rejects(pool.connectTarget('0'), (err: RpcError) => {
        assert.equal(err.code, ErrorCode.Unreachable);
        assert.equal(
          err.message,
          'Azure has no SSH port for ' +
            `${pool.listInstances()[0].name} (instance 0) of pool "big": NAT rule ssh of load balancer big-lb maps none to it ` +
            '(az network lb list-mapping --resource-group big-rg --name big-lb --backend-pool-name elsewhere shows the mappings). ' +
            "A new instance gets one within a minute; otherwise check that the rule's frontend port range has room for every instance.",
        );
        return true;
      });
    });
  });

  describe('deadlines', () => {
    let ref: AzurePoolRef;
    before(async () => {
      ref = await createPool('slow-rg', 'slow', 2);
    });

    test('a VM list answered after the deadline ends the refresh with a clear message; the next one works', async () => {
      const pool = provider(ref, { readDeadlineMs: 1_500 });
      await pool.start();
      emulator.slow(VM_LIST, 120_000, { times: 1 });
      const before = emulator.requests.length;
      await assert.rejects(pool.refresh(), (err: RpcError) => {
        assert.equal(err.code, ErrorCode.Unreachable);
        assert.equal(
          err.message,
          'Azure did not answer in 1.5 s (read pool slow: the VM list of scale set slow); the next refresh tries again.',
        );
        return true;
      });
      // Ended by the deadline, not by an answer: the slowed request has not been answered.
      const slowed = emulator.requests
        .slice(before)
        .filter((r) => VM_LIST.test(`${r.method} ${r.path}`));
      assert.equal(slowed.length, 1);
      assert.equal(slowed[0].status, 0, 'still unanswered when the refresh gave up');
      assert.equal(pool.lastError?.message.startsWith('Azure did not answer'), true);
      assert.equal(pool.listInstances().length, 2, 'the last list is kept');
      assert.deepEqual(pool.stats, {
        refreshing: false,
        portQueries: { inFlight: 0, waiting: 0, cached: 0 },
      });
      emulator.faults.clear();
      await pool.refresh();
      assert.equal(pool.lastError, undefined);
      assert.equal(pool.listInstances().length, 2);
    });

    test("a port query Azure does not answer in time fails Connect with the deadline's message", async () => {
      const pool = provider(ref, { readDeadlineMs: 1_500 });
      await pool.start();
      emulator.slow(PORT_QUERY, 120_000, { times: 1 });
      await assert.rejects(pool.connectTarget('1'), (err: RpcError) => {
        assert.equal(err.code, ErrorCode.Unreachable);
        assert.equal(
          err.message,
          'Azure did not answer in 1.5 s (find the SSH port of ' +
            `${pool.listInstances()[1].name} (instance 1) of pool slow: the NAT port query of instance 1); connect again to try once more.`,
        );
        return true;
      });
      assert.deepEqual(pool.stats.portQueries, { inFlight: 0, waiting: 0, cached: 0 });
      emulator.faults.clear();
      const target = await pool.connectTarget('1');
      assert.equal(target.port, emulator.vms('slow-rg', 'slow')[1].sshPort);
    });
  });
});
