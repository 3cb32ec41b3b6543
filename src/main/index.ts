// The Electron main entry: the only file that loads electron at runtime; it starts the shell.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  nativeImage,
  session,
  shell,
  Tray,
} from 'electron';
import electronUpdater from 'electron-updater';
import { createAppCore } from '../core/app-core';
import { startShell } from './shell';

// This bundle is out/main/index.js; the preload and the page are built beside it.
const here = dirname(fileURLToPath(import.meta.url));
const icons = join(here, '../../resources/icons');

// electron-vite dev sets ELECTRON_RENDERER_URL. Never honoured in a packaged app: anyone who
// can set our environment could otherwise point the window, and its RPC port, at their page.
const devUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const renderer = devUrl
  ? { rendererUrl: devUrl }
  : { rendererFile: join(here, '../renderer/index.html') };

startShell(
  { app, BrowserWindow, Tray, Menu, nativeImage, ipcMain, MessageChannelMain, shell, session },
  {
    ...renderer,
    // electron-updater is CommonJS; its autoUpdater is this platform's updater (AppImage, deb,
    // NSIS, macOS). The feed is the one electron-builder wrote into resources/app-update.yml.
    updater: {
      updater: electronUpdater.autoUpdater,
      feedConfigPath: join(process.resourcesPath, 'app-update.yml'),
    },
    createCore: (dataDir, { updateEngine }) =>
      createAppCore({ dataDir, shell: 'electron', version: app.getVersion(), updateEngine }),
    preloadPath: join(here, '../preload/index.cjs'),
    trayIconPath: join(icons, 'tray.png'),
    windowIconPath: join(icons, 'icon.png'),
    isDev: devUrl !== undefined,
  },
).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`[dsvm-pool] could not start: ${message}`);
  dialog.showErrorBox('dsvm-pool could not start', message);
  app.exit(1);
});
