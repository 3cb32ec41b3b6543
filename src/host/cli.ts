// `npm start` without Electron: runs the app's core and serves the UI to a browser on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { demoLabel } from '../common/demo-label';
import { createAppCore } from '../core/app-core';
import { demoFromEnv } from '../core/demo-mode';
import { createAppLogger, type AppLogger } from '../core/logging/app-logger';
import { resourcePaths } from '../core/resource-paths';
import { defaultDataDir } from '../core/settings/data-dir';
import { startHost } from './host-server';

/** Set once the data folder is known; until then failures can only go to stderr. */
let logger: AppLogger | undefined;

const usage = `Usage: node out/main/host.js [--port N] [--data-dir DIR] [--static-dir DIR] [--instances N] [--resources DIR]
  --resources DIR  an installed app's resources folder (app.asar, agent/, templates/, icons/):
                   take the agent and the template from there instead of this checkout's`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        'data-dir': { type: 'string' },
        'static-dir': { type: 'string' },
        instances: { type: 'string', default: '2' },
        resources: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  const instances = Number(values.instances);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(
      `--port must be a whole number from 0 to 65535 (0 picks a free port); got "${values.port}".`,
    );
    process.exit(2);
  }
  if (!Number.isInteger(instances) || instances < 1 || instances > 16) {
    console.error(`--instances must be a whole number from 1 to 16; got "${values.instances}".`);
    process.exit(2);
  }
  const staticDir = values['static-dir'] ?? fileURLToPath(new URL('../renderer/', import.meta.url));
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const version = process.env.npm_package_version ?? '0.0.0';

  const resources = values.resources
    ? resourcePaths({ packaged: true, resourcesPath: resolve(values.resources) })
    : resourcePaths();

  // `npm run demo` says so (and the emulator's address) wherever the app shows itself.
  const demo = demoFromEnv();

  // The log file (<dataDir>/logs/main.log) and stderr, both redacted; the token is a secret too.
  logger = createAppLogger({ dataDir, stderr: true });
  const token = randomBytes(24).toString('base64url');
  logger.addSecret(token);
  const core = await createAppCore({
    dataDir,
    shell: 'headless',
    version,
    localInstances: instances,
    resources,
    logger,
    ...(demo ? { demo } : {}),
    ...heartbeatInterval(),
  });
  const host = await startHost({ rpc: core.rpc, staticDir, port, token });
  // The address with its token goes to stdout only, for the person who started the host.
  if (demo) console.log(demoLabel(demo));
  console.log(`dsvm-pool${demo ? ' (demo)' : ''} is running headless. Open ${host.url}`);
  logger.log(`running headless at ${host.url} (log file: ${logger.filePath})`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    await core.dispose();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  const message = `could not start: ${err instanceof Error ? err.message : String(err)}`;
  if (logger) logger.error(message);
  else console.error(`dsvm-pool ${message}`);
  process.exit(1);
});

/**
 * DSVM_POOL_HEARTBEAT_INTERVAL_MS (1 s to 10 min): how often the agents' heartbeats are read,
 * for tests that cannot wait the default minute; unset or out of range, the default.
 */
function heartbeatInterval(): { heartbeatIntervalMs?: number } {
  const ms = Number(process.env.DSVM_POOL_HEARTBEAT_INTERVAL_MS);
  return Number.isInteger(ms) && ms >= 1000 && ms <= 600_000 ? { heartbeatIntervalMs: ms } : {};
}
