// Fault queueing: matching by text, RegExp or function, counts, and which faults the token
// endpoint is exempt from.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultInjector } from '../../../emulators/azure/fault-injector';

describe('FaultInjector', () => {
  it('throttles the next n ARM requests but never the token endpoint unless asked', () => {
    const faults = new FaultInjector();
    faults.throttleNext(2, { retryAfterSeconds: 3 });
    assert.equal(faults.takeRequestFault('POST', '/t/oauth2/v2.0/token', true), undefined);
    assert.deepEqual(faults.takeRequestFault('GET', '/subscriptions/s', false), {
      kind: 'throttle',
      retryAfterSeconds: 3,
    });
    assert.ok(faults.takeRequestFault('GET', '/subscriptions/s', false));
    assert.equal(faults.takeRequestFault('GET', '/subscriptions/s', false), undefined);
    assert.equal(faults.served.throttled, 2);
  });

  it('fails only matching requests, as many times as asked', () => {
    const faults = new FaultInjector();
    faults.failNext('POST /subscriptions', 503, { times: 2, code: 'ServerBusy' });
    assert.equal(faults.takeRequestFault('GET', '/subscriptions/s', false), undefined);
    const fault = faults.takeRequestFault('post', '/subscriptions/s/start', false);
    assert.deepEqual(fault && { ...fault, message: '' }, {
      kind: 'fail',
      status: 503,
      code: 'ServerBusy',
      message: '',
    });
    assert.ok(faults.takeRequestFault('POST', '/subscriptions/x', false));
    assert.equal(faults.takeRequestFault('POST', '/subscriptions/x', false), undefined);
  });

  it('matches operations by RegExp or function, and slows requests until cleared', () => {
    const faults = new FaultInjector();
    faults.failOperation(/\/start$/, { code: 'AllocationFailed' });
    faults.failOperation(({ method }) => method === 'DELETE', {
      code: 'Conflict',
      message: 'busy',
    });
    assert.equal(faults.takeOperationFault('POST', '/x/deallocate'), undefined);
    assert.equal(faults.takeOperationFault('POST', '/x/start')?.code, 'AllocationFailed');
    assert.deepEqual(faults.takeOperationFault('DELETE', '/x'), {
      code: 'Conflict',
      message: 'busy',
    });
    faults.slow('virtualMachines', 50);
    assert.equal(faults.takeDelay('GET', '/a/virtualMachines'), 50);
    assert.equal(faults.takeDelay('GET', '/a/virtualMachines'), 50);
    faults.clear();
    assert.equal(faults.takeDelay('GET', '/a/virtualMachines'), 0);
  });

  it('cuts the answers of matching requests, mid-answer unless asked otherwise', () => {
    const faults = new FaultInjector();
    faults.resetNext('PATCH /subscriptions');
    faults.resetNext(/virtualMachines$/, { at: 'before-answer', times: 2 });
    assert.equal(faults.takeReset('GET', '/subscriptions/s'), undefined);
    assert.equal(faults.takeReset('PATCH', '/subscriptions/s/x'), 'mid-answer');
    assert.equal(faults.takeReset('PATCH', '/subscriptions/s/x'), undefined);
    assert.equal(faults.takeReset('GET', '/x/virtualMachines'), 'before-answer');
    faults.clear();
    assert.equal(faults.takeReset('GET', '/x/virtualMachines'), undefined);
    assert.equal(faults.served.reset, 2);
  });
});
