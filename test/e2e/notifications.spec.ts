// Notifications in the browser UI: the page never asks for permission on load; once the user
// allows it from the Notifications menu, a notification is a web Notification whose click opens
// its place; without permission it is an in-app toast. The kinds' toggles are saved in
// settings.json, and the view shown last comes back. Also renders the tray menu model (README).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ConnectionInfo, PoolInfo } from '../../src/common/models';
import { trayMenuModel, type TrayMenuEntry } from '../../src/main/tray-menu';
import { expect, test } from './fixtures';

type Permission = 'default' | 'granted' | 'denied';

/** Replaces the page's web Notification API with one that records what the app does. */
async function stubNotifications(page: Page, permission: Permission): Promise<void> {
  await page.addInitScript((initial) => {
    const w = globalThis as unknown as Record<string, unknown>;
    const shown: Array<{ title: string; body?: string; tag?: string }> = [];
    w.__shown = shown;
    w.__asked = 0;
    class RecordingNotification {
      static permission: Permission = initial;
      static requestPermission(): Promise<Permission> {
        w.__asked = (w.__asked as number) + 1;
        RecordingNotification.permission = 'granted';
        return Promise.resolve('granted');
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options: { body?: string; tag?: string } = {}) {
        shown.push({ title, body: options.body, tag: options.tag });
        w.__last = this;
      }
      close(): void {}
    }
    w.Notification = RecordingNotification;
  }, permission);
}

async function openMenu(page: Page) {
  await page.getByTestId('notifications-menu').click();
  await expect(page.getByRole('menuitemcheckbox').first()).toBeVisible();
}

test('allowed from the menu: a web notification, whose click opens its view', async ({
  freshApp,
  page,
}) => {
  await stubNotifications(page, 'default');
  await page.goto(freshApp.url);
  await expect(page.getByTestId('app-shell')).toContainText('Browser');
  expect(await page.evaluate(() => (globalThis as unknown as { __asked: number }).__asked)).toBe(0);

  await openMenu(page);
  await expect(page.getByTestId('notifications-where')).toContainText('inside the page until');
  await page.getByTestId('notifications-allow').click();
  await openMenu(page);
  await expect(page.getByTestId('notifications-where')).toContainText(
    'Shown as desktop notifications by this browser',
  );
  await expect(page.getByTestId('notifications-allow')).toHaveCount(0);
  await page.keyboard.press('Escape');

  // Elsewhere in the app when it comes: its click leads back to the user view.
  await page.getByTestId('view-admin').click();
  await openMenu(page);
  await page.getByTestId('notifications-test').click();
  await expect
    .poll(() => page.evaluate(() => (globalThis as unknown as { __shown: unknown[] }).__shown))
    .toEqual([
      {
        title: 'dsvm-pool notifications work',
        body: expect.stringContaining('dropped connections') as unknown as string,
        tag: expect.stringMatching(/^test:/) as unknown as string,
      },
    ]);
  await expect(page.getByTestId('notification-toast')).toHaveCount(0);
  await page.evaluate(() =>
    (globalThis as unknown as { __last: { onclick(): void } }).__last.onclick(),
  );
  await expect(page.getByTestId('view-user')).toHaveAttribute('aria-selected', 'true');
});

test('not allowed: an in-app toast with Open', async ({ freshApp, page }) => {
  await stubNotifications(page, 'denied');
  await page.goto(freshApp.url);
  await openMenu(page);
  await expect(page.getByTestId('notifications-where')).toContainText('blocks notifications');
  await expect(page.getByTestId('notifications-allow')).toHaveCount(0);
  await page.getByTestId('view-admin').focus(); // the menu closes; the test comes from elsewhere
  await page.getByTestId('view-admin').click();
  await openMenu(page);
  await page.getByTestId('notifications-test').click();
  const toast = page.getByTestId('notification-toast');
  await expect(toast).toHaveCount(1);
  await expect(toast).toContainText('dsvm-pool notifications work');
  expect(
    await page.evaluate(() => (globalThis as unknown as { __shown: unknown[] }).__shown),
  ).toEqual([]);
  // Once its entrance animation has finished, with the corner of the app around it.
  // (Hovering holds it: the toast pauses its timeout while the pointer is on it.)
  await toast.getByText('This is how').hover();
  await expect
    .poll(() =>
      // The opacity of the toast as painted: its own times its containers'.
      toast.evaluate((el) => {
        type Box = { parentElement: Box | null };
        const page = globalThis as unknown as { getComputedStyle(e: Box): { opacity: string } };
        let opacity = 1;
        for (let e: Box | null = el as unknown as Box; e; e = e.parentElement) {
          opacity *= Number(page.getComputedStyle(e).opacity);
        }
        return opacity;
      }),
    )
    .toBe(1);
  const box = (await toast.boundingBox())!;
  const viewport = page.viewportSize()!;
  const x = Math.max(0, box.x - 180);
  const y = Math.max(0, box.y - 60);
  await page.screenshot({
    path: 'docs/screenshots/notification-toast.png',
    clip: { x, y, width: viewport.width - x, height: viewport.height - y },
  });
  await toast.getByText('Open').click();
  await expect(page.getByTestId('view-user')).toHaveAttribute('aria-selected', 'true');
  await expect(toast).toHaveCount(0);
});

