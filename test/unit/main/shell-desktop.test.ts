// The shell's life in the desktop: native notifications that open their place, dsvm-pool:// links
// (first launch, a second launch, macOS's open-url), the window's saved size and place, and
// starting hidden at login — against the fake Electron and a fake core.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AppNotification } from '../../../src/common/notification-models';
import { startShell, type ShellDeps } from '../../../src/main/shell';
import { inProcessCore } from '../../../src/main/shell-core';
import { readWindowState, writeWindowState } from '../../../src/main/window-state';
import { createFakeElectron, FakeEvent, type FakeElectron } from './fake-electron';
import { FakeCore, pool } from './fake-core';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function start(
  options: {
    platform?: NodeJS.Platform;
    deps?: Partial<ShellDeps>;
    before?: (fake: FakeElectron) => void | Promise<void>;
  } = {},
) {
  const fake = createFakeElectron();
  const dataDir = await mkdtemp(join(tmpdir(), 'dsvm-shell-'));
  dirs.push(dataDir);
  fake.app.userDataPath = dataDir;
  await options.before?.(fake);
  const logs: string[] = [];
  const cores: FakeCore[] = [];
  const shell = await startShell(fake.electron, {
    rendererFile: '/opt/dsvm-pool/out/renderer/index.html',
    preloadPath: '/opt/dsvm-pool/out/preload/index.cjs',
    trayIconPath: '/opt/dsvm-pool/resources/icons/tray.png',
    createCore: async (dir) => {
      const core = new FakeCore(dir, [pool('local', 'Local sandbox'), pool('team', 'Team VMs')]);
      cores.push(core);
      return inProcessCore(core);
    },
    platform: options.platform ?? 'linux',
    log: (line) => logs.push(line),
    argv: ['/opt/dsvm-pool/dsvm-pool'],
    startAtLogin: { isEnabled: () => false, setEnabled: async () => {}, describe: 'memory' },
    trayRebuildDelayMs: 0,
    windowStateDelayMs: 60_000,
    ...(options.deps as object),
  } as ShellDeps);
  await tick();
  return { fake, shell: shell!, logs, core: cores[0]!, window: fake.app.windows[0]!, dataDir };
}

const lost: AppNotification = {
  id: 'connection:c1:lost',
  kind: 'connection',
  severity: 'error',
  title: 'Connection to team-3 lost',
  body: 'The app stopped trying to reach team-3 (Team VMs).',
  at: 0,
  target: { view: 'user', connectionId: 'c1', poolId: 'team', open: 'terminal' },
};

describe('shell: notifications', () => {
  it("shows the core's notifications natively; a click shows the window at their place", async () => {
    const { fake, core, window } = await start();
    window.userClose();
    core.notify(lost);
    const [shown] = fake.notifications;
    assert.equal(shown?.shown, true);
    assert.deepEqual(shown?.options, { title: lost.title, body: lost.body });
    assert.equal(window.visible, false, 'showing one does not steal the focus');
    shown!.click();
    await tick();
    assert.equal(window.visible, true);
    assert.deepEqual(core.openRequests, [lost.target]);
  });

  it('where the desktop has no notification service, only logs', async () => {
    const { fake, core, logs } = await start();
    fake.notificationSupport.supported = false;
    core.notify(lost);
    assert.equal(fake.notifications.length, 0);
    assert.ok(logs.some((l) => l.includes('not shown: Connection to team-3 lost')));
  });
});

