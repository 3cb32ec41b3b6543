// The stand-in utility process's entry (a worker thread; see utility-stand-in.ts): runs the real
// runCoreProcess over the worker's port, with the real core or a probe that exercises the channel,
// or a built core.js with the worker's port as its process.parentPort.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { AppCore, AppCoreOptions } from '../../src/core/app-core';
import { runCoreProcess, type ParentPortLike } from '../../src/utility/core-process';
import { FakeCore, pool } from '../unit/main/fake-core';
import { portLike, type CoreWorkerData } from './utility-stand-in';

/** The secret the probe seals and opens through main's protector (the test expects it back). */
const PROBE_SECRET = 'probe-token-7';

const port = parentPort!;
const data = workerData as CoreWorkerData;
const parent: ParentPortLike = {
  on: (_event, listener) =>
    port.on('message', ({ message, ports }: { message: unknown; ports: MessagePort[] }) =>
      listener({ data: message, ports: ports.map(portLike) }),
    ),
  postMessage: (message) => port.postMessage(message),
};
if (data.core === 'bundle') {
  (process as { parentPort?: ParentPortLike }).parentPort = parent;
  await import(pathToFileURL(data.bundle).href);
} else {
  runCoreProcess(parent, data.core === 'probe' ? { createCore: probeCore } : {});
}

/**
 * A small core that uses what main lends it at start: the token protector (its answer becomes the
 * pool's name, so main can see it came back intact) and the logger (with a secret to redact).
 */
async function probeCore(options: AppCoreOptions): Promise<AppCore> {
  const protector = options.tokenProtector;
  if (!protector) throw new Error('the probe needs a token protector');
  const sealed = await protector.encrypt(PROBE_SECRET);
  const opened = await protector.decrypt(sealed);
  options.logger?.log(`probe: sealed ${sealed.length} bytes into a ${sealed.constructor.name}`);
  options.logger?.addSecret('hunter2');
  options.logger?.warn('probe: the user typed hunter2');
  return new FakeCore(options.dataDir, [pool('probe', opened)], options.updateEngine);
}
