// The Electron shell against a fake Electron and a fake core on the real RPC server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { RpcClient } from '../../../src/common/rpc';
import { trayIconPaths } from '../../../src/main/app-tray';
import { MessagePortMainTransport } from '../../../src/common/transports/message-port-main';
import { startShell, type ShellDeps } from '../../../src/main/shell';
import { inProcessCore, type RestartInfo } from '../../../src/main/shell-core';
import { Emitter } from '../../../src/common/event';
import type { StartAtLogin } from '../../../src/main/start-at-login';
import {
  createFakeElectron,
  FakeEvent,
  FakeWebContents,
  FakeWebFrame,
  type FakeMessagePort,
} from './fake-electron';
import { FakeCore, pool } from './fake-core';
import { until } from '../../helpers/until';

const RENDERER_FILE = '/opt/dsvm-pool/out/renderer/index.html';
const APP_URL = pathToFileURL(RENDERER_FILE).href;
const PRELOAD = '/opt/dsvm-pool/out/preload/index.cjs';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Start at login without touching this machine's autostart folder. */
function memoryLoginItem(): StartAtLogin & { changes: boolean[] } {
  let on = false;
  const changes: boolean[] = [];
  return {
    isEnabled: () => on,
    setEnabled: async (enabled) => {
      on = enabled;
      changes.push(enabled);
    },
    describe: 'in memory',
    changes,
  };
}

async function start(
  options: { lock?: boolean; platform?: NodeJS.Platform; deps?: Partial<ShellDeps> } = {},
) {
  const fake = createFakeElectron();
  fake.app.lockAvailable = options.lock ?? true;
  const logs: string[] = [];
  const cores: FakeCore[] = [];
  const shell = await startShell(fake.electron, {
    rendererFile: RENDERER_FILE,
    preloadPath: PRELOAD,
    trayIconPath: '/opt/dsvm-pool/resources/icons/tray.png',
    createCore: async (dataDir) => {
      const core = new FakeCore(dataDir, [
        pool('local', 'Local sandbox'),
        pool('team', 'Team VMs'),
      ]);
      cores.push(core);
      return inProcessCore(core);
    },
    platform: options.platform ?? 'linux',
    log: (line) => logs.push(line),
    argv: ['/opt/dsvm-pool/dsvm-pool'],
    startAtLogin: memoryLoginItem(),
    trayRebuildDelayMs: 0,
    ...(options.deps as object),
  } as ShellDeps);
  await tick(); // ready-to-show
  const window = fake.app.windows[0];
  const tray = fake.trays[0];
  return { fake, shell, logs, core: cores[0], cores, window, tray };
}

/** The port main sent to `contents` in its nth hello answer, as an RPC client. */
function clientFor(contents: FakeWebContents, nth = 0): RpcClient {
  const posted = contents.posted.filter((p) => p.channel === 'dsvm-pool:port')[nth];
  assert.ok(posted, 'main sent no port');
  assert.equal(posted.transfer.length, 1);
  return new RpcClient(new MessagePortMainTransport(posted.transfer[0] as FakeMessagePort));
}

