// Start at login: Electron's login items on macOS and Windows, an XDG autostart entry on Linux.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  autostartEntry,
  desktopExecArg,
  electronLoginItem,
  xdgAutostart,
} from '../../../src/main/start-at-login';
import { FakeApp } from './fake-electron';

describe('electronLoginItem', () => {
  it('Windows: a Run entry with --hidden, asked back with the same arguments', async () => {
    const app = new FakeApp();
    const login = electronLoginItem(app, 'win32');
    assert.equal(login.isEnabled(), false);
    await login.setEnabled(true);
    assert.deepEqual(app.loginItem, { openAtLogin: true, args: ['--hidden'] });
    assert.equal(login.isEnabled(), true);
    await login.setEnabled(false);
    assert.equal(login.isEnabled(), false);
  });

  it('macOS: a login item without arguments', async () => {
    const app = new FakeApp();
    await electronLoginItem(app, 'darwin').setEnabled(true);
    assert.deepEqual(app.loginItem, { openAtLogin: true, args: undefined });
  });
});

describe('xdgAutostart (Linux)', () => {
  it('writes and removes ~/.config/autostart/dsvm-pool.desktop, starting the app hidden', async () => {
    const home = await mkdtemp(join(tmpdir(), 'dsvm-home-'));
    try {
      const path = join(home, '.config/autostart/dsvm-pool.desktop');
      const login = await xdgAutostart({ executable: '/opt/dsvm pool/dsvm-pool', env: {}, home });
      assert.equal(login.isEnabled(), false);
      assert.match(login.describe, /\.config\/autostart\/dsvm-pool\.desktop/);
      await login.setEnabled(true);
      const text = await readFile(path, 'utf8');
      assert.match(text, /^\[Desktop Entry\]\nType=Application\n/);
      assert.match(text, /^Exec="\/opt\/dsvm pool\/dsvm-pool" --hidden$/m);
      assert.equal((await stat(path)).mode & 0o777, 0o644);
      // A new start reads it back.
      assert.equal((await xdgAutostart({ executable: 'x', env: {}, home })).isEnabled(), true);
      await login.setEnabled(false);
      await assert.rejects(stat(path));
      assert.equal(login.isEnabled(), false);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('follows XDG_CONFIG_HOME, and an entry the user hid (Hidden=true) counts as off', async () => {
    const config = await mkdtemp(join(tmpdir(), 'dsvm-config-'));
    try {
      const login = await xdgAutostart({
        executable: '/usr/bin/dsvm-pool',
        env: { XDG_CONFIG_HOME: config },
      });
      await login.setEnabled(true);
      const path = join(config, 'autostart/dsvm-pool.desktop');
      await writeFile(path, `${await readFile(path, 'utf8')}Hidden=true\n`);
      const again = await xdgAutostart({
        executable: '/usr/bin/dsvm-pool',
        env: { XDG_CONFIG_HOME: config },
      });
      assert.equal(again.isEnabled(), false);
    } finally {
      await rm(config, { recursive: true, force: true });
    }
  });

  it('quotes Exec as the Desktop Entry spec asks', () => {
    assert.equal(desktopExecArg('/usr/bin/dsvm-pool'), '/usr/bin/dsvm-pool');
    assert.equal(
      desktopExecArg('/home/a b/$x"`\\.AppImage'),
      '"/home/a b/\\$x\\"\\`\\\\.AppImage"',
    );
    assert.match(
      autostartEntry('/x/dsvm-pool.AppImage'),
      /^Exec=\/x\/dsvm-pool\.AppImage --hidden$/m,
    );
  });
});
