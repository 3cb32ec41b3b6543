// The tray menu as a pure model (pools, their connections and actions, the app's own items), its
// Electron template, and the tooltip.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionInfo } from '../../../src/common/models';
import {
  toMenuTemplate,
  trayMenuModel,
  trayTooltip,
  type TrayCommand,
  type TrayMenuEntry,
} from '../../../src/main/tray-menu';
import { pool } from './fake-core';

function conn(id: string, poolId: string, state: ConnectionInfo['state']): ConnectionInfo {
  return {
    id,
    poolId,
    instanceId: id,
    instanceName: `vm-${id}`,
    host: '127.0.0.1',
    port: 22,
    user: 'ann',
    state,
  };
}

/** Labels, submenus indented, separators as '---', disabled items in (), checkboxes [x]/[ ]. */
function outline(entries: readonly TrayMenuEntry[], depth = 0): string[] {
  return entries.flatMap((e) => {
    const pad = '  '.repeat(depth);
    if (e.kind === 'separator') return [`${pad}---`];
    const box = e.checked === undefined ? '' : e.checked ? '[x] ' : '[ ] ';
    const label = e.enabled === false ? `(${e.label})` : e.label;
    return [`${pad}${box}${label}`, ...outline(e.submenu ?? [], depth + 1)];
  });
}

describe('trayMenuModel', () => {
  it('once the core stopped for good: why, Restart, Open logs and Quit, nothing else', () => {
    const model = trayMenuModel({
      pools: [pool('team', 'Team VMs')],
      connections: [conn('c1', 'team', 'connected')],
      startAtLogin: { enabled: true },
      stopped: true,
    });
    assert.deepEqual(outline(model), [
      '(dsvm-pool stopped working)',
      'Restart dsvm-pool',
      '---',
      'Open logs',
      '---',
      'Quit',
    ]);
    const clicked: TrayCommand[] = [];
    const template = toMenuTemplate(model, (command) => clicked.push(command));
    template.find((item) => item.label === 'Restart dsvm-pool')?.click?.();
    assert.deepEqual(clicked, [{ type: 'relaunch' }]);
  });

  it('lists each pool with Connect and its open connections with their actions', () => {
    const model = trayMenuModel({
      pools: [pool('p1', 'One'), pool('p2', 'Two')],
      connections: [
        conn('a', 'p1', 'connected'),
        conn('b', 'p1', 'reconnecting'),
        conn('c', 'p1', 'closed'),
        conn('d', 'p2', 'lost'),
      ],
      startAtLogin: { enabled: false },
      tools: { sshCommand: true, vsCode: true },
    });
    assert.deepEqual(outline(model), [
      'Open dsvm-pool',
      '---',
      'One',
      '  Connect',
      '  ---',
      '  vm-a — connected',
      '    Open terminal',
      '    Open Jupyter',
      '    Copy ssh command',
      '    Open in VS Code',
      '  vm-b — reconnecting',
      '    Open terminal',
      '    (Open Jupyter)',
      '    (Copy ssh command)',
      '    (Open in VS Code)',
      'Two',
      '  Connect',
      '  ---',
      '  vm-d — lost',
      '    (Open terminal)',
      '    (Open Jupyter)',
      '    (Copy ssh command)',
      '    (Open in VS Code)',
      '---',
      '(Azure: not signed in)',
      '---',
      '[ ] Start at login',
      'Open logs',
      'Check for updates',
      '---',
      'Quit',
    ]);
  });

  it('greys out the connection tools the shell does not have, and hides Start at login where there is none', () => {
    const model = trayMenuModel({
      pools: [pool('p1', 'One')],
      connections: [conn('a', 'p1', 'connected')],
    });
    const lines = outline(model);
    assert.ok(lines.includes('    (Copy ssh command)'));
    assert.ok(lines.includes('    (Open in VS Code)'));
    assert.ok(!lines.some((l) => l.includes('Start at login')));
  });

  it('with no pools: no empty pool section', () => {
    const lines = outline(
      trayMenuModel({ pools: [], connections: [], startAtLogin: { enabled: true } }),
    );
    assert.deepEqual(lines.slice(0, 4), ['Open dsvm-pool', '---', '(Azure: not signed in)', '---']);
    assert.ok(lines.includes('[x] Start at login'));
  });

  it('escapes mnemonics and shortens very long names', () => {
    const model = trayMenuModel({
      pools: [pool('p', `A&B ${'x'.repeat(100)}`)],
      connections: [],
    });
    const item = model[2];
    assert.ok(item?.kind === 'item');
    assert.ok(item.label.startsWith('A&&B xxx'));
    assert.ok(item.label.endsWith('…'));
    assert.ok(item.label.length < 80);
  });

  it('shows who is signed in to Azure as a disabled line', () => {
    const model = trayMenuModel({
      pools: [],
      connections: [],
      azure: {
        signedIn: true,
        persistentCache: true,
        account: { kind: 'cli', userName: 'ann@contoso.com', isServicePrincipal: false },
      },
    });
    assert.ok(outline(model).includes('(Azure: signed in as ann@contoso.com)'));
  });
});

