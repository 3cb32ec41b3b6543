// The Electron main entry: the only file that loads electron at runtime; it starts the shell.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  nativeImage,
  Notification,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  utilityProcess,
} from 'electron';
import electronUpdater from 'electron-updater';
import { demoFromEnv } from '../core/demo-mode';
import { createAppLogger } from '../core/logging/app-logger';
import { resourcePaths } from '../core/resource-paths';
import { connectionToolsOf } from './connection-tools';
import { safeStorageProtector } from './safe-storage-protector';
import { openExternalSafely } from './security/external-url';
import { startShell } from './shell';
import { UtilityCore } from './utility-core';

// This bundle is out/main/index.js; the preload and the page are built beside it.
const here = dirname(fileURLToPath(import.meta.url));
// The agent, the template and the icons: <resources>/… when installed, out/ and resources/ in a
// checkout (src/core/resource-paths.ts).
const resources = resourcePaths({
  packaged: app.isPackaged,
  resourcesPath: process.resourcesPath,
});

// electron-vite dev sets ELECTRON_RENDERER_URL. Never honoured in a packaged app: anyone who
// can set our environment could otherwise point the window, and its RPC port, at their page.
const devUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const renderer = devUrl
  ? { rendererUrl: devUrl }
  : { rendererFile: join(here, '../renderer/index.html') };

// A data folder of its own when asked (as the headless host's DSVM_POOL_DATA_DIR): `npm run demo`
// runs on a temp folder, so it never touches the user's settings, keys or sign-in. Set before
// anything reads userData (the logger, the single-instance lock).
if (process.env['DSVM_POOL_DATA_DIR']) app.setPath('userData', process.env['DSVM_POOL_DATA_DIR']);

// One logger for the shell and the core: <userData>/logs/main.log, redacted; stderr in development.
const logger = createAppLogger({ dataDir: app.getPath('userData'), stderr: !app.isPackaged });

startShell(
  {
    app,
    BrowserWindow,
    Tray,
    Menu,
    nativeImage,
    ipcMain,
    MessageChannelMain,
    shell,
    session,
    Notification,
    clipboard,
    screen,
  },
  {
    ...renderer,
    argv: process.argv,
    // The tray's Open logs opens the folder of main.log and its rotated files.
    ...(logger.filePath ? { logDir: dirname(logger.filePath) } : {}),
    // "Copy ssh command" and "Open in VS Code" in the tray: the core's openssh methods, VS Code
    // opened only through the external-URL allow-list.
    connectionTools: (core) =>
      connectionToolsOf(core.openssh, (url) =>
        openExternalSafely((u) => shell.openExternal(u), url, logger.log),
      ),
    // electron-updater is CommonJS; its autoUpdater is this platform's updater (AppImage, deb,
    // NSIS, macOS). The feed is the one electron-builder wrote into resources/app-update.yml.
    updater: {
      updater: electronUpdater.autoUpdater,
      feedConfigPath: join(process.resourcesPath, 'app-update.yml'),
    },
    // Called once the app is ready, when safeStorage can tell whether an OS keyring exists. The
    // core runs in a utility process (out/main/core.js, built beside this file): tunnel traffic
    // never competes with the tray and the window, and a crash of the core is not one of the app.
    createCore: (dataDir, { updateEngine }) =>
      UtilityCore.start({
        fork: () =>
          utilityProcess.fork(join(here, 'core.js'), [], { serviceName: 'dsvm-pool core' }),
        start: {
          dataDir,
          version: app.getVersion(),
          resources: { ...resources },
          ...(logger.filePath ? { logFile: logger.filePath } : {}),
          // `npm run demo`: the window title, the tray and the UI say so (refused unless the app
          // really talks to that emulator).
          ...demoOption(),
        },
        tokenProtector: safeStorageProtector(safeStorage, { log: logger.log }),
        ...(updateEngine ? { updateEngine } : {}),
        logger,
      }),
    preloadPath: join(here, '../preload/index.cjs'),
    trayIconPath: resources.trayIcon,
    windowIconPath: resources.windowIcon,
    isDev: devUrl !== undefined,
    log: logger.log,
  },
).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  logger.error(`could not start: ${message}`);
  dialog.showErrorBox('dsvm-pool could not start', message);
  app.exit(1);
});

function demoOption() {
  const demo = demoFromEnv();
  return demo ? { demo } : {};
}
