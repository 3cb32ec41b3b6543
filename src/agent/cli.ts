// Entry point of the bundled `dsvm-pool-agent` (scripts/build-agent.mjs bundles from here).
import { runCli } from './run-cli';

runCli(process.argv.slice(2)).then(
  (code) => {
    // Exit now rather than when the event loop drains: after a deadline, a stuck filesystem
    // call may still hold a worker thread, and the run must end anyway. Output is written
    // synchronously to files, pipes and terminals on Linux, so nothing is cut off.
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `dsvm-pool-agent: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
