// The Electron shell: lifecycle, security, window, tray, notifications, dsvm-pool:// links and the
// RPC port, on an injected Electron.
import { resolve } from 'node:path';
import type { AppTarget } from '../common/notification-models';
import type { UpdateStatus } from '../common/update-models';
import type { UpdateEngine } from '../core/updates/update-engine';
import { APP_SCHEME, findAppLink } from './app-link';
import { AppTray } from './app-tray';
import type { ConnectionTools } from './connection-tools';
import type { ElectronApi } from './electron-api';
import { handleAppLink } from './link-handler';
import { MainWindow } from './main-window';
import { PortBroker } from './port-broker';
import { RendererLocation } from './renderer-location';
import {
  contentSecurityPolicy,
  installContentSecurityPolicy,
} from './security/content-security-policy';
import { denyPermissions } from './security/deny-permissions';
import { hardenWebContents } from './security/harden-web-contents';
import { ElectronUpdateEngine, type UpdaterLike } from './updates/electron-update-engine';
import { readUpdateFeed } from './updates/update-feed';
import { showNativeNotifications, tellUser } from './shell-notifications';
import { electronLoginItem, HIDDEN_ARG, xdgAutostart, type StartAtLogin } from './start-at-login';
import { runTrayCommand } from './tray-commands';
import type { ShellCore } from './shell-core';
import { placeWindow, readWindowState, windowStateSaver, type WindowState } from './window-state';

export type RendererSource =
  | { /** electron-vite's dev server. */ rendererUrl: string; rendererFile?: undefined }
  | {
      /** The built page, out/renderer/index.html. */ rendererFile: string;
      rendererUrl?: undefined;
    };

/** What the shell hands the core it creates. */
export interface CoreExtras {
  /** The app's updater, when the shell has one (src/core/updates). */
  updateEngine?: UpdateEngine;
}

export type ShellDeps = RendererSource & {
  /**
   * Builds the core once Electron is ready: in a utility process (src/main/utility-core.ts), or
   * here (inProcessCore(createAppCore(…))).
   */
  createCore(dataDir: string, extras: CoreExtras): Promise<ShellCore>;
  /**
   * electron-updater's autoUpdater, and the app-update.yml that electron-builder wrote with the
   * feed (resources/app-update.yml). Absent: the core reports updates as off.
   */
  updater?: { updater: UpdaterLike; feedConfigPath: string };
  /** The built preload, out/preload/index.cjs. */
  preloadPath: string;
  /** resources/icons/tray.png (tray@2x.png beside it). */
  trayIconPath: string;
  /** resources/icons/icon.png for the window. */
  windowIconPath?: string;
  /** Loosens the CSP for the dev server's hot reload. Defaults to "a renderer URL was given". */
  isDev?: boolean;
  platform?: NodeJS.Platform;
  log?: (line: string) => void;
  /** How long Quit waits for the core to shut down before quitting anyway. */
  disposeTimeoutMs?: number;
  /** The app's command line (a link on Windows and Linux, `--hidden` when started at login). */
  argv?: string[];
  /** The log folder, for the tray's Open logs (`<dataDir>/logs`). */
  logDir?: string;
  /** Copy ssh command and Open in VS Code, from the core; without them the items are greyed. */
  connectionTools?(core: ShellCore): ConnectionTools | undefined;
  /** Start at login; default: Electron's login item (macOS, Windows), XDG autostart (Linux). */
  startAtLogin?: StartAtLogin;
  /** Saves to window-state.json at most this often while the window moves (default 500 ms). */
  windowStateDelayMs?: number;
  /** The tray menu is rebuilt once per burst of changes, this long after the first (ms). */
  trayRebuildDelayMs?: number;
};

/** The running shell, for the entry point and tests. */
export interface Shell {
  showWindow(): void;
  /**
   * "Check for updates" (for the tray menu): shows the window, where the answer appears, and asks
   * the feed. Resolves with the outcome (a refusal, e.g. updates off, rejects with its sentence).
   */
  checkForUpdates(): Promise<UpdateStatus>;
  /** Disposes the core (once), then quits the app. */
  quit(): Promise<void>;
}

/**
 * Starts the tray app. Resolves once the core, window and tray exist; resolves `undefined` if
 * another instance already runs (this one then quits and that one shows its window).
 */
