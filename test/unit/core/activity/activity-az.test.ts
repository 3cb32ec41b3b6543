// The az equivalent of Activity…: one `az storage file upload` of .pool/activity.json, the JSON
// to save first in its summary (az cannot upload given text), bad input refused in the UI's words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { azActivityPolicy } from '../../../../src/core/activity/activity-az';
import { RpcError } from '../../../../src/common/errors';

const target = { subscription: 'sub-1', account: 'poolfiles', share: 'team share' };

describe('azActivityPolicy', () => {
  it('uploads the policy file to the pool share, saying what to save first and what az cannot do', () => {
    const [upload, ...rest] = azActivityPolicy(target, { idleMinutes: 45, idleStop: true });
    assert.equal(rest.length, 0);
    assert.deepEqual(upload!.args, [
      'az',
      'storage',
      'file',
      'upload',
      '--subscription',
      'sub-1',
      '--account-name',
      'poolfiles',
      '--share-name',
      'team share',
      '--path',
      '.pool/activity.json',
      '--source',
      'activity.json',
    ]);
    assert.match(upload!.shell, /--share-name 'team share' --path \.pool\/activity\.json/);
    assert.match(
      upload!.summary,
      /save \{"version":1,"idleMinutes":45,"idleStop":true\} as activity\.json first/,
    );
    assert.match(upload!.summary, /az cannot upload text it is given/);
    assert.match(upload!.summary, /every agent reads it at its next cycle/);
  });

  it('refuses an idle window outside 5–1440 minutes in the dialog’s words', () => {
    for (const idleMinutes of [4, 1441, 2.5]) {
      assert.throws(
        () => azActivityPolicy(target, { idleMinutes, idleStop: false }),
        (e: unknown) =>
          e instanceof RpcError && /^Idle after \(minutes\): type a whole number/.test(e.message),
      );
    }
  });

  it('refuses a share it does not know', () => {
    assert.throws(
      () => azActivityPolicy({ ...target, share: '' }, { idleMinutes: 30, idleStop: false }),
      /the pool's share is not known/,
    );
  });
});
