// The tray's context menu and tooltip, as plain data built from the pools and connection count.
import type { AzureSignInStatus, PoolInfo } from '../common/models';
import type { MenuItemTemplate } from './electron-api';

export interface TrayActions {
  open(): void;
  connect(poolId: string): void;
  quit(): void;
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

/** Open, one Connect item per pool, the Azure sign-in state (disabled), a separator, Quit. */
export function trayMenuTemplate(
  pools: readonly PoolInfo[],
  actions: TrayActions,
  azure?: AzureSignInStatus,
): MenuItemTemplate[] {
  return [
    { label: 'Open', click: () => actions.open() },
    ...pools.map((pool): MenuItemTemplate => ({
      label: `Connect to ${menuLabel(pool.name)}`,
      click: () => actions.connect(pool.id),
    })),
    { type: 'separator' },
    { label: menuLabel(azureLine(azure)), enabled: false },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
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