describe('startShell: lifecycle', () => {
  it('takes the single-instance lock and shows the window on a second launch', async () => {
    const { fake, window, core } = await start();
    assert.equal(fake.app.lockRequested, true);
    assert.ok(core, 'the core was created');
    assert.equal(core.dataDir, '/fake/userData');
    assert.equal(window.visible, true, 'shown once ready');

    window.userClose();
    assert.equal(window.visible, false);
    fake.app.emit('second-instance', new FakeEvent(), ['dsvm-pool'], '/');
    assert.equal(window.visible, true);
    assert.equal(window.focused, true);
    assert.equal(fake.app.windows.length, 1, 'no second window');
  });

  it('quits at once as the second instance, creating nothing', async () => {
    const { fake, shell, cores } = await start({ lock: false });
    assert.equal(shell, undefined);
    assert.equal(fake.app.quitCalls, 1);
    assert.equal(fake.app.windows.length, 0);
    assert.equal(fake.trays.length, 0);
    assert.equal(cores.length, 0);
  });

  it('hides the window on close instead of quitting', async () => {
    const { fake, window } = await start();
    assert.equal(window.userClose(), false, 'the close was cancelled');
    assert.equal(window.hideCount, 1);
    assert.equal(window.isDestroyed(), false);
    assert.equal(fake.app.quitCalls, 0);
    assert.ok(fake.app.listenerCount('window-all-closed') > 0, 'keeps running without windows');
  });

  it('Quit in the tray disposes the core exactly once, then quits', async () => {
    const { fake, shell, core, tray, window } = await start();
    tray.clickItem('Quit');
    await shell!.quit(); // the same quit, awaited
    assert.equal(core.disposeCount, 1);
    assert.equal(fake.app.quitted, true);
    assert.equal(tray.destroyed, true);
    assert.equal(window.isDestroyed(), true, 'the window really closed this time');
  });

  it('a quit from elsewhere (before-quit) also disposes the core once', async () => {
    const { fake, core } = await start();
    fake.app.quit(); // e.g. Cmd+Q or logout
    assert.equal(fake.app.quitted, false, 'held back until the core is down');
    await tick();
    await tick();
    assert.equal(core.disposeCount, 1);
    assert.equal(fake.app.quitted, true);
    assert.equal(fake.app.quitCalls, 2);
  });

  it('reloads the page and tells the user when the core ran again after a crash, and when it gave up', async () => {
    const restarted = new Emitter<RestartInfo>();
    const gaveUp = new Emitter<string>();
    const { fake, window, logs } = await start({
      deps: {
        createCore: async (dataDir) => ({
          ...inProcessCore(new FakeCore(dataDir, [pool('local', 'Local sandbox')])),
          onDidRestart: restarted.event,
          onDidGiveUp: gaveUp.event,
        }),
      },
    });
    const loads: string[] = [];
    const load = window.loadURL.bind(window);
    window.loadURL = (url) => {
      loads.push(url);
      return load(url);
    };
    restarted.fire({ code: 70 });
    assert.deepEqual(loads, [APP_URL], 'the page loaded again, to get a port to the new core');
    const shown = fake.notifications.filter((n) => n.shown).map((n) => n.options);
    assert.deepEqual(shown.at(-1), {
      title: 'dsvm-pool restarted its core',
      body: 'It stopped unexpectedly (exit code 70). Its connections were closed: connect again.',
    });
    gaveUp.fire('The core stopped 4 times. Restart dsvm-pool from its tray menu.');
    assert.equal(fake.notifications.at(-1)?.options.title, 'dsvm-pool stopped working');
    assert.ok(logs.some((l) => l.includes('Restart dsvm-pool from its tray menu')));
  });

  it('once the core stopped for good, the tray offers Restart, which quits and starts the app again', async () => {
    const gaveUp = new Emitter<string>();
    let disposed = 0;
    const { fake, tray } = await start({
      deps: {
        createCore: async (dataDir) => ({
          ...inProcessCore(new FakeCore(dataDir, [pool('local', 'Local sandbox')])),
          onDidGiveUp: gaveUp.event,
          dispose: async () => void disposed++,
        }),
      },
    });
    assert.ok(tray.labels().includes('Local sandbox'));
    gaveUp.fire('The core stopped 4 times.');
    assert.deepEqual(tray.labels(), [
      'dsvm-pool stopped working',
      'Restart dsvm-pool',
      '---',
      'Open logs',
      '---',
      'Quit',
    ]);
    assert.equal(tray.toolTip, 'dsvm-pool — stopped working: Restart dsvm-pool from this menu');
    assert.equal(
      (tray.image as { path?: string }).path,
      '/opt/dsvm-pool/resources/icons/tray-lost.png',
    );
    assert.equal(fake.app.relaunched, false);
    tray.clickItem('Restart dsvm-pool');
    await until('the app to quit', () => fake.app.quitted);
    assert.equal(fake.app.relaunched, true, 'Electron starts the app again once this one exits');
    assert.equal(disposed, 1, 'the core was shut down first, as on Quit');
    assert.equal(tray.destroyed, true);
  });

  it('quits even if the core never finishes shutting down', async () => {
    const { fake, shell, core } = await start({ deps: { disposeTimeoutMs: 20 } });
    core.dispose = () => new Promise<void>(() => {});
    await shell!.quit();
    assert.equal(fake.app.quitted, true);
  });
});

