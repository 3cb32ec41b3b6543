// Sends a strict Content-Security-Policy header with the app's pages.
import type { SessionLike } from '../electron-api';

/**
 * The policy for the app's page. `style-src 'unsafe-inline'` because the UI's CSS-in-JS
 * (Fluent UI / Griffel) inserts <style> elements; `img-src data:` for inline icons.
 * With electron-vite's dev server, React Fast Refresh needs an inline script and Vite's
 * hot reload a WebSocket to the server; both are allowed only in that case.
 */
export function contentSecurityPolicy(devServerOrigin?: string): string {
  const dev = devServerOrigin !== undefined;
  const hotReload = dev ? ` ${devServerOrigin.replace(/^http/, 'ws')}` : '';
  return [
    "default-src 'self'",
    `script-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self'${hotReload}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * A CSP limits what injected markup could load or run (XSS in a terminal title or a pool
 * name must not become script). Any CSP header the server sent is replaced by ours.
 * Headers are added to the app's own responses only; nothing else is ever loaded.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy
 */
export function installContentSecurityPolicy(
  session: SessionLike,
  policy: string,
  isAppUrl: (url: string) => boolean,
): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url)) {
      callback({});
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [policy];
    callback({ responseHeaders: headers });
  });
}
