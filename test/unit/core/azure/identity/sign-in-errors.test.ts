// Sign-in failures as sentences: a bare MSAL network_error names the sign-in host and what to check;
// the interactive sign-in's time limit and cancel.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, type RpcError } from '../../../../../src/common/errors';
import {
  interactiveSignIn,
  signInError,
} from '../../../../../src/core/azure/identity/sign-in-errors';

describe('signInError', () => {
  test('a bare network_error says which host cannot be reached and what to check', () => {
    const err = Object.assign(new Error('network_error: Network request failed'), {
      name: 'AuthenticationError',
    });
    const e = signInError('device-code', err, 'https://login.microsoftonline.com/');
    assert.equal(e.code, ErrorCode.Unreachable);
    assert.equal(
      e.message,
      'Could not sign in to Azure with a device code: the app cannot reach the Microsoft sign-in service at login.microsoftonline.com (network_error). Check the network connection, proxy or VPN (and that login.microsoftonline.com is not blocked), then try again.',
    );
  });

  test('other failures keep Azure’s first lines; a cancel is a cancel', () => {
    const aadsts = signInError(
      'browser',
      new Error('AADSTS50020: User account is from another tenant.'),
    );
    assert.equal(aadsts.code, ErrorCode.AuthFailed);
    assert.match(aadsts.message, /^Could not sign in to Azure in the browser: AADSTS50020/);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    assert.equal(signInError('browser', abort).code, ErrorCode.Cancelled);
  });
});

describe('interactiveSignIn', () => {
  const never = (signal: AbortSignal) =>
    new Promise<string>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('x'))),
    );

  test('gives up after the time limit, saying what may have happened, and aborts the wait', async () => {
    let aborted = false;
    await assert.rejects(
      interactiveSignIn((signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return never(signal);
      }, 50),
      (err: RpcError) => {
        assert.equal(err.code, ErrorCode.AuthFailed);
        assert.match(
          err.message,
          /^Sign-in in the browser did not finish within 1 s: the browser may not have opened/,
        );
        return true;
      },
    );
    assert.equal(aborted, true);
  });

  test('a cancel ends it at once; a result before either is the result', async () => {
    const cancel = new AbortController();
    const pending = interactiveSignIn(never, undefined, cancel.signal);
    cancel.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    assert.equal(await interactiveSignIn(async () => 'record', 1_000), 'record');
  });
});