describe('startShell: security', () => {
  it('creates the window with secure webPreferences and loads the built page', async () => {
    const { window } = await start();
    const prefs = window.options.webPreferences ?? {};
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.preload, PRELOAD);
    assert.equal(window.loadedUrl, APP_URL);
  });

  it('prevents navigation and redirects away from the app', async () => {
    const { window, logs } = await start();
    const contents = window.webContents;
    assert.equal(contents.attemptNavigation('https://evil.example/login?token=secret'), true);
    assert.equal(contents.attemptNavigation('file:///etc/passwd'), true);
    assert.equal(contents.attemptNavigation('https://evil.example/', 'will-redirect'), true);
    assert.equal(contents.attemptNavigation(`${APP_URL}#/terminals`), false);
    // A frame inside the page.
    assert.equal(
      contents.attemptNavigation('https://evil.example/', 'will-frame-navigate', false),
      true,
    );
    assert.ok(logs.some((l) => l.includes('blocked navigation to https://evil.example/')));
    assert.equal(logs.filter((l) => l.includes('blocked')).length, 4, 'one line per attempt');
    assert.ok(!logs.some((l) => l.includes('secret')), 'no query strings in the log');
  });

  it('applies the denials to every webContents, not only its windows', async () => {
    const { fake } = await start();
    const other = new FakeWebContents();
    fake.app.emit('web-contents-created', new FakeEvent(), other);
    assert.equal(other.attemptNavigation('https://evil.example/'), true);
    assert.deepEqual(other.openWindow('https://example.com/'), { action: 'deny' });
    const webview = new FakeEvent();
    other.emit('will-attach-webview', webview);
    assert.equal(webview.defaultPrevented, true);
  });

  it('denies window.open; only http(s) links and VS Code remote folders leave the app', async () => {
    const { fake, window } = await start();
    const contents = window.webContents;
    for (const url of [
      'https://jupyter.example/lab?token=x',
      'http://127.0.0.1:8888/',
      'vscode://vscode-remote/ssh-remote+dsvm-team-vm-1/home/ana/notebooks',
      'vscode-insiders://vscode-remote/ssh-remote+dsvm-team-vm-1/home/ana',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://share/evil',
      'vscode:extension/evil.publisher',
      'vscode://vscode.git/clone?url=https://evil.example/x',
      'vscode-remote://ssh-remote+x/home',
      'not a url',
    ]) {
      assert.deepEqual(contents.openWindow(url), { action: 'deny' }, url);
    }
    assert.deepEqual(fake.opened, [
      'https://jupyter.example/lab?token=x',
      'http://127.0.0.1:8888/',
      'vscode://vscode-remote/ssh-remote+dsvm-team-vm-1/home/ana/notebooks',
      'vscode-insiders://vscode-remote/ssh-remote+dsvm-team-vm-1/home/ana',
    ]);
    assert.equal(fake.app.windows.length, 1);
  });

  it('denies every permission', async () => {
    const { fake } = await start();
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read']) {
      assert.equal(await fake.session.requestPermission(permission), false, permission);
      assert.equal(fake.session.checkPermission(permission), false, permission);
    }
  });

  it('adds the CSP header to the app page, replacing any sent', async () => {
    const { fake } = await start();
    const headers = fake.session.receiveHeaders(APP_URL, {
      'content-security-policy': ['default-src *'],
    });
    assert.equal(headers['content-security-policy'], undefined);
    const [policy] = headers['Content-Security-Policy'] as string[];
    for (const part of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      assert.ok(policy.split('; ').includes(part), `${part} in ${policy}`);
    }
    assert.ok(!policy.includes('unsafe-eval'));
    assert.deepEqual(fake.session.receiveHeaders('https://example.com/', { a: ['b'] }), {
      a: ['b'],
    });
  });

  it('with the dev server: loads its URL and allows only its hot reload', async () => {
    const { fake, window } = await start({ deps: { rendererUrl: 'http://localhost:5173' } });
    assert.equal(window.loadedUrl, 'http://localhost:5173/');
    const headers = fake.session.receiveHeaders('http://localhost:5173/');
    const [policy] = headers['Content-Security-Policy'] as string[];
    assert.match(policy, /connect-src 'self' ws:\/\/localhost:5173/);
    assert.equal(window.webContents.attemptNavigation('http://localhost:5174/'), true);
  });
});

