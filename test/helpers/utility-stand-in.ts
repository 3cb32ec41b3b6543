// A Node stand-in for Electron's utility process, for tests and benchmarks where Electron cannot
// run: a worker thread (its own event loop, as a utility process has) that runs the real
// runCoreProcess, with MessagePorts that really transfer, so a page's port reaches the core as in
// the app and main is not on the path. Only the process boundary itself is not Electron's.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { MessagePortLike } from '../../src/common/transports/message-port-main';
import type { UtilityProcessLike } from '../../src/main/utility-core';

/** The Node port behind each wrapped one, so it can be transferred. */
const nodePorts = new WeakMap<MessagePortLike, MessagePort>();

/** A worker_threads port with MessagePortMain's shape (`message` events carry `{ data }`). */
export function portLike(port: MessagePort): MessagePortLike {
  const like: MessagePortLike = {
    on: (event: 'message' | 'close', listener: (event: { data: unknown }) => void) => {
      if (event === 'message') port.on('message', (data) => listener({ data }));
      else port.on('close', () => (listener as () => void)());
      return like;
    },
    postMessage: (message) => port.postMessage(message),
    start: () => port.start(),
    close: () => port.close(),
  };
  nodePorts.set(like, port);
  return like;
}

/** Electron's MessageChannelMain, on worker_threads. */
export function channelLike(): { port1: MessagePortLike; port2: MessagePortLike } {
  const { port1, port2 } = new MessageChannel();
  return { port1: portLike(port1), port2: portLike(port2) };
}

/** What the stand-in's worker is told at start (see core-worker.ts). */
export type CoreWorkerData =
  /** runCoreProcess from src/ with createAppCore, or with a probe that exercises the channel. */
  | { core: 'real' | 'probe' }
  /** A built core.js (out/main/core.js), run as Electron runs it: with a process.parentPort. */
  | { core: 'bundle'; bundle: string };

/** `utilityProcess.fork` on a worker thread running test/helpers/core-worker.ts. */
export function forkStandIn(data: CoreWorkerData): UtilityProcessLike & { worker: Worker } {
  const worker = new Worker(new URL('./core-worker-boot.mjs', import.meta.url), {
    workerData: data,
  });
  return {
    worker,
    postMessage(message, transfer = []) {
      const ports = transfer.map((port) => {
        const node = nodePorts.get(port);
        if (!node) throw new Error('only ports made by portLike/channelLike can be transferred');
        return node;
      });
      worker.postMessage({ message, ports }, ports);
    },
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      worker.on(event, listener as (value: unknown) => void);
      return this;
    },
    kill() {
      void worker.terminate();
      return true;
    },
  };
}
