// A hand-written stand-in for the Electron API the shell uses, recording what the shell does.
import type { BrowserWindowConstructorOptions, NativeImage } from 'electron';
import type {
  AppLike,
  BrowserWindowLike,
  ElectronApi,
  HeadersReceivedDetails,
  IpcEventLike,
  IpcMainLike,
  MenuItemTemplate,
  MessageChannelLike,
  MessagePortLike,
  SessionLike,
  TrayLike,
  WebContentsLike,
  WebFrameLike,
  WindowOpenDenial,
} from '../../../src/main/electron-api';

type AnyListener = (...args: unknown[]) => unknown;

/** Node-style events, enough for every fake: on, once, removeListener, emit. */
class FakeEmitter {
  private readonly listeners = new Map<string, { fn: AnyListener; once: boolean }[]>();

  on(event: string, listener: (...args: never[]) => unknown): this {
    this.add(event, listener as AnyListener, false);
    return this;
  }

  once(event: string, listener: (...args: never[]) => unknown): this {
    this.add(event, listener as AnyListener, true);
    return this;
  }

  removeListener(event: string, listener: (...args: never[]) => unknown): this {
    const list = this.listeners.get(event) ?? [];
    this.listeners.set(
      event,
      list.filter((entry) => entry.fn !== listener),
    );
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    const list = this.listeners.get(event) ?? [];
    this.listeners.set(
      event,
      list.filter((entry) => !entry.once),
    );
    for (const entry of list) entry.fn(...args);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  private add(event: string, fn: AnyListener, once: boolean): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ fn, once });
    this.listeners.set(event, list);
  }
}

