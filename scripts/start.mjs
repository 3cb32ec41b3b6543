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

/**
 * npm 11 runs no dependency install scripts unless allowed (package.json allowScripts denies
 * Electron's), so the first start fetches the binary. Returns why it could not, or undefined.
 */
function fetchElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 'ELECTRON_SKIP_BINARY_DOWNLOAD is set';
  let installer;
  try {
    installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return 'the electron package is not installed (run npm install)';
  }
  console.log('Fetching the Electron binary (first start only)…');
  const result = spawnSync(process.execPath, [installer], { encoding: 'utf8', timeout: 300_000 });
  if (result.status === 0 && electronBinary()) return undefined;
  const detail = `${result.stderr ?? ''}${result.stdout ?? ''}`.match(/(\w*Error: .*)/);
  return detail ? detail[1].slice(0, 160) : 'the download failed';
}

/** A package's bin script (its exports map hides the file from require.resolve). */
function binOf(pkg) {
  let dir = dirname(require.resolve(pkg));
  const isPackageRoot = (d) =>
    existsSync(join(d, 'package.json')) && require(join(d, 'package.json')).name === pkg;
  while (!isPackageRoot(dir)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`Cannot find the ${pkg} package; run npm install.`);
    dir = up;
  }
  const { bin } = require(join(dir, 'package.json'));
  return join(dir, typeof bin === 'string' ? bin : bin[pkg]);
}

const build = spawnSync(process.execPath, [binOf('electron-vite'), 'build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) {
  console.error('The build failed (see above); fix it and run `npm start` again.');
  process.exit(build.status ?? 1);
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
