// Keeps every page on the app's own URL: navigations and redirects elsewhere are cancelled.
import type { NavigationEvent, WebContentsLike } from '../electron-api';
import { describeUrl } from './describe-url';

/**
 * A page tricked into navigating (a link, `location = …`, a redirect) would run foreign content
 * in our window, next to our preload. Only the app's page is allowed, in any frame.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 */
export function blockNavigation(
  contents: WebContentsLike,
  isAppUrl: (url: string) => boolean,
  log: (line: string) => void,
): void {
  const guard = (kind: string) => (event: NavigationEvent) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    log(`security: blocked ${kind} to ${describeUrl(event.url)}`);
  };
  contents.on('will-navigate', guard('navigation'));
  // Frames inside the page too (will-navigate covers only the main frame).
  const frameGuard = guard('frame navigation');
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) frameGuard(event);
  });
  contents.on('will-redirect', guard('redirect'));
}
