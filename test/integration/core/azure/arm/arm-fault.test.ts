// Fault suite, ARM: throttling (429 + Retry-After), transient 500/503, slow answers within and
// beyond the read deadline, and connections reset mid-answer, injected into the Azure emulator
// and met by the real SDK clients. The pool's list keeps its last good state with a clear message
// while Azure fails and heals at the next refresh; a write whose answer was cut is reported as
// of unknown outcome and never sent again.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { ErrorCode, isRpcError } from '../../../../../src/common/errors';
import type { InstanceInfo } from '../../../../../src/common/models';
import { resolveAzureEnvironment } from '../../../../../src/core/azure/arm/index';
import { AzureCredential } from '../../../../../src/core/azure/identity/index';
import { AzurePoolService, type AzurePoolRef } from '../../../../../src/core/azure/pools/index';
import { parseSshPublicKey } from '../../../../../src/core/azure/template/index';
import { AzurePoolProvider } from '../../../../../src/core/providers/azure/azure-pool-provider';
import { startAzureEmulator, type AzureEmulator } from '../../../../emulators/azure/azure-emulator';
import { trustEmulatorCertificate } from '../../../../emulators/azure/emulator-trust';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed.
await trustEmulatorCertificate();

/** The scale set's VM list: the read every refresh of the pool's list starts with. */
const VM_LIST = /^GET .*\/virtualMachineScaleSets\/[^/]+\/virtualMachines$/i;
const SCALE_SET_PATCH = /^PATCH .*\/virtualMachineScaleSets\/[^/]+$/i;
/** Long enough for the SDK's 3 retries after 1 s Retry-Afters, as the default 30 s is for longer ones. */
const DEADLINE_MS = 5_000;
const NEVER = 120_000;

function azureTestKey(): { public: string; private: string } {
  for (;;) {
    const key = ssh2.utils.generateKeyPairSync('ed25519');
    if (parseSshPublicKey(key.public).ok) return key;
  }
}

