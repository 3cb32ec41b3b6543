// The tray's context menu as a pure model (plain data built from pools, connections and the
// shell's state), turned into Electron's template by toMenuTemplate; and the tray's tooltip.
import type { AzureSignInStatus, ConnectionInfo, PoolInfo } from '../common/models';
import type { MenuItemTemplate } from './electron-api';

/** What a menu item does; the shell runs it (AppTray). */
export type TrayCommand =
  | { type: 'open' }
  | { type: 'connect'; poolId: string }
  | { type: 'openTerminal'; connectionId: string; poolId: string }
  | { type: 'openJupyter'; connectionId: string; poolId: string }
  | { type: 'copySshCommand'; connectionId: string }
  | { type: 'openInVsCode'; connectionId: string }
  | { type: 'toggleStartAtLogin' }
  | { type: 'openLogs' }
  | { type: 'checkForUpdates' }
  | { type: 'relaunch' }
  | { type: 'quit' };

export type TrayMenuEntry =
  | { kind: 'separator' }
  | {
      kind: 'item';
      label: string;
      command?: TrayCommand;
      /** Absent: enabled. */
      enabled?: boolean;
      /** A checkbox item's state. */
      checked?: boolean;
      submenu?: TrayMenuEntry[];
    };

export interface TrayMenuInput {
  pools: readonly PoolInfo[];
  connections: readonly ConnectionInfo[];
  azure?: AzureSignInStatus;
  /** Start at login: where the platform has it, and whether it is on. */
  startAtLogin?: { enabled: boolean };
  /** Whether the shell has the connection tools (Copy ssh command, Open in VS Code). */
  tools?: { sshCommand: boolean; vsCode: boolean };
  /** The core stopped and is not started again (it crashed too often): the stopped menu. */
  stopped?: boolean;
}

/** On Windows and Linux `&` marks a menu mnemonic; `&&` shows a literal one. */
function menuLabel(text: string): string {
  const short = text.length > 60 ? `${text.slice(0, 59)}…` : text;
  return short.replaceAll('&', '&&');
}

/** "Azure: signed in as ann@contoso.com" / "Azure: not signed in". */
export function azureLine(status: AzureSignInStatus | undefined): string {
  if (!status?.signedIn) return 'Azure: not signed in';
  const who = status.account?.userName ?? status.account?.displayName;
  return who ? `Azure: signed in as ${who}` : 'Azure: signed in';
}

/** Connections worth listing: the ones that are, or are becoming, usable, and lost ones. */
const LISTED: ReadonlySet<ConnectionInfo['state']> = new Set([
  'connecting',
  'connected',
  'reconnecting',
  'lost',
]);

function connectionEntry(c: ConnectionInfo, tools: TrayMenuInput['tools']): TrayMenuEntry {
  const live = c.state === 'connected';
  const needsLink = live ? {} : { enabled: false };
  return {
    kind: 'item',
    label: menuLabel(`${c.instanceName} — ${c.state}`),
    submenu: [
      {
        kind: 'item',
        label: 'Open terminal',
        command: { type: 'openTerminal', connectionId: c.id, poolId: c.poolId },
        ...(c.state === 'lost' ? { enabled: false } : {}),
      },
      {
        kind: 'item',
        label: 'Open Jupyter',
        command: { type: 'openJupyter', connectionId: c.id, poolId: c.poolId },
        ...needsLink,
      },
      {
        kind: 'item',
        label: 'Copy ssh command',
        command: { type: 'copySshCommand', connectionId: c.id },
        ...(tools?.sshCommand ? needsLink : { enabled: false }),
      },
      {
        kind: 'item',
        label: 'Open in VS Code',
        command: { type: 'openInVsCode', connectionId: c.id },
        ...(tools?.vsCode ? needsLink : { enabled: false }),
      },
    ],
  };
}

/**
 * Once the core has stopped for good, nothing but these works: why, a restart of the whole app,
 * the logs that say what happened, Quit.
 */
