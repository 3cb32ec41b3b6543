// Deadlines on ARM reads: one shared by a task's reads (ReadDeadline) and one per request in the
// SDK pipeline (readDeadlinePolicy); both cut through the abort signal and name the call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AzureDeadlineError,
  ReadDeadline,
  describeArmCall,
  formatDeadline,
  isArmRead,
  readDeadlinePolicy,
} from '../../../../../src/core/azure/arm/azure-deadline';

/**
 * A read that only ends when its signal aborts (Azure that never answers). Like the socket of a
 * real request, it keeps the process alive meanwhile (deadline timers are unref'd).
 */
function hanging(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const socket = setInterval(() => {}, 1_000);
    signal.addEventListener(
      'abort',
      () => {
        clearInterval(socket);
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      },
      { once: true },
    );
  });
}

test('a task whose reads are not answered in time fails with the deadline, naming what waited', async () => {
  const deadline = new ReadDeadline(30, 'the read of pool team');
  const answered = deadline.run('public IP team-pip', async () => 'ip');
  const list = deadline.run('the VM list of scale set team', hanging);
  const lb = deadline.run('load balancer team-lb', hanging);
  assert.equal(await answered, 'ip');
  for (const read of [list, lb]) {
    await assert.rejects(read, (err: unknown) => {
      assert.ok(err instanceof AzureDeadlineError);
      assert.equal(err.deadlineMs, 30);
      assert.equal(
        err.message,
        'Azure did not answer in 30 ms (the VM list of scale set team, load balancer team-lb).',
      );
      return true;
    });
  }
  assert.ok(deadline.signal.aborted);
  // A read started after the deadline fails at once, without being sent.
  let sent = false;
  await assert.rejects(
    deadline.run('scale set team', async () => {
      sent = true;
    }),
    AzureDeadlineError,
  );
  assert.equal(sent, false);
  deadline.dispose();
});

test("a sibling's failure stops the other reads with that failure, not a deadline", async () => {
  const deadline = new ReadDeadline(60_000, 'the read of pool team');
  const list = deadline.run('the VM list', hanging);
  deadline.abort(new Error('AuthorizationFailed'));
  await assert.rejects(list, /aborted/);
  assert.equal(deadline.expired, undefined);
  deadline.dispose();
});

test("the caller's own abort passes through; a disposed deadline never fires", async () => {
  const parent = new AbortController();
  const deadline = new ReadDeadline(20, 'the read', parent.signal);
  const read = deadline.run('the VM list', hanging);
  parent.abort();
  await assert.rejects(read, (err: Error) => err.name === 'AbortError');
  deadline.dispose();

  const quiet = new ReadDeadline(20, 'the read');
  assert.equal(await quiet.run('x', async () => 1), 1);
  quiet.dispose();
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(quiet.signal.aborted, false, 'no timer was left behind');
});

test('which requests are reads, and how a call is named in a message', () => {
  const base = 'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers';
  assert.equal(isArmRead('GET', `${base}/Microsoft.Compute/virtualMachineScaleSets/team`), true);
  assert.equal(isArmRead('head', `${base}/x`), true);
  assert.equal(
    isArmRead(
      'POST',
      `${base}/Microsoft.Network/loadBalancers/lb/backendAddressPools/pool/queryInboundNatRulePortMapping?api-version=1`,
    ),
    true,
  );
  assert.equal(isArmRead('POST', `${base}/Microsoft.Storage/storageAccounts/a/listKeys`), true);
  assert.equal(
    isArmRead('POST', `${base}/Microsoft.Compute/virtualMachineScaleSets/team/start`),
    false,
  );
  assert.equal(isArmRead('PUT', `${base}/Microsoft.Compute/virtualMachineScaleSets/team`), false);

  assert.equal(
    describeArmCall(
      'get',
      `${base}/Microsoft.Compute/virtualMachineScaleSets/team/virtualMachines?$expand=instanceView&api-version=2024-11-01`,
    ),
    'GET virtualMachineScaleSets/team/virtualMachines',
  );
  assert.equal(
    describeArmCall(
      'GET',
      'https://management.azure.com/subscriptions/s/resourcegroups?api-version=1',
    ),
    'GET resourcegroups',
  );
  assert.equal(
    describeArmCall('GET', 'https://management.azure.com/subscriptions?x=1'),
    'GET /subscriptions',
  );
  assert.equal(formatDeadline(30_000), '30 s');
  assert.equal(formatDeadline(1_500), '1.5 s');
  assert.equal(formatDeadline(250), '250 ms');
});

test('the pipeline policy ends an unanswered read with the deadline and restores the signal', async () => {
  const policy = readDeadlinePolicy(25);
  const callerSignal = new AbortController().signal;
  const request = {
    method: 'GET',
    url: 'https://arm/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/team-lb?api-version=1',
    abortSignal: callerSignal as AbortSignal | undefined,
  };
  await assert.rejects(
    policy.sendRequest(request, (r) => hanging(r.abortSignal as AbortSignal)),
    (err: unknown) => {
      assert.ok(err instanceof AzureDeadlineError);
      assert.equal(err.message, 'Azure did not answer in 25 ms (GET loadBalancers/team-lb).');
      return true;
    },
  );
  assert.equal(
    request.abortSignal,
    callerSignal,
    "the caller's signal is put back (retries reuse it)",
  );
  // An answer in time passes through untouched.
  assert.equal(await policy.sendRequest(request, async () => 'ok'), 'ok');
});

test("the pipeline policy leaves writes alone and lets the caller's abort be an abort", async () => {
  const policy = readDeadlinePolicy(10);
  const write = { method: 'PUT', url: 'https://arm/subscriptions/s/x', abortSignal: undefined };
  let seen: unknown = 'unset';
  await policy.sendRequest(write, async (r) => {
    seen = r.abortSignal;
    await new Promise((res) => setTimeout(res, 30));
    return 'written';
  });
  assert.equal(seen, undefined, 'no deadline signal on a write');

  const caller = new AbortController();
  const read = {
    method: 'GET',
    url: 'https://arm/subscriptions/s/x',
    abortSignal: caller.signal as AbortSignal,
  };
  const pending = policy.sendRequest(read, (r) => hanging(r.abortSignal));
  caller.abort();
  await assert.rejects(pending, (err: Error) => err.name === 'AbortError');
});
