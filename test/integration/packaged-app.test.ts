// The packaged app as an installer would lay it out: `npm run package:dir` (with the test-only
// Electron stand-in where the real binary is missing), then the packaged main bundle's headless
// host, run with plain Node from app.asar's files, must serve the UI and find the agent, the
// template and the icons in the resources folder, through src/core/resource-paths.ts.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
// electron-builder's own copies (it packs and fuses with them); see the report on devDependencies.
import { extractAll, getRawHeader } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import WebSocket from 'ws';
import { RpcClient } from '../../src/common/rpc';
import { MessagePortMainTransport } from '../../src/common/transports/message-port-main';
import { findAgentRuntimes } from '../../src/core/agent-runtime';
import { resourcePaths, TRAY_ICON_FILES, WINDOW_ICON_FILE } from '../../src/core/resource-paths';
import { WsTransport } from '../../src/host/ws-transport';
import { trayIconPaths } from '../../src/main/app-tray';
import { UtilityCore } from '../../src/main/utility-core';
import { channelLike, forkStandIn } from '../helpers/utility-stand-in';

const checkout = resolve(import.meta.dirname, '../..');
/** The test's own output folder (not dist/), reused while the inputs are unchanged. */
const output = join(checkout, '.tmp', 'packaged-test');
const stampFile = join(output, 'inputs.sha256');
const logFile = join(output, 'package.log');
const ASAR_LIMIT = 40_000_000;

/** A hash of everything the packaged app is made from, so an unchanged checkout is not repackaged. */
async function inputsHash(): Promise<string> {
  const hash = createHash('sha256');
  const add = async (path: string): Promise<void> => {
    const full = join(checkout, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const entry of (await readdir(full)).sort()) await add(join(path, entry));
      return;
    }
    hash
      .update(`${path}\0`)
      .update(await readFile(full))
      .update('\0');
  };
  for (const path of ['src', 'resources', 'scripts', 'patches']) await add(path);
  for (const path of readdirSync(checkout)
    .filter((f) => /\.(json|ya?ml|ts)$/.test(f))
    .sort()) {
    await add(path);
  }
  // A real Electron appearing (or going) changes what is packaged.
  hash.update(String(existsSync(join(checkout, 'node_modules/electron/path.txt'))));
  return hash.digest('hex');
}

