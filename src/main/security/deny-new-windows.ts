// Denies every new window; http(s) links open in the default browser instead.
import type { WebContentsLike } from '../electron-api';
import { describeUrl } from './describe-url';

/** Only web pages go to the browser: `file:`, `javascript:`, custom schemes could run things. */
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
 * opens (e.g. Jupyter on a tunnel, docs) belong in the user's browser. `shell.openExternal` with
 * an untrusted URL can launch programs, hence the http(s) check.
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
    if (isExternalWebUrl(url)) {
      openExternal(url).catch((err: unknown) => {
        log(`shell: could not open ${describeUrl(url)} in the browser: ${String(err)}`);
      });
    } else {
      log(`security: blocked a new window for ${describeUrl(url)}`);
    }
    return { action: 'deny' };
  });
}
