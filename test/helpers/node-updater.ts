// electron-updater's AppImageUpdater in plain Node: a stand-in for Electron's `app` (the updater's
// own AppAdapter seam) and Node's http for Electron's net, so its check, download and sha512
// verification run here exactly as in the app. Only quitAndInstall needs Electron.
import { request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { AppImageUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter';
import { ElectronHttpExecutor } from 'electron-updater/out/electronHttpExecutor';

/**
 * electron-updater's own executor (its download(), which streams the file through the sha512
 * check) with Node's http in place of Electron's net.request, as builder-util's NodeHttpExecutor
 * does for electron-builder's tests. Node's responses carry redirects as 3xx, which the base
 * class follows, so no redirect listener is needed.
 */
class NodeHttpExecutor extends ElectronHttpExecutor {
  constructor() {
    super(undefined);
  }
  // Typed as Electron's request by the base class; the base only uses what both have.
  override createRequest(
    options: RequestOptions,
    callback: (response: IncomingMessage) => void,
  ): Electron.ClientRequest {
    const request: ClientRequest = (options.protocol === 'https:' ? httpsRequest : httpRequest)(
      options,
      callback,
    );
    return request as unknown as Electron.ClientRequest;
  }
  override addRedirectHandlers(): void {}
}

/** Electron's app as electron-updater sees it, for an app installed in `dir`. */
export class StandInApp implements AppAdapter {
  readonly name = 'dsvm-pool';
  readonly isPackaged = true;
  quitCalls = 0;

  constructor(
    readonly version: string,
    private readonly dir: string,
  ) {}

  get appUpdateConfigPath(): string {
    return join(this.dir, 'resources', 'app-update.yml');
  }
  get userDataPath(): string {
    return join(this.dir, 'userData');
  }
  get baseCachePath(): string {
    return join(this.dir, 'cache');
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  relaunch(): void {}
  quit(): void {
    this.quitCalls++;
  }
  onQuit(): void {}
}

/** The updater the app gets on Linux from an AppImage, on a stand-in app of `version`. */
export function nodeAppImageUpdater(version: string, dir: string): AppImageUpdater {
  const updater = new AppImageUpdater(null, new StandInApp(version, dir));
  // Set by the constructor only when it builds its own Electron adapter; internal, not typed.
  (updater as unknown as { httpExecutor: ElectronHttpExecutor }).httpExecutor =
    new NodeHttpExecutor();
  return updater;
}