async function packageOnce(): Promise<string> {
  const key = await inputsHash();
  const cached = existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === key;
  if (cached && existsSync(logFile)) return readFile(logFile, 'utf8');
  await rm(output, { recursive: true, force: true });
  const result = spawnSync(
    process.execPath,
    ['scripts/package.mjs', '--dir', '--output', relative(checkout, output)],
    { cwd: checkout, encoding: 'utf8', timeout: 15 * 60_000 },
  );
  const log = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, `npm run package:dir failed:\n${log.slice(-4000)}`);
  await writeFile(logFile, log);
  await writeFile(stampFile, key);
  return log;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('packaged app (npm run package:dir)', () => {
  let log: string;
  let unpacked: string;
  let resourcesDir: string;
  let asarFile: string;
  let work: string;
  let app: string;
  let host: ChildProcess | undefined;
  let hostOutput = '';
  let url: URL;

  before(async () => {
    log = await packageOnce();
    const dir = readdirSync(output).find((name) => name.endsWith('-unpacked'));
    assert.ok(dir, `no *-unpacked folder in ${output}`);
    unpacked = join(output, dir);
    resourcesDir = join(unpacked, 'resources');
    asarFile = join(resourcesDir, 'app.asar');
    work = await mkdtemp(join(tmpdir(), 'packaged-app-test-'));
    // Plain Node cannot read inside app.asar; its files, node-pty from app.asar.unpacked included,
    // are extracted as they are, and the host is pointed at the packaged resources folder.
    app = join(work, 'app');
    extractAll(asarFile, app);
  });

  after(async () => {
    if (host && host.exitCode === null) {
      const exited = new Promise((done) => host!.once('exit', done));
      host.kill('SIGTERM');
      await exited;
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('says in one line when it used the test-only Electron stand-in, and labels the app', () => {
    const standIn = !existsSync(join(checkout, 'node_modules/electron/path.txt'));
    const notices = log.split('\n').filter((line) => /TEST-ONLY stand-in/.test(line));
    assert.equal(notices.length, standIn ? 1 : 0, log.slice(0, 2000));
    assert.equal(existsSync(join(unpacked, 'STAND-IN-NOT-ELECTRON.txt')), standIn);
    assert.match(log, /Packaged: .*\(app\.asar \d+\.\d MB\)/);
  });

  it('app.asar is under 40 MB: the bundles, the manifest and node-pty, no maps or SDK builds', () => {
    assert.ok(statSync(asarFile).size < ASAR_LIMIT, `app.asar is ${statSync(asarFile).size} bytes`);
    const files: string[] = [];
    const walk = (node: { files?: Record<string, unknown> }, path: string) => {
      if (!node.files) return void files.push(path);
      for (const [name, child] of Object.entries(node.files)) {
        walk(child as { files?: Record<string, unknown> }, `${path}/${name}`);
      }
    };
    walk(getRawHeader(asarFile).header as { files?: Record<string, unknown> }, '');
    const allowed = /^\/(out\/(main|preload|renderer)\/|package\.json$|node_modules\/node-pty\/)/;
    assert.deepEqual(
      files.filter((f) => !allowed.test(f) || /\.map$|\.d\.ts$/.test(f)),
      [],
    );
    for (const must of [
      '/out/main/index.js',
      '/out/main/core.js',
      '/out/main/host.js',
      '/out/preload/index.cjs',
    ]) {
      assert.ok(files.includes(must), must);
    }
    assert.ok(files.includes('/out/renderer/index.html'));
    assert.ok(
      files.some((f) => /^\/node_modules\/node-pty\/.*\.node$/.test(f)),
      'node-pty addon',
    );
  });

  it('the agent folder, the template and every icon the tray loads are where resource-paths looks', async () => {
    const paths = resourcePaths({ packaged: true, resourcesPath: resourcesDir });
    // The whole out/agent folder travels (its package.json keeps the bundle CommonJS).
    assert.deepEqual(
      (await readdir(paths.agentDir)).sort(),
      (await readdir(join(checkout, 'out/agent'))).sort(),
    );
    assert.ok(statSync(paths.agentBundle).size > 100_000);
    // …with the agent's own Node.js, which Create pool and Repair agent hand to the VMs.
    assert.deepEqual(
      (await findAgentRuntimes(paths.agentRuntimeDir)).map((r) => r.arch),
      ['x64', 'arm64'],
    );
    assert.equal(
      JSON.parse(await readFile(paths.poolTemplate, 'utf8')).metadata.templateVersion,
      JSON.parse(await readFile(join(checkout, 'resources/templates/pool.json'), 'utf8')).metadata
        .templateVersion,
    );
    // Every platform's: macOS's template icon too.
    const trayFiles = [
      ...new Set(
        (['linux', 'darwin'] as const)
          .flatMap((platform) => Object.values(trayIconPaths(paths.trayIcon, platform)))
          .flatMap((f) => [f, f.replace(/\.png$/, '@2x.png')]),
      ),
    ];
    for (const file of [...trayFiles, paths.windowIcon]) assert.ok(existsSync(file), file);
    assert.equal(trayFiles.length, TRAY_ICON_FILES.length);
    assert.ok(paths.windowIcon.endsWith(WINDOW_ICON_FILE));
  });

  it("flips Electron's fuses as electron-builder.yml says", async () => {
    const wire = await getCurrentFuseWire(join(unpacked, 'dsvm-pool'));
    const on = 49; // '1'
    const off = 48; // '0'
    const expected: [FuseV1Options, number][] = [
      [FuseV1Options.RunAsNode, off],
      [FuseV1Options.EnableCookieEncryption, on],
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable, off],
      [FuseV1Options.EnableNodeCliInspectArguments, off],
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation, on],
      [FuseV1Options.OnlyLoadAppFromAsar, on],
    ];
    for (const [fuse, state] of expected) {
      assert.equal(wire[fuse], state, FuseV1Options[fuse]);
    }
  });

  it('node-pty, the one native module shipped, loads from the packaged files', () => {
    const result = spawnSync(
      process.execPath,
      ['-e', "if (typeof require('node-pty').spawn !== 'function') process.exit(3)"],
      { cwd: app, encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
  });

  it("the packaged core.js runs the core for main, as in Electron's utility process (a worker stand-in)", async () => {
    const dataDir = join(work, 'core-data');
    const core = await UtilityCore.start({
      fork: () => forkStandIn({ core: 'bundle', bundle: join(app, 'out/main/core.js') }),
      start: {
        dataDir,
        version: '1.2.3',
        resources: { ...resourcePaths({ packaged: true, resourcesPath: resourcesDir }) },
      },
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    try {
      assert.deepEqual(
        core.listPools().map((p) => [p.id, p.instances.length]),
        [['local', 2]],
      );
      const { port1, port2 } = channelLike();
      core.serve(port1);
      const ui = new RpcClient(new MessagePortMainTransport(port2));
      const info = await ui.call('app.info', {});
      assert.equal(info.version, '1.2.3');
      assert.equal(info.shell, 'electron');
    } finally {
      await core.dispose();
    }
  });

  describe("the packaged bundle's headless host", () => {
    before(async () => {
      const dataDir = join(work, 'data');
      await mkdir(dataDir);
      host = spawn(
        process.execPath,
        [
          join(app, 'out/main/host.js'),
          ...['--port', '0', '--instances', '1', '--data-dir', dataDir],
          ...['--resources', resourcesDir],
        ],
        { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      host.stdout!.on('data', (c: Buffer) => (hostOutput += c.toString()));
      host.stderr!.on('data', (c: Buffer) => (hostOutput += c.toString()));
      const printed = await new Promise<string>((done, fail) => {
        const look = () => {
          const m = /Open (http:\/\/dsvm-[a-z0-9]+\.localhost:\d+\/\?token=[\w-]+)/.exec(
            hostOutput,
          );
          if (m) done(m[1]!);
        };
        host!.stdout!.on('data', look);
        host!.once('exit', (code) => fail(new Error(`host exited (${code}):\n${hostOutput}`)));
      });
      url = new URL(printed);
    });

    /** A GET to 127.0.0.1 under the host's own name (Node does not resolve *.localhost). */
    function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
      return new Promise((done, fail) => {
        const req = request(
          { host: '127.0.0.1', port: url.port, path, headers: { host: url.host, ...headers } },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
          },
        );
        req.on('error', fail);
        req.end();
      });
    }

    it('serves the UI with its token, and every asset the page loads', async () => {
      const page = await get(`/${url.search}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /<title>dsvm-pool<\/title>/);
      const cookie = String(page.headers['set-cookie']).split(';')[0]!;
      // The page's scripts and styles (./assets/…), not its inline data: icon.
      const assets = [...page.body.matchAll(/(?:src|href)="(\.?\/[^"]+)"/g)].map(
        (m) => new URL(m[1]!, url).pathname,
      );
      assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')));
      for (const asset of assets) {
        const reply = await get(asset, { cookie });
        assert.equal(reply.status, 200, asset);
        assert.ok(reply.body.length > 0, asset);
      }
    });

    it('finds the agent, the template and the icons in the resources folder (app.resources)', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${url.port}/rpc${url.search}`, {
        headers: { host: url.host, origin: url.origin },
      });
      await new Promise((done, fail) => {
        ws.once('open', done);
        ws.once('error', fail);
      });
      const client = new RpcClient(new WsTransport(ws));
      try {
        const found = await client.call('app.resources', {});
        const paths = resourcePaths({ packaged: true, resourcesPath: resourcesDir });
        assert.deepEqual(found, {
          packaged: true,
          // The same read Create pool, Repair agent and Install agent do.
          agent: { path: paths.agentBundle, bytes: statSync(paths.agentBundle).size },
          template: {
            path: paths.poolTemplate,
            templateVersion: JSON.parse(await readFile(paths.poolTemplate, 'utf8')).metadata
              .templateVersion,
          },
          icons: { dir: paths.iconsDir, missing: [] },
        });
        assert.equal((await client.call('app.info', {})).shell, 'headless');
      } finally {
        ws.close();
      }
    });
  });
});