const STOPPED_MENU: readonly TrayMenuEntry[] = [
  { kind: 'item', label: 'dsvm-pool stopped working', enabled: false },
  { kind: 'item', label: 'Restart dsvm-pool', command: { type: 'relaunch' } },
  { kind: 'separator' },
  { kind: 'item', label: 'Open logs', command: { type: 'openLogs' } },
  { kind: 'separator' },
  { kind: 'item', label: 'Quit', command: { type: 'quit' } },
];

/** The tooltip while the core is stopped for good. */
export const STOPPED_TOOLTIP = 'dsvm-pool — stopped working: Restart dsvm-pool from this menu';

/**
 * Open; each pool as a submenu (Connect, then its open connections, each with Open terminal /
 * Open Jupyter / Copy ssh command / Open in VS Code); the Azure sign-in line; Start at login (where
 * the platform has it), Open logs, Check for updates; Quit. A stopped core: STOPPED_MENU.
 */
export function trayMenuModel(input: TrayMenuInput): TrayMenuEntry[] {
  if (input.stopped) return [...STOPPED_MENU];
  const pools = input.pools.map((pool): TrayMenuEntry => {
    const connections = input.connections.filter(
      (c) => c.poolId === pool.id && LISTED.has(c.state),
    );
    return {
      kind: 'item',
      label: menuLabel(pool.name),
      submenu: [
        { kind: 'item', label: 'Connect', command: { type: 'connect', poolId: pool.id } },
        ...(connections.length > 0 ? [{ kind: 'separator' } as const] : []),
        ...connections.map((c) => connectionEntry(c, input.tools)),
      ],
    };
  });
  return [
    { kind: 'item', label: 'Open dsvm-pool', command: { type: 'open' } },
    { kind: 'separator' },
    ...pools,
    ...(pools.length > 0 ? [{ kind: 'separator' } as const] : []),
    { kind: 'item', label: menuLabel(azureLine(input.azure)), enabled: false },
    { kind: 'separator' },
    ...(input.startAtLogin
      ? [
          {
            kind: 'item',
            label: 'Start at login',
            command: { type: 'toggleStartAtLogin' },
            checked: input.startAtLogin.enabled,
          } as const,
        ]
      : []),
    { kind: 'item', label: 'Open logs', command: { type: 'openLogs' } },
    { kind: 'item', label: 'Check for updates', command: { type: 'checkForUpdates' } },
    { kind: 'separator' },
    { kind: 'item', label: 'Quit', command: { type: 'quit' } },
  ];
}

/** The model as Electron's template, each command handed to `run` when clicked. */
export function toMenuTemplate(
  model: readonly TrayMenuEntry[],
  run: (command: TrayCommand) => void,
): MenuItemTemplate[] {
  return model.map((entry): MenuItemTemplate => {
    if (entry.kind === 'separator') return { type: 'separator' };
    const item: MenuItemTemplate = { label: entry.label };
    if (entry.enabled === false) item.enabled = false;
    if (entry.checked !== undefined) {
      item.type = 'checkbox';
      item.checked = entry.checked;
    }
    if (entry.submenu) item.submenu = toMenuTemplate(entry.submenu, run);
    const command = entry.command;
    if (command) item.click = () => run(command);
    return item;
  });
}

/** e.g. "dsvm-pool — 1 connection, 1 reconnecting" (+ the Azure line when signed in). */
export function trayTooltip(
  connections: number,
  troubled: { reconnecting: number; lost: number } = { reconnecting: 0, lost: 0 },
  azure?: AzureSignInStatus,
): string {
  const parts = [
    connections === 0
      ? 'no connections'
      : `${connections} connection${connections === 1 ? '' : 's'}`,
  ];
  if (troubled.reconnecting > 0) parts.push(`${troubled.reconnecting} reconnecting`);
  if (troubled.lost > 0) parts.push(`${troubled.lost} lost`);
  const line = `dsvm-pool — ${parts.join(', ')}`;
  return azure?.signedIn ? `${line}\n${azureLine(azure)}` : line;
}
