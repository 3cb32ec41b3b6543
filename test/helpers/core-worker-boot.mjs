// Loads core-worker.ts in a worker thread: Node 20 runs a worker's entry before any --import
// of the parent, so tsx is registered here first.
import { register } from 'tsx/esm/api';

register();
await import('./core-worker.ts');