/** An event whose default action a listener may cancel. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let nextFrameId = 1;

export class FakeWebFrame implements WebFrameLike {
  readonly frameTreeNodeId = nextFrameId++;
  constructor(
    public url: string,
    readonly parent: FakeWebFrame | null = null,
  ) {}
}

let nextContentsId = 1;

export interface PostedMessage {
  channel: string;
  message: unknown;
  transfer: MessagePortLike[];
}

export class FakeWebContents extends FakeEmitter implements WebContentsLike {
  readonly id = nextContentsId++;
  readonly mainFrame = new FakeWebFrame('about:blank');
  readonly posted: PostedMessage[] = [];
  windowOpenHandler?: (details: { url: string }) => WindowOpenDenial;
  private destroyed = false;

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenDenial): void {
    this.windowOpenHandler = handler;
  }

  postMessage(channel: string, message: unknown, transfer: MessagePortLike[] = []): void {
    this.posted.push({ channel, message, transfer });
  }

  // --- test helpers ---

  /** Fires a navigation event as Electron would; true if a listener cancelled it. */
  attemptNavigation(
    url: string,
    kind: 'will-navigate' | 'will-frame-navigate' | 'will-redirect' = 'will-navigate',
    isMainFrame = true,
  ): boolean {
    const event = Object.assign(new FakeEvent(), { url, isMainFrame });
    this.emit(kind, event);
    // Electron also fires will-frame-navigate for the main frame.
    if (kind === 'will-navigate') this.emit('will-frame-navigate', event);
    if (!event.defaultPrevented && isMainFrame) this.mainFrame.url = url;
    return event.defaultPrevented;
  }

  /** What `window.open(url)` in the page would get. */
  openWindow(url: string): WindowOpenDenial | undefined {
    return this.windowOpenHandler?.({ url });
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export class FakeBrowserWindow extends FakeEmitter implements BrowserWindowLike {
  readonly webContents = new FakeWebContents();
  loadedUrl?: string;
  visible = false;
  focused = false;
  minimized = false;
  maximized = false;
  hideCount = 0;
  private destroyed = false;

  constructor(
    readonly options: BrowserWindowConstructorOptions,
    onContents: (contents: FakeWebContents) => void,
  ) {
    super();
    onContents(this.webContents);
  }

  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
    // Like Chromium: the page paints a little later.
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }

  show(): void {
    this.visible = true;
  }

  hide(): void {
    this.visible = false;
    this.hideCount++;
  }

  focus(): void {
    this.focused = true;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  restore(): void {
    this.minimized = false;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  isMaximized(): boolean {
    return this.maximized;
  }

  maximize(): void {
    this.maximized = true;
    this.emit('maximize');
  }

  getNormalBounds(): { x: number; y: number; width: number; height: number } {
    const { x = 0, y = 0, width = 800, height = 600 } = this.options;
    return { x, y, width, height };
  }

  /** The user drags or resizes the window to `bounds`. */
  userMove(bounds: { x: number; y: number; width: number; height: number }): void {
    Object.assign(this.options, bounds);
    this.emit('move');
  }

  /** The user closes the window; true if it was really closed (not just hidden). */
  userClose(): boolean {
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroyed = true;
    this.webContents.destroy();
    return true;
  }
}

export class FakeApp extends FakeEmitter implements AppLike {
  /** False to play the second instance. */
  lockAvailable = true;
  lockRequested = false;
  lockReleased = false;
  relaunched = false;
  isPackaged = true;
  readonly protocolClients: { protocol: string; path?: string; args?: string[] }[] = [];
  loginItem = { openAtLogin: false, args: undefined as string[] | undefined };
  quitCalls = 0;
  /** True once a quit went through (no before-quit listener cancelled it). */
  quitted = false;
  readonly windows: FakeBrowserWindow[] = [];

  requestSingleInstanceLock(): boolean {
    this.lockRequested = true;
    return this.lockAvailable;
  }

  releaseSingleInstanceLock(): void {
    this.lockReleased = true;
  }

  relaunch(): void {
    this.relaunched = true;
  }

  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
    this.protocolClients.push({ protocol, ...(path ? { path } : {}), ...(args ? { args } : {}) });
    return true;
  }

  getLoginItemSettings(): { openAtLogin: boolean } {
    return { openAtLogin: this.loginItem.openAtLogin };
  }

  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void {
    this.loginItem = { openAtLogin: settings.openAtLogin, args: settings.args };
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  /** The data folder (a real one when a test reads what the shell saved there). */
  userDataPath = '/fake/userData';

  getPath(name: 'userData'): string {
    return name === 'userData' ? this.userDataPath : `/fake/${String(name)}`;
  }

  quit(): void {
    this.quitCalls++;
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    for (const window of this.windows) if (!window.isDestroyed()) window.userClose();
    this.quitted = true;
  }
}

export class FakeIpcMain extends FakeEmitter implements IpcMainLike {
  /** Sends `channel` as if from `frame` of `sender`. */
  sendFrom(
    channel: string,
    sender: FakeWebContents,
    frame: FakeWebFrame | null = sender.mainFrame,
  ): void {
    const event: IpcEventLike = { sender, senderFrame: frame };
    this.emit(channel, event);
  }
}

/** One end of a fake MessageChannelMain: messages are cloned and delivered asynchronously. */
export class FakeMessagePort extends FakeEmitter implements MessagePortLike {
  other?: FakeMessagePort;
  started = false;
  closed = false;
  private readonly queue: unknown[] = [];

  postMessage(message: unknown): void {
    if (this.closed) return;
    // structuredClone: what can't cross a real port fails here too.
    const copy = structuredClone(message);
    const other = this.other;
    setImmediate(() => other?.receive(copy));
  }

  start(): void {
    this.started = true;
    for (const message of this.queue.splice(0)) this.emit('message', { data: message, ports: [] });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const other = this.other;
    // Like Electron: 'close' is emitted on the other end.
    setImmediate(() => other?.remoteClosed());
  }

  private receive(message: unknown): void {
    if (this.closed) return;
    if (this.started) this.emit('message', { data: message, ports: [] });
    else this.queue.push(message);
  }

  private remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

export class FakeMessageChannel implements MessageChannelLike {
  readonly port1 = new FakeMessagePort();
  readonly port2 = new FakeMessagePort();
  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
  }
}

export interface FakeMenu {
  template: MenuItemTemplate[];
}

export class FakeTray extends FakeEmitter implements TrayLike {
  toolTip = '';
  menu: FakeMenu | null = null;
  menuBuilds = 0;
  destroyed = false;
  /** Every image set after the constructor's. */
  readonly images: FakeNativeImage[] = [];

  constructor(public image: FakeNativeImage) {
    super();
  }

  setImage(image: object): void {
    this.image = image as FakeNativeImage;
    this.images.push(this.image);
  }

  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }

  setContextMenu(menu: object | null): void {
    this.menu = menu as FakeMenu | null;
    this.menuBuilds++;
  }

  destroy(): void {
    this.destroyed = true;
  }

  /** The labels of the menu, separators as '---'. */
  labels(items: MenuItemTemplate[] = this.menu?.template ?? []): string[] {
    return items.map((item) => (item.type === 'separator' ? '---' : (item.label ?? '')));
  }

  /** Clicks the menu item at this path of labels, e.g. ('Team VMs', 'Connect'). */
  clickItem(...path: string[]): void {
    let items = this.menu?.template ?? [];
    let item: MenuItemTemplate | undefined;
    for (const label of path) {
      item = items.find((i) => i.label === label);
      if (!item) throw new Error(`no menu item "${label}" in ${this.labels(items).join(', ')}`);
      items = item.submenu ?? [];
    }
    if (!item?.click) throw new Error(`menu item "${path.join(' › ')}" does nothing`);
    item.click();
  }

  /** The item at this path of labels. */
  item(...path: string[]): MenuItemTemplate | undefined {
    let items = this.menu?.template ?? [];
    let item: MenuItemTemplate | undefined;
    for (const label of path) {
      item = items.find((i) => i.label === label);
      items = item?.submenu ?? [];
    }
    return item;
  }
}

export class FakeNativeImage {
  template = false;
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return false;
  }
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
}

