// A TEST-ONLY stand-in for Electron's Linux binary folder, for electron-builder's `electronDist`
// where the real binary is missing (npm denies its install script; no download is possible).
// It lets `npm run package:dir` lay the app out as an installed one (app.asar, agent, template,
// icons, node-pty, fuses) so that layout can be checked; the app it makes cannot run.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// @electron/fuses finds Electron's fuse wire after this sentinel: a version byte (1), the wire's
// length, then one byte per fuse ('0' off, '1' on). The stand-in carries Electron's default wire
// (RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on, asar integrity off,
// only-app.asar off, browser V8 snapshot off, file:// privileges on), so the fuses that
// electron-builder flips from electron-builder.yml can be read back by the packaged-app test.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const DEFAULT_FUSES = '10110001';

export const STAND_IN_NOTICE = 'TEST-ONLY stand-in for the Electron binary';

/** Writes the stand-in into `dir` (Linux layout: ./electron, ./resources, ./locales). */
export async function makeElectronStandIn(dir) {
  await mkdir(join(dir, 'resources'), { recursive: true });
  await mkdir(join(dir, 'locales'), { recursive: true });
  const wire = Buffer.concat([
    Buffer.from(`# fuse wire: ${FUSE_SENTINEL}`, 'latin1'),
    Buffer.from([1, DEFAULT_FUSES.length]),
    Buffer.from(`${DEFAULT_FUSES}\n`, 'latin1'),
  ]);
  const script = Buffer.concat([
    Buffer.from(
      [
        '#!/bin/sh',
        `# dsvm-pool: a ${STAND_IN_NOTICE} (scripts/electron-stand-in.mjs), not Electron.`,
        `echo "This dsvm-pool build was packaged with a ${STAND_IN_NOTICE}: it cannot run. Package it where Electron's binary is installed (npm start fetches it)." >&2`,
        'exit 1',
        '',
      ].join('\n'),
      'latin1',
    ),
    wire,
  ]);
  await writeFile(join(dir, 'electron'), script);
  await chmod(join(dir, 'electron'), 0o755);
  await writeFile(
    join(dir, 'STAND-IN-NOT-ELECTRON.txt'),
    `This folder is a ${STAND_IN_NOTICE}, made by dsvm-pool's scripts/electron-stand-in.mjs so that\n` +
      'electron-builder can lay out the app where the real binary cannot be installed. Nothing\n' +
      'packaged with it runs; ship only what was packaged with the real Electron.\n',
  );
}
