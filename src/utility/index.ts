// Electron's utility process entry (built to out/main/core.js): runs the core for main, which
// starts it with utilityProcess.fork (src/main/utility-core.ts).
import { runCoreProcess, type ParentPortLike } from './core-process';

const parentPort = (process as { parentPort?: ParentPortLike }).parentPort;
if (!parentPort) {
  console.error(
    'dsvm-pool: core.js runs in the app (Electron starts it as a utility process), not on its own.',
  );
  process.exit(2);
}
// Whatever escapes the core ends this process; main logs the exit and starts a new one. Said
// here first, so the log has the reason and not only an exit code.
process.on('uncaughtException', (err) => {
  parentPort.postMessage({
    kind: 'log',
    level: 'error',
    line: `core: ${err.stack ?? String(err)}`,
  });
  process.exit(70);
});
runCoreProcess(parentPort);
