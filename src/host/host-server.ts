// The headless host: serves the built UI on 127.0.0.1 and carries the contract over a WebSocket,
// guarded by a random per-session token (URL once, then an HttpOnly cookie), a Host check
// against DNS rebinding, an Origin check on the socket, and a strict CSP.
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
}

export interface Host {
  readonly port: number;
  /** The address to open, token included. */
  readonly url: string;
  close(): Promise<void>;
}

const COOKIE = 'dsvm_pool_token';

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
  const staticRoot = normalize(options.staticDir + sep);
  let port = 0;

  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`);
  const csp = () =>
    [
      "default-src 'self'",
      "script-src 'self'",
      // Fluent UI (Griffel) inserts its styles at run time.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

  /** Which token the request carries, if any: `?token=` first, then the cookie. */
  function presented(req: IncomingMessage, url: URL): { token?: string; fromQuery: boolean } {
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null) return { token: fromQuery, fromQuery: true };
    return { token: cookieToken(req), fromQuery: false };
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
    'This page needs the address printed by `npm start`, with its token: http://127.0.0.1:<port>/?token=…';
  const wrongToken =
    "That token is not this session's. Use the address `npm start` printed last (each start makes a new token).";

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      refuse(res, 403, 'Refused: this host only answers to 127.0.0.1 and localhost.');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(res, 405, 'Only GET is served here.');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const { token: given, fromQuery } = presented(req, url);
    if (given === undefined) return refuse(res, 401, missingToken);
    if (!sameSecret(given, token)) return refuse(res, 403, wrongToken);

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
    if (fromQuery) {
      // The page keeps working after it strips the token from its address bar.
      headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  }

  const http = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 404, 'Not found.');
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });

  function refuseUpgrade(socket: Socket, status: 401 | 403 | 404, message: string): void {
    const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n` +
        `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );
  }

  http.on('upgrade', (req, socket: Socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      return refuseUpgrade(
        socket,
        403,
        'Refused: this host only answers to 127.0.0.1 and localhost.',
      );
    }
    if (url.pathname !== '/rpc') return refuseUpgrade(socket, 404, 'Not found.');
    if (!allowedOrigins().includes(req.headers.origin ?? '')) {
      return refuseUpgrade(
        socket,
        403,
        'Refused: the page that opened this socket is not this app.',
      );
    }
    const { token: given } = presented(req, url);
    if (given === undefined) return refuseUpgrade(socket, 401, missingToken);
    if (!sameSecret(given, token)) return refuseUpgrade(socket, 403, wrongToken);
    wss.handleUpgrade(req, socket, head, (ws) => {
      options.rpc.connect(new WsTransport(ws));
    });
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
    url: `http://127.0.0.1:${port}/?token=${token}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
