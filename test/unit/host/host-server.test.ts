// The headless host's guards: loopback only, token on the page and the socket, Host and Origin
// checks, no path traversal, CSP; and a real RPC call over its WebSocket.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { RpcClient, RpcServer } from '../../../src/common/rpc';
import { startHost, type Host } from '../../../src/host/host-server';
import { WsTransport } from '../../../src/host/ws-transport';
import { simpleHandlers } from '../../helpers/simple-handlers';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET to the host on 127.0.0.1, with its own Host name unless `headers` names another. */
function get(host: Host, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const all = { host: `${host.hostName}:${host.port}`, ...headers };
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: all }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Opens a WebSocket to 127.0.0.1 (Node does not resolve `*.localhost`) under the host's name;
 * resolves with it when open, or with the refusal's status code.
 */
function openSocket(
  host: Host,
  path: string,
  headers: Record<string, string>,
): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, {
      headers: { host: `${host.hostName}:${host.port}`, ...headers },
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('headless host', () => {
  let dir: string;
  let host: Host;
  let token: string;
  let origin: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'host-test-'));
    const staticDir = join(dir, 'renderer');
    await mkdir(join(staticDir, 'assets'), { recursive: true });
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'do not serve');
    host = await startHost({ rpc: new RpcServer(simpleHandlers()), staticDir });
    token = new URL(host.url).searchParams.get('token')!;
    origin = `http://${host.hostName}:${host.port}`;
  });

  after(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints an address on a name unique to this launch, with a long random token', async () => {
    assert.match(host.url, /^http:\/\/dsvm-[a-z0-9]{20}\.localhost:\d+\/\?token=[\w-]{32,}$/);
    const other = await startHost({ rpc: new RpcServer(simpleHandlers()), staticDir: dir });
    try {
      assert.notEqual(other.hostName, host.hostName);
    } finally {
      await other.close();
    }
  });

  it('answers 401 without a token and 403 with a wrong one, in plain words', async () => {
    const missing = await get(host, '/');
    assert.equal(missing.status, 401);
    assert.match(missing.body, /needs the address printed by `npm start`/);
    const wrong = await get(host, '/?token=guess');
    assert.equal(wrong.status, 403);
    assert.match(wrong.body, /not this session's/);
    const asset = await get(host, '/assets/app.js');
    assert.equal(asset.status, 401);
  });

  it('serves the page with the token, sets an HttpOnly cookie and a CSP, then assets by cookie', async () => {
    const page = await get(host, `/?token=${token}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>t<\/title>/);
    const cookie = String(page.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    // Host-only (no Domain), and not the printed token: a secret of the browser session's own.
    assert.doesNotMatch(cookie, /Domain=/i);
    assert.ok(!cookie.includes(token));
    assert.match(
      String(page.headers['content-security-policy']),
      new RegExp(`ws://${host.hostName}:${host.port}`),
    );
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    const asset = await get(host, '/assets/app.js', { cookie: cookie.split(';')[0]! });
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
  });

  it('refuses other Host names (DNS rebinding, 127.0.0.1, localhost) and paths outside the UI folder', async () => {
    for (const name of ['evil.example', '127.0.0.1', 'localhost', 'dsvm-other.localhost']) {
      const rebound = await get(host, `/?token=${token}`, { host: `${name}:${host.port}` });
      assert.equal(rebound.status, 403, name);
      assert.match(rebound.body, /only at the address `npm start` printed/);
    }
    const traversal = await get(host, `/..%2fsecret.txt?token=${token}`);
    assert.equal(traversal.status, 404);
    assert.doesNotMatch(traversal.body, /do not serve/);
  });

  it('refuses a socket without the right Host, Origin or token', async () => {
    assert.equal(await openSocket(host, `/rpc?token=${token}`, {}), 403);
    assert.equal(
      await openSocket(host, `/rpc?token=${token}`, { origin: 'http://evil.example' }),
      403,
    );
    assert.equal(
      await openSocket(host, `/rpc?token=${token}`, { origin: `http://127.0.0.1:${host.port}` }),
      403,
    );
    assert.equal(
      await openSocket(host, `/rpc?token=${token}`, { origin, host: `127.0.0.1:${host.port}` }),
      403,
    );
    assert.equal(await openSocket(host, '/rpc', { origin }), 401);
    assert.equal(await openSocket(host, '/rpc?token=nope', { origin }), 403);
    // The printed token is not a session cookie (and the other way round).
    assert.equal(
      await openSocket(host, '/rpc', { origin, cookie: `dsvm_pool_session=${token}` }),
      403,
    );
  });

  it('opens a socket with the session cookie the page got', async () => {
    const page = await get(host, `/?token=${token}`);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const ws = await openSocket(host, '/rpc', { origin, cookie });
    assert.ok(ws instanceof WebSocket);
    ws.close();
  });

  it('fuzz: malformed Host headers, request lines and upgrades never end the process', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(host.port, '127.0.0.1', () => socket.end(text));
        let answer = '';
        socket.on('data', (c: Buffer) => (answer += c.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', () => resolve(answer));
      });
    const upgrade = (hostHeader: string, path = '/rpc') =>
      `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const cases = [
      upgrade('['),
      upgrade(']:1'),
      upgrade('a b'),
      upgrade('%zz'),
      upgrade(`${host.hostName}:${host.port}`, '//['),
      upgrade(`${host.hostName}:${host.port}`, 'http://['),
      upgrade(`${host.hostName}:${host.port}`, '*'),
      'GET /x HTTP/1.1\r\nHost: [\r\n\r\n',
      // Two Host headers (Node keeps the first): refused, as RFC 9112 §3.2 asks (fuzz finding).
      `GET /?token=${token} HTTP/1.1\r\nHost: ${host.hostName}:${host.port}\r\nHost: evil.example\r\n\r\n`,
      `GET /?token=${token} HTTP/1.1\r\nHost: evil.example\r\nHost: ${host.hostName}:${host.port}\r\n\r\n`,
      `GET //[ HTTP/1.1\r\nHost: ${host.hostName}:${host.port}\r\n\r\n`,
      'GET\r\n\r\n',
      'NOT A REQUEST\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: ${host.hostName}:${host.port}\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: ${host.hostName}:${host.port}\r\nContent-Length: -1\r\n\r\n`,
    ];
    for (const text of cases) {
      const answer = await raw(text);
      assert.match(
        answer,
        /^HTTP\/1\.1 (400|401|403|404|405|431)/,
        JSON.stringify(text.slice(0, 60)),
      );
    }
    // Still serving.
    assert.equal((await get(host, `/?token=${token}`)).status, 200);
  });

  it('carries RPC over the socket, validation included', async () => {
    const ws = await openSocket(host, `/rpc?token=${token}`, { origin });
    assert.ok(ws instanceof WebSocket);
    const client = new RpcClient(new WsTransport(ws));
    assert.equal((await client.call('app.info', {})).version, '1.2.3');
    await assert.rejects(
      client.call('terminals.ack', { terminalId: 't', chars: -1 }),
      /needs changes — chars: /,
    );
    client.dispose();
  });
});
