// The scrollback setting: 10,000 lines by default, saved in settings.json, refused out of range
// by the contract with one sentence, and a hand-edited bad value falls back to the default
// without losing the rest of the file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { SCROLLBACK_RULE } from '../../../../src/common/contract';
import { ErrorCode, RpcError } from '../../../../src/common/errors';
import { RpcClient, RpcServer } from '../../../../src/common/rpc';
import { createMemoryTransportPair } from '../../../../src/common/transports/memory';
import { SettingsStore } from '../../../../src/core/settings/settings-store';
import {
  saveTerminalSettings,
  terminalSettingsOf,
} from '../../../../src/core/settings/terminal-settings';
import { simpleHandlers } from '../../../helpers/simple-handlers';

describe('terminal settings', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsvm-pool-terminal-settings-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('default 10,000 lines; a saved value is kept in settings.json', async () => {
    const store = await SettingsStore.open(dir);
    assert.deepEqual(terminalSettingsOf(store.get()), { scrollback: 10_000 });
    assert.deepEqual(await saveTerminalSettings(store, { scrollback: 25_000 }), {
      scrollback: 25_000,
    });
    store.dispose();
    const file = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'));
    assert.deepEqual(file.terminal, { scrollback: 25_000 });
    const again = await SettingsStore.open(dir);
    assert.deepEqual(terminalSettingsOf(again.get()), { scrollback: 25_000 });
    again.dispose();
  });

  test('a hand-edited value out of range means the default; the rest of the file stays', async () => {
    const pool = {
      id: 'ssh-1',
      name: 'GPU boxes',
      hosts: [{ name: 'gpu-1', address: '10.0.0.1', port: 22, user: 'ana', useAgent: true }],
    };
    await writeFile(
      join(dir, 'settings.json'),
      JSON.stringify({ version: 1, sshHostPools: [pool], terminal: { scrollback: 5 } }),
    );
    const store = await SettingsStore.open(dir);
    assert.equal(store.problem, undefined);
    assert.deepEqual(terminalSettingsOf(store.get()), { scrollback: 10_000 });
    assert.equal(store.get().sshHostPools.length, 1);
    store.dispose();
  });

  test('the contract refuses a scrollback out of range, or not a whole number, saying the rule', async () => {
    let saved: unknown;
    const server = new RpcServer(
      simpleHandlers({
        'terminals.setSettings': (input) => {
          saved = input;
          return input;
        },
      }),
    );
    const [clientEnd, serverEnd] = createMemoryTransportPair();
    server.connect(serverEnd);
    const client = new RpcClient(clientEnd);
    for (const scrollback of [999, 50_001, 10_000.5, 'many' as unknown as number]) {
      await assert.rejects(client.call('terminals.setSettings', { scrollback }), (err: unknown) => {
        assert.ok(err instanceof RpcError);
        assert.equal(err.code, ErrorCode.BadInput);
        assert.ok(err.message.includes(SCROLLBACK_RULE), err.message);
        return true;
      });
    }
    assert.equal(saved, undefined);
    assert.deepEqual(await client.call('terminals.setSettings', { scrollback: 1_000 }), {
      scrollback: 1_000,
    });
  });
});
