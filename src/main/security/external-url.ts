// Which addresses may leave the app for another program: web pages to the browser, and VS Code's
// Remote - SSH "open this host" address to VS Code (vscode: / vscode-insiders:). Nothing else.
import { describeUrl } from './describe-url';

/** The schemes VS Code registers; its Remote - SSH opens `<scheme>://vscode-remote/ssh-remote+<host>/<path>`. */
const VSCODE_SCHEMES = new Set(['vscode:', 'vscode-insiders:']);

/**
 * `shell.openExternal` hands the address to whatever program the OS has for its scheme, so a
 * custom scheme is a way to run things (`file:`, `ms-msdt:`, `search-ms:` have all been
 * exploited). Web pages (Jupyter on a tunnel, docs) go to the browser; of VS Code's addresses
 * only the one that opens a remote folder over SSH, not `vscode:extension/…` or any command.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#15-do-not-use-shellopenexternal-with-untrusted-content
 * @see https://code.visualstudio.com/docs/remote/ssh (the vscode://vscode-remote/ssh-remote+ address)
 */
export function isAllowedExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return true;
  if (!VSCODE_SCHEMES.has(parsed.protocol)) return false;
  // No user, password, port, query or fragment: nothing but a host alias and a folder.
  if (parsed.username || parsed.password || parsed.port || parsed.search || parsed.hash) {
    return false;
  }
  return (
    parsed.hostname === 'vscode-remote' &&
    /^\/ssh-remote\+[A-Za-z0-9._-]+(\/[^?#]*)?$/.test(parsed.pathname)
  );
}

/** Opens an allowed address with the OS (the browser, VS Code); refuses and logs anything else. */
export async function openExternalSafely(
  openExternal: (url: string) => Promise<void>,
  url: string,
  log: (line: string) => void,
): Promise<boolean> {
  if (!isAllowedExternalUrl(url)) {
    log(`security: refused to open ${describeUrl(url)} outside the app`);
    return false;
  }
  try {
    await openExternal(url);
    return true;
  } catch (err) {
    log(`shell: could not open ${describeUrl(url)}: ${String(err)}`);
    return false;
  }
}
