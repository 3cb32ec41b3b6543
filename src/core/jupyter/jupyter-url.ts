// The address the user opens: the local end of the forward, the server's base URL and its token.
import type { RemoteJupyter } from './jupyter-service';

/**
 * `http(s)://127.0.0.1:<localPort><baseUrl>?token=<token>` (no query without a token: a Hub or a
 * password server shows its own login). Jupyter turns the token into a cookie and drops it from
 * the address bar on the first redirect.
 */
export function jupyterUrl(
  remote: Pick<RemoteJupyter, 'scheme' | 'baseUrl' | 'token'>,
  localPort: number,
): string {
  const base = remote.baseUrl.startsWith('/') ? remote.baseUrl : `/${remote.baseUrl}`;
  const query = remote.token ? `?token=${encodeURIComponent(remote.token)}` : '';
  return `${remote.scheme}://127.0.0.1:${localPort}${base}${query}`;
}