describe('startShell: MessagePort handoff', () => {
  it('a trusted hello gets a port that answers RPC calls end to end', async () => {
    const { fake, window } = await start();
    fake.ipcMain.sendFrom('dsvm-pool:hello', window.webContents);
    const client = clientFor(window.webContents);
    const info = await client.call('app.info', {});
    assert.equal(info.shell, 'electron');
    assert.equal(info.dataDir, '/fake/userData');
    const pools = await client.call('pools.list', {});
    assert.deepEqual(
      pools.map((p) => p.id),
      ['local', 'team'],
    );
    client.dispose();
  });

  it('an untrusted hello gets no port', async () => {
    const { fake, window, logs } = await start();
    const contents = window.webContents;

    // A child frame inside our page.
    fake.ipcMain.sendFrom(
      'dsvm-pool:hello',
      contents,
      new FakeWebFrame(APP_URL, contents.mainFrame),
    );
    // Some other webContents, even one showing our page.
    const stranger = new FakeWebContents();
    stranger.mainFrame.url = APP_URL;
    fake.ipcMain.sendFrom('dsvm-pool:hello', stranger);
    // Our window, showing something else.
    contents.mainFrame.url = 'https://evil.example/';
    fake.ipcMain.sendFrom('dsvm-pool:hello', contents);
    // A frame that is gone.
    fake.ipcMain.sendFrom('dsvm-pool:hello', contents, null);

    assert.equal(contents.posted.length, 0);
    assert.equal(stranger.posted.length, 0);
    assert.equal(fake.channels.length, 0);
    assert.equal(logs.filter((l) => l.includes('untrusted sender')).length, 4);
  });

  it('a reload gets a fresh port and the old one is closed', async () => {
    const { fake, window, core } = await start();
    fake.ipcMain.sendFrom('dsvm-pool:hello', window.webContents);
    const first = clientFor(window.webContents, 0);
    await first.call('app.info', {});

    fake.ipcMain.sendFrom('dsvm-pool:hello', window.webContents);
    const closed = new Promise<void>((resolve) => first.onDidClose(resolve));
    await closed;
    assert.equal(fake.channels[0].port1.closed, true);

    const second = clientFor(window.webContents, 1);
    assert.equal((await second.call('app.info', {})).shell, 'electron');
    assert.equal(core.rpc.peerCount, 1);
  });

  it('closes the port when the window goes away', async () => {
    const { fake, window, core } = await start();
    fake.ipcMain.sendFrom('dsvm-pool:hello', window.webContents);
    const client = clientFor(window.webContents);
    await client.call('app.info', {});
    assert.equal(core.rpc.peerCount, 1);
    window.webContents.destroy();
    assert.equal(core.rpc.peerCount, 0);
  });
});

