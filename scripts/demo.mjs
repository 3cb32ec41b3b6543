// `npm run demo`: builds the app and its agent (as `npm start` does), then runs demo/demo.ts: the
// Azure emulator seeded with a small pool and the app signed in to it, labelled a demo everywhere.
// The desktop app when Electron's binary is installed (fetched first if npm skipped it), else the
// headless host. Arguments pass through (`npm run demo -- --help`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildApp, electronBinary, fetchElectron, root } from './build-tools.mjs';

const args = process.argv.slice(2);
const headlessOnly = args.includes('--headless');
const passThrough = args.filter((a) => a !== '--headless');

if (!args.includes('--help')) {
  console.log('demo: building the app and its agent…');
  const built = buildApp({ quiet: true });
  if (built !== 0) {
    console.error('The build failed (see above); fix it and run `npm run demo` again.');
    process.exit(built);
  }
}

let electron = headlessOnly ? undefined : electronBinary();
if (!headlessOnly && !electron && !args.includes('--help')) {
  const why = fetchElectron();
  electron = electronBinary();
  if (!electron) {
    console.log(`demo: Electron is not available (${why}), so the demo runs headless.`);
  }
}

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    join(root, 'demo/demo.ts'),
    ...(electron ? ['--electron', electron] : []),
    ...passThrough,
  ],
  { cwd: root, stdio: 'inherit' },
);
// Ctrl+C reaches the whole process group, the demo included, which stops everything itself; a
// signal sent to this process alone (a supervisor's SIGTERM) is passed on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
