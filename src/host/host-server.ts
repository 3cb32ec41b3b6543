// The headless host: serves the built UI on 127.0.0.1 and carries the contract over a WebSocket,
// guarded by a random per-session token (URL once, then an HttpOnly cookie on a host name unique
// to this launch), a Host check against DNS rebinding, an Origin check on the socket, and a
// strict CSP. Nothing a client sends can throw out of a request or upgrade handler.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { RpcServer } from '../common/rpc';
import { WsTransport } from './ws-transport';

export interface HostOptions {
  rpc: RpcServer;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to a fresh random token. */
  token?: string;
  /**
   * The name the page is served under, `<label>.localhost` (browsers resolve every `*.localhost`
   * name to loopback). Defaults to a fresh random label: the session cookie is then sent to this
   * launch's host only, never to another local port (a forwarded service, Jupyter) nor to a later
   * launch.
   */
  hostName?: string;
  /**
   * How long a client may take to send a request's headers, and the whole request (defaults
   * HOST_TIMEOUTS). Tests shorten them to see a slow client cut off.
   */
  timeouts?: Partial<typeof HOST_TIMEOUTS>;
}

/**
 * Set explicitly rather than left to Node's defaults (60 s for headers, 300 s per request, checked
 * only every 30 s): a client dribbling its headers one byte at a time (slow-loris) would hold a
 * socket for up to 90 s each. A browser on the same machine sends its headers at once.
 */
export const HOST_TIMEOUTS = {
  headersMs: 10_000,
  requestMs: 30_000,
  /** How often Node looks for connections past those deadlines. */
  checkEveryMs: 1_000,
};

export interface Host {
  readonly port: number;
  /** `<label>.localhost`, the only Host name this host answers to. */
  readonly hostName: string;
  /** The address to open, token included. */
  readonly url: string;
  close(): Promise<void>;
}

const COOKIE = 'dsvm_pool_session';

