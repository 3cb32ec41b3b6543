// Refuses to attach any <webview>, on top of `webviewTag: false`.
import type { WebContentsLike } from '../electron-api';

/**
 * A `<webview>` is a page inside the page with its own webPreferences; the app has none, so
 * any attempt is refused rather than checked.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#12-verify-webview-options-before-creation
 */
export function blockWebviews(contents: WebContentsLike, log: (line: string) => void): void {
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('security: blocked a <webview>');
  });
}
