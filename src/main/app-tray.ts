// The tray icon: a status badge and a tooltip from the connections, and a menu rebuilt when pools
// or connections change.
import type { AppCore } from '../core/app-core';
import { demoLabel } from '../common/demo-label';
import { DisposableStore, type Disposable } from '../common/event';
import type { NativeImage } from 'electron';
import type { ElectronApi, TrayLike } from './electron-api';
import { trayMenuTemplate, trayTooltip, type TrayActions } from './tray-menu';

/** What the tray icon shows: a badge while a connection is reconnecting, another once one is lost. */
export type TrayStatus = 'normal' | 'reconnecting' | 'lost';

/** The icon of each status: tray.png and tray-<status>.png (each with its @2x file beside it). */
export function trayIconPaths(trayIconPath: string): Record<TrayStatus, string> {
  const variant = (status: string) => trayIconPath.replace(/\.png$/, `-${status}.png`);
  return { normal: trayIconPath, reconnecting: variant('reconnecting'), lost: variant('lost') };
}

/** The most urgent status of the app's connections. */
export function trayStatus(troubled: { reconnecting: number; lost: number }): TrayStatus {
  if (troubled.lost > 0) return 'lost';
  return troubled.reconnecting > 0 ? 'reconnecting' : 'normal';
}

export interface AppTrayOptions {
  /** resources/icons/tray.png; its status variants are found beside it (see trayIconPaths). */
  iconPath: string;
  platform: NodeJS.Platform;
  /** Open shows the window; Quit ends the app (the tray's Connect calls the core directly). */
  actions: Omit<TrayActions, 'connect'>;
  log(line: string): void;
}

type TrayCore = Pick<
  AppCore,
  | 'listPools'
  | 'onDidChangePools'
  | 'connectedCount'
  | 'troubledCount'
  | 'onDidChangeConnections'
  | 'requestConnect'
  | 'azureSignIn'
  | 'onDidChangeAzureSignIn'
  | 'demo'
>;

export class AppTray implements Disposable {
  private readonly tray: TrayLike;
  private readonly store = new DisposableStore();
  private readonly images = new Map<TrayStatus, NativeImage>();
  private status: TrayStatus = 'normal';
  private disposed = false;

  constructor(
    private readonly electron: Pick<ElectronApi, 'Tray' | 'Menu' | 'nativeImage'>,
    private readonly core: TrayCore,
    private readonly options: AppTrayOptions,
  ) {
    this.tray = new electron.Tray(this.image('normal'));
    // Windows and Linux users expect a click to open the app; on macOS a click opens the menu.
    if (options.platform !== 'darwin') this.tray.on('click', () => options.actions.open());
    this.store.add(core.onDidChangePools(() => this.refresh()));
    this.store.add(core.onDidChangeConnections(() => this.refresh()));
    this.store.add(core.onDidChangeAzureSignIn(() => this.refresh()));
    this.refresh();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.store.dispose();
    this.tray.destroy();
  }

  private refresh(): void {
    if (this.disposed) return;
    const { actions } = this.options;
    const azure = this.core.azureSignIn();
    const template = trayMenuTemplate(
      this.core.listPools(),
      {
        open: () => actions.open(),
        connect: (poolId) => {
          // Show the window first so the UI that runs the Connect flow is visible.
          actions.open();
          this.core.requestConnect(poolId);
        },
        quit: () => actions.quit(),
      },
      azure,
    );
    // Linux (AppIndicator) only picks up a changed menu when it is set again.
    this.tray.setContextMenu(this.electron.Menu.buildFromTemplate(template));
    const troubled = this.core.troubledCount();
    const tooltip = trayTooltip(this.core.connectedCount(), troubled, azure);
    // `npm run demo`: the first line says that nothing here is real, and where the emulator is.
    const demo = this.core.demo;
    this.tray.setToolTip(demo ? `${demoLabel(demo)}\n${tooltip}` : tooltip);
    const status = trayStatus(troubled);
    if (status !== this.status) {
      this.status = status;
      this.tray.setImage(this.image(status));
    }
  }

  /** Loaded once per status; a missing file is logged and leaves the tray blank, not broken. */
  private image(status: TrayStatus): NativeImage {
    let image = this.images.get(status);
    if (!image) {
      const path = trayIconPaths(this.options.iconPath)[status];
      // tray.png next to tray@2x.png: Electron picks the @2x file on high-DPI screens.
      image = this.electron.nativeImage.createFromPath(path);
      if (image.isEmpty()) this.options.log(`tray: no icon at ${path}`);
      this.images.set(status, image);
    }
    return image;
  }
}
