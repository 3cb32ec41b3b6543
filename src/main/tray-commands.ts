// Runs what a tray menu item says: through the core (connect, bring a terminal or Jupyter
// forward), the connection tools (ssh command to the clipboard, VS Code), the login item, the
// log folder, updates, quit. Failures are told to the user, never thrown into Electron's menu.
import type { AppCore } from '../core/app-core';
import type { ConnectionTools } from './connection-tools';
import type { ElectronApi } from './electron-api';
import type { StartAtLogin } from './start-at-login';
import type { TrayCommand } from './tray-menu';

export interface TrayCommandContext {
  core: Pick<AppCore, 'requestConnect' | 'requestOpen'>;
  electron: Pick<ElectronApi, 'clipboard' | 'shell'>;
  showWindow(): void;
  quit(): void;
  /** Quits and starts the app again (the tray's Restart once the core stopped for good). */
  relaunch(): void;
  checkForUpdates(): Promise<unknown>;
  tools?: ConnectionTools;
  startAtLogin?: StartAtLogin;
  /** The log folder (`<dataDir>/logs`). */
  logDir?: string;
  /** Rebuilds the menu (a checkbox changed). */
  refreshTray(): void;
  /** Says something went wrong, to the user (a notification) and the log. */
  tell(title: string, body: string): void;
  log(line: string): void;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function runTrayCommand(command: TrayCommand, ctx: TrayCommandContext): Promise<void> {
  try {
    switch (command.type) {
      case 'open':
        ctx.showWindow();
        return;
      case 'connect':
        // Show the window first so the UI that runs the Connect flow is visible.
        ctx.showWindow();
        ctx.core.requestConnect(command.poolId);
        return;
      case 'openTerminal':
      case 'openJupyter':
        ctx.showWindow();
        ctx.core.requestOpen({
          view: 'user',
          connectionId: command.connectionId,
          poolId: command.poolId,
          open: command.type === 'openJupyter' ? 'jupyter' : 'terminal',
        });
        return;
      case 'copySshCommand': {
        if (!ctx.tools) throw new Error('This build cannot make ssh commands yet.');
        ctx.electron.clipboard.writeText(await ctx.tools.sshCommand(command.connectionId));
        ctx.log('tray: copied the ssh command of a connection');
        return;
      }
      case 'openInVsCode':
        if (!ctx.tools) throw new Error('This build cannot open VS Code yet.');
        await ctx.tools.openInVsCode(command.connectionId);
        return;
      case 'toggleStartAtLogin': {
        const login = ctx.startAtLogin;
        if (!login) return;
        const on = !login.isEnabled();
        await login.setEnabled(on);
        ctx.log(`start at login ${on ? 'on' : 'off'}: ${login.describe}`);
        ctx.refreshTray();
        return;
      }
      case 'openLogs': {
        if (!ctx.logDir) throw new Error('This app keeps no log file.');
        const error = await ctx.electron.shell.openPath(ctx.logDir);
        if (error) throw new Error(`${error} The logs are in ${ctx.logDir}.`);
        return;
      }
      case 'checkForUpdates':
        await ctx.checkForUpdates();
        return;
      case 'relaunch':
        ctx.log('tray: restarting dsvm-pool');
        ctx.relaunch();
        return;
      case 'quit':
        ctx.quit();
        return;
    }
  } catch (err) {
    ctx.tell(`dsvm-pool could not ${label(command)}`, reason(err));
    // A checkbox Electron flipped on its own must show the real state again.
    if (command.type === 'toggleStartAtLogin') ctx.refreshTray();
  }
}

function label(command: TrayCommand): string {
  switch (command.type) {
    case 'copySshCommand':
      return 'copy the ssh command';
    case 'openInVsCode':
      return 'open VS Code';
    case 'toggleStartAtLogin':
      return 'change Start at login';
    case 'openLogs':
      return 'open the log folder';
    case 'checkForUpdates':
      return 'check for updates';
    default:
      return 'do that';
  }
}