describe('toMenuTemplate', () => {
  it('turns the model into Electron items whose clicks run their commands', () => {
    const run: TrayCommand[] = [];
    const template = toMenuTemplate(
      trayMenuModel({
        pools: [pool('p1', 'One')],
        connections: [conn('a', 'p1', 'connected')],
        startAtLogin: { enabled: true },
        tools: { sshCommand: true, vsCode: true },
      }),
      (command) => run.push(command),
    );
    const one = template.find((i) => i.label === 'One');
    assert.equal(one?.click, undefined, 'a pool opens its submenu');
    one?.submenu?.find((i) => i.label === 'Connect')?.click?.();
    const vm = one?.submenu?.find((i) => i.label === 'vm-a — connected');
    for (const item of vm?.submenu ?? []) item.click?.();
    const login = template.find((i) => i.label === 'Start at login');
    assert.equal(login?.type, 'checkbox');
    assert.equal(login?.checked, true);
    login?.click?.();
    template.find((i) => i.label === 'Open logs')?.click?.();
    template.find((i) => i.label === 'Check for updates')?.click?.();
    template.find((i) => i.label === 'Quit')?.click?.();
    assert.deepEqual(run, [
      { type: 'connect', poolId: 'p1' },
      { type: 'openTerminal', connectionId: 'a', poolId: 'p1' },
      { type: 'openJupyter', connectionId: 'a', poolId: 'p1' },
      { type: 'copySshCommand', connectionId: 'a' },
      { type: 'openInVsCode', connectionId: 'a' },
      { type: 'toggleStartAtLogin' },
      { type: 'openLogs' },
      { type: 'checkForUpdates' },
      { type: 'quit' },
    ]);
    assert.equal(template.find((i) => i.label?.startsWith('Azure'))?.enabled, false);
  });
});

describe('trayTooltip', () => {
  it('says how many connections are open, and who is signed in', () => {
    assert.equal(trayTooltip(0), 'dsvm-pool — no connections');
    assert.equal(trayTooltip(1), 'dsvm-pool — 1 connection');
    assert.equal(trayTooltip(2), 'dsvm-pool — 2 connections');
    assert.equal(
      trayTooltip(1, { reconnecting: 1, lost: 2 }),
      'dsvm-pool — 1 connection, 1 reconnecting, 2 lost',
    );
    const signedIn = {
      signedIn: true,
      persistentCache: true,
      account: { kind: 'cli' as const, userName: 'ann@contoso.com', isServicePrincipal: false },
    };
    assert.equal(
      trayTooltip(0, undefined, signedIn),
      'dsvm-pool — no connections\nAzure: signed in as ann@contoso.com',
    );
  });
});
