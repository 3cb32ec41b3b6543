// The tray's context menu and tooltip, as plain data built from the pools and connection count.
import type { PoolInfo } from '../common/models';
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

/** Open, one Connect item per pool, a separator, Quit. */
export function trayMenuTemplate(
  pools: readonly PoolInfo[],
  actions: TrayActions,
): MenuItemTemplate[] {
  return [
    { label: 'Open', click: () => actions.open() },
    ...pools.map((pool): MenuItemTemplate => ({
      label: `Connect to ${menuLabel(pool.name)}`,
      click: () => actions.connect(pool.id),
    })),
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

/** e.g. "dsvm-pool — 1 connection". */
export function trayTooltip(connections: number): string {
  const count =
    connections === 0
      ? 'no connections'
      : `${connections} connection${connections === 1 ? '' : 's'}`;
  return `dsvm-pool — ${count}`;
}
