// The RPC layer over the in-memory transport pair: calls, coded errors, validation, events,
// cancellation and closing, with a real RpcServer and RpcClient and no process boundary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, RpcError } from '../../../src/common/errors';
import { RpcClient, RpcServer, type Handlers } from '../../../src/common/rpc';
import { simpleHandlers as handlers } from '../../helpers/simple-handlers';
import { createMemoryTransportPair } from '../../../src/common/transports/memory';
import type { Transport } from '../../../src/common/rpc';

function setup(overrides: Partial<Handlers> = {}) {
  const server = new RpcServer(handlers(overrides));
  const [clientEnd, serverEnd] = createMemoryTransportPair();
  server.connect(serverEnd);
  const client = new RpcClient(clientEnd);
  return { server, client, clientEnd, serverEnd };
}

async function rejectsWith(promise: Promise<unknown>, code: string, pattern?: RegExp) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof RpcError, `expected RpcError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

describe('rpc over the in-memory pair', () => {
  it('answers a call with its result', async () => {
    const { client } = setup();
    const info = await client.call('app.info', {});
    assert.equal(info.version, '1.2.3');
    assert.equal(info.shell, 'headless');
  });

  it('passes validated input to the handler', async () => {
    let seen: unknown;
    const { client } = setup({
      'terminals.resize': (input) => {
        seen = input;
      },
    });
    await client.call('terminals.resize', { terminalId: 't1', cols: 100, rows: 30 });
    assert.deepEqual(seen, { terminalId: 't1', cols: 100, rows: 30 });
  });

  it('refuses bad input with E_BAD_INPUT naming each wrong field, without calling the handler', async () => {
    let called = false;
    const { client } = setup({
      'terminals.resize': () => {
        called = true;
      },
    });
    const bad = { terminalId: '', cols: 'wide', rows: 0 } as unknown as {
      terminalId: string;
      cols: number;
      rows: number;
    };
    await rejectsWith(
      client.call('terminals.resize', bad),
      ErrorCode.BadInput,
      /needs changes — terminal: must not be empty; cols: .*; rows: /,
    );
    assert.equal(called, false);
  });

  it('refuses unknown fields and missing input', async () => {
    const { client } = setup();
    const extra = { terminalId: 't', cols: 80, rows: 24, evil: true } as unknown as {
      terminalId: string;
      cols: number;
      rows: number;
    };
    await rejectsWith(client.call('terminals.resize', extra), ErrorCode.BadInput, /evil/);
    await rejectsWith(
      client.call('terminals.write', undefined as unknown as { terminalId: string; data: string }),
      ErrorCode.BadInput,
    );
  });

  it('fuzz finding: zod defaults in plain words; odd unknown keys counted, never echoed', async () => {
    const { client } = setup();
    const call = (input: unknown) => client.call('terminals.resize', input as never);
    await rejectsWith(
      call({ terminalId: 't', cols: 80 }),
      ErrorCode.BadInput,
      /— rows: is missing\.$/,
    );
    await rejectsWith(
      call({ terminalId: 't', cols: 'wide', rows: 24 }),
      ErrorCode.BadInput,
      /— cols: must be a number\.$/,
    );
    const huge = `\u202e${'x'.repeat(100_000)}`;
    await assert.rejects(call({ terminalId: 't', cols: 80, rows: 24, [huge]: 1 }), (e: unknown) => {
      assert.ok(e instanceof RpcError && e.code === ErrorCode.BadInput);
      assert.match(e.message, /the request holds a field it does not take: 1 with an odd name/);
      assert.ok(e.message.length < 200, e.message.slice(0, 300));
      assert.doesNotMatch(e.message, /\u202e|Unrecognized/);
      return true;
    });
  });

  it('fuzz finding: hundreds of bad items give a bounded sentence and details', async () => {
    const { client } = setup();
    const hosts = Array.from({ length: 150 }, () => ({ name: 1 }));
    await assert.rejects(
      client.call('pools.saveSshHosts', { name: 'lab', hosts } as never),
      (e: unknown) => {
        assert.ok(e instanceof RpcError && e.code === ErrorCode.BadInput);
        assert.match(e.message, /host 1, name: must be text; .*; and \d+ more problems\.$/);
        assert.ok(e.message.length < 2_000, `${e.message.length} characters`);
        assert.ok(Array.isArray(e.details) && e.details.length <= 50);
        return true;
      },
    );
  });

  it('answers an unknown method with E_NO_METHOD and survives garbage messages', async () => {
    const server = new RpcServer(handlers());
    const [clientEnd, serverEnd] = createMemoryTransportPair();
    server.connect(serverEnd);
    const answers: unknown[] = [];
    clientEnd.onMessage((m) => answers.push(m));
    clientEnd.send({ type: 'request', id: 7, method: 'nope.nothing', input: {} });
    (clientEnd as Transport).send({ type: 'bogus' } as never);
    (clientEnd as Transport).send({ id: 8, junk: true } as never);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      answers.map((a) => (a as { error: { code: string } }).error.code),
      [ErrorCode.NoMethod, ErrorCode.BadMessage],
    );
    // Still serving after the garbage.
    const client = new RpcClient(clientEnd);
    assert.equal((await client.call('app.info', {})).version, '1.2.3');
  });

  it('keeps a handler error code and message, and wraps plain errors as E_INTERNAL', async () => {
    const logged: string[] = [];
    const server = new RpcServer(
      handlers({
        'connections.close': () => {
          throw new RpcError(ErrorCode.NotFound, 'No connection c9.');
        },
        'terminals.close': () => {
          throw new Error('disk on fire');
        },
      }),
      { log: (line) => logged.push(line) },
    );
    const [clientEnd, serverEnd] = createMemoryTransportPair();
    server.connect(serverEnd);
    const client = new RpcClient(clientEnd);
    await rejectsWith(
      client.call('connections.close', { connectionId: 'c9' }),
      ErrorCode.NotFound,
      /c9/,
    );
    await rejectsWith(
      client.call('terminals.close', { terminalId: 't' }),
      ErrorCode.Internal,
      /disk on fire/,
    );
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /terminals\.close failed/);
  });

  it('delivers events only to subscribed peers, and stops after unsubscribe', async () => {
    const { server, client } = setup();
    const got: string[] = [];
    const sub = client.on('terminals.onData', (e) => got.push(e.data));
    await client.call('app.info', {}); // the subscribe message has been processed once this returns
    server.emit('terminals.onData', { terminalId: 't', data: 'one' });
    server.emit('prompts.onDidClose', { promptId: 'p' }); // not subscribed: not delivered
    await client.call('app.info', {});
    sub.dispose();
    await client.call('app.info', {});
    server.emit('terminals.onData', { terminalId: 't', data: 'two' });
    await client.call('app.info', {});
    assert.deepEqual(got, ['one']);
  });

  it('cancels a call: the client rejects with E_CANCELLED and the handler sees the abort', async () => {
    let aborted: Promise<void> | undefined;
    const { client } = setup({
      'connections.connect': (_input, { signal }) =>
        new Promise((_resolve, reject) => {
          aborted = new Promise((done) =>
            signal.addEventListener('abort', () => {
              done();
              reject(new Error('aborted'));
            }),
          );
        }),
    });
    const controller = new AbortController();
    const call = client.call(
      'connections.connect',
      { poolId: 'local' },
      { signal: controller.signal },
    );
    await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await rejectsWith(call, ErrorCode.Cancelled);
    await aborted;
  });

  it('fails pending calls with E_CLOSED when the transport closes', async () => {
    const { client, serverEnd } = setup({
      'connections.connect': () => new Promise(() => {}),
    });
    const call = client.call('connections.connect', { poolId: 'local' });
    await new Promise((r) => setTimeout(r, 5));
    serverEnd.close();
    await rejectsWith(call, ErrorCode.Closed);
    await rejectsWith(client.call('app.info', {}), ErrorCode.Closed);
  });

  it('aborts in-flight handlers when the peer goes away', async () => {
    let sawAbort = false;
    const { client, server } = setup({
      'connections.connect': (_input, { signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve(undefined as never);
          });
        }),
    });
    void client.call('connections.connect', { poolId: 'local' }).catch(() => {});
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(server.peerCount, 1);
    client.dispose();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(sawAbort, true);
    assert.equal(server.peerCount, 0);
  });
});
