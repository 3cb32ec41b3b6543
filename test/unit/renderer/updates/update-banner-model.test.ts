// The update banner's content for each status, from the real state machine's statuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UpdateStatus } from '../../../../src/common/update-models';
import { initialUpdateStatus, reduceUpdate } from '../../../../src/core/updates/update-state';
import { megabytes, updateBanner } from '../../../../src/renderer/updates/update-banner-model';

const at = '2026-02-01T09:00:00.000Z';
const idle = initialUpdateStatus('0.1.0', { enabled: true, canChange: true });
const available = reduceUpdate(idle, {
  type: 'checked',
  manual: false,
  at,
  available: true,
  latest: { version: '0.2.0', notes: 'Faster Connect.' },
});

describe('updateBanner', () => {
  it('shows nothing while off, idle or checking', () => {
    const off = initialUpdateStatus('0.1.0', { off: 'headless', enabled: true, canChange: false });
    assert.equal(updateBanner(undefined), undefined);
    assert.equal(updateBanner(off), undefined);
    assert.equal(updateBanner(idle), undefined);
    assert.equal(updateBanner(reduceUpdate(idle, { type: 'checking', manual: true })), undefined);
    const quietFailure = reduceUpdate(idle, {
      type: 'check-failed',
      manual: false,
      at,
      message: 'offline',
    });
    assert.equal(
      updateBanner(quietFailure),
      undefined,
      'an automatic check that failed stays quiet',
    );
  });

  it('offers the download with the version and the release notes', () => {
    const banner = updateBanner(available)!;
    assert.equal(banner.title, 'Update available');
    assert.equal(banner.body, 'dsvm-pool 0.2.0 is available (you have 0.1.0).');
    assert.equal(banner.notes, 'Faster Connect.');
    assert.deepEqual(banner.action, { kind: 'download', label: 'Download' });
  });

  it('shows the download progress, then Restart to update', () => {
    const downloading = reduceUpdate(reduceUpdate(available, { type: 'downloading' }), {
      type: 'progress',
      progress: {
        percent: 45.2,
        transferred: 12.5 * 1024 * 1024,
        total: 27.7 * 1024 * 1024,
        bytesPerSecond: 1,
      },
    });
    const banner = updateBanner(downloading)!;
    assert.equal(banner.title, 'Downloading update');
    assert.equal(banner.action, undefined);
    assert.equal(banner.progress?.value, 0.452);
    assert.equal(banner.progress?.label, '45 % (12.5 MB of 27.7 MB)');

    const ready = updateBanner(reduceUpdate(downloading, { type: 'downloaded' }))!;
    assert.equal(ready.intent, 'success');
    assert.equal(ready.title, 'Update ready');
    assert.deepEqual(ready.action, { kind: 'restart', label: 'Restart to update' });
    assert.notEqual(ready.key, banner.key, '"Later" on the progress does not hide "ready"');
  });

  it('offers to try again what failed', () => {
    const failedDownload: UpdateStatus = reduceUpdate(
      reduceUpdate(available, { type: 'downloading' }),
      {
        type: 'download-failed',
        message: 'the file does not match its sha512 checksum.',
      },
    );
    const banner = updateBanner(failedDownload)!;
    assert.equal(banner.intent, 'error');
    assert.equal(banner.title, 'Update failed');
    assert.match(banner.body, /sha512/);
    assert.deepEqual(banner.action, { kind: 'download', label: 'Try again' });

    const failedCheck = reduceUpdate(idle, {
      type: 'check-failed',
      manual: true,
      at,
      message: 'x',
    });
    assert.equal(updateBanner(failedCheck)!.title, 'Could not check for updates');
    assert.equal(updateBanner(failedCheck)!.action?.kind, 'check');
  });

  it('says "up to date" once after a manual check', () => {
    const manual = reduceUpdate(idle, {
      type: 'checked',
      manual: true,
      at,
      available: false,
      latest: { version: '0.1.0' },
    });
    const banner = updateBanner(manual)!;
    assert.equal(banner.title, 'Up to date');
    assert.equal(banner.body, 'dsvm-pool 0.1.0 is up to date.');
    const automatic = reduceUpdate(idle, {
      type: 'checked',
      manual: false,
      at,
      available: false,
      latest: { version: '0.1.0' },
    });
    assert.equal(updateBanner(automatic), undefined);
  });

  it('counts megabytes with one decimal', () => {
    assert.equal(megabytes(0), '0.0 MB');
    assert.equal(megabytes(1.5 * 1024 * 1024), '1.5 MB');
  });
});
