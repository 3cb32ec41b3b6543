// The tray icon: tooltip with the connection count and a menu rebuilt when pools or connections change.
import type { AppCore } from '../core/app-core';
import { DisposableStore, type Disposable } from '../common/event';
import type { ElectronApi, TrayLike } from './electron-api';
import { trayMenuTemplate, trayTooltip, type TrayActions } from './tray-menu';

export interface AppTrayOptions {
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
>;

export class AppTray implements Disposable {
  private readonly tray: TrayLike;
  private readonly store = new DisposableStore();
  private disposed = false;

  constructor(
    private readonly electron: Pick<ElectronApi, 'Tray' | 'Menu' | 'nativeImage'>,
    private readonly core: TrayCore,
    private readonly options: AppTrayOptions,
  ) {
    // tray.png next to tray@2x.png: Electron picks the @2x file on high-DPI screens.
    const image = electron.nativeImage.createFromPath(options.iconPath);
    if (image.isEmpty()) options.log(`tray: no icon at ${options.iconPath}`);
    this.tray = new electron.Tray(image);
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
    this.tray.setToolTip(trayTooltip(this.core.connectedCount(), this.core.troubledCount(), azure));
  }
}
