// Fuzz of the headless host's HTTP and WebSocket front over raw loopback sockets: generated
// request lines, headers (huge, duplicated, NUL, obs-fold), Host and Origin values, upgrades with
// bad keys and versions or another launch's token, pipelining, and slow-loris clients. Pass: no
// crash, every conversation ends with a 4xx or a close (2xx/101 only for this launch's token on
// this launch's name), and a good client is served throughout.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { RpcClient, RpcServer } from '../../../src/common/rpc';
import { HOST_TIMEOUTS, startHost, type Host } from '../../../src/host/host-server';
import { WsTransport } from '../../../src/host/ws-transport';
import { fuzzRuns, fuzzSeed, hostileString, sampleOf, within } from '../../helpers/fuzz';
import { simpleHandlers } from '../../helpers/simple-handlers';

/** What a raw conversation got back: every status line, whether a session cookie was set. */
interface Conversation {
  statuses: number[];
  setCookie: boolean;
  text: string;
}

/**
 * The responses of a conversation, read one after the other (status line, headers, a body of
 * Content-Length), and whether the last one has fully arrived.
 */
function parseAnswer(text: string, head: boolean) {
  const statuses: number[] = [];
  let at = 0;
  let complete = false;
  while (at < text.length) {
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(text.slice(at, at + 20));
    const end = text.indexOf('\r\n\r\n', at);
    if (!status || end < 0) {
      complete = false;
      break;
    }
    statuses.push(Number(status[1]));
    const headers = text.slice(at, end);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
    const chunked = /\r\ntransfer-encoding: *chunked/i.test(headers);
    const lastChunk = chunked ? text.indexOf('\r\n0\r\n\r\n', end) : -1;
    const bodyEnd = chunked
      ? lastChunk < 0
        ? Infinity
        : lastChunk + 7
      : end + 4 + (head || status[1] === '101' ? 0 : length);
    complete = text.length >= bodyEnd;
    if (status[1] === '101') break;
    at = bodyEnd;
  }
  return { statuses, complete };
}

/**
 * Writes `bytes` on a fresh loopback socket and reads until the host closes, or, when `halfClose`
 * is false, until `responses` answers have fully arrived (a keep-alive host would wait for more).
 */
function converse(
  port: number,
  bytes: string,
  options: { halfClose: boolean; responses?: number; head?: boolean },
): Promise<Conversation> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () =>
      options.halfClose ? socket.end(bytes) : socket.write(bytes),
    );
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      const text = Buffer.concat(chunks).toString('latin1');
      socket.destroy();
      resolve({
        statuses: parseAnswer(text, false).statuses,
        setCookie: /\r\nset-cookie:/i.test(text),
        text,
      });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.halfClose) return;
      const answer = parseAnswer(Buffer.concat(chunks).toString('latin1'), options.head === true);
      if (answer.complete && answer.statuses.length >= (options.responses ?? 1)) done();
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

/** A GET on 127.0.0.1 under the host's own name. */
function get(host: Host, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; cookie?: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        path,
        headers: { host: `${host.hostName}:${host.port}`, ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A good client: the page with the token, then one RPC call over the socket. */
async function goodClient(host: Host, token: string): Promise<void> {
  const page = await within(get(host, `/?token=${token}`), 15_000, 'the page');
  assert.equal(page.status, 200, 'a good client gets the page');
  const origin = `http://${host.hostName}:${host.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc`, {
    headers: { host: `${host.hostName}:${host.port}`, origin, cookie: page.cookie ?? '' },
  });
  await within(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`socket: ${res.statusCode}`)));
    }),
    15_000,
    'the socket',
  );
  const client = new RpcClient(new WsTransport(ws));
  try {
    const info = await within(client.call('app.info', {}), 15_000, 'app.info');
    assert.equal(info.version, '1.2.3');
  } finally {
    client.dispose();
  }
}

