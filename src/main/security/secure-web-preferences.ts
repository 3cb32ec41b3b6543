// The webPreferences of every window: isolated, sandboxed, no Node, web security on.
import type { WebPreferences } from 'electron';

/**
 * The page gets no Node and no Electron: it runs sandboxed in its own JS world, and reaches the
 * app only through the MessagePort the preload hands it. There is no `remote` module (removed
 * from Electron) and no `<webview>`.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#2-do-not-enable-nodejs-integration-for-remote-content
 * @see https://www.electronjs.org/docs/latest/tutorial/security#3-enable-context-isolation
 * @see https://www.electronjs.org/docs/latest/tutorial/security#4-enable-process-sandboxing
 * @see https://www.electronjs.org/docs/latest/tutorial/security#6-do-not-disable-websecurity
 * @see https://www.electronjs.org/docs/latest/tutorial/security#9-do-not-enable-experimental-features
 * @see https://www.electronjs.org/docs/latest/tutorial/security#12-verify-webview-options-before-creation
 */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}
