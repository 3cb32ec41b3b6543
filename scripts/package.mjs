// `npm run package`: builds the app, then this OS's installers with electron-builder (Linux:
// AppImage and deb; electron-builder.yml keeps dmg and nsis for macOS and Windows).
// `npm run package:dir` (--dir) makes only the unpacked app, dist/<platform>-unpacked/.
// Uses the installed Electron binary (fetched first if npm skipped it); where there is none, a
// TEST-ONLY stand-in (scripts/electron-stand-in.mjs), so the layout can still be checked.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { binOf, buildApp, electronBinary, fetchElectron, root } from './build-tools.mjs';
import { makeElectronStandIn, STAND_IN_NOTICE } from './electron-stand-in.mjs';

const usage = 'Usage: node scripts/package.mjs [--dir] [--output DIR]';
let options;
try {
  ({ values: options } = parseArgs({
    options: {
      dir: { type: 'boolean', default: false },
      output: { type: 'string', default: 'dist' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  console.error(`${err.message}\n${usage}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage);
  process.exit(0);
}
const output = resolve(root, options.output);
const platformFlag = { linux: '--linux', darwin: '--mac', win32: '--win' }[process.platform];
if (!platformFlag) {
  console.error(`dsvm-pool is not packaged for ${process.platform}.`);
  process.exit(1);
}

const built = buildApp({ quiet: true });
if (built !== 0) {
  console.error('The build failed (see above); fix it and package again.');
  process.exit(built);
}

// Electron's own dist folder, as the electron package installs it (electron-builder copies it).
let standInDir;
let electronDist;
let why;
if (!electronBinary()) why = fetchElectron();
if (electronBinary()) {
  const require = createRequire(join(root, 'package.json'));
  electronDist = join(dirname(require.resolve('electron/package.json')), 'dist');
} else if (process.platform === 'linux') {
  standInDir = await mkdtemp(join(tmpdir(), 'dsvm-pool-electron-stand-in-'));
  await makeElectronStandIn(standInDir);
  electronDist = standInDir;
  console.log(
    `Electron's binary is not installed (${why}), so this package uses a ${STAND_IN_NOTICE}: its layout can be checked, but it does not run.`,
  );
} else {
  console.error(
    `Electron's binary is not installed (${why}); run \`npm start\` once (it fetches it) and package again.`,
  );
  process.exit(1);
}

const builderArgs = [
  platformFlag,
  ...(options.dir ? ['--dir'] : []),
  '--publish',
  'never',
  `-c.electronDist=${electronDist}`,
  `-c.directories.output=${output}`,
  // Nobody mistakes an installer made with the stand-in for a real one.
  ...(standInDir
    ? ['-c.artifactName=${productName}-${version}-TEST-ONLY-STAND-IN-${arch}.${ext}']
    : []),
];
let log = '';
const code = await new Promise((done) => {
  const child = spawn(process.execPath, [binOf('electron-builder'), ...builderArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      log += chunk;
      process.stdout.write(chunk);
    });
  }
  child.on('exit', (status, signal) => done(status ?? (signal ? 1 : 0)));
});
if (standInDir) await rm(standInDir, { recursive: true, force: true });

const unpacked = unpackedApp();
const where = unpacked ? `${relative(process.cwd(), unpacked.dir) || '.'}` : undefined;
const size = unpacked?.asar
  ? ` (app.asar ${(statSync(unpacked.asar).size / 1e6).toFixed(1)} MB)`
  : '';
if (code === 0) {
  console.log(
    `Packaged: ${where}${size}${options.dir ? '' : `, installers in ${relative(process.cwd(), output)}`}.`,
  );
  process.exit(0);
}
// electron-builder fetches the tools of AppImage and deb (appimagetool, fpm) itself, from GitHub.
const toolDownloadFailed =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|no such host|cannot download|unable to download|download failed/i.test(
    log,
  );
if (!options.dir && unpacked && toolDownloadFailed) {
  console.log(
    `Installers not made: electron-builder could not download its packaging tools (no network access to GitHub here); the unpacked app is in ${where}${size}.`,
  );
  // With the stand-in nothing shippable was expected; with the real Electron this is a failure.
  process.exit(standInDir ? 0 : 1);
}
console.error(`Packaging failed (electron-builder exited with ${code}; see above).`);
process.exit(code);

/** The unpacked app electron-builder made in the output folder, and its app.asar. */
function unpackedApp() {
  if (!existsSync(output)) return undefined;
  for (const name of readdirSync(output)) {
    const dir = join(output, name);
    if (!/-unpacked$|^mac/.test(name) || !statSync(dir).isDirectory()) continue;
    const candidates = [join(dir, 'resources', 'app.asar')];
    for (const entry of readdirSync(dir)) {
      if (entry.endsWith('.app')) candidates.push(join(dir, entry, 'Contents/Resources/app.asar'));
    }
    return { dir, asar: candidates.find((file) => existsSync(file)) };
  }
  return undefined;
}
