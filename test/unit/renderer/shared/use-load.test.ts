// useLoad without a DOM: the state it shows (loadReducer) and how one load reports its answer
// (runLoad), above all that an answer coming after its load was abandoned is dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, RpcError } from '../../../../src/common/errors';
import {
  loadReducer,
  runLoad,
  type LoadEvent,
  type LoadState,
} from '../../../../src/renderer/shared/use-load';

/** A promise to settle by hand, to let answers come in any order. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets the answers' `then` callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('runLoad', () => {
  it('reports the answer, after onData saw it', async () => {
    const events: string[] = [];
    runLoad(
      async () => 'list',
      new AbortController().signal,
      (e) => events.push(e.type === 'data' ? `data:${e.data}` : e.type),
      (data) => events.push(`onData:${data}`),
    );
    await settle();
    assert.deepEqual(events, ['onData:list', 'data:list']);
  });

  it("reports a failure with the app's message", async () => {
    const events: LoadEvent<string>[] = [];
    runLoad(
      async () => {
        throw new RpcError(ErrorCode.Internal, 'No subscription.');
      },
      new AbortController().signal,
      (e) => events.push(e),
    );
    runLoad(
      async () => {
        throw new Error('socket closed');
      },
      new AbortController().signal,
      (e) => events.push(e),
    );
    await settle();
    assert.deepEqual(events, [
      { type: 'error', error: 'No subscription.' },
      { type: 'error', error: 'socket closed' },
    ]);
  });

  it('drops the answer of an abandoned load, even when it comes after the newer one', async () => {
    let state: LoadState<string> = { loading: true };
    const report = (e: LoadEvent<string>) => (state = loadReducer(state, e));
    const seen: string[] = [];
    const old = deferred<string>();
    const oldLoad = new AbortController();
    runLoad(
      () => old.promise,
      oldLoad.signal,
      report,
      (d) => seen.push(d),
    );
    // The view moved on (another pool): the effect aborts and starts again.
    oldLoad.abort();
    const fresh = deferred<string>();
    report({ type: 'start', keep: false });
    runLoad(
      () => fresh.promise,
      new AbortController().signal,
      report,
      (d) => seen.push(d),
    );
    fresh.resolve('pool B');
    await settle();
    old.resolve('pool A');
    await settle();
    assert.deepEqual(state, { data: 'pool B', loading: false });
    assert.deepEqual(seen, ['pool B']);
  });

  it('drops the failure of an abandoned load', async () => {
    const events: LoadEvent<string>[] = [];
    const old = deferred<string>();
    const controller = new AbortController();
    runLoad(
      () => old.promise,
      controller.signal,
      (e) => events.push(e),
    );
    controller.abort();
    old.reject(new Error('too late'));
    await settle();
    assert.deepEqual(events, []);
  });

  it('hands the load its signal, which fires when the load is abandoned', () => {
    const controller = new AbortController();
    let given: AbortSignal | undefined;
    runLoad(
      (signal) => {
        given = signal;
        return new Promise<never>(() => {});
      },
      controller.signal,
      () => {},
    );
    controller.abort();
    assert.equal(given?.aborted, true);
  });
});

describe('loadReducer', () => {
  const shown: LoadState<string> = { data: 'old', loading: false };
  const failed: LoadState<string> = { data: 'old', error: 'Refused.', loading: false };

  it('starts empty, or keeps the last answer while the next one loads', () => {
    assert.deepEqual(loadReducer(failed, { type: 'start', keep: false }), { loading: true });
    assert.deepEqual(loadReducer(failed, { type: 'start', keep: true }), {
      data: 'old',
      loading: true,
    });
  });

  it('shows an answer, or an error beside the answer kept', () => {
    const loading: LoadState<string> = { data: 'old', loading: true };
    assert.deepEqual(loadReducer(loading, { type: 'data', data: 'new' }), {
      data: 'new',
      loading: false,
    });
    assert.deepEqual(loadReducer(loading, { type: 'error', error: 'Refused.' }), failed);
  });

  it('stops loading when disabled, keeping or forgetting what it showed', () => {
    const loading: LoadState<string> = { data: 'old', loading: true };
    assert.deepEqual(loadReducer(loading, { type: 'stop', clear: false }), shown);
    assert.deepEqual(loadReducer(failed, { type: 'stop', clear: true }), { loading: false });
    // Nothing to change: the same object, so React skips the render.
    assert.equal(loadReducer(shown, { type: 'stop', clear: false }), shown);
  });

  it('takes a newer value from an action', () => {
    assert.deepEqual(loadReducer(shown, { type: 'set', data: 'saved' }), {
      data: 'saved',
      loading: false,
    });
  });
});
