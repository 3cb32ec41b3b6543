// What `npm start` and `npm run package` share: building the app (electron-vite and the agent),
// finding a package's command, and finding (or fetching) Electron's binary.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** A package's bin script (its exports map hides the file from require.resolve). */
export function binOf(pkg) {
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

/**
 * `npm run build`: electron-vite (main, headless host, preload, UI) and then the agent bundle,
 * which Create pool, Repair agent and Install agent upload. Returns the failed step's exit code.
 */
export function buildApp({ quiet = false } = {}) {
  const steps = [[binOf('electron-vite'), 'build'], [join(root, 'scripts/build-agent.mjs')]];
  for (const args of steps) {
    const result = spawnSync(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
    });
    if (result.status !== 0) return result.status ?? 1;
  }
  return 0;
}

/** The installed Electron binary, or undefined when npm skipped its download. */
export function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * npm 11 runs no dependency install scripts unless allowed (package.json allowScripts denies
 * Electron's), so the binary is fetched on first need. Returns why it could not, or undefined.
 */
export function fetchElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 'ELECTRON_SKIP_BINARY_DOWNLOAD is set';
  let installer;
  try {
    installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return 'the electron package is not installed (run npm install)';
  }
  console.log('Fetching the Electron binary (first time only)…');
  const result = spawnSync(process.execPath, [installer], { encoding: 'utf8', timeout: 300_000 });
  if (result.status === 0 && electronBinary()) return undefined;
  const detail = `${result.stderr ?? ''}${result.stdout ?? ''}`.match(/(\w*Error: .*)/);
  return detail ? detail[1].slice(0, 160) : 'the download failed';
}