describe('host fuzz: the HTTP and WebSocket front on raw sockets', () => {
  let dir: string;
  let host: Host;
  let other: Host;
  let token: string;
  let otherToken: string;
  let session: string;
  let otherSession: string;
  const seed = fuzzSeed('host fuzz', 20261208);
  const runs = fuzzRuns(300);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'host-fuzz-'));
    const staticDir = join(dir, 'renderer');
    await mkdir(join(staticDir, 'assets'), { recursive: true });
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'do not serve');
    // Short deadlines, so a slow client is cut off while the test watches.
    const timeouts = { headersMs: 1_000, requestMs: 2_000, checkEveryMs: 250 };
    host = await startHost({ rpc: new RpcServer(simpleHandlers()), staticDir, timeouts });
    other = await startHost({ rpc: new RpcServer(simpleHandlers()), staticDir, timeouts });
    token = new URL(host.url).searchParams.get('token')!;
    otherToken = new URL(other.url).searchParams.get('token')!;
    session = (await get(host, `/?token=${token}`)).cookie!;
    otherSession = (await get(other, `/?token=${otherToken}`)).cookie!;
    assert.match(session, /^dsvm_pool_session=/);
  });

  after(async () => {
    await host?.close();
    await other?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fuzz: generated request lines, headers, Host, Origin and upgrades get a 4xx or a close', async () => {
    const ours = `${host.hostName}:${host.port}`;
    const origin = `http://${ours}`;
    const theirs = `${other.hostName}:${other.port}`;
    const nasty = hostileString.map((s) => s.slice(0, 300));
    const method = fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('GET', 'HEAD') },
      {
        weight: 2,
        arbitrary: fc.constantFrom('POST', 'OPTIONS', 'CONNECT', 'TRACE', 'get', 'G\0T', ''),
      },
      { weight: 1, arbitrary: nasty },
    );
    const target = fc.oneof(
      {
        weight: 12,
        arbitrary: fc.constantFrom(
          '/',
          '/rpc',
          '/assets/app.js',
          `/?token=${token}`,
          `/rpc?token=${token}`,
          `/?token=${otherToken}`,
          `/rpc?token=${otherToken}`,
          `/rpc?token=${token}&token=x`,
          '/..%2fsecret.txt',
          `/..%2f..%2fsecret.txt?token=${token}`,
          '/%zz',
          '//[',
          '*',
          'http://evil.example/',
          `http://${ours}/?token=${token}`,
          '/\u202e',
          `/${'a'.repeat(20_000)}`,
        ),
      },
      { weight: 1, arbitrary: nasty },
    );
    const version = fc.constantFrom(
      'HTTP/1.1',
      'HTTP/1.1',
      'HTTP/1.1',
      'HTTP/1.1',
      'HTTP/1.1',
      'HTTP/1.1',
      'HTTP/1.1',
      'HTTP/1.1',
      'HTTP/1.0',
      'HTTP/2.0',
      'HTTP/1.1 x',
      '',
      'http/1.1',
    );
    const hostHeaders = fc.constantFrom<string[]>(
      [],
      [ours],
      [ours],
      [ours.toUpperCase()],
      [ours, 'evil.example'],
      ['evil.example', ours],
      [`127.0.0.1:${host.port}`],
      [`localhost:${host.port}`],
      [`[::1]:${host.port}`],
      ['['],
      [']:1'],
      [host.hostName],
      [`${ours}:${host.port}`],
      [`${host.hostName}.:${host.port}`],
      [`${host.hostName}:0${host.port}`],
      [`dsvm-ünïcode.localhost:${host.port}`],
      [`${ours}\u0000`],
      [theirs],
      [''],
    );
    const originHeader = fc.constantFrom<string[]>(
      [],
      [origin],
      [origin],
      ['null'],
      ['http://evil.example'],
      [`http://127.0.0.1:${host.port}`],
      [`https://${ours}`],
      [`${origin}/`],
      [`http://${theirs}`],
      [origin, 'http://evil.example'],
    );
    const upgrade = fc.option(
      fc.record({
        upgrade: fc.constantFrom('websocket', 'WebSocket', 'h2c', 'websocket, x', ''),
        connection: fc.constantFrom('Upgrade', 'keep-alive, Upgrade', 'close', ''),
        version: fc.constantFrom('13', '8', '', 'abc', '99999999999', '13, 13'),
        key: fc.constantFrom(
          'dGhlIHNhbXBsZSBub25jZQ==',
          '',
          'short',
          '!!!!!!!!!!!!!!!!!!!!!!!!',
          'A'.repeat(10_000),
          'dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ==',
        ),
      }),
    );
    const cookie = fc.constantFrom<string[]>(
      [],
      [],
      [session],
      [otherSession],
      [`dsvm_pool_session=${token}`],
      ['dsvm_pool_session='],
      [`${session}; ${session}x`],
      ['a=b; dsvm_pool_session'],
    );
    const extras = fc.array(
      fc.constantFrom(
        `X-Big: ${'b'.repeat(20_000)}`,
        'X-Nul: a\0b',
        'X-Fold: a\r\n folded',
        'Bad Name: x',
        ': empty-name',
        'Content-Length: -1',
        'Content-Length: abc',
        'Content-Length: 5\r\nContent-Length: 6',
        'Transfer-Encoding: chunked\r\nContent-Length: 3',
        'Transfer-Encoding: gzip, chunked',
        'Expect: 100-continue',
        'X-Unicode: \u202eé',
        ...Array.from({ length: 3 }, (_, i) => `X-Many-${i}: ${'m'.repeat(10)}`),
      ),
      { minLength: 1, maxLength: 3 },
    );
    // Mostly well-formed, so most cases reach the Host, Origin, token and upgrade checks.
    const extra = fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: extras },
    );
    const request = fc.record({
      method,
      target,
      version,
      hosts: hostHeaders,
      origins: originHeader,
      upgrade,
      cookie,
      extra,
      eol: fc.oneof(
        { weight: 7, arbitrary: fc.constant('\r\n') },
        { weight: 1, arbitrary: fc.constant('\n') },
      ),
      body: fc.constantFrom('', '', 'abc', '0\r\n\r\n'),
      // A client that half-closes at once (Node then drops what it has not answered yet) or one
      // that waits for the answer like a browser.
      halfClose: fc.boolean(),
    });

    const cases = sampleOf(request, seed, runs);
    let checkedGood = 0;
    const outcomes = new Map<string, number>();
    for (const [index, c] of cases.entries()) {
      const headers = [
        ...c.hosts.map((h) => `Host: ${h}`),
        ...c.origins.map((o) => `Origin: ${o}`),
        ...c.cookie.map((k) => `Cookie: ${k}`),
        ...(c.upgrade
          ? [
              `Upgrade: ${c.upgrade.upgrade}`,
              `Connection: ${c.upgrade.connection}`,
              `Sec-WebSocket-Version: ${c.upgrade.version}`,
              `Sec-WebSocket-Key: ${c.upgrade.key}`,
            ]
          : []),
        ...c.extra,
      ];
      const line = [c.method, c.target, c.version].filter((part) => part !== '').join(' ');
      const text = `${line}${c.eol}${headers.map((h) => `${h}${c.eol}`).join('')}${c.eol}${c.body}`;
      const answer = await within(
        converse(host.port, text, { halfClose: c.halfClose, head: c.method === 'HEAD' }),
        20_000,
        `case ${index}: ${JSON.stringify(text.slice(0, 300))}`,
      );
      const what = `case ${index} (seed ${seed}): ${JSON.stringify(text.slice(0, 400))}\n→ ${JSON.stringify(answer.text.slice(0, 300))}`;
      // Only this launch's token or session, on this launch's name, may get anything but a refusal.
      const rightHost = c.hosts.length === 1 && c.hosts[0]!.toLowerCase() === ours;
      const rightSecret =
        c.target.includes(`token=${token}`) || c.cookie.some((k) => k.includes(session));
      const outcome = answer.statuses.length ? answer.statuses.join('+') : 'closed';
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      for (const status of answer.statuses) {
        assert.ok(status < 500, `a server error: ${what}`);
        // 100 Continue is Node's own interim answer to `Expect: 100-continue`, before any check.
        if (status < 400 && status !== 100) assert.ok(rightHost && rightSecret, `let in: ${what}`);
      }
      if (answer.setCookie) assert.ok(rightHost && c.target.includes(`token=${token}`), what);
      assert.doesNotMatch(answer.text, /\n\s+at |Error:|do not serve/, what);
      if (index % 50 === 49) {
        await goodClient(host, token);
        checkedGood++;
      }
    }
    await goodClient(host, token);
    console.log(
      `host fuzz (seed ${seed}): ${cases.length} raw requests, good client served ${checkedGood + 1} times between them; answers: ${[
        ...outcomes,
      ]
        .sort()
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ')}`,
    );
  });

  it('fuzz: the host sets its own deadlines, well under Node defaults (60 s headers, checked every 30 s)', () => {
    assert.ok(HOST_TIMEOUTS.headersMs <= 10_000);
    assert.ok(HOST_TIMEOUTS.requestMs <= 30_000);
    assert.ok(HOST_TIMEOUTS.checkEveryMs <= 1_000);
  });

  it('fuzz: pipelined requests are answered in order, one refusal among them', async () => {
    const ours = `${host.hostName}:${host.port}`;
    const good = `GET /?token=${token} HTTP/1.1\r\nHost: ${ours}\r\n\r\n`;
    const bad = `GET /assets/app.js HTTP/1.1\r\nHost: ${ours}\r\n\r\n`;
    const rebound = `GET /?token=${token} HTTP/1.1\r\nHost: evil.example\r\n\r\n`;
    const answer = await within(
      converse(host.port, good + bad + rebound + good, { halfClose: false, responses: 4 }),
      20_000,
      'pipelined',
    );
    assert.deepEqual(answer.statuses, [200, 401, 403, 200]);
  });

  it('fuzz: slow-loris clients (headers, an upgrade, a body) are cut off; a good client is served meanwhile', async () => {
    const ours = `${host.hostName}:${host.port}`;
    const dribble = (start: string, unit: string) =>
      new Promise<{ closed: boolean; answer: string }>((resolve) => {
        const socket: Socket = connect(host.port, '127.0.0.1');
        let answer = '';
        let timer: NodeJS.Timeout | undefined;
        let writes = 0;
        // Ends by itself after 20 s (never reached when the host cuts the client off).
        const finish = (closed: boolean) => {
          clearInterval(timer);
          socket.destroy();
          resolve({ closed, answer });
        };
        socket.on('connect', () => {
          socket.write(start);
          timer = setInterval(() => {
            if (++writes > 200) return finish(false);
            if (socket.writable) socket.write(unit);
          }, 100);
        });
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        socket.on('close', () => finish(true));
        socket.on('error', () => undefined);
      });
    const slow = [
      dribble(`GET /?token=${token} HTTP/1.1\r\nHost: ${ours}\r\n`, 'X-a: b\r\n'),
      dribble('GET / HTTP/1.1\r\n', 'X'),
      dribble(
        `GET /rpc HTTP/1.1\r\nHost: ${ours}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`,
        'Sec-WebSocket-Version: 13\r\n',
      ),
      dribble(`POST / HTTP/1.1\r\nHost: ${ours}\r\nContent-Length: 100000\r\n\r\n`, 'x'),
    ];
    await goodClient(host, token);
    const results = await Promise.all(slow);
    for (const [i, result] of results.entries()) {
      assert.ok(result.closed, `slow client ${i} was never cut off`);
      assert.match(
        result.answer,
        /^(|HTTP\/1\.1 4\d\d[^]*)$/,
        `slow client ${i}: ${result.answer}`,
      );
    }
    await goodClient(host, token);
  });
});
