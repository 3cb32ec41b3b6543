// Bounded throttling retries: Retry-After parsing, and a too-long wait ending the call at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AzureThrottledError,
  boundedRetryAfterPolicy,
  retryAfterMs,
} from '../../../../../src/core/azure/arm/azure-retry-policy';

const headers = (values: Record<string, string>) => ({
  get: (name: string) => values[name.toLowerCase()],
});

test('reads retry-after-ms, x-ms-retry-after-ms, Retry-After seconds and dates', () => {
  assert.equal(retryAfterMs(headers({ 'retry-after-ms': '250' })), 250);
  assert.equal(retryAfterMs(headers({ 'x-ms-retry-after-ms': '1500' })), 1500);
  assert.equal(retryAfterMs(headers({ 'retry-after': '2' })), 2000);
  const now = Date.parse('2030-01-01T00:00:00Z');
  assert.equal(
    retryAfterMs(headers({ 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' }), now),
    30_000,
  );
  assert.equal(retryAfterMs(headers({ 'retry-after': 'Mon, 31 Dec 2029 00:00:00 GMT' }), now), 0);
  assert.equal(retryAfterMs(headers({ 'retry-after': 'soon' })), undefined);
  assert.equal(retryAfterMs(headers({})), undefined);
});

test('passes short waits to the SDK retry; ends a long one with AzureThrottledError', async () => {
  const policy = boundedRetryAfterPolicy(30_000);
  const respond = (status: number, values: Record<string, string>) => async () => ({
    status,
    headers: headers(values),
  });
  assert.equal((await policy.sendRequest({}, respond(200, {}))).status, 200);
  assert.equal((await policy.sendRequest({}, respond(429, { 'retry-after': '30' }))).status, 429);
  assert.equal((await policy.sendRequest({}, respond(429, {}))).status, 429);
  await assert.rejects(
    policy.sendRequest({}, respond(429, { 'retry-after': '31' })),
    (err: unknown) => {
      assert.ok(err instanceof AzureThrottledError);
      assert.equal(err.retryAfterMs, 31_000);
      assert.match(err.message, /throttling this app \(HTTP 429\) and asked it to wait 31 s/);
      return true;
    },
  );
  await assert.rejects(
    policy.sendRequest({}, respond(503, { 'retry-after-ms': '60000' })),
    AzureThrottledError,
  );
});
