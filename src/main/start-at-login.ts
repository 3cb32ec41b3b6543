// Start at login, the platform's way: Electron's login items on macOS and Windows (which is all
// app.setLoginItemSettings covers), and an XDG autostart entry on Linux
// (~/.config/autostart/dsvm-pool.desktop, the freedesktop.org Desktop Application Autostart spec).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Passed when the system starts the app at login: it then stays in the tray, no window. */
export const HIDDEN_ARG = '--hidden';

export interface StartAtLogin {
  isEnabled(): boolean;
  setEnabled(enabled: boolean): Promise<void>;
  /** What it does on this platform, in a sentence (the log says it when toggled). */
  readonly describe: string;
}

/** The part of Electron's app this needs (macOS and Windows). */
export interface LoginItemApp {
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export function electronLoginItem(app: LoginItemApp, platform: NodeJS.Platform): StartAtLogin {
  // Windows keeps the arguments in its Run key and matches them when asked; macOS has none.
  const args = platform === 'win32' ? { args: [HIDDEN_ARG] } : {};
  return {
    isEnabled: () => app.getLoginItemSettings(args).openAtLogin,
    setEnabled: async (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, ...args }),
    describe:
      platform === 'darwin'
        ? 'a login item (System Settings › General › Login Items)'
        : 'an entry in Windows’ startup apps (Settings › Apps › Startup)',
  };
}

/** A desktop entry's Exec argument, quoted as the Desktop Entry spec asks. */
export function desktopExecArg(arg: string): string {
  if (/^[A-Za-z0-9_/.:@%+=,-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=dsvm-pool',
    'Comment=Starts dsvm-pool in the tray when you log in',
    `Exec=${desktopExecArg(executable)} ${HIDDEN_ARG}`,
    'Icon=dsvm-pool',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export interface XdgAutostartOptions {
  /** What to start: the AppImage ($APPIMAGE) when run from one, else the app's binary. */
  executable: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * Linux: Electron's login items do nothing there, so the app writes the autostart entry that
 * GNOME, KDE, Xfce and the other XDG desktops start at login, and reads its presence back.
 */
export async function xdgAutostart(options: XdgAutostartOptions): Promise<StartAtLogin> {
  const env = options.env ?? process.env;
  const configHome = env['XDG_CONFIG_HOME'] || join(options.home ?? homedir(), '.config');
  const dir = join(configHome, 'autostart');
  const path = join(dir, 'dsvm-pool.desktop');
  let enabled = await readFile(path, 'utf8').then(
    (text) => !/^Hidden\s*=\s*true\s*$/m.test(text),
    () => false,
  );
  return {
    isEnabled: () => enabled,
    setEnabled: async (on) => {
      if (on) {
        await mkdir(dir, { recursive: true });
        await writeFile(path, autostartEntry(options.executable), { mode: 0o644 });
      } else {
        await rm(path, { force: true });
      }
      enabled = on;
    },
    describe: `an autostart entry, ${path}`,
  };
}
