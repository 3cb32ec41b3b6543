// `npm start`: builds the app and its agent, then launches Electron when its binary is installed
// (fetching it first when npm skipped Electron's download script), else the headless host in a
// browser.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildApp, electronBinary, fetchElectron, root } from './build-tools.mjs';

const args = process.argv.slice(2);
const headlessOnly = args.includes('--headless');
const passThrough = args.filter((a) => a !== '--headless');

// The agent too: without it Create pool, Repair agent and Install agent have nothing to upload.
const built = buildApp({ quiet: true });
if (built !== 0) {
  console.error('The build failed (see above); fix it and run `npm start` again.');
  process.exit(built);
}

let electron = headlessOnly ? undefined : electronBinary();
let why;
if (!headlessOnly && !electron) {
  why = fetchElectron();
  electron = electronBinary();
}

let child;
if (electron) {
  child = spawn(electron, [root, ...passThrough], { cwd: root, stdio: 'inherit' });
} else {
  console.log(
    headlessOnly
      ? 'Starting the headless host.'
      : `Electron is not available (${why}), so dsvm-pool runs headless: open the address below in a browser.`,
  );
  child = spawn(process.execPath, [join(root, 'out/main/host.js'), ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
