// The shell's side of updates, on a fake Electron and a stand-in electron-updater: the engine it
// hands the core, "Check for updates" for the tray, and Restart to update closing the app first.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startShell, type ShellDeps } from '../../../src/main/shell';
import { inProcessCore } from '../../../src/main/shell-core';
import type { UpdaterLike } from '../../../src/main/updates/electron-update-engine';
import { createFakeElectron } from './fake-electron';
import { FakeCore } from './fake-core';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** electron-updater's AppUpdater as the engine uses it, recording the install. */
class StandInUpdater extends EventEmitter {
  autoDownload = true;
  autoInstallOnAppQuit = false;
  forceDevUpdateConfig = false;
  logger: unknown = console;
  installs: { silent: boolean; runAfter: boolean; coreDisposed: number; lockReleased: boolean }[] =
    [];
  /** Makes the installer fail to start, as electron-updater reports it (an `error` event). */
  installFails = false;
  watch: () => { coreDisposed: number; lockReleased: boolean } = () => ({
    coreDisposed: -1,
    lockReleased: false,
  });

  isUpdaterActive() {
    return true;
  }
  async checkForUpdates() {
    const updateInfo = {
      version: '0.2.0',
      files: [],
      path: 'dsvm-pool-0.2.0.AppImage',
      sha512: '',
      releaseDate: '2026-01-15T10:00:00.000Z',
      releaseNotes: '<p>Faster <b>Connect</b></p>',
    };
    return { isUpdateAvailable: true, updateInfo, versionInfo: updateInfo };
  }
  async downloadUpdate() {
    this.emit('download-progress', {
      percent: 100,
      transferred: 9,
      total: 9,
      bytesPerSecond: 9,
      delta: 9,
    });
    return ['/cache/dsvm-pool-0.2.0.AppImage'];
  }
  quitAndInstall(silent = false, runAfter = false) {
    this.installs.push({ silent, runAfter, ...this.watch() });
    if (this.installFails) this.emit('error', new Error('spawn EACCES'));
  }
}

describe('startShell: updates', () => {
  let dir: string;
  let feedConfig: string;
  let emptyFeedConfig: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsvm-pool-shell-updates-'));
    feedConfig = join(dir, 'app-update.yml');
    await writeFile(feedConfig, 'provider: generic\nurl: https://updates.example.com/dsvm-pool\n');
    emptyFeedConfig = join(dir, 'empty-app-update.yml');
    await writeFile(emptyFeedConfig, "provider: generic\nurl: ''\n");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function start(options: { packaged?: boolean; feed?: string } = {}) {
    const fake = createFakeElectron();
    fake.app.isPackaged = options.packaged ?? true;
    const updater = new StandInUpdater();
    const cores: FakeCore[] = [];
    const logs: string[] = [];
    const shell = await startShell(fake.electron, {
      rendererFile: '/opt/dsvm-pool/out/renderer/index.html',
      preloadPath: '/opt/dsvm-pool/out/preload/index.cjs',
      trayIconPath: '/opt/dsvm-pool/resources/icons/tray.png',
      updater: {
        updater: updater as unknown as UpdaterLike,
        feedConfigPath: options.feed ?? feedConfig,
      },
      createCore: async (dataDir, extras) => {
        const core = new FakeCore(dataDir, [], extras.updateEngine);
        cores.push(core);
        return inProcessCore(core);
      },
      platform: 'linux',
      log: (line) => logs.push(line),
    } satisfies ShellDeps);
    await tick();
    const core = cores[0]!;
    updater.watch = () => ({
      coreDisposed: core.disposeCount,
      lockReleased: fake.app.lockReleased,
    });
    return { fake, shell: shell!, core, updater, logs, window: fake.app.windows[0]! };
  }

  it('hands the core an engine on electron-updater that leaves the download to the user', async () => {
    const { core, updater } = await start();
    assert.equal(core.updates.status().phase, 'idle');
    assert.equal(updater.autoDownload, false, "the banner's Download starts it");
    assert.equal(updater.autoInstallOnAppQuit, true);
  });

  it('"Check for updates" (for the tray) shows the window and asks the feed', async () => {
    const { shell, window } = await start();
    window.userClose();
    const status = await shell.checkForUpdates();
    assert.equal(window.visible, true);
    assert.equal(status.phase, 'available');
    assert.equal(status.offer?.version, '0.2.0');
    assert.equal(status.offer?.notes, 'Faster Connect');
  });

  it('Restart to update closes the core and releases the lock before the installer starts', async () => {
    const { core, updater, fake } = await start();
    await core.updates.check();
    assert.equal((await core.updates.download()).phase, 'ready');
    await core.updates.restart();
    assert.deepEqual(updater.installs, [
      { silent: true, runAfter: true, coreDisposed: 1, lockReleased: true },
    ]);
    assert.equal(fake.app.relaunched, false);
  });

  it('starts the old version again when the installer cannot start', async () => {
    const { core, updater, fake, logs } = await start();
    updater.installFails = true;
    await core.updates.check();
    await core.updates.download();
    await core.updates.restart();
    assert.equal(updater.installs.length, 1);
    assert.equal(fake.app.relaunched, true);
    assert.equal(fake.app.quitted, true);
    assert.ok(logs.some((l) => l.includes('the installer did not start')));
  });

  it('reports a build without a feed, and a development build, as off', async () => {
    const noFeed = await start({ feed: emptyFeedConfig });
    assert.equal(noFeed.core.updates.status().offReason, 'no-feed');
    assert.ok(noFeed.logs.some((l) => l.includes('publish url was empty')));
    await assert.rejects(noFeed.shell.checkForUpdates(), /This build has no update address/);

    const dev = await start({ packaged: false });
    assert.equal(dev.core.updates.status().offReason, 'development');
  });
});
