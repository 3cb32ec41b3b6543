// Picks how the page reaches the app: a WebSocket to the headless host, or Electron's MessagePort.
import { RpcClient } from '../common/rpc';
import { MessagePortTransport } from '../common/transports/message-port';
import { WebSocketTransport } from '../common/transports/websocket';

const TOKEN_KEY = 'dsvm-pool:token';
/** What the preload posts to the page along with the port (see src/preload). */
const PORT_MESSAGE = 'dsvm-pool:port';

export type AppConnectFailure = 'no-token' | 'socket-failed';

/** Why the page could not reach the app, with a sentence to show as is. */
export class AppConnectError extends Error {
  constructor(
    readonly reason: AppConnectFailure,
    message: string,
  ) {
    super(message);
    this.name = 'AppConnectError';
  }
}

/** Reads the token from the address (then hides it) or from an earlier visit in this tab. */
function takeToken(): string | undefined {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    // The token grants full control of the app: keep it out of the history, bookmarks and
    // screenshots of the address bar. sessionStorage survives reloads of this tab only.
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

function isElectron(): boolean {
  return /\bElectron\//.test(navigator.userAgent);
}

function openSocket(token: string | undefined): Promise<RpcClient> {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  const address = `${scheme}://${window.location.host}/rpc${query}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(address);
    const fail = () => {
      socket.removeEventListener('open', onOpen);
      // Browsers hide the HTTP status of a refused upgrade (401/403 look like any other
      // failure), so the message names the usual causes instead of guessing one.
      reject(
        new AppConnectError(
          token ? 'socket-failed' : 'no-token',
          token
            ? `Could not connect to the app at ${window.location.host}: the token is wrong or from ` +
                'an earlier start, or the app has stopped. This page needs the address printed by ' +
                '`npm start`, with its token.'
            : 'This page needs the address printed by `npm start`, with its token.',
        ),
      );
    };
    const onOpen = () => {
      socket.removeEventListener('error', fail);
      socket.removeEventListener('close', fail);
      resolve(new RpcClient(new WebSocketTransport(socket)));
    };
    socket.addEventListener('open', onOpen, { once: true });
    socket.addEventListener('error', fail, { once: true });
    socket.addEventListener('close', fail, { once: true });
  });
}

function waitForPort(): Promise<RpcClient> {
  return new Promise((resolve) => {
    const onMessage = (event: MessageEvent) => {
      // Only the preload (same window, isolated world) may hand us the port; a frame or another
      // window posting the same string must not become our app connection.
      if (event.source !== window || event.data !== PORT_MESSAGE) return;
      const port = event.ports[0];
      if (!port) return;
      window.removeEventListener('message', onMessage);
      resolve(new RpcClient(new MessagePortTransport(port)));
    };
    window.addEventListener('message', onMessage);
  });
}

/**
 * Connects to the app. Call it as early as possible: in Electron the preload posts the port once,
 * and a listener added after that message is delivered would wait forever.
 */
export function connectToApp(): Promise<RpcClient> {
  const token = takeToken();
  if (token) return openSocket(token);
  if (isElectron()) return waitForPort();
  // No token in this tab, but the host may have set its session cookie when it served this page
  // (e.g. the address was opened in a new tab): the socket then works without one.
  return openSocket(undefined);
}