export async function startShell(
  electron: ElectronApi,
  deps: ShellDeps,
): Promise<Shell | undefined> {
  const { app } = electron;
  const log = deps.log ?? ((line: string) => console.error(`[dsvm-pool] ${line}`));
  const platform = deps.platform ?? process.platform;
  const argv = deps.argv ?? process.argv;

  // One app per user: the tray, the local sandbox and the data folder are not shareable.
  if (!app.requestSingleInstanceLock()) {
    log('another instance is running; asking it to show its window');
    app.quit();
    return undefined;
  }

  const location =
    deps.rendererUrl !== undefined
      ? RendererLocation.fromDevServer(deps.rendererUrl)
      : RendererLocation.fromFile(deps.rendererFile);
  const isDev = deps.isDev ?? location.devServerOrigin !== undefined;

  let quitting = false;
  let started = false;
  // Filled in as startup proceeds; quitting may begin at any point of it.
  const parts: {
    core?: Promise<ShellCore>;
    tray?: AppTray;
    broker?: PortBroker;
    notifications?: { dispose(): void };
    coreWatch?: { dispose(): void }[];
  } = {};
  let disposal: Promise<void> | undefined;
  let disposed = false;
  const dataDir = () => app.getPath('userData');
  /** window-state.json, read once Electron is ready (before the window is made). */
  const saved: { window?: WindowState } = {};
  const windowSaver = windowStateSaver(dataDir(), log, deps.windowStateDelayMs);

  const window = new MainWindow(electron, {
    preloadPath: deps.preloadPath,
    location,
    iconPath: deps.windowIconPath,
    isQuitting: () => quitting,
    // Today's displays, asked when the window is made (a monitor may have gone since).
    placement: () =>
      placeWindow(
        saved.window,
        [electron.screen.getPrimaryDisplay(), ...electron.screen.getAllDisplays()].map(
          (d) => d.workArea,
        ),
      ),
    onStateChange: (state) => windowSaver.save(state),
    log,
  });
  const showWindow = () => {
    // Before startup finishes there is no window yet; startup shows it anyway.
    if (started) window.show();
  };
  const tell = (title: string, body: string) => tellUser(electron, title, body, log);
  /** Shows the window at a place (a notification's click, the tray, a link). */
  const openAt = (target: AppTarget) => {
    showWindow();
    void parts.core?.then((core) => core.requestOpen(target));
  };
  /** Links that came before the core was ready (macOS sends them before 'ready'). */
  const earlyLinks: string[] = [];
  const onLink = (text: string) => {
    if (!started) {
      earlyLinks.push(text);
      return;
    }
    void parts.core?.then((core) => handleAppLink(text, { core, showWindow, tell, log }));
  };

  /** Tears everything down once, however quitting began; never rejects. */
  const disposeAll = (): Promise<void> => {
    disposal ??= (async () => {
      parts.tray?.dispose();
      parts.notifications?.dispose();
      parts.broker?.dispose();
      for (const watch of parts.coreWatch ?? []) watch.dispose();
      await windowSaver.flush();
      const core = await parts.core?.catch(() => undefined);
      if (core) await withTimeout(core.dispose(), deps.disposeTimeoutMs ?? 5000);
    })()
      .catch((err: unknown) => log(`quit: the core did not shut down cleanly: ${String(err)}`))
      .finally(() => {
        disposed = true;
      });
    return disposal;
  };

  const quit = async (): Promise<void> => {
    quitting = true;
    await disposeAll();
    app.quit();
  };

  /** Quit, and Electron starts the app again once this instance has exited (and let go of the lock). */
  const relaunch = async (): Promise<void> => {
    quitting = true;
    await disposeAll();
    app.relaunch();
    app.quit();
  };

  /**
   * Restart to update: the connections and the core end first (as on Quit), then the lock is
   * released so the new version the installer starts is not turned away as a second instance.
   * If the installer cannot start, the old version starts again rather than leave a dead app.
   */
  const restartToUpdate = async (install: () => boolean): Promise<void> => {
    quitting = true;
    await disposeAll();
    app.releaseSingleInstanceLock();
    if (install()) return; // electron-updater quits the app itself.
    log('updates: the update could not be installed; starting this version again');
    app.relaunch();
    app.quit();
  };

  const checkForUpdates = async (): Promise<UpdateStatus> => {
    showWindow();
    const core = await parts.core;
    if (!core) throw new Error('The app is still starting; try again in a moment.');
    return core.updates.check({ manual: true });
  };

  // Registered before 'ready' so nothing is created without them.
  // Windows and Linux start a second copy for a clicked link: its argv carries the link.
  app.on('second-instance', (_event, secondArgv) => {
    const link = findAppLink(secondArgv ?? []);
    if (link) onLink(link);
    else showWindow();
  });
  // macOS hands links to the running app (even one still starting).
  app.on('open-url', (event, url) => {
    event.preventDefault();
    onLink(url);
  });
  app.on('activate', showWindow);
  // Keeps the app in the tray should every window be gone (Electron quits by default).
  app.on('window-all-closed', () => {});
  app.on('before-quit', (event) => {
    quitting = true;
    if (disposed) return;
    // Quit began elsewhere (OS logout, Cmd+Q): shut the core down first, then quit again.
    event.preventDefault();
    void disposeAll().then(() => app.quit());
  });
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, {
      isAppUrl: (url) => location.isAppUrl(url),
      openExternal: (url) => electron.shell.openExternal(url),
      log,
    });
  });

  // The OS's handler for dsvm-pool:// links. A development run is Electron with the app's
  // folder as its argument, which the OS must repeat when it starts us for a link.
  const defaultApp = (process as { defaultApp?: boolean }).defaultApp === true;
  const registered =
    defaultApp && argv[1]
      ? app.setAsDefaultProtocolClient(APP_SCHEME, process.execPath, [resolve(argv[1])])
      : app.setAsDefaultProtocolClient(APP_SCHEME);
  if (!registered) log(`links: could not register as the handler of ${APP_SCHEME}://`);
  const firstLink = findAppLink(argv.slice(1));
  if (firstLink) earlyLinks.push(firstLink);

  await app.whenReady();
  saved.window = await readWindowState(dataDir());
  const startAtLogin =
    deps.startAtLogin ??
    (platform === 'linux'
      ? await xdgAutostart({ executable: process.env['APPIMAGE'] ?? process.execPath })
      : electronLoginItem(app, platform));

  const session = electron.session.defaultSession;
  denyPermissions(session, log);
  installContentSecurityPolicy(
    session,
    contentSecurityPolicy(isDev ? location.devServerOrigin : undefined),
    (url) => location.isAppUrl(url),
  );

  const feed = deps.updater && (await readUpdateFeed(deps.updater.feedConfigPath));
  if (quitting) return { showWindow, quit, checkForUpdates };
  const updateEngine =
    deps.updater &&
    feed &&
    new ElectronUpdateEngine({
      updater: deps.updater.updater,
      feed,
      isPackaged: app.isPackaged,
      platform,
      restartApp: restartToUpdate,
      log,
    });
  parts.core = deps.createCore(dataDir(), updateEngine ? { updateEngine } : {});
  const core = await parts.core;
  if (quitting) return { showWindow, quit, checkForUpdates };

  // Listening before the window loads, so the page's first hello is never missed.
  parts.broker = new PortBroker(electron, {
    isOurContents: (contents) => window.owns(contents),
    isAppUrl: (url) => location.isAppUrl(url),
    serve: (port) => core.serve(port),
    log,
  });
  // A core that stopped and runs again has none of the page's state: the page loads afresh.
  // One that stopped for good leaves the tray with its stopped menu (Restart, Open logs, Quit).
  let coreStopped = false;
  parts.coreWatch = [
    core.onDidRestart(({ code }) => {
      window.reload();
      tell(
        'dsvm-pool restarted its core',
        `It stopped unexpectedly (exit code ${code}). Its connections were closed: connect again.`,
      );
    }),
    core.onDidGiveUp((sentence) => {
      coreStopped = true;
      parts.tray?.refresh();
      tell('dsvm-pool stopped working', sentence);
    }),
  ];
  const tools = deps.connectionTools?.(core);
  const tray: AppTray = new AppTray(electron, core, {
    iconPath: deps.trayIconPath,
    platform,
    run: (command) =>
      void runTrayCommand(command, {
        core,
        electron,
        showWindow,
        quit: () => void quit(),
        relaunch: () => void relaunch(),
        checkForUpdates,
        ...(tools ? { tools } : {}),
        startAtLogin,
        ...(deps.logDir ? { logDir: deps.logDir } : {}),
        refreshTray: () => tray.refresh(),
        tell,
        log,
      }),
    startAtLogin: () => ({ enabled: startAtLogin.isEnabled() }),
    stopped: () => coreStopped,
    tools: { sshCommand: tools !== undefined, vsCode: tools !== undefined },
    ...(deps.trayRebuildDelayMs !== undefined ? { rebuildDelayMs: deps.trayRebuildDelayMs } : {}),
    log,
  });
  parts.tray = tray;
  parts.notifications = showNativeNotifications(electron, core, {
    open: openAt,
    ...(deps.windowIconPath ? { iconPath: deps.windowIconPath } : {}),
    log,
  });
  started = true;
  // Started at login: stay in the tray until the user opens the window.
  if (!startedHidden(argv, platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin)) {
    window.show();
  }
  for (const link of earlyLinks.splice(0)) onLink(link);
  return { showWindow, quit, checkForUpdates };
}

/** Started at login (Windows and Linux pass --hidden; macOS says so itself). */
function startedHidden(argv: readonly string[], macLoginItem: boolean | undefined): boolean {
  return argv.includes(HIDDEN_ARG) || macLoginItem === true;
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