describe('startShell: tray', () => {
  it('has Open, each pool, the app items, Quit and a tooltip with the connection count', async () => {
    const { tray, core } = await start();
    assert.equal((tray.image as { path?: string }).path, '/opt/dsvm-pool/resources/icons/tray.png');
    assert.deepEqual(tray.labels(), [
      'Open dsvm-pool',
      '---',
      'Local sandbox',
      'Team VMs',
      '---',
      'Azure: not signed in',
      '---',
      'Start at login',
      'Open logs',
      'Check for updates',
      '---',
      'Quit',
    ]);
    assert.equal(tray.toolTip, 'dsvm-pool — no connections');
    core.setConnections(1);
    assert.equal(tray.toolTip, 'dsvm-pool — 1 connection');
    core.setConnections(3);
    assert.equal(tray.toolTip, 'dsvm-pool — 3 connections');
  });

  it('badges the icon while a connection is reconnecting, and once one is lost', async () => {
    const { tray, core } = await start();
    const path = () => (tray.image as { path?: string }).path;
    core.setConnections(2);
    assert.deepEqual(tray.images, [], 'no change while all is well');
    core.setTroubled({ reconnecting: 1, lost: 0 });
    assert.equal(path(), '/opt/dsvm-pool/resources/icons/tray-reconnecting.png');
    assert.match(tray.toolTip, /reconnecting/);
    core.setTroubled({ reconnecting: 1, lost: 1 });
    assert.equal(path(), '/opt/dsvm-pool/resources/icons/tray-lost.png', 'lost wins');
    core.setTroubled({ reconnecting: 0, lost: 0 });
    assert.equal(path(), '/opt/dsvm-pool/resources/icons/tray.png');
    assert.equal(tray.images.length, 3, 'set only when the status changes');
  });

  it('ships the badge icons beside tray.png, at both scales, the size of the plain one', () => {
    const icons = new URL('../../../resources/icons/', import.meta.url);
    for (const [status, file] of Object.entries(trayIconPaths('tray.png'))) {
      for (const scale of ['', '@2x']) {
        const png = readFileSync(new URL(file.replace('.png', `${scale}.png`), icons));
        const plain = readFileSync(new URL(`tray${scale}.png`, icons));
        assert.equal(png.subarray(1, 4).toString(), 'PNG', `${status}${scale}`);
        // Width and height (IHDR) equal the plain icon's.
        assert.ok(png.subarray(16, 24).equals(plain.subarray(16, 24)), `${status}${scale} size`);
        if (status !== 'normal') assert.ok(!png.equals(plain), `${status}${scale} has its badge`);
      }
    }
  });

  it("ships macOS's template icons: the plain icon's size and alpha, black only", () => {
    const icons = new URL('../../../resources/icons/', import.meta.url);
    for (const scale of ['', '@2x']) {
      const template = readFileSync(new URL(`trayTemplate${scale}.png`, icons));
      const plain = readFileSync(new URL(`tray${scale}.png`, icons));
      assert.equal(template.subarray(1, 4).toString(), 'PNG');
      assert.ok(template.subarray(16, 24).equals(plain.subarray(16, 24)), `${scale} size`);
    }
  });

  it('shows the Azure sign-in state and follows it', async () => {
    const { tray, core } = await start();
    core.setAzureSignIn({
      signedIn: true,
      persistentCache: false,
      account: { kind: 'device-code', userName: 'ann@contoso.com', isServicePrincipal: false },
    });
    assert.ok(tray.labels().includes('Azure: signed in as ann@contoso.com'));
    assert.equal(tray.toolTip, 'dsvm-pool — no connections\nAzure: signed in as ann@contoso.com');
    core.setAzureSignIn({ signedIn: false, persistentCache: false });
    assert.ok(tray.labels().includes('Azure: not signed in'));
  });

  it('says first in its tooltip when it is the demo, with the emulator address', async () => {
    const { tray, core } = await start();
    core.demo = { emulatorUrl: 'https://127.0.0.1:43210' };
    core.setConnections(1);
    assert.equal(
      tray.toolTip,
      'Demo — Azure emulator at https://127.0.0.1:43210, nothing is real\ndsvm-pool — 1 connection',
    );
  });

  it('rebuilds the menu when the pools change', async () => {
    const { tray, core } = await start();
    const builds = tray.menuBuilds;
    core.setPools([pool('a', 'R&D pool')]);
    assert.equal(tray.menuBuilds, builds + 1);
    assert.deepEqual(tray.labels().slice(0, 4), ['Open dsvm-pool', '---', 'R&&D pool', '---']);
  });

  it('rebuilds once per burst of changes', async () => {
    const { tray, core } = await start({ deps: { trayRebuildDelayMs: 5 } });
    const builds = tray.menuBuilds;
    for (let i = 0; i < 20; i++) core.setPools([pool('a', `Pool ${i}`)]);
    core.setConnections(1);
    assert.equal(tray.menuBuilds, builds, 'nothing yet');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(tray.menuBuilds, builds + 1);
    assert.equal(tray.labels()[2], 'Pool 19');
  });

  it("lists a pool's connections with their state and actions", async () => {
    const { tray, core, window } = await start();
    core.setConnectionList([
      {
        id: 'c1',
        poolId: 'team',
        instanceId: '3',
        instanceName: 'team-3',
        host: 'h',
        port: 22,
        user: 'ann',
        state: 'connected',
      },
    ]);
    assert.deepEqual(tray.labels(tray.item('Team VMs')?.submenu), [
      'Connect',
      '---',
      'team-3 — connected',
    ]);
    window.userClose();
    tray.clickItem('Team VMs', 'team-3 — connected', 'Open Jupyter');
    assert.equal(window.visible, true);
    assert.deepEqual(core.openRequests, [
      { view: 'user', connectionId: 'c1', poolId: 'team', open: 'jupyter' },
    ]);
    // No connection tools were handed to this shell: greyed out.
    assert.equal(tray.item('Team VMs', 'team-3 — connected', 'Copy ssh command')?.enabled, false);
  });

  it('Copy ssh command and Open in VS Code go through the connection tools', async () => {
    const calls: string[] = [];
    const { fake, tray, core } = await start({
      deps: {
        connectionTools: () => ({
          sshCommand: async (id) => `ssh -F /data/ssh_config pool-${id}`,
          openInVsCode: async (id) => void calls.push(`vscode ${id}`),
        }),
      },
    });
    core.setConnectionList([
      {
        id: 'c1',
        poolId: 'team',
        instanceId: '3',
        instanceName: 'team-3',
        host: 'h',
        port: 22,
        user: 'ann',
        state: 'connected',
      },
    ]);
    tray.clickItem('Team VMs', 'team-3 — connected', 'Copy ssh command');
    tray.clickItem('Team VMs', 'team-3 — connected', 'Open in VS Code');
    await tick();
    assert.deepEqual(fake.clipboard, ['ssh -F /data/ssh_config pool-c1']);
    assert.deepEqual(calls, ['vscode c1']);
  });

  it('Start at login toggles the login item and shows its state', async () => {
    const login = memoryLoginItem();
    const { tray, logs } = await start({ deps: { startAtLogin: login } });
    assert.equal(tray.item('Start at login')?.checked, false);
    tray.clickItem('Start at login');
    await tick();
    assert.deepEqual(login.changes, [true]);
    assert.equal(tray.item('Start at login')?.checked, true);
    assert.ok(logs.some((l) => l.startsWith('start at login on')));
  });

  it('Open logs opens the log folder; a failed tray action is told in a notification', async () => {
    const { fake, tray } = await start({ deps: { logDir: '/home/ann/.config/dsvm-pool/logs' } });
    tray.clickItem('Open logs');
    await tick();
    assert.deepEqual(fake.openedPaths, ['/home/ann/.config/dsvm-pool/logs']);
    // Without a log folder (none was handed over), the click is told, not thrown.
    const bare = await start();
    bare.tray.clickItem('Open logs');
    await tick();
    const told = bare.fake.notifications.at(-1);
    assert.equal(told?.options.title, 'dsvm-pool could not open the log folder');
    assert.equal(told?.shown, true);
  });

  it('uses the template icon on macOS', async () => {
    const { tray } = await start({ platform: 'darwin' });
    const image = tray.image as unknown as { path: string; template: boolean };
    assert.equal(image.path, '/opt/dsvm-pool/resources/icons/trayTemplate.png');
    assert.equal(image.template, true);
  });

  it('Connect shows the window and asks the UI to connect', async () => {
    const { fake, tray, core, window } = await start();
    fake.ipcMain.sendFrom('dsvm-pool:hello', window.webContents);
    const client = clientFor(window.webContents);
    const requested = new Promise<{ poolId: string }>((resolve) => {
      client.on('app.onDidRequestConnect', resolve);
    });
    await client.call('app.info', {}); // the subscription has reached the core

    window.userClose();
    tray.clickItem('Team VMs', 'Connect');
    assert.equal(window.visible, true);
    assert.deepEqual(core.connectRequests, ['team']);
    assert.deepEqual(await requested, { poolId: 'team' });
  });

  it('Open and a click on the icon (Windows/Linux) show the window', async () => {
    const { tray, window } = await start({ platform: 'win32' });
    window.userClose();
    tray.clickItem('Open dsvm-pool');
    assert.equal(window.visible, true);
    window.userClose();
    tray.emit('click');
    assert.equal(window.visible, true);
  });

  it('leaves a click on macOS to the menu', async () => {
    const { tray } = await start({ platform: 'darwin' });
    assert.equal(tray.listenerCount('click'), 0);
  });
});
