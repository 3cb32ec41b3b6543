// The preload (src/preload/index.ts), compiled to CommonJS and run with a fake ipcRenderer and window.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import ts from 'typescript';

const source = readFileSync(new URL('../../../src/preload/index.ts', import.meta.url), 'utf8');
// CommonJS like the real build (sandboxed preloads must be CJS).
const compiled = ts.transpileModule(source, {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
}).outputText;

type Listener = (...args: unknown[]) => void;

function runPreload(readyState: 'loading' | 'interactive') {
  const sent: unknown[][] = [];
  const ipcListeners: { channel: string; listener: Listener; once: boolean }[] = [];
  const posted: { message: unknown; origin: string; transfer: unknown }[] = [];
  const domListeners = new Map<string, Listener>();
  const ipcRenderer = {
    send: (...args: unknown[]) => sent.push(args),
    once: (channel: string, listener: Listener) =>
      ipcListeners.push({ channel, listener, once: true }),
    on: (channel: string, listener: Listener) =>
      ipcListeners.push({ channel, listener, once: false }),
  };
  const window = {
    postMessage: (message: unknown, origin: string, transfer: unknown) =>
      posted.push({ message, origin, transfer }),
    addEventListener: (type: string, listener: Listener) => domListeners.set(type, listener),
  };
  const document: { readyState: string } = { readyState };
  const module = { exports: {} };
  const required: string[] = [];
  vm.runInNewContext(compiled, {
    // Only ipcRenderer: touching contextBridge or anything else would throw here.
    require: (name: string) => {
      required.push(name);
      return { ipcRenderer };
    },
    module,
    exports: module.exports,
    window,
    document,
  });
  /** Main sends a port on the port channel, as ipcRenderer would deliver it. */
  const deliverPort = (ports: unknown[]) => {
    for (const entry of [...ipcListeners]) {
      if (entry.channel !== 'dsvm-pool:port') continue;
      if (entry.once) ipcListeners.splice(ipcListeners.indexOf(entry), 1);
      entry.listener({ ports });
    }
  };
  return { sent, posted, domListeners, required, window, document, deliverPort };
}

describe('preload', () => {
  it('says hello and exposes nothing on window', () => {
    const run = runPreload('interactive');
    assert.deepEqual(run.required, ['electron']);
    assert.deepEqual(run.sent, [['dsvm-pool:hello']]);
    assert.deepEqual(Object.keys(run.window), ['postMessage', 'addEventListener']);
  });

  it('hands the port to the page once the page can listen, exactly once', () => {
    const run = runPreload('loading');
    const port = { fake: 'port' };
    run.deliverPort([port]);
    assert.equal(run.posted.length, 0, 'not while the document is still loading');
    run.document.readyState = 'interactive';
    run.domListeners.get('DOMContentLoaded')?.();
    assert.deepEqual(run.posted, [{ message: 'dsvm-pool:port', origin: '*', transfer: [port] }]);

    run.deliverPort([{ another: 'port' }]);
    assert.equal(run.posted.length, 1, 'a later port is not forwarded');
  });

  it('forwards at once when the page has loaded', () => {
    const run = runPreload('interactive');
    run.deliverPort([{ fake: 'port' }]);
    assert.equal(run.posted.length, 1);
  });
});
