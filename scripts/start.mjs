// `npm start`: builds the app, then launches Electron when its binary is installed (fetching it
// first when npm skipped Electron's download script), else the headless host in a browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);
const headlessOnly = args.includes('--headless');
const passThrough = args.filter((a) => a !== '--headless');

function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** npm 11 runs no dependency install scripts unless allowed; fetch Electron's binary once. */
function fetchElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return false;
  let installer;
  try {
    installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return false;
  }
  console.log('Fetching the Electron binary (first start only)…');
  const result = spawnSync(process.execPath, [installer], { stdio: 'inherit', timeout: 300_000 });
  return result.status === 0 && electronBinary() !== undefined;
}

const build = spawnSync(
  process.execPath,
  [require.resolve('electron-vite/bin/electron-vite.js'), 'build'],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
if (build.status !== 0) {
  console.error('The build failed (see above); fix it and run `npm start` again.');
  process.exit(build.status ?? 1);
}

let electron = headlessOnly ? undefined : electronBinary();
if (!headlessOnly && !electron && fetchElectron()) electron = electronBinary();

const child = electron
  ? spawn(electron, [root, ...passThrough], { cwd: root, stdio: 'inherit' })
  : (console.log(
      headlessOnly
        ? 'Starting the headless host.'
        : 'Electron is not installed on this machine, so dsvm-pool starts headless: open the address below in a browser.',
    ),
    spawn(process.execPath, [join(root, 'out/main/host.js'), ...passThrough], {
      cwd: root,
      stdio: 'inherit',
    }));

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
