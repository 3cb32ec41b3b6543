// electron-updater's failures as the sentences the UI shows, with no secrets and no stacks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeUpdaterError, withoutSecrets } from '../../../../src/main/updates/updater-errors';

const feed = 'https://updates.example.com/dsvm-pool/?sig=SECRET';

function coded(code: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { code }, extra);
}

describe('describeUpdaterError', () => {
  it('explains a checksum mismatch', () => {
    const text = describeUpdaterError(
      coded('ERR_CHECKSUM_MISMATCH', 'sha512 checksum mismatch, expected abc, got def'),
      feed,
    );
    assert.match(text, /does not match the sha512 checksum the update feed publishes/);
    assert.match(text, /deleted and nothing was installed/);
  });

  it('names the missing channel file and where', () => {
    const text = describeUpdaterError(
      coded(
        'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND',
        'Cannot find channel "latest-linux.yml" update info: HttpError: 404 Not Found\n"method: GET url: https://updates.example.com/dsvm-pool/latest-linux.yml?sig=SECRET"',
      ),
      feed,
    );
    assert.equal(
      text,
      'updates.example.com/dsvm-pool has no latest-linux.yml. Whoever publishes the updates should upload it beside the installers.',
    );
  });

  it('says what to do when the server cannot be found or reached', () => {
    assert.equal(
      describeUpdaterError(coded('ENOTFOUND', 'getaddrinfo ENOTFOUND updates.example.com'), feed),
      'updates.example.com could not be found. Check your network connection, or try again later.',
    );
    assert.match(
      describeUpdaterError(coded('ECONNREFUSED', 'connect ECONNREFUSED'), feed),
      /^updates\.example\.com could not be reached \(ECONNREFUSED\)/,
    );
  });

  it('gives the HTTP status of a refused request', () => {
    const err = Object.assign(new Error('HTTP error: Forbidden'), { statusCode: 403 });
    assert.match(
      describeUpdaterError(err, feed),
      /updates\.example\.com\/dsvm-pool answered HTTP 403/,
    );
  });

  it('keeps the first line of anything else, without URL queries', () => {
    const text = describeUpdaterError(
      new Error(
        'boom at https://x.example/a.AppImage?se=2030&sig=SECRET\n    at stack (file.js:1:1)',
      ),
      feed,
    );
    assert.equal(text, 'boom at https://x.example/a.AppImage');
    assert.doesNotMatch(withoutSecrets('see https://u:p@h.example/p?sig=1#f'), /sig|u:p/);
  });
});