test('the kinds are saved in settings.json, and the last view is kept', async ({
  freshApp,
  page,
}) => {
  await page.goto(freshApp.url);
  await openMenu(page);
  const scaleIn = page.getByTestId('notify-scaleIn');
  await expect(scaleIn).toHaveAttribute('aria-checked', 'true');
  await scaleIn.click();
  await expect(scaleIn).toHaveAttribute('aria-checked', 'false');
  await expect
    .poll(async () => {
      const text = await readFile(join(freshApp.dataDir, 'settings.json'), 'utf8').catch(
        () => '{}',
      );
      return (JSON.parse(text) as { notifications?: object }).notifications;
    })
    .toEqual({ scaleIn: false });
  await page.keyboard.press('Escape');
  await page.getByTestId('view-admin').click();
  await expect
    .poll(async () => {
      const text = await readFile(join(freshApp.dataDir, 'settings.json'), 'utf8');
      return (JSON.parse(text) as { window?: { lastView?: string } }).window?.lastView;
    })
    .toBe('admin');

  // A reload keeps the view (the address says #admin); the printed address starts afresh.
  await page.reload();
  await expect(page.getByTestId('view-admin')).toHaveAttribute('aria-selected', 'true');
  await page.goto(freshApp.url);
  await expect(page.getByTestId('view-user')).toHaveAttribute('aria-selected', 'true');
  await openMenu(page);
  await expect(page.getByTestId('notify-scaleIn')).toHaveAttribute('aria-checked', 'false');
  await expect(page.getByTestId('notify-connection')).toHaveAttribute('aria-checked', 'true');
});

// --- A rendering of the tray menu (the real model; Electron's native menu cannot be captured
// here), for the README.

function conn(id: string, name: string, state: ConnectionInfo['state']): ConnectionInfo {
  return {
    id,
    poolId: 'team',
    instanceId: id,
    instanceName: name,
    host: 'team.westeurope.cloudapp.azure.com',
    port: 50000,
    user: 'ann',
    state,
  };
}

function menuHtml(entries: readonly TrayMenuEntry[], open: readonly string[]): string {
  const rows = entries
    .map((e) => {
      if (e.kind === 'separator') return '<div class="sep"></div>';
      const isOpen = open.includes(e.label);
      const classes = ['item', e.enabled === false ? 'off' : '', isOpen ? 'hot' : '']
        .filter(Boolean)
        .join(' ');
      const check = e.checked === undefined ? '' : e.checked ? '✓' : '';
      const label = e.label.replaceAll('&&', '&').replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
      const arrow = e.submenu ? '<span class="arrow">▸</span>' : '';
      const sub = e.submenu && isOpen ? menuHtml(e.submenu, open) : '';
      return `<div class="${classes}"><span class="check">${check}</span>${label}${arrow}${sub}</div>`;
    })
    .join('');
  return `<div class="menu">${rows}</div>`;
}

test('renders the tray menu model (docs/screenshots/tray-menu.png)', async ({ page }) => {
  const pools: PoolInfo[] = [
    {
      id: 'local',
      name: 'Local sandbox',
      kind: 'local',
      description: '',
      user: 'ann',
      instances: [],
    },
    { id: 'team', name: 'Team VMs', kind: 'azure', description: '', user: 'ann', instances: [] },
  ];
  const model = trayMenuModel({
    pools,
    connections: [conn('c1', 'team-3', 'connected'), conn('c2', 'team-7', 'reconnecting')],
    azure: {
      signedIn: true,
      persistentCache: true,
      account: { kind: 'device-code', userName: 'ann@contoso.com', isServicePrincipal: false },
    },
    startAtLogin: { enabled: true },
    tools: { sshCommand: true, vsCode: true },
  });
  await page.setViewportSize({ width: 770, height: 285 });
  await page.setContent(`<!doctype html><html><head><style>
    body { margin: 0; font: 13px system-ui, 'DejaVu Sans', sans-serif; background: #dfe6ee; }
    .caption { padding: 8px 12px; color: #444; font-size: 12px; }
    .menu { position: absolute; background: #fbfbfb; border: 1px solid #c8c8c8; border-radius: 6px;
            box-shadow: 0 4px 14px rgba(0,0,0,.18); padding: 4px 0; min-width: 220px; }
    body > .menu { left: 12px; top: 34px; }
    .item { position: relative; padding: 4px 28px 4px 26px; white-space: nowrap; }
    .item.off { color: #9a9a9a; }
    .item.hot { background: #0f6cbd; color: #fff; }
    .item.hot > .menu { color: #222; }
    .item > .menu { left: 100%; top: -5px; }
    .check { position: absolute; left: 9px; }
    .arrow { position: absolute; right: 10px; }
    .sep { border-top: 1px solid #e1e1e1; margin: 4px 0; }
  </style></head><body>
    <div class="caption">A rendering of dsvm-pool's tray menu model (src/main/tray-menu.ts), not a screenshot of a native menu.</div>
    ${menuHtml(model, ['Team VMs', 'team-3 — connected'])}
  </body></html>`);
  await expect(page.getByText('Open in VS Code')).toHaveCount(1);
  await page.screenshot({ path: 'docs/screenshots/tray-menu.png' });
});
