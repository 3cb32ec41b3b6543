// app-update.yml as electron-builder writes it: a feed URL, an empty one (updates off), none.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { feedLabel, readUpdateFeed } from '../../../../src/main/updates/update-feed';

describe('readUpdateFeed', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsvm-pool-feed-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function feedOf(text: string) {
    const path = join(dir, `app-update-${Math.random().toString(36).slice(2)}.yml`);
    await writeFile(path, text);
    return readUpdateFeed(path);
  }

  it('reads the url of a generic feed, quoted or not', async () => {
    const url = 'https://updates.example.com/dsvm-pool';
    assert.deepEqual(
      await feedOf(`provider: generic\nurl: ${url}\nupdaterCacheDirName: dsvm-pool-updater\n`),
      { url },
    );
    assert.deepEqual(await feedOf(`provider: generic\nurl: '${url}'\n`), { url });
    assert.deepEqual(await feedOf(`url: "${url}"\nprovider: generic\n`), { url });
  });

  it('has no feed when the url is empty (electron-builder.yml default), missing or not http(s)', async () => {
    for (const text of [
      "provider: generic\nurl: ''\nupdaterCacheDirName: dsvm-pool-updater\n",
      'provider: generic\nurl:\n',
      'provider: generic\n',
      'provider: generic\nurl: file:///etc/passwd\n',
      'provider: generic\nurl: not a url\n',
    ]) {
      const feed = await feedOf(text);
      assert.ok('problem' in feed, text);
    }
  });

  it('has no feed when the build has no app-update.yml', async () => {
    const feed = await readUpdateFeed(join(dir, 'missing.yml'));
    assert.ok('problem' in feed);
    assert.match(feed.problem, /ENOENT/);
  });

  it('names a feed without its query string or user info', () => {
    assert.equal(
      feedLabel('https://user:pw@acct.blob.core.windows.net/updates/?sv=1&sig=SECRET'),
      'acct.blob.core.windows.net/updates',
    );
  });
});
