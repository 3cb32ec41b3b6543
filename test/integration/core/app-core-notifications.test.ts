// The core's side of notifications and navigation over RPC: notifications reach every page and
// the shell once; a place the shell asks for before any page listens is where the page starts;
// the last view is kept in settings.json.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AppNotification, AppTarget } from '../../../src/common/notification-models';
import { RpcClient } from '../../../src/common/rpc';
import { createMemoryTransportPair } from '../../../src/common/transports/memory';
import { createAppCore, type AppCore } from '../../../src/core/app-core';
import { until } from '../../helpers/until';

describe('app core: notifications and where the UI opens', () => {
  let dataDir: string;
  let core: AppCore;

  function client(): RpcClient {
    const [a, b] = createMemoryTransportPair();
    core.rpc.connect(b);
    return new RpcClient(a);
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'app-core-notify-'));
    core = await createAppCore({
      dataDir,
      shell: 'headless',
      version: '9.9.9',
      log: () => {},
      localInstances: 1,
    });
  });

  after(async () => {
    await core.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a place asked for while no page listens is where the next page starts, once', async () => {
    core.requestOpen({ view: 'admin', operationId: 'op-1' });
    const ui = client();
    assert.deepEqual(await ui.call('app.startView', {}), {
      view: 'admin',
      open: { view: 'admin', operationId: 'op-1' },
    });
    assert.deepEqual(await ui.call('app.startView', {}), { view: 'user' }, 'taken once');

    core.requestConnect('local');
    assert.deepEqual(await client().call('app.startView', {}), {
      view: 'user',
      open: { view: 'user', poolId: 'local', open: 'connect' },
    });
  });

  it('a page that listens gets the request as an event instead', async () => {
    const ui = client();
    const asked: AppTarget[] = [];
    ui.on('app.onDidRequestOpen', (t) => asked.push(t));
    await ui.call('app.info', {}); // the subscription has reached the core
    core.requestOpen({ view: 'user', connectionId: 'c1', open: 'jupyter' });
    await until('the open request', () => asked.length === 1);
    assert.deepEqual(asked, [{ view: 'user', connectionId: 'c1', open: 'jupyter' }]);
    assert.deepEqual(await ui.call('app.startView', {}), { view: 'user' }, 'nothing pending');
  });

  it('the last view is kept in settings.json', async () => {
    const ui = client();
    await ui.call('app.setLastView', { view: 'admin' });
    assert.deepEqual(await ui.call('app.startView', {}), { view: 'admin' });
    const saved = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as {
      window?: { lastView?: string };
    };
    assert.equal(saved.window?.lastView, 'admin');
    await assert.rejects(
      ui.call('app.setLastView', { view: 'settings' as 'admin' }),
      /must be user or admin/,
    );
  });

  it('a notification reaches every page and the shell, and the kinds are settings', async () => {
    const [one, two] = [client(), client()];
    const got: Record<string, AppNotification[]> = { one: [], two: [], shell: [] };
    one.on('notifications.onDidShow', (n) => got.one!.push(n));
    two.on('notifications.onDidShow', (n) => got.two!.push(n));
    const sub = core.onDidNotify((n) => got.shell!.push(n));
    await Promise.all([one.call('app.info', {}), two.call('app.info', {})]);
    const sent = await one.call('notifications.test', {});
    await until(
      'the notification on both pages',
      () => got.one!.length === 1 && got.two!.length === 1,
    );
    assert.deepEqual(got.shell, [sent]);
    assert.deepEqual(got.two, [sent]);
    sub.dispose();

    const changes: unknown[] = [];
    two.on('notifications.onDidChangeSettings', (s) => changes.push(s));
    await two.call('app.info', {});
    assert.deepEqual(
      await one.call('notifications.setEnabled', { kind: 'operation', enabled: false }),
      {
        connection: true,
        operation: false,
        scaleIn: true,
      },
    );
    await until('the settings change', () => changes.length === 1);
    assert.deepEqual(await two.call('notifications.settings', {}), {
      connection: true,
      operation: false,
      scaleIn: true,
    });
    await assert.rejects(
      one.call('notifications.setEnabled', { kind: 'everything' as 'operation', enabled: true }),
      /must be one of "connection", "operation", "scaleIn"/,
    );
  });
});