describe('shell: dsvm-pool:// links', () => {
  it('registers as the handler of dsvm-pool://', async () => {
    const { fake } = await start();
    assert.deepEqual(fake.app.protocolClients, [{ protocol: 'dsvm-pool' }]);
  });

  it('a second launch with a connect link connects to that pool', async () => {
    const { fake, core, window } = await start();
    window.userClose();
    fake.app.emit(
      'second-instance',
      new FakeEvent(),
      ['/usr/bin/dsvm-pool', 'dsvm-pool://connect?pool=Team%20VMs'],
      '/',
    );
    await tick();
    assert.deepEqual(core.connectRequests, ['team']);
    assert.equal(window.visible, true);
  });

  it("macOS's open-url opens a view; one that came before the app was ready is acted on once it is", async () => {
    const { fake, core } = await start({
      platform: 'darwin',
      // macOS hands a link that launched the app over before 'ready'.
      before: (f) => {
        const ready = f.app.whenReady.bind(f.app);
        f.app.whenReady = () => {
          f.app.emit('open-url', new FakeEvent(), 'dsvm-pool://open?view=admin');
          return ready();
        };
      },
    });
    await tick();
    assert.deepEqual(core.openRequests, [{ view: 'admin' }]);
    fake.app.emit('open-url', new FakeEvent(), 'dsvm-pool://open?view=user');
    await tick();
    assert.deepEqual(core.openRequests, [{ view: 'admin' }, { view: 'user' }]);
  });

  it('a link on the first launch (Windows/Linux argv) is followed after start', async () => {
    const { core } = await start({
      deps: { argv: ['/usr/bin/dsvm-pool', 'dsvm-pool://connect?pool=local%20sandbox'] },
    });
    await tick();
    assert.deepEqual(core.connectRequests, ['local']);
  });

  it('refuses a bad link or an unknown pool: logged and told, nothing run', async () => {
    const { fake, core, logs } = await start();
    fake.app.emit('second-instance', new FakeEvent(), ['x', 'dsvm-pool://delete?pool=team'], '/');
    fake.app.emit('second-instance', new FakeEvent(), ['x', 'dsvm-pool://connect?pool=Nope'], '/');
    await tick();
    assert.deepEqual(core.connectRequests, []);
    assert.deepEqual(core.openRequests, []);
    const told = fake.notifications.map((n) => `${n.options.title}: ${n.options.body}`);
    assert.equal(told.length, 2);
    assert.match(told[0]!, /link refused: This dsvm-pool link was refused: it asks for "delete"/);
    assert.match(told[1]!, /the pool "Nope", which this app does not have/);
    assert.equal(logs.filter((l) => l.startsWith('dsvm-pool link refused')).length, 2);
  });
});

describe('shell: window state and start at login', () => {
  it('puts the window back where it was, maximized, and saves where it goes', async () => {
    const { fake, shell, window, dataDir } = await start({
      before: async (f) => {
        await writeWindowState(f.app.userDataPath, {
          bounds: { x: 100, y: 50, width: 900, height: 650 },
          maximized: true,
        });
      },
    });
    assert.deepEqual(
      [window.options.x, window.options.y, window.options.width, window.options.height],
      [100, 50, 900, 650],
    );
    assert.equal(window.maximized, true);
    window.userMove({ x: 200, y: 80, width: 1000, height: 700 });
    await shell.quit();
    assert.deepEqual(await readWindowState(dataDir), {
      bounds: { x: 200, y: 80, width: 1000, height: 700 },
      maximized: true,
    });
    assert.equal(fake.app.quitted, true);
  });

  it('a saved place on a display that is gone comes back on the primary display', async () => {
    const { window } = await start({
      before: async (f) => {
        await writeWindowState(f.app.userDataPath, {
          bounds: { x: 3000, y: 200, width: 900, height: 650 },
          maximized: false,
        });
      },
    });
    assert.deepEqual([window.options.x, window.options.y], [510, 195]);
  });

  it('started at login (--hidden): stays in the tray until opened', async () => {
    const { fake, shell } = await start({ deps: { argv: ['/usr/bin/dsvm-pool', '--hidden'] } });
    assert.equal(fake.app.windows.length, 0, 'no window yet');
    assert.equal(fake.trays.length, 1);
    shell.showWindow();
    await tick();
    assert.equal(fake.app.windows[0]?.visible, true);
  });
});
