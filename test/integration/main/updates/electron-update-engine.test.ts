// The update engine on the real electron-updater (AppImageUpdater, generic provider) against a
// feed on loopback, through the core's UpdateController as the app runs it: a newer version is
// offered and downloaded with its sha512 checked, the same one is not, a wrong checksum is refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { UpdateStatus } from '../../../../src/common/update-models';
import { UpdateController } from '../../../../src/core/updates/update-service';
import { ElectronUpdateEngine } from '../../../../src/main/updates/electron-update-engine';
import { readUpdateFeed } from '../../../../src/main/updates/update-feed';
import { MemorySettings } from '../../../helpers/memory-settings';
import { nodeAppImageUpdater } from '../../../helpers/node-updater';
import { appFolder, linuxChannelFile, UpdateFeedServer } from '../../../helpers/update-feed-server';

interface Running {
  controller: UpdateController;
  engine: ElectronUpdateEngine;
  dir: string;
  logs: string[];
  changes: UpdateStatus[];
}

describe('ElectronUpdateEngine on electron-updater, generic feed on loopback', () => {
  let feed: UpdateFeedServer;
  const dirs: string[] = [];
  const savedAppImage = process.env.APPIMAGE;

  before(async () => {
    feed = await UpdateFeedServer.start();
  });
  after(async () => {
    await feed.close();
  });
  beforeEach(() => {
    feed.requiredSig = undefined;
  });
  afterEach(async () => {
    if (savedAppImage === undefined) delete process.env.APPIMAGE;
    else process.env.APPIMAGE = savedAppImage;
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  /** The app of `version`, installed as an AppImage in a fresh folder, its feed at `feedUrl`. */
  async function app(version: string, feedUrl: string | null = feed.baseUrl): Promise<Running> {
    const dir = await appFolder(feedUrl ?? undefined);
    dirs.push(dir);
    // The AppImage runtime sets APPIMAGE to the running file; the updater replaces that file.
    const running = join(dir, `dsvm-pool-${version}.AppImage`);
    await writeFile(running, randomBytes(4096));
    process.env.APPIMAGE = running;
    const logs: string[] = [];
    const engine = new ElectronUpdateEngine({
      updater: nodeAppImageUpdater(version, dir),
      feed: await readUpdateFeed(join(dir, 'resources', 'app-update.yml')),
      isPackaged: true,
      platform: 'linux',
      restartApp: () => Promise.reject(new Error('not in this test')),
      log: (line) => logs.push(line),
    });
    const controller = new UpdateController({
      currentVersion: version,
      engine,
      settings: new MemorySettings(),
      env: {},
      log: (line) => logs.push(line),
    });
    const changes: UpdateStatus[] = [];
    controller.onDidChange((status) => changes.push(status));
    return { controller, engine, dir, logs, changes };
  }

  it('offers a newer version, downloads it with progress and verifies it: ready to restart', async () => {
    const bytes = randomBytes(300 * 1024);
    const file = await feed.publish({ version: '0.2.0', bytes, notes: 'Faster <b>Connect</b>.' });
    const { controller, dir, changes } = await app('0.1.0');

    const checked = await controller.check();
    assert.equal(checked.phase, 'available', checked.message);
    assert.equal(checked.offer?.version, '0.2.0');
    assert.equal(checked.offer?.notes, 'Faster Connect.');
    assert.equal(checked.message, 'dsvm-pool 0.2.0 is available (you have 0.1.0).');
    assert.ok(
      feed.requests.some((r) => r.startsWith(`/feed/${linuxChannelFile()}`)),
      'asked the feed for its channel file',
    );

    const done = await controller.download();
    assert.equal(done.phase, 'ready', done.message);
    assert.match(done.message, /0\.2\.0 is downloaded and verified\. Restart to update/);
    const phases = changes.map((c) => c.phase);
    assert.deepEqual(
      [...new Set(phases)],
      ['checking', 'available', 'downloading', 'ready'],
      'the UI saw each step in order',
    );
    const last = changes.filter((c) => c.phase === 'downloading').at(-1);
    assert.equal(last?.progress?.percent, 100, 'progress reached 100 %');
    assert.equal(last?.progress?.total, bytes.length);

    // The verified file waits in the updater's cache for the restart.
    const pending = join(dir, 'cache', 'dsvm-pool-updater', 'pending');
    assert.deepEqual(
      (await readdir(pending)).filter((f) => f.endsWith('.AppImage')),
      [file],
    );
    assert.deepEqual(await readFile(join(pending, file)), bytes);
  });

  it('does not offer the version that already runs', async () => {
    await feed.publish({ version: '0.2.0', bytes: randomBytes(1024) });
    const { controller } = await app('0.2.0');
    const status = await controller.check();
    assert.equal(status.phase, 'idle');
    assert.equal(status.offer, undefined);
    assert.equal(status.lastCheck?.outcome, 'up-to-date');
    assert.equal(status.message, 'dsvm-pool 0.2.0 is up to date.');
  });

  it('does not offer an older version (no downgrade)', async () => {
    await feed.publish({ version: '0.2.0', bytes: randomBytes(1024) });
    const { controller } = await app('0.3.0');
    const status = await controller.check();
    assert.equal(status.phase, 'idle');
    assert.equal(status.lastCheck?.outcome, 'up-to-date');
  });

  it('refuses a download whose sha512 differs from the feed, says so, and keeps no file', async () => {
    const claimed = randomBytes(2048);
    const { createHash } = await import('node:crypto');
    await feed.publish({
      version: '0.2.0',
      bytes: randomBytes(64 * 1024),
      claimedSha512: createHash('sha512').update(claimed).digest('base64'),
    });
    const { controller, dir } = await app('0.1.0');
    assert.equal((await controller.check()).phase, 'available');

    const status = await controller.download();
    assert.equal(status.phase, 'error');
    assert.equal(status.failed, 'download');
    assert.equal(status.offer?.version, '0.2.0', 'the offer stays, so the user may try again');
    assert.match(
      status.message,
      /^Could not download dsvm-pool 0\.2\.0: the downloaded file does not match the sha512 checksum the update feed publishes, so it was deleted and nothing was installed\./,
    );
    const cache = join(dir, 'cache', 'dsvm-pool-updater');
    const left = await readdir(join(cache, 'pending')).catch(() => [] as string[]);
    assert.deepEqual(
      left.filter((f) => f.includes('AppImage')),
      [],
      'the file that failed the check is gone',
    );
    await assert.rejects(controller.restart(), /No update has been downloaded yet/);
  });

  it('says which file is missing when the feed has no channel file', async () => {
    await feed.unpublish();
    const { controller } = await app('0.1.0');
    const status = await controller.check();
    assert.equal(status.phase, 'error');
    assert.equal(status.failed, 'check');
    const host = new URL(feed.baseUrl).host;
    assert.equal(
      status.message,
      `Could not check for updates: ${host}/feed has no ${linuxChannelFile()}. Whoever publishes the updates should upload it beside the installers.`,
    );
  });

  it('never writes a query string of the feed URL (e.g. a SAS token) to the log or a message', async () => {
    const secret = 'sv=2025-01-01&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';
    feed.requiredSig = 'c2VjcmV0LXNpZ25hdHVyZQ==';
    await feed.publish({ version: '0.2.0', bytes: randomBytes(1024) });
    const { controller, logs, changes } = await app('0.1.0', `${feed.baseUrl}?${secret}`);
    const ok = await controller.check();
    assert.equal(ok.phase, 'available', 'the signature reached the feed');
    assert.equal((await controller.download()).phase, 'ready');

    feed.requiredSig = 'another';
    const failed = await controller.check();
    assert.equal(failed.phase, 'error');
    assert.match(failed.message, /answered HTTP 403/);

    const everything = [...logs, ...changes.map((c) => c.message)].join('\n');
    assert.ok(logs.length > 0);
    assert.doesNotMatch(everything, /c2VjcmV0|sig=/);
  });

  it('reports a build without a feed URL, or a copy that is not an AppImage, as off', async () => {
    const noFeed = await app('0.1.0', null);
    assert.equal(noFeed.controller.status().phase, 'disabled');
    assert.equal(noFeed.controller.status().offReason, 'no-feed');
    await assert.rejects(
      noFeed.controller.check(),
      /Cannot look for updates: This build has no update address/,
    );

    const { engine } = await app('0.1.0');
    delete process.env.APPIMAGE;
    assert.equal(engine.unavailable()?.reason, 'unsupported');
  });
});
