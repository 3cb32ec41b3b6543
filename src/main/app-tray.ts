// The tray icon: a status badge and a tooltip from the connections, and a menu (tray-menu.ts's
// model) rebuilt, debounced, when pools, connections or the sign-in change.
import type { AppCore } from '../core/app-core';
import { demoLabel } from '../common/demo-label';
import { DisposableStore, type Disposable } from '../common/event';
import type { NativeImage } from 'electron';
import type { ElectronApi, TrayLike } from './electron-api';
import {
  STOPPED_TOOLTIP,
  toMenuTemplate,
  trayMenuModel,
  trayTooltip,
  type TrayCommand,
  type TrayMenuInput,
} from './tray-menu';

/** What the tray icon shows: a badge while a connection is reconnecting, another once one is lost. */
export type TrayStatus = 'normal' | 'reconnecting' | 'lost';

/**
 * The icon of each status: tray.png and tray-<status>.png (each with its @2x file beside it). On
 * macOS the normal icon is trayTemplate.png, a black-and-alpha image the menu bar tints for light
 * and dark mode; the badges keep their colour, which is their point.
 */
export function trayIconPaths(
  trayIconPath: string,
  platform: NodeJS.Platform = 'linux',
): Record<TrayStatus, string> {
  const variant = (status: string) => trayIconPath.replace(/\.png$/, `-${status}.png`);
  const normal =
    platform === 'darwin' ? trayIconPath.replace(/\.png$/, 'Template.png') : trayIconPath;
  return { normal, reconnecting: variant('reconnecting'), lost: variant('lost') };
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
  /** Runs what a menu item says (the shell: the window, the core, the clipboard, the login item). */
  run(command: TrayCommand): void;
  /** Start at login, read at each rebuild; undefined hides the item. */
  startAtLogin?(): { enabled: boolean } | undefined;
  /** Whether Copy ssh command and Open in VS Code can run (their core methods are wired). */
  tools?: TrayMenuInput['tools'];
  /** Whether the core stopped for good (crashed too often), read at each rebuild. */
  stopped?(): boolean;
  /** A burst of changes (a refresh of many pools) rebuilds the menu once after this (ms); 0: at once. */
  rebuildDelayMs?: number;
  log(line: string): void;
}

type TrayCore = Pick<
  AppCore,
  | 'listPools'
  | 'listConnections'
  | 'onDidChangePools'
  | 'connectedCount'
  | 'troubledCount'
  | 'onDidChangeConnections'
  | 'azureSignIn'
  | 'onDidChangeAzureSignIn'
  | 'demo'
>;

export class AppTray implements Disposable {
  private readonly tray: TrayLike;
  private readonly store = new DisposableStore();
  private readonly images = new Map<TrayStatus, NativeImage>();
  private status: TrayStatus = 'normal';
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly electron: Pick<ElectronApi, 'Tray' | 'Menu' | 'nativeImage'>,
    private readonly core: TrayCore,
    private readonly options: AppTrayOptions,
  ) {
    this.tray = new electron.Tray(this.image('normal'));
    // Windows and Linux users expect a click to open the app; on macOS a click opens the menu.
    if (options.platform !== 'darwin') this.tray.on('click', () => options.run({ type: 'open' }));
    const later = () => this.scheduleRefresh();
    this.store.add(core.onDidChangePools(later));
    this.store.add(core.onDidChangeConnections(later));
    this.store.add(core.onDidChangeAzureSignIn(later));
    this.refresh();
  }

  /** Builds the menu, tooltip and icon now (e.g. after Start at login was toggled). */
  refresh(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed) return;
    const azure = this.core.azureSignIn();
    const startAtLogin = this.options.startAtLogin?.();
    const stopped = this.options.stopped?.() === true;
    const model = trayMenuModel({
      pools: this.core.listPools(),
      connections: this.core.listConnections(),
      azure,
      ...(startAtLogin ? { startAtLogin } : {}),
      ...(this.options.tools ? { tools: this.options.tools } : {}),
      ...(stopped ? { stopped } : {}),
    });
    const template = toMenuTemplate(model, (command) => this.options.run(command));
    // Linux (AppIndicator) only picks up a changed menu when it is set again.
    this.tray.setContextMenu(this.electron.Menu.buildFromTemplate(template));
    const troubled = this.core.troubledCount();
    const tooltip = stopped
      ? STOPPED_TOOLTIP
      : trayTooltip(this.core.connectedCount(), troubled, azure);
    // `npm run demo`: the first line says that nothing here is real, and where the emulator is.
    const demo = this.core.demo;
    this.tray.setToolTip(demo ? `${demoLabel(demo)}\n${tooltip}` : tooltip);
    // A stopped core wears the lost badge: nothing of it works any more.
    const status = stopped ? 'lost' : trayStatus(troubled);
    if (status !== this.status) {
      this.status = status;
      this.tray.setImage(this.image(status));
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    this.store.dispose();
    this.tray.destroy();
  }

  /** Many changes in a row (a pool refresh, a reconnect's steps) make one rebuild. */
  private scheduleRefresh(): void {
    if (this.disposed || this.timer) return;
    const delay = this.options.rebuildDelayMs ?? 100;
    if (delay <= 0) this.refresh();
    else this.timer = setTimeout(() => this.refresh(), delay);
  }

  /** Loaded once per status; a missing file is logged and leaves the tray blank, not broken. */
  private image(status: TrayStatus): NativeImage {
    let image = this.images.get(status);
    if (!image) {
      const path = trayIconPaths(this.options.iconPath, this.options.platform)[status];
      // tray.png next to tray@2x.png: Electron picks the @2x file on high-DPI screens.
      image = this.electron.nativeImage.createFromPath(path);
      if (image.isEmpty()) this.options.log(`tray: no icon at ${path}`);
      else if (status === 'normal' && this.options.platform === 'darwin') {
        image.setTemplateImage(true);
      }
      this.images.set(status, image);
    }
    return image;
  }
}
