// Applies the per-page denials (navigation, new windows, webviews) to a webContents.
import type { WebContentsLike } from '../electron-api';
import { blockNavigation } from './block-navigation';
import { blockWebviews } from './block-webviews';
import { denyNewWindows } from './deny-new-windows';

export interface HardenOptions {
  isAppUrl(url: string): boolean;
  openExternal(url: string): Promise<void>;
  log(line: string): void;
}

/**
 * Called from `app.on('web-contents-created')`, so every webContents gets the denials, not only
 * the windows the shell makes (a webContents created any other way would otherwise slip by).
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 */
export function hardenWebContents(contents: WebContentsLike, options: HardenOptions): void {
  blockNavigation(contents, options.isAppUrl, options.log);
  denyNewWindows(contents, options.openExternal, options.log);
  blockWebviews(contents, options.log);
}
