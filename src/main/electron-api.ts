// The few Electron pieces the shell uses, as narrow structural types, so tests can pass a stand-in.
//
// Each type is a subset of Electron's own: src/main/index.ts passes the real `electron` module
// where an `ElectronApi` is expected, so the compiler checks these against electron.d.ts.
import type { BrowserWindowConstructorOptions, NativeImage } from 'electron';
import type { MessagePortLike } from '../common/transports/message-port-main';

/** What Electron hands a listener whose default action can be cancelled. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** The details of `will-navigate`, `will-frame-navigate` and `will-redirect`. */
export interface NavigationEvent extends PreventableEvent {
  readonly url: string;
  readonly isMainFrame: boolean;
}

/** A frame of a page (Electron's WebFrameMain). */
export interface WebFrameLike {
  readonly url: string;
  /** `null` for a top-level frame. */
  readonly parent: object | null;
  /** Unique per frame in the browser process. */
  readonly frameTreeNodeId: number;
}

/** What `setWindowOpenHandler` may answer; the shell only ever denies. */
export interface WindowOpenDenial {
  action: 'deny';
}

/** One end of an Electron MessageChannelMain (MessagePortMain). */
export type { MessagePortLike };

export interface MessageChannelLike {
  readonly port1: MessagePortLike;
  readonly port2: MessagePortLike;
}

/** A page's contents (Electron's WebContents). */
export interface WebContentsLike {
  readonly id: number;
  readonly mainFrame: WebFrameLike;
  isDestroyed(): boolean;
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  once(event: 'destroyed', listener: () => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenDenial): void;
  postMessage(channel: string, message: unknown, transfer?: MessagePortLike[]): void;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
  isDestroyed(): boolean;
  isMaximized(): boolean;
  maximize(): void;
  /** The bounds when not maximized (or minimized): what to restore next time. */
  getNormalBounds(): { x: number; y: number; width: number; height: number };
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

/** The menu items the shell builds (a subset of Electron's MenuItemConstructorOptions). */
export interface MenuItemTemplate {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  submenu?: MenuItemTemplate[];
  click?: () => void;
}

/** A built menu; the shell only passes it on to the tray. */
export type MenuLike = object;

export interface TrayLike {
  setImage(image: NativeImage): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: MenuLike | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface AppLike {
  /** False in a development build (`npm run dev`), which never updates itself. */
  readonly isPackaged: boolean;
  requestSingleInstanceLock(): boolean;
  /** Lets the updated app that the installer starts take the lock while this one quits. */
  releaseSingleInstanceLock(): void;
  /** Starts the app again once this one quits. */
  relaunch(): void;
  whenReady(): Promise<void>;
  getPath(name: 'userData'): string;
  quit(): void;
  /** Registers the app for dsvm-pool:// links (the OS's handler for the scheme). */
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  getLoginItemSettings(options?: { args?: string[] }): {
    openAtLogin: boolean;
    /** macOS: this start is the login item's. */
    wasOpenedAtLogin?: boolean;
  };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  /** Windows and Linux: a second launch's argv carries a clicked link. */
  on(
    event: 'second-instance',
    listener: (event: unknown, argv: string[], workingDirectory: string) => void,
  ): unknown;
  /** macOS: a clicked link (also before 'ready', so it is registered early). */
  on(event: 'open-url', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(
    event: 'web-contents-created',
    listener: (event: unknown, contents: WebContentsLike) => void,
  ): unknown;
}

/** The IPC message event (Electron's IpcMainEvent). */
export interface IpcEventLike {
  readonly sender: WebContentsLike;
  /** `null` once the frame navigated away or was destroyed. */
  readonly senderFrame: WebFrameLike | null;
}

export interface IpcMainLike {
  on(channel: string, listener: (event: IpcEventLike) => void): unknown;
  removeListener(channel: string, listener: (event: IpcEventLike) => void): unknown;
}

/** What `onHeadersReceived` passes a listener. */
export interface HeadersReceivedDetails {
  url: string;
  responseHeaders?: Record<string, string[]>;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler:
      | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void)
      | null,
  ): void;
  setPermissionCheckHandler(
    handler: ((contents: unknown, permission: string) => boolean) | null,
  ): void;
  readonly webRequest: {
    onHeadersReceived(
      listener: (
        details: HeadersReceivedDetails,
        callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
      ) => void,
    ): void;
  };
}

/** A shown native notification (Electron's Notification). */
export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

export interface NotificationConstructorLike {
  new (options: { title: string; body: string; icon?: string; silent?: boolean }): NotificationLike;
  /** False where the desktop has no notification service. */
  isSupported(): boolean;
}

/** A display's work area (the screen minus task bars and docks). */
export interface DisplayLike {
  readonly workArea: { x: number; y: number; width: number; height: number };
}

/** Exactly the Electron main-process API the shell uses. */
export interface ElectronApi {
  app: AppLike;
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindowLike;
  // Electron's NativeImage itself: the Tray constructor only accepts a real one (or a path).
  Tray: new (image: NativeImage) => TrayLike;
  Menu: { buildFromTemplate(template: MenuItemTemplate[]): MenuLike };
  nativeImage: { createFromPath(path: string): NativeImage };
  ipcMain: IpcMainLike;
  MessageChannelMain: new () => MessageChannelLike;
  shell: {
    openExternal(url: string): Promise<void>;
    /** Opens a file or folder with the desktop's default app; resolves with an error text or ''. */
    openPath(path: string): Promise<string>;
  };
  session: { readonly defaultSession: SessionLike };
  Notification: NotificationConstructorLike;
  clipboard: { writeText(text: string): void };
  screen: { getAllDisplays(): DisplayLike[]; getPrimaryDisplay(): DisplayLike };
}
