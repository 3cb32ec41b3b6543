// `npm run demo` (after scripts/demo.mjs built the app): the Azure emulator, seeded with a small
// pool, and the app signed in to it on a data folder of its own; labelled a demo everywhere.
// Ctrl+C stops it all (app, emulator and its VMs) and removes the temp folders.
//
//   node --import tsx demo/demo.ts [--data-dir DIR] [--electron PATH] [--vms linux|none] [--verbose]
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoLabel } from '../src/common/demo-label';
import { resourcePaths } from '../src/core/resource-paths';
import { trustEmulatorCertificate } from '../test/emulators/azure/emulator-trust';
import { demoAppEnv, startDemoApp, type DemoApp } from './demo-app';
import { startDemoEmulator, type DemoEmulator, type DemoVms } from './demo-emulator';
import { seedDemo } from './demo-seed';

const usage = `Usage: npm run demo -- [--headless] [--data-dir DIR] [--vms linux|none] [--verbose]
  --headless      the headless host in a browser, even where Electron is installed
  --data-dir DIR  the app's data folder, new or empty (kept afterwards); default: a temp folder,
                  removed at the end
  --vms linux     Linux VMs behind the pool's NAT ports (root only; the default as root)
  --vms none      instances without SSH (the default when not root)
  --verbose       print the emulator's and the app's log lines too`;

const say = (line: string) => console.log(`demo: ${line}`);

function parse() {
  try {
    return parseArgs({
      options: {
        'data-dir': { type: 'string' },
        electron: { type: 'string' },
        vms: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const values = parse();
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (values.vms !== undefined && values.vms !== 'linux' && values.vms !== 'none') {
  console.error(`--vms must be linux or none; got "${values.vms}".\n${usage}`);
  process.exit(2);
}

/** The last lines of the emulator's and the app's logs, shown when something fails. */
const recent: string[] = [];
const log = (line: string) => {
  if (values.verbose) console.error(line);
  recent.push(line);
  if (recent.length > 200) recent.shift();
};

// The emulator is new each run (its VMs' host keys too): what an earlier run's app trusted or
// remembered would not match it, so a kept data folder is refused rather than half reused.
if (values['data-dir']) {
  const entries = await readdir(values['data-dir']).catch(() => []);
  if (entries.length > 0) {
    console.error(
      `--data-dir must be a new or empty folder: ${resolve(values['data-dir'])} holds files (an earlier demo's?). The demo's emulator is new each run, so what an earlier run trusted would not match it. Pick another folder or leave --data-dir out.`,
    );
    process.exit(2);
  }
}

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the demo trusting the emulator's
// certificate if it does not yet (TLS checks stay on; nothing else is trusted).
await trustEmulatorCertificate();

const temp = await mkdtemp(join(tmpdir(), 'dsvm-pool-demo-'));
const dataDir = values['data-dir'] ? resolve(values['data-dir']) : join(temp, 'app');
let running: DemoEmulator | undefined;
let app: DemoApp | undefined;
let stopping: Promise<void> | undefined;

/** Stops the app, then the emulator (and its VMs), then removes the temp folder; once. */
function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    say('stopping the app and the Azure emulator…');
    await app?.stop().catch(() => {});
    await running?.emulator.close().catch(() => {});
    await rm(temp, { recursive: true, force: true }).catch(() => {});
    say(
      values['data-dir']
        ? `stopped; the app's data folder stays in ${dataDir}.`
        : 'stopped; temp folders removed.',
    );
    process.exit(code);
  })();
  return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stop(0));
}

try {
  say('starting the Azure emulator (nothing here reaches Azure)…');
  const credential = { clientId: 'dsvm-pool-demo', clientSecret: randomBytes(24).toString('hex') };
  running = await startDemoEmulator({ ...credential, vms: values.vms as DemoVms, log });
  const { emulator } = running;
  say(running.vmNote);
  const env = demoAppEnv(emulator, credential, dataDir);
  // The seed signs in with the environment credential exactly as the app will.
  Object.assign(process.env, env);
  const seed = await seedDemo({ emulator, dataDir, resources: resourcePaths(), step: say, log });
  say(
    `seeded: subscription ${emulator.subscriptionId}, resource group ${seed.pool.resourceGroup}, ` +
      `pool ${seed.pool.poolName} (${seed.instances} instances, autoscale 1–4), ` +
      `share ${seed.storageAccount}/${seed.share} with ${seed.members.join(' and ')}.`,
  );
  app = await startDemoApp({ env, dataDir, electron: values.electron, log });
  app.child.once('exit', () => void stop(0));
  console.log(demoLabel({ emulatorUrl: emulator.url }));
  if (app.url) {
    console.log(`dsvm-pool (demo) is running headless, signed in to the emulator. Open ${app.url}`);
  } else {
    console.log('dsvm-pool (demo) is running as the desktop app, signed in to the emulator.');
  }
  say(`the app's data folder: ${dataDir}`);
  say('press Ctrl+C to stop the demo (the app, the emulator and its VMs, the temp folders).');
} catch (err) {
  if (!stopping) {
    console.error(recent.slice(-40).join('\n'));
    console.error(`demo: could not start: ${err instanceof Error ? err.message : String(err)}`);
    await stop(1);
  }
}
