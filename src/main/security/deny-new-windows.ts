// Denies every new window; http(s) links open in the default browser instead, and VS Code's
// "open a remote folder" addresses in VS Code (see external-url.ts for what may leave the app).
import type { WebContentsLike } from '../electron-api';
import { describeUrl } from './describe-url';
import { isAllowedExternalUrl, openExternalSafely } from './external-url';

/** Kept for callers that ask about web pages only. */
export function isExternalWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * A new window would be a second page with its own preload and our privileges; links the UI
 * opens (e.g. Jupyter on a tunnel, docs, "Open in VS Code") belong to the browser or VS Code.
 * `shell.openExternal` with an untrusted URL can launch programs, hence the allow-list.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#14-disable-or-limit-creation-of-new-windows
 * @see https://www.electronjs.org/docs/latest/tutorial/security#15-do-not-use-shellopenexternal-with-untrusted-content
 */
export function denyNewWindows(
  contents: WebContentsLike,
  openExternal: (url: string) => Promise<void>,
  log: (line: string) => void,
): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void openExternalSafely(openExternal, url, log);
    else log(`security: blocked a new window for ${describeUrl(url)}`);
    return { action: 'deny' };
  });
}
