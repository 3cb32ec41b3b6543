// The app's one window: created hidden with secure preferences where it was last (size, place,
// maximized), shown on demand, hidden on close.
import type { BrowserWindowLike, ElectronApi, WebContentsLike } from './electron-api';
import type { RendererLocation } from './renderer-location';
import { secureWebPreferences } from './security/secure-web-preferences';
import { DEFAULT_SIZE, MIN_SIZE, type WindowState } from './window-state';

export interface MainWindowOptions {
  preloadPath: string;
  location: RendererLocation;
  /** The window icon (Linux and Windows show it in the taskbar). */
  iconPath?: string;
  /** While this says false, closing the window only hides it (the tray keeps the app). */
  isQuitting(): boolean;
  /** Where the window goes when created (placeWindow: the saved state on today's displays). */
  placement?(): WindowState;
  /** The window moved, was resized, maximized or restored. */
  onStateChange?(state: WindowState): void;
  log(line: string): void;
}

export class MainWindow {
  private window: BrowserWindowLike | undefined;

  constructor(
    private readonly electron: Pick<ElectronApi, 'BrowserWindow'>,
    private readonly options: MainWindowOptions,
  ) {}

  /** True for the webContents of the current window (the only one allowed an RPC port). */
  owns(contents: WebContentsLike): boolean {
    const window = this.window;
    // By id: the id identifies a webContents whichever JS object stands for it.
    return window !== undefined && !window.isDestroyed() && window.webContents.id === contents.id;
  }

  /** Shows and focuses the window; a new one is shown once its page has rendered. */
  show(): void {
    if (this.window && !this.window.isDestroyed()) {
      reveal(this.window);
      return;
    }
    const window = this.create();
    // Not before: a window shown at once flashes an empty frame while the page loads.
    window.once('ready-to-show', () => reveal(window));
  }

  /** Loads the page again, if there is a window (it then asks for a new port: a new core). */
  reload(): void {
    const window = this.window;
    if (!window || window.isDestroyed()) return;
    window.loadURL(this.options.location.url).catch((err: unknown) => {
      this.options.log(`window: could not load the UI again: ${String(err)}`);
    });
  }

  private create(): BrowserWindowLike {
    const { options } = this;
    const place = options.placement?.();
    const window = new this.electron.BrowserWindow({
      title: 'dsvm-pool',
      ...(place ? place.bounds : DEFAULT_SIZE),
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
      autoHideMenuBar: true,
      ...(options.iconPath ? { icon: options.iconPath } : {}),
      webPreferences: secureWebPreferences(options.preloadPath),
    });
    // Maximized before it is first shown, so it never flashes at its normal size.
    if (place?.maximized) window.maximize();
    const report = () => {
      if (window.isDestroyed()) return;
      options.onStateChange?.({
        bounds: window.getNormalBounds(),
        maximized: window.isMaximized(),
      });
    };
    for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) {
      window.on(event, report);
    }
    window.on('close', (event) => {
      report();
      // A tray app keeps running with its window closed (as on macOS generally).
      if (options.isQuitting()) return;
      event.preventDefault();
      window.hide();
    });
    this.window = window;
    window.loadURL(options.location.url).catch((err: unknown) => {
      options.log(`window: could not load the UI: ${String(err)}`);
    });
    return window;
  }
}

function reveal(window: BrowserWindowLike): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
