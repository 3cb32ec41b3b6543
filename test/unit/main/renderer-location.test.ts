// RendererLocation: which URLs are the app's own page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { RendererLocation } from '../../../src/main/renderer-location';

describe('RendererLocation', () => {
  it('a built file: only that file, whatever the query or hash', () => {
    const file = '/opt/dsvm pool/out/renderer/index.html';
    const location = RendererLocation.fromFile(file);
    assert.equal(location.url, pathToFileURL(file).href);
    assert.equal(location.devServerOrigin, undefined);
    assert.equal(location.isAppUrl(location.url), true);
    assert.equal(location.isAppUrl(`${location.url}?x=1#/terminals/3`), true);
    assert.equal(location.isAppUrl('file:///opt/dsvm%20pool/out/renderer/other.html'), false);
    assert.equal(location.isAppUrl('file://host/opt/dsvm%20pool/out/renderer/index.html'), false);
    assert.equal(location.isAppUrl('https://opt/dsvm%20pool/out/renderer/index.html'), false);
    assert.equal(location.isAppUrl('not a url'), false);
  });

  it('the dev server: its whole origin', () => {
    const location = RendererLocation.fromDevServer('http://localhost:5173');
    assert.equal(location.url, 'http://localhost:5173/');
    assert.equal(location.devServerOrigin, 'http://localhost:5173');
    assert.equal(location.isAppUrl('http://localhost:5173/src/main.tsx'), true);
    assert.equal(location.isAppUrl('http://localhost:5174/'), false);
    assert.equal(location.isAppUrl('https://localhost:5173/'), false);
  });

  it('refuses a dev server URL that is not http(s)', () => {
    assert.throws(() => RendererLocation.fromDevServer('file:///etc/passwd'), /http\(s\)/);
    assert.throws(() => RendererLocation.fromDevServer('nonsense'), /http\(s\)/);
  });
});
