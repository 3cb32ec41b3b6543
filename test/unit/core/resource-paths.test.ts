// Where the agent, the template and the icons are found (a checkout, an installed app), and what
// `app.resources` says about them when they are there, missing or out of step.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readAgentBundle } from '../../../src/core/agent-bundle';
import { POOL_TEMPLATE_VERSION } from '../../../src/core/azure/template/index';
import { checkResources } from '../../../src/core/resource-check';
import {
  PACKAGED_FOLDERS,
  resourcePaths,
  TRAY_ICON_FILES,
  WINDOW_ICON_FILE,
} from '../../../src/core/resource-paths';
import { trayIconPaths } from '../../../src/main/app-tray';

const checkout = resolve(import.meta.dirname, '../../..');

describe('resource paths', () => {
  it('in a checkout: out/agent and resources/, found from the code, not the working directory', () => {
    const cwd = process.cwd();
    process.chdir(tmpdir());
    try {
      const paths = resourcePaths();
      assert.equal(paths.packaged, false);
      assert.equal(paths.agentDir, join(checkout, 'out/agent'));
      assert.equal(paths.agentBundle, join(checkout, 'out/agent/dsvm-pool-agent.js'));
      assert.equal(paths.agentRuntimeDir, join(checkout, 'out/agent/runtime'));
      assert.equal(paths.poolTemplate, join(checkout, 'resources/templates/pool.json'));
      assert.equal(paths.trayIcon, join(checkout, 'resources/icons/tray.png'));
      assert.equal(paths.windowIcon, join(checkout, 'resources/icons/icon.png'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('installed: everything under the resources folder, which a packaged app must give', () => {
    const paths = resourcePaths({ packaged: true, resourcesPath: '/opt/dsvm-pool/resources' });
    assert.equal(paths.packaged, true);
    assert.equal(paths.agentBundle, '/opt/dsvm-pool/resources/agent/dsvm-pool-agent.js');
    assert.equal(paths.agentRuntimeDir, '/opt/dsvm-pool/resources/agent/runtime');
    assert.equal(paths.poolTemplate, '/opt/dsvm-pool/resources/templates/pool.json');
    assert.equal(paths.iconsDir, '/opt/dsvm-pool/resources/icons');
    assert.deepEqual(PACKAGED_FOLDERS, { agent: 'agent', templates: 'templates', icons: 'icons' });
    assert.throws(() => resourcePaths({ packaged: true }), /resources folder/);
  });

  it("lists every icon the tray loads (each status, each with its @2x, macOS's template) and the checkout's exist", async () => {
    const paths = resourcePaths();
    const used = (['linux', 'darwin'] as const)
      .flatMap((platform) => Object.values(trayIconPaths(paths.trayIcon, platform)))
      .flatMap((file) => [file, file.replace(/\.png$/, '@2x.png')]);
    assert.deepEqual(
      [...new Set(used.map((file) => file.slice(paths.iconsDir.length + 1)))].sort(),
      [...TRAY_ICON_FILES].sort(),
    );
    const check = await checkResources(paths);
    assert.deepEqual(check.icons, { dir: paths.iconsDir, missing: [] });
    assert.equal(check.template.templateVersion, POOL_TEMPLATE_VERSION);
  });
});

describe('app.resources check', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'resources-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the agent bundle as the uploads do, checks the template version, lists missing icons', async () => {
    const base = join(dir, 'good');
    await mkdir(join(base, 'agent'), { recursive: true });
    await writeFile(join(base, 'agent/dsvm-pool-agent.js'), '#!/usr/bin/env node\n');
    await cp(join(checkout, 'resources/templates'), join(base, 'templates'), { recursive: true });
    await mkdir(join(base, 'icons'));
    for (const name of [...TRAY_ICON_FILES.slice(1), WINDOW_ICON_FILE]) {
      await writeFile(join(base, 'icons', name), 'png');
    }
    const paths = resourcePaths({ packaged: true, resourcesPath: base });
    assert.deepEqual(await checkResources(paths), {
      packaged: true,
      agent: { path: paths.agentBundle, bytes: 20 },
      template: { path: paths.poolTemplate, templateVersion: POOL_TEMPLATE_VERSION },
      icons: { dir: paths.iconsDir, missing: ['tray.png'] },
    });
  });

  it('says what is missing or out of step, and what to do', async () => {
    const base = join(dir, 'bad');
    await mkdir(join(base, 'templates'), { recursive: true });
    await writeFile(
      join(base, 'templates/pool.json'),
      JSON.stringify({ metadata: { templateVersion: '0.9.0' } }),
    );
    const paths = resourcePaths({ packaged: true, resourcesPath: base });
    const check = await checkResources(paths);
    assert.match(check.agent.problem!, /pool agent is missing from this build/);
    assert.ok(check.agent.problem!.includes(paths.agentBundle));
    assert.match(check.agent.problem!, /npm run build/);
    assert.match(check.agent.problem!, /reinstall/);
    assert.match(check.template.problem!, /version 0\.9\.0, but this app deploys/);
    assert.equal(check.icons.missing.length, TRAY_ICON_FILES.length + 1);
    await assert.rejects(readAgentBundle(paths.agentBundle), /missing from this build/);

    await writeFile(join(base, 'templates/pool.json'), '{ not json');
    assert.match((await checkResources(paths)).template.problem!, /cannot be read/);
    await rm(join(base, 'templates/pool.json'));
    assert.match((await checkResources(paths)).template.problem!, /no file there/);
  });
});
