// The updater's state machine: each event's next status and the sentence the UI shows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UpdateStatus } from '../../../../src/common/update-models';
import {
  initialUpdateStatus,
  reduceUpdate,
  type UpdateEvent,
} from '../../../../src/core/updates/update-state';

const on = { enabled: true, canChange: true };
const at = '2026-02-01T09:00:00.000Z';

function run(start: UpdateStatus, ...events: UpdateEvent[]): UpdateStatus {
  return events.reduce(reduceUpdate, start);
}

const offer = { version: '0.2.0', notes: 'Faster Connect.' };

describe('update state machine', () => {
  it('starts idle when updates are on, disabled with the reason when off', () => {
    const idle = initialUpdateStatus('0.1.0', on);
    assert.equal(idle.phase, 'idle');
    assert.equal(idle.message, 'dsvm-pool 0.1.0. New versions are looked for automatically.');

    const headless = initialUpdateStatus('0.1.0', {
      off: 'headless',
      enabled: true,
      canChange: false,
    });
    assert.equal(headless.phase, 'disabled');
    assert.equal(headless.offReason, 'headless');
    assert.match(headless.message, /handled by the desktop app/);
    assert.equal(headless.canChange, false);

    const env = initialUpdateStatus('0.1.0', {
      off: 'environment',
      enabled: true,
      canChange: false,
    });
    assert.match(env.message, /DSVM_POOL_DISABLE_UPDATES is set/);

    const detail = 'Only the AppImage updates itself.';
    const unsupported = initialUpdateStatus('0.1.0', {
      off: 'unsupported',
      detail,
      enabled: true,
      canChange: true,
    });
    assert.equal(unsupported.message, detail);
  });

  it('goes checking → available → downloading (progress) → ready', () => {
    const start = initialUpdateStatus('0.1.0', on);
    const checking = reduceUpdate(start, { type: 'checking', manual: true });
    assert.equal(checking.phase, 'checking');
    assert.equal(checking.message, 'Checking for updates…');

    const available = reduceUpdate(checking, {
      type: 'checked',
      manual: true,
      at,
      available: true,
      latest: offer,
    });
    assert.equal(available.phase, 'available');
    assert.deepEqual(available.offer, offer);
    assert.deepEqual(available.lastCheck, { at, manual: true, outcome: 'available' });
    assert.equal(available.message, 'dsvm-pool 0.2.0 is available (you have 0.1.0).');

    const progress = { percent: 42.7, transferred: 427, total: 1000, bytesPerSecond: 100 };
    const downloading = run(available, { type: 'downloading' }, { type: 'progress', progress });
    assert.equal(downloading.phase, 'downloading');
    assert.deepEqual(downloading.progress, progress);
    assert.equal(downloading.message, 'Downloading dsvm-pool 0.2.0… 42%');

    const ready = reduceUpdate(downloading, { type: 'downloaded' });
    assert.equal(ready.phase, 'ready');
    assert.equal(ready.progress, undefined);
    assert.deepEqual(ready.offer, offer);
    assert.match(
      ready.message,
      /^dsvm-pool 0\.2\.0 is downloaded and verified\. Restart to update/,
    );
  });

  it('says "up to date" when the feed has nothing newer', () => {
    const status = run(
      initialUpdateStatus('0.2.0', on),
      { type: 'checking', manual: false },
      { type: 'checked', manual: false, at, available: false, latest: { version: '0.2.0' } },
    );
    assert.equal(status.phase, 'idle');
    assert.equal(status.message, 'dsvm-pool 0.2.0 is up to date.');
    assert.deepEqual(status.lastCheck, { at, manual: false, outcome: 'up-to-date' });
  });

  it('shows a failed manual check as an error, an automatic one only as the menu message', () => {
    const start = initialUpdateStatus('0.1.0', on);
    const manual = run(
      start,
      { type: 'checking', manual: true },
      {
        type: 'check-failed',
        manual: true,
        at,
        message: 'updates.example.com could not be found.',
      },
    );
    assert.equal(manual.phase, 'error');
    assert.equal(manual.failed, 'check');
    assert.equal(
      manual.message,
      'Could not check for updates: updates.example.com could not be found.',
    );

    const automatic = run(
      start,
      { type: 'checking', manual: false },
      { type: 'check-failed', manual: false, at, message: 'offline' },
    );
    assert.equal(automatic.phase, 'idle', 'no error banner for a laptop that is offline');
    assert.equal(automatic.lastCheck?.outcome, 'failed');
    assert.equal(automatic.message, 'Could not check for updates: offline');
  });

  it('keeps a downloaded update ready when a later automatic check offers the same or fails', () => {
    const ready = run(
      initialUpdateStatus('0.1.0', on),
      { type: 'checked', manual: true, at, available: true, latest: offer },
      { type: 'downloading' },
      { type: 'downloaded' },
    );
    const again = reduceUpdate(ready, {
      type: 'checked',
      manual: false,
      at: '2026-02-01T15:00:00.000Z',
      available: true,
      latest: offer,
    });
    assert.equal(again.phase, 'ready');
    assert.equal(again.lastCheck?.at, '2026-02-01T15:00:00.000Z');

    const offline = reduceUpdate(ready, { type: 'check-failed', manual: false, at, message: 'x' });
    assert.equal(offline.phase, 'ready');

    const newer = reduceUpdate(ready, {
      type: 'checked',
      manual: false,
      at,
      available: true,
      latest: { version: '0.3.0' },
    });
    assert.equal(newer.phase, 'available', 'a newer release replaces the downloaded one');
    assert.equal(newer.offer?.version, '0.3.0');
  });

  it('keeps the offer after a failed download, so Download can be tried again', () => {
    const failed = run(
      initialUpdateStatus('0.1.0', on),
      { type: 'checked', manual: true, at, available: true, latest: offer },
      { type: 'downloading' },
      { type: 'download-failed', message: 'the file does not match its sha512 checksum.' },
    );
    assert.equal(failed.phase, 'error');
    assert.equal(failed.failed, 'download');
    assert.deepEqual(failed.offer, offer);
    assert.equal(
      failed.message,
      'Could not download dsvm-pool 0.2.0: the file does not match its sha512 checksum.',
    );
  });

  it('ignores the updater while off, and comes back idle when turned on', () => {
    const off = initialUpdateStatus('0.1.0', { off: 'setting', enabled: false, canChange: true });
    assert.equal(off.phase, 'disabled');
    assert.match(off.message, /Turn on "Automatic updates" in the Updates menu/);
    assert.equal(reduceUpdate(off, { type: 'checking', manual: true }), off);
    assert.equal(reduceUpdate(off, { type: 'downloaded' }), off);

    const back = reduceUpdate(off, { type: 'policy', policy: on });
    assert.equal(back.phase, 'idle');
    assert.equal(back.enabled, true);
    assert.equal(back.offReason, undefined);

    const available = run(back, {
      type: 'checked',
      manual: true,
      at,
      available: true,
      latest: offer,
    });
    const stillAvailable = reduceUpdate(available, { type: 'policy', policy: on });
    assert.equal(stillAvailable.phase, 'available', 'the same policy again changes nothing');
    const turnedOff = reduceUpdate(available, {
      type: 'policy',
      policy: { off: 'setting', enabled: false, canChange: true },
    });
    assert.equal(turnedOff.phase, 'disabled');
    assert.equal(turnedOff.offer, undefined);
    assert.equal(turnedOff.lastCheck?.at, at, 'when it last looked is still known');
  });
});