describe('ARM fault suite (emulator, real SDK clients)', () => {
  let emulator: AzureEmulator;
  let credential: AzureCredential;
  let service: AzurePoolService;
  let pool: AzurePoolProvider;
  let ref: AzurePoolRef;
  let good: InstanceInfo[];
  const key = azureTestKey();
  const timings: string[] = [];

  /** What the emulator saw of `match` while `fn` ran, and how long `fn` took. */
  async function during(match: RegExp, fn: () => Promise<unknown>) {
    const first = emulator.requests.length;
    const start = Date.now();
    const outcome = await fn().then(
      () => undefined,
      (err: unknown) => err,
    );
    const seen = emulator.requests.slice(first).filter((r) => match.test(`${r.method} ${r.path}`));
    return { outcome, seen, ms: Date.now() - start };
  }

  /** The list as the UI shows it: names and states. */
  const shown = () => pool.listInstances().map((i) => `${i.name}:${i.state}`);

  /** While Azure fails: the last good list, and the failure in words on the pool. */
  function keptWithMessage(outcome: unknown, message: RegExp) {
    assert.ok(isRpcError(outcome), `a failed refresh, got ${String(outcome)}`);
    assert.match(outcome.message, message);
    assert.deepEqual(
      shown(),
      good.map((i) => `${i.name}:${i.state}`),
      'the last good list',
    );
    assert.equal(pool.lastError?.message, outcome.message, 'the pool says why');
  }

  /** The next refresh (no fault queued) heals: the list is read and the message is gone. */
  async function heals(): Promise<void> {
    await pool.refresh();
    assert.equal(pool.lastError, undefined);
    good = pool.listInstances();
  }

  before(async () => {
    emulator = await startAzureEmulator({
      maxSshServers: 1,
      delays: { vmCreate: 20, vmStart: 20, vmDeallocate: 20, vmDelete: 20, resource: 10 },
    });
    credential = new AzureCredential({
      environment: resolveAzureEnvironment({
        resourceManagerEndpoint: emulator.url,
        authorityHost: emulator.url,
      }),
      clients: { readDeadlineMs: DEADLINE_MS },
    });
    service = new AzurePoolService({
      clients: (id) => credential.clientsFor(id),
      deploymentPollIntervalMs: 100,
      lroPollIntervalMs: 50,
    });
    await credential.signIn({
      kind: 'service-principal',
      tenantId: emulator.tenantId,
      clientId: 'fault-tests',
      clientSecret: 'any',
    });
    ref = { subscriptionId: emulator.subscriptionId, resourceGroup: 'fault-rg', poolName: 'fault' };
    await service.createPool({
      subscriptionId: ref.subscriptionId,
      resourceGroup: ref.resourceGroup,
      createResourceGroup: true,
      parameters: {
        poolName: ref.poolName,
        location: 'westeurope',
        instanceCount: 0,
        maxInstances: 4,
        adminUsername: 'dsvmadmin',
        sshPublicKey: key.public,
        allowedSourceCidrs: ['203.0.113.0/24'],
        dnsLabel: 'fault-pool-test',
        natFrontendPortStart: 26_000 + Math.floor(Math.random() * 100) * 10,
      },
    }).result;
    const vmssId = `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${ref.poolName}`;
    await emulator.seedScaleSet({
      resourceGroup: ref.resourceGroup,
      name: ref.poolName,
      capacity: 2,
      body: emulator.store.get(vmssId)?.body,
    });
    pool = new AzurePoolProvider({
      pool: ref,
      clients: credential.clientsFor(emulator.subscriptionId),
      keys: async () => ({ privateKey: key.private }),
      service,
      refreshIntervalMs: 0,
      lroPollIntervalMs: 50,
    });
    await pool.start();
    good = pool.listInstances();
    assert.equal(good.length, 2);
  });
  afterEach(() => {
    // A fault a failed test left queued must not land in the next one.
    emulator.faults.clear();
  });
  after(async () => {
    console.log(`# arm fault: ${timings.join('; ')}`);
    pool?.dispose();
    service?.dispose();
    credential?.dispose();
    await emulator?.close();
  });

  test('fault: 429 with Retry-After is waited out and retried by the SDK', async () => {
    emulator.throttleNext(2, { retryAfterSeconds: 1, match: VM_LIST });
    const { outcome, seen, ms } = await during(VM_LIST, () => pool.refresh());
    assert.equal(outcome, undefined);
    assert.deepEqual(
      seen.map((r) => r.status),
      [429, 429, 200],
    );
    timings.push(`429×2 (Retry-After 1 s) healed in ${ms} ms`);
    assert.equal(pool.lastError, undefined);
  });

  test('fault: 429 past the retries keeps the list, says so, and the next refresh heals', async () => {
    emulator.throttleNext(4, { retryAfterSeconds: 1, match: VM_LIST });
    const { outcome, seen, ms } = await during(VM_LIST, () => pool.refresh());
    assert.equal(seen.length, 4, 'the first try and the SDK’s 3 retries');
    keptWithMessage(
      outcome,
      /^Azure is throttling requests .* still refused after 3 retries, so the app could not read pool fault\. Try again in about 1 s\.$/,
    );
    timings.push(`429×4 failed after ${ms} ms`);
    await heals();
  });

  test('fault: a Retry-After longer than the app waits ends the read at once', async () => {
    emulator.throttleNext(1, { retryAfterSeconds: 120, match: VM_LIST });
    const { outcome, seen } = await during(VM_LIST, () => pool.refresh());
    assert.equal(seen.length, 1, 'not retried');
    keptWithMessage(
      outcome,
      /asked the app to wait longer than it waits by itself.*Try again in about 120 s\.$/,
    );
    await heals();
  });

  test('fault: transient 500 and 503 are retried by the SDK', async () => {
    emulator.failNext(VM_LIST, 500, { times: 1 });
    emulator.failNext(VM_LIST, 503, { times: 1, code: 'ServiceUnavailable' });
    const { outcome, seen, ms } = await during(VM_LIST, () => pool.refresh());
    assert.equal(outcome, undefined);
    assert.deepEqual(
      seen.map((r) => r.status),
      [500, 503, 200],
    );
    timings.push(`500 + 503 healed in ${ms} ms`);
  });

  test('fault: 503 past the retries keeps the list, says so, and the next refresh heals', async () => {
    emulator.failNext(VM_LIST, 503, { times: 4, code: 'ServiceUnavailable' });
    const { outcome, seen, ms } = await during(VM_LIST, () => pool.refresh());
    // The SDK's backoff (about 1, 2, 4 s, with jitter) may meet the read deadline first.
    assert.ok(seen.length >= 2 && seen.length <= 4, `${seen.length} tries`);
    keptWithMessage(
      outcome,
      /^(Could not read pool fault: .*503 \(ServiceUnavailable\)\.|Azure did not answer in 5 s \(read pool fault: the VM list of scale set fault\); the next refresh tries again\.)$/,
    );
    timings.push(`503×4: ${seen.length} tries, failed after ${ms} ms`);
    emulator.faults.clear();
    await heals();
  });

  test('fault: a slow answer within the read deadline is waited for', async () => {
    emulator.slow(VM_LIST, DEADLINE_MS / 3, { times: 1 });
    const { outcome, seen } = await during(VM_LIST, () => pool.refresh());
    assert.equal(outcome, undefined);
    assert.equal(seen.length, 1);
    assert.equal(pool.lastError, undefined);
  });

  test('fault: a slow answer beyond the read deadline ends the refresh; the next one heals', async () => {
    emulator.slow(VM_LIST, NEVER, { times: 1 });
    const { outcome, seen, ms } = await during(VM_LIST, () => pool.refresh());
    assert.equal(seen.length, 1, 'not retried after the deadline');
    assert.equal(seen[0]!.status, 0, 'cut before Azure answered');
    keptWithMessage(
      outcome,
      /^Azure did not answer in 5 s \(read pool fault: .*\); the next refresh tries again\.$/,
    );
    assert.ok(isRpcError(outcome, ErrorCode.Unreachable));
    timings.push(`deadline ${DEADLINE_MS} ms: failed after ${ms} ms`);
    await heals();
  });

  for (const at of ['mid-answer', 'before-answer'] as const) {
    test(`fault: a read whose connection is reset ${at} is sent again and heals`, async () => {
      const before = emulator.faults.served.reset;
      emulator.resetNext(VM_LIST, { at });
      const { outcome, seen, ms } = await during(VM_LIST, () => pool.refresh());
      assert.equal(outcome, undefined);
      assert.equal(emulator.faults.served.reset, before + 1);
      assert.equal(seen.length, 2, 'a GET is safe to send again');
      timings.push(`reset GET (${at}) healed in ${ms} ms`);
    });
  }

  const capacities = { 'mid-answer': 3, 'before-answer': 4 };
  for (const at of ['mid-answer', 'before-answer'] as const) {
    test(`fault: a write whose connection is reset ${at} is reported as unknown, never sent again`, async () => {
      const before = emulator.faults.served.reset;
      const capacity = capacities[at];
      emulator.resetNext(SCALE_SET_PATCH, { at });
      const { outcome, seen } = await during(
        SCALE_SET_PATCH,
        () => service.scale(ref, capacity).result,
      );
      assert.equal(emulator.faults.served.reset, before + 1);
      assert.equal(seen.length, 1, 'the PATCH was sent once');
      assert.ok(isRpcError(outcome, ErrorCode.Unreachable), String(outcome));
      assert.equal(
        outcome.message,
        `The connection to Azure broke before Azure answered the request to scale pool fault to ${capacity} ` +
          '(ECONNRESET), so the app cannot tell whether Azure did it, and did not send it again. ' +
          'The pool is read again: check there what Azure did, and try again only if it was not done.',
      );
      assert.equal((outcome.details as { unknownOutcome?: boolean }).unknownOutcome, true);
      // Azure did it: the re-read shows the new capacity.
      await pool.refresh();
      assert.equal(pool.listInstances().length, capacity);
    });
  }
});
