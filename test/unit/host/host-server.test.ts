// The headless host's guards: loopback only, token on the page and the socket, Host and Origin
// checks, no path traversal, CSP; and a real RPC call over its WebSocket.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
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

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with it when open, or with the refusal's status code. */
function openSocket(url: string, headers: Record<string, string>): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
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
    origin = `http://127.0.0.1:${host.port}`;
  });

  after(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a loopback address with a long random token', () => {
    assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32,}$/);
  });

  it('answers 401 without a token and 403 with a wrong one, in plain words', async () => {
    const missing = await get(host.port, '/');
    assert.equal(missing.status, 401);
    assert.match(missing.body, /needs the address printed by `npm start`/);
    const wrong = await get(host.port, '/?token=guess');
    assert.equal(wrong.status, 403);
    assert.match(wrong.body, /not this session's/);
    const asset = await get(host.port, '/assets/app.js');
    assert.equal(asset.status, 401);
  });

  it('serves the page with the token, sets an HttpOnly cookie and a CSP, then assets by cookie', async () => {
    const page = await get(host.port, `/?token=${token}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>t<\/title>/);
    const cookie = String(page.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    const asset = await get(host.port, '/assets/app.js', { cookie: cookie.split(';')[0]! });
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
  });

  it('refuses other Host names (DNS rebinding) and paths outside the UI folder', async () => {
    const rebound = await get(host.port, `/?token=${token}`, { host: `evil.example:${host.port}` });
    assert.equal(rebound.status, 403);
    const traversal = await get(host.port, `/..%2fsecret.txt?token=${token}`);
    assert.equal(traversal.status, 404);
    assert.doesNotMatch(traversal.body, /do not serve/);
  });

  it('refuses a socket without the right Origin or token', async () => {
    const url = `ws://127.0.0.1:${host.port}/rpc`;
    assert.equal(await openSocket(`${url}?token=${token}`, {}), 403);
    assert.equal(await openSocket(`${url}?token=${token}`, { origin: 'http://evil.example' }), 403);
    assert.equal(await openSocket(url, { origin }), 401);
    assert.equal(await openSocket(`${url}?token=nope`, { origin }), 403);
  });

  it('carries RPC over the socket, validation included', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${host.port}/rpc?token=${token}`, { origin });
    assert.ok(ws instanceof WebSocket);
    const client = new RpcClient(new WsTransport(ws));
    assert.equal((await client.call('app.info', {})).version, '1.2.3');
    await assert.rejects(
      client.call('terminals.ack', { terminalId: 't', chars: -1 }),
      /Bad input for terminals\.ack: chars/,
    );
    client.dispose();
  });
});
