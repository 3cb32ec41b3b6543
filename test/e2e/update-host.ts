// For the updates e2e: the app's core with the desktop shell's update engine (electron-updater's
// AppImageUpdater on a stand-in app and Node's http, as in the integration test) served to the
// browser by the real host, and a generic feed on loopback offering a newer version.
// Run: node --import tsx test/e2e/update-host.ts  → prints the page's address, then
// "restart-to-update" when the page asks to restart.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppCore } from '../../src/core/app-core';
import { startHost } from '../../src/host/host-server';
import { ElectronUpdateEngine } from '../../src/main/updates/electron-update-engine';
import { readUpdateFeed } from '../../src/main/updates/update-feed';
import { nodeAppImageUpdater } from '../helpers/node-updater';
import { appFolder, UpdateFeedServer } from '../helpers/update-feed-server';

const feed = await UpdateFeedServer.start();
// Big enough that the download shows progress for a moment, small enough for CI.
await feed.publish({
  version: '0.2.0',
  bytes: randomBytes(8 * 1024 * 1024),
  notes: '<ul><li>Connect remembers your last instance</li><li>Faster Jupyter tunnel</li></ul>',
});
const appDir = await appFolder(feed.baseUrl);
const running = join(appDir, 'dsvm-pool-0.1.0.AppImage');
await writeFile(running, randomBytes(4096));
process.env.APPIMAGE = running;

const engine = new ElectronUpdateEngine({
  updater: nodeAppImageUpdater('0.1.0', appDir),
  feed: await readUpdateFeed(join(appDir, 'resources', 'app-update.yml')),
  isPackaged: true,
  platform: 'linux',
  // The real shell closes the core and starts the installer; here the test only sees the ask.
  restartApp: async () => {
    console.log('restart-to-update');
  },
  log: (line) => console.error(line),
});
const dataDir = await mkdtemp(join(tmpdir(), 'dsvm-pool-e2e-updates-'));
const core = await createAppCore({
  dataDir,
  shell: 'electron',
  version: '0.1.0',
  localInstances: 1,
  updateEngine: engine,
  env: {},
});
const host = await startHost({ rpc: core.rpc, staticDir: 'out/renderer' });
console.log(`dsvm-pool is running. Open ${host.url}`);

const stop = async () => {
  await host.close();
  await core.dispose();
  await feed.close();
  await rm(appDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
