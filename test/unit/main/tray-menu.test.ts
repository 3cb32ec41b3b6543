// The tray menu template and tooltip as plain data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trayMenuTemplate, trayTooltip } from '../../../src/main/tray-menu';
import { pool } from './fake-core';

describe('trayMenuTemplate', () => {
  it('lists Open, one Connect per pool, a separator and Quit, wired to the actions', () => {
    const calls: string[] = [];
    const template = trayMenuTemplate([pool('p1', 'One'), pool('p2', 'Two')], {
      open: () => calls.push('open'),
      connect: (id) => calls.push(`connect ${id}`),
      quit: () => calls.push('quit'),
    });
    assert.deepEqual(
      template.map((i) => i.label ?? i.type),
      [
        'Open',
        'Connect to One',
        'Connect to Two',
        'separator',
        'Azure: not signed in',
        'separator',
        'Quit',
      ],
    );
    for (const item of template) item.click?.();
    assert.deepEqual(calls, ['open', 'connect p1', 'connect p2', 'quit']);
  });

  it('escapes mnemonics and shortens very long pool names', () => {
    const noop = () => {};
    const [, item] = trayMenuTemplate([pool('p', `A&B ${'x'.repeat(100)}`)], {
      open: noop,
      connect: noop,
      quit: noop,
    });
    assert.ok(item.label?.startsWith('Connect to A&&B xxx'));
    assert.ok(item.label?.endsWith('…'));
    assert.ok((item.label?.length ?? 0) < 80);
  });
});

describe('Azure sign-in in the tray', () => {
  const signedIn = {
    signedIn: true,
    persistentCache: true,
    account: { kind: 'cli' as const, userName: 'ann@contoso.com', isServicePrincipal: false },
  };

  it('shows who is signed in as a disabled menu line, and in the tooltip', () => {
    const noop = () => {};
    const template = trayMenuTemplate([], { open: noop, connect: noop, quit: noop }, signedIn);
    const line = template.find((i) => i.label?.startsWith('Azure:'));
    assert.equal(line?.label, 'Azure: signed in as ann@contoso.com');
    assert.equal(line?.enabled, false);
    assert.equal(
      trayTooltip(0, undefined, signedIn),
      'dsvm-pool — no connections\nAzure: signed in as ann@contoso.com',
    );
    assert.equal(
      trayTooltip(0, undefined, { signedIn: false, persistentCache: false }),
      'dsvm-pool — no connections',
    );
  });
});

describe('trayTooltip', () => {
  it('says how many connections are open', () => {
    assert.equal(trayTooltip(0), 'dsvm-pool — no connections');
    assert.equal(trayTooltip(1), 'dsvm-pool — 1 connection');
    assert.equal(trayTooltip(2), 'dsvm-pool — 2 connections');
    assert.equal(
      trayTooltip(1, { reconnecting: 1, lost: 2 }),
      'dsvm-pool — 1 connection, 1 reconnecting, 2 lost',
    );
  });
});
