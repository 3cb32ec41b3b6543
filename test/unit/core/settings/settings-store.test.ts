// The settings file: round trip, 0600 and atomic writes, and a corrupt file moved aside and
// reported rather than lost.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import { SettingsStore, type Settings } from '../../../../src/core/settings/settings-store';

const pool = {
  id: 'ssh-1',
  name: 'GPU boxes',
  hosts: [
    { name: 'gpu-1', address: '10.0.0.1', port: 22, user: 'ana', useAgent: true },
    {
      name: 'gpu-2',
      address: 'gpu2.lab',
      port: 2222,
      user: 'ana',
      keyPath: '/k/id',
      useAgent: false,
    },
  ],
};

const addPool = (s: Settings): Settings => ({ ...s, sshHostPools: [...s.sshHostPools, pool] });
const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('SettingsStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsvm-pool-settings-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('no file means defaults and no problem; nothing is written until a save', async () => {
    const store = await SettingsStore.open(dir);
    assert.deepEqual(store.get(), { version: 1, sshHostPools: [], jupyterPorts: {} });
    assert.equal(store.problem, undefined);
    assert.deepEqual(await readdir(dir), []);
  });

  test('round trip: saved settings come back in a new store, the file is 0600 JSON', async () => {
    const store = await SettingsStore.open(dir);
    const changes: Settings[] = [];
    store.onDidChange((s) => changes.push(s));
    const saved = await store.update(addPool);
    assert.deepEqual(saved.sshHostPools, [pool]);
    assert.deepEqual(changes, [saved]);
    assert.equal(await mode(store.path), 0o600);
    assert.deepEqual(JSON.parse(await readFile(store.path, 'utf8')), saved);
    // No temp files are left behind.
    assert.deepEqual(await readdir(dir), ['settings.json']);

    const again = await SettingsStore.open(dir);
    assert.deepEqual(again.get(), saved);
    assert.equal(again.problem, undefined);
  });

  test('get() hands out copies: changing one does not change the store', async () => {
    const store = await SettingsStore.open(dir);
    await store.update(addPool);
    store.get().sshHostPools[0].name = 'changed';
    assert.equal(store.get().sshHostPools[0].name, 'GPU boxes');
  });

  test('concurrent updates apply one after another, none lost', async () => {
    const store = await SettingsStore.open(dir);
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        store.update((s) => ({
          ...s,
          sshHostPools: [...s.sshHostPools, { ...pool, id: `ssh-${n}` }],
        })),
      ),
    );
    const reopened = await SettingsStore.open(dir);
    assert.deepEqual(
      reopened.get().sshHostPools.map((p) => p.id),
      ['ssh-1', 'ssh-2', 'ssh-3', 'ssh-4', 'ssh-5'],
    );
  });

  test('an invalid update is refused with the reason and changes nothing', async () => {
    const store = await SettingsStore.open(dir);
    await store.update(addPool);
    const before = await readFile(store.path, 'utf8');
    await assert.rejects(
      store.update((s) => ({ ...s, sshHostPools: [{ ...pool, hosts: [] }] })),
      (err: unknown) =>
        isRpcError(err, ErrorCode.BadInput) &&
        /sshHostPools\.0\.hosts.*at least one host/.test(err.message),
    );
    assert.equal(await readFile(store.path, 'utf8'), before);
    assert.deepEqual(store.get().sshHostPools, [pool]);
    // The queue goes on after a failed update.
    await store.update((s) => ({ ...s, sshHostPools: [] }));
    assert.deepEqual(store.get().sshHostPools, []);
  });

  test('unknown keys from a newer app survive a save', async () => {
    await writeFile(
      join(dir, 'settings.json'),
      JSON.stringify({ version: 1, sshHostPools: [], theme: 'dark' }),
    );
    const store = await SettingsStore.open(dir);
    await store.update(addPool);
    assert.equal(JSON.parse(await readFile(store.path, 'utf8')).theme, 'dark');
  });

  test('a loose file mode is tightened to 0600 on load', async () => {
    const path = join(dir, 'settings.json');
    await writeFile(path, JSON.stringify({ version: 1, sshHostPools: [pool] }), { mode: 0o644 });
    await chmod(path, 0o644);
    const store = await SettingsStore.open(dir);
    assert.deepEqual(store.get().sshHostPools, [pool]);
    assert.equal(await mode(path), 0o600);
  });

  for (const [what, text, why] of [
    ['not JSON', '{"version": 1, "sshHostPools": [', /not JSON/],
    ['empty', '', /not JSON/],
    [
      'a bad host',
      JSON.stringify({ sshHostPools: [{ ...pool, hosts: [{ name: 'x' }] }] }),
      /sshHostPools\.0\.hosts\.0\.address/,
    ],
    ['duplicate pool ids', JSON.stringify({ sshHostPools: [pool, pool] }), /same id/],
  ] as const) {
    test(`a corrupt file (${what}) is moved aside, reported, and the store starts empty`, async () => {
      const path = join(dir, 'settings.json');
      await writeFile(path, text);
      const logs: string[] = [];
      const store = await SettingsStore.open(dir, {
        log: (line) => logs.push(line),
        now: () => new Date('2026-03-04T05:06:07.089Z'),
      });
      const aside = `${path}.corrupt-2026-03-04T05-06-07-089Z`;
      assert.deepEqual(store.get().sshHostPools, []);
      assert.match(store.problem ?? '', why);
      assert.ok(store.problem?.includes(aside), store.problem);
      assert.deepEqual(logs, [store.problem]);
      assert.equal(await readFile(aside, 'utf8'), text, 'the old content is kept, byte for byte');
      assert.deepEqual((await readdir(dir)).sort(), [
        `settings.json.corrupt-2026-03-04T05-06-07-089Z`,
      ]);
      // Saving works again and does not touch the file set aside.
      await store.update(addPool);
      assert.equal(await readFile(aside, 'utf8'), text);
    });
  }

  // (Root reads any file, so "cannot be read" is made with a folder in the file's place.)
  test('a settings file that cannot be read is reported and never replaced', async () => {
    const path = join(dir, 'settings.json');
    await mkdir(path);
    const store = await SettingsStore.open(dir);
    assert.match(store.problem ?? '', /cannot be read \(EISDIR\)/);
    await assert.rejects(store.update(addPool), (err: unknown) =>
      isRpcError(err, ErrorCode.Internal),
    );
    assert.ok((await stat(path)).isDirectory());
  });
});