/** A shown native notification; `click()` plays the user clicking it. */
export class FakeNotification extends FakeEmitter {
  shown = false;
  constructor(readonly options: { title: string; body: string; icon?: string }) {
    super();
  }
  show(): void {
    this.shown = true;
  }
  click(): void {
    this.emit('click');
  }
}

export class FakeSession implements SessionLike {
  requestHandler:
    ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null =
    null;
  checkHandler: ((contents: unknown, permission: string) => boolean) | null = null;
  headersListener?: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0];

  readonly webRequest = {
    onHeadersReceived: (listener: NonNullable<FakeSession['headersListener']>) => {
      this.headersListener = listener;
    },
  };

  setPermissionRequestHandler(handler: FakeSession['requestHandler']): void {
    this.requestHandler = handler;
  }

  setPermissionCheckHandler(handler: FakeSession['checkHandler']): void {
    this.checkHandler = handler;
  }

  /** What a page asking for `permission` is told; Electron grants it when no handler is set. */
  requestPermission(permission: string): Promise<boolean> {
    const handler = this.requestHandler;
    if (!handler) return Promise.resolve(true);
    return new Promise((resolve) => handler(null, permission, resolve));
  }

  checkPermission(permission: string): boolean {
    return this.checkHandler ? this.checkHandler(null, permission) : true;
  }

  /** The response headers after the session's listener had its say. */
  receiveHeaders(
    url: string,
    responseHeaders: Record<string, string[]> = {},
  ): Record<string, string | string[]> {
    const details: HeadersReceivedDetails = { url, responseHeaders };
    let result: Record<string, string | string[]> = responseHeaders;
    this.headersListener?.(details, (response) => {
      if (response.responseHeaders) result = response.responseHeaders;
    });
    return result;
  }
}

/** A fresh fake Electron, with handles on everything it records. */
export function createFakeElectron() {
  const app = new FakeApp();
  const ipcMain = new FakeIpcMain();
  const session = new FakeSession();
  const trays: FakeTray[] = [];
  const channels: FakeMessageChannel[] = [];
  const opened: string[] = [];
  const openedPaths: string[] = [];
  const notifications: FakeNotification[] = [];
  const clipboard: string[] = [];
  const display = { workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
  const displays = [display];
  const notificationSupport = { supported: true };

  class BrowserWindow extends FakeBrowserWindow {
    constructor(options: BrowserWindowConstructorOptions) {
      // Electron announces every new webContents on the app.
      super(options, (contents) => app.emit('web-contents-created', new FakeEvent(), contents));
      app.windows.push(this);
    }
  }

  class Tray extends FakeTray {
    constructor(image: NativeImage) {
      super(image as unknown as FakeNativeImage);
      trays.push(this);
    }
  }

  class MessageChannelMain extends FakeMessageChannel {
    constructor() {
      super();
      channels.push(this);
    }
  }

  const electron: ElectronApi = {
    app,
    BrowserWindow,
    Tray,
    Menu: { buildFromTemplate: (template): FakeMenu => ({ template }) },
    // The one cast: the Tray constructor's type wants Electron's own NativeImage class.
    nativeImage: { createFromPath: (path) => new FakeNativeImage(path) as unknown as NativeImage },
    ipcMain,
    MessageChannelMain,
    shell: {
      openExternal: (url) => {
        opened.push(url);
        return Promise.resolve();
      },
      openPath: (path) => {
        openedPaths.push(path);
        return Promise.resolve('');
      },
    },
    session: { defaultSession: session },
    Notification: class extends FakeNotification {
      static isSupported(): boolean {
        return notificationSupport.supported;
      }
      constructor(options: { title: string; body: string; icon?: string }) {
        super(options);
        notifications.push(this);
      }
    },
    clipboard: { writeText: (text: string) => void clipboard.push(text) },
    screen: { getAllDisplays: () => displays, getPrimaryDisplay: () => displays[0]! },
  };

  return {
    electron,
    app,
    ipcMain,
    session,
    trays,
    channels,
    opened,
    openedPaths,
    notifications,
    notificationSupport,
    clipboard,
    displays,
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