/** A DNS label unique to this launch (lower-case letters and digits, starting with a letter). */
function randomHostName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const label = [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join('');
  return `dsvm-${label}.localhost`;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return undefined;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  // What the cookie carries: not the printed token, which may sit in a terminal's scrollback or
  // shell history, but a secret of its own that only this launch's browser session ever holds.
  const session = randomBytes(24).toString('base64url');
  const hostName = (options.hostName ?? randomHostName()).toLowerCase();
  if (!/^[a-z0-9-]{1,63}\.localhost$/.test(hostName)) {
    throw new Error(`The host name must be <label>.localhost; got "${hostName}".`);
  }
  const staticRoot = normalize(options.staticDir + sep);
  let port = 0;

  const allowedHost = () => `${hostName}:${port}`;
  const origin = () => `http://${allowedHost()}`;
  /**
   * Host names compare case-insensitively; anything else (127.0.0.1, localhost, junk) is refused,
   * and so is a request with two Host headers (Node keeps the first; RFC 9112 §3.2 says refuse).
   */
  const hostAllowed = (req: IncomingMessage) => {
    const hosts = req.headersDistinct.host ?? [];
    return hosts.length === 1 && hosts[0]!.toLowerCase() === allowedHost();
  };
  const wrongHost =
    'Refused: this app answers only at the address `npm start` printed (http://dsvm-….localhost:<port>/), ' +
    'not at 127.0.0.1, localhost or another name.';
  const csp = () =>
    [
      "default-src 'self'",
      "script-src 'self'",
      // Fluent UI (Griffel) inserts its styles at run time.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      `connect-src 'self' ws://${allowedHost()}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

  /**
   * Whether the request may go on: the printed token in `?token=` (then the answer sets the
   * session cookie), else the session cookie. Undefined: it carries neither.
   */
  function authorised(
    req: IncomingMessage,
    url: URL,
  ): { ok: boolean; fromQuery: boolean } | undefined {
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null) return { ok: sameSecret(fromQuery, token), fromQuery: true };
    const fromCookie = cookieToken(req);
    if (fromCookie === undefined) return undefined;
    return { ok: sameSecret(fromCookie, session), fromQuery: false };
  }

  /** The request's address, parsed against our own origin (never the client's Host header). */
  function requestUrl(req: IncomingMessage): URL | undefined {
    try {
      return new URL(req.url ?? '/', origin());
    } catch {
      return undefined;
    }
  }

  function refuse(res: ServerResponse, status: 401 | 403 | 404 | 405, message: string): void {
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(message + '\n');
  }

  const missingToken =
    'This page needs the address printed by `npm start`, with its token: http://dsvm-….localhost:<port>/?token=…';
  const wrongToken =
    "That token is not this session's. Use the address `npm start` printed last (each start makes a new token).";

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req)) return refuse(res, 403, wrongHost);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(res, 405, 'Only GET is served here.');
      return;
    }
    const url = requestUrl(req);
    if (!url) return refuse(res, 404, 'Not found.');
    const auth = authorised(req, url);
    if (auth === undefined) return refuse(res, 401, missingToken);
    if (!auth.ok) return refuse(res, 403, wrongToken);

    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return refuse(res, 404, 'Not found.');
    }
    if (pathname === '/') pathname = '/index.html';
    const file = normalize(join(staticRoot, pathname));
    if (!file.startsWith(staticRoot)) return refuse(res, 404, 'Not found.');
    let size: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) return refuse(res, 404, 'Not found.');
      size = info.size;
    } catch {
      return refuse(res, 404, 'Not found.');
    }
    const headers: Record<string, string | string[]> = {
      'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(size),
      'Content-Security-Policy': csp(),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': pathname === '/index.html' ? 'no-store' : 'private, max-age=3600',
    };
    if (auth.fromQuery) {
      // The page keeps working after it strips the token from its address bar. No Domain: the
      // cookie belongs to this launch's name only (cookies ignore ports, so on 127.0.0.1 it would
      // reach every local service the browser visits).
      headers['Set-Cookie'] = `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  }

  const timeouts = { ...HOST_TIMEOUTS, ...options.timeouts };
  const http = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkEveryMs,
    },
    (req, res) => {
      serve(req, res).catch(() => {
        if (!res.headersSent) refuse(res, 404, 'Not found.');
        else res.destroy();
      });
    },
  );
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });

  function refuseUpgrade(socket: Socket, status: 401 | 403 | 404, message: string): void {
    const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n` +
        `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );
  }

  function upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (!hostAllowed(req)) return refuseUpgrade(socket, 403, wrongHost);
    const url = requestUrl(req);
    if (!url || url.pathname !== '/rpc') return refuseUpgrade(socket, 404, 'Not found.');
    if (req.headers.origin !== origin()) {
      return refuseUpgrade(
        socket,
        403,
        'Refused: the page that opened this socket is not this app.',
      );
    }
    const auth = authorised(req, url);
    if (auth === undefined) return refuseUpgrade(socket, 401, missingToken);
    if (!auth.ok) return refuseUpgrade(socket, 403, wrongToken);
    wss.handleUpgrade(req, socket, head, (ws) => {
      options.rpc.connect(new WsTransport(ws));
    });
  }

  http.on('upgrade', (req, socket: Socket, head: Buffer) => {
    // A socket error after the refusal (the client went away) must not become an uncaught
    // 'error' event, and nothing a client sends may throw out of here: either would end the
    // process and with it every terminal and tunnel.
    socket.on('error', () => socket.destroy());
    try {
      upgrade(req, socket, head);
    } catch {
      socket.destroy();
    }
  });
  // Malformed request lines and headers: answered 400 (431 too large, 408 too slow: see
  // HOST_TIMEOUTS) and closed, and a client that resets meanwhile is not an error of ours.
  http.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;

  return {
    port,
    hostName,
    url: `http://${hostName}:${port}/?token=${token}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
