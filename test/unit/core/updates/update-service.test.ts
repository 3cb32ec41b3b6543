// The UpdateController: policy (headless, environment, setting, what the engine says), the
// setting in settings.json, the automatic checks and the refusals, on a scripted engine.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { isRpcError } from '../../../../src/common/errors';
import type { Disposable } from '../../../../src/common/event';
import type {
  UpdateOffer,
  UpdateProgress,
  UpdateStatus,
} from '../../../../src/common/update-models';
import { SettingsStore } from '../../../../src/core/settings/settings-store';
import type {
  UpdateEngine,
  UpdateEngineUnavailable,
} from '../../../../src/core/updates/update-engine';
import {
  UpdateController,
  updatesOffByEnvironment,
  type UpdateControllerOptions,
} from '../../../../src/core/updates/update-service';
import { MemorySettings } from '../../../helpers/memory-settings';

/** An engine that answers as the test scripts it, and counts what it was asked. */
class ScriptedEngine implements UpdateEngine {
  checks = 0;
  downloads = 0;
  restarts = 0;
  latest: UpdateOffer = { version: '0.2.0' };
  available = true;
  checkError: Error | undefined;
  downloadError: Error | undefined;
  restartError: Error | undefined;
  whyNot: UpdateEngineUnavailable | undefined;
  /** Resolves the check in flight, when the test holds it. */
  release: (() => void) | undefined;
  hold = false;

  unavailable() {
    return this.whyNot;
  }
  async check() {
    this.checks++;
    if (this.hold) await new Promise<void>((resolve) => (this.release = resolve));
    if (this.checkError) throw this.checkError;
    return { available: this.available, latest: this.latest };
  }
  async download(onProgress: (p: UpdateProgress) => void) {
    this.downloads++;
    onProgress({ percent: 50, transferred: 5, total: 10, bytesPerSecond: 5 });
    if (this.downloadError) throw this.downloadError;
    onProgress({ percent: 100, transferred: 10, total: 10, bytesPerSecond: 5 });
  }
  async restart() {
    this.restarts++;
    if (this.restartError) throw this.restartError;
  }
}

/** Timers the test fires by hand: timings never decide a test. */
class ManualTimers {
  readonly pending: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  set = (fn: () => void, ms: number): Disposable => {
    const entry = { fn, ms, cancelled: false };
    this.pending.push(entry);
    return { dispose: () => (entry.cancelled = true) };
  };
  /** Runs the live timer (there is at most one) and returns its delay. */
  fire(): number {
    const live = this.pending.filter((t) => !t.cancelled);
    assert.equal(live.length, 1, 'one timer is scheduled');
    const timer = live[0]!;
    timer.cancelled = true;
    timer.fn();
    return timer.ms;
  }
  get live(): number {
    return this.pending.filter((t) => !t.cancelled).length;
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function controller(options: Partial<UpdateControllerOptions> = {}) {
  const engine = new ScriptedEngine();
  const timers = new ManualTimers();
  const settings = new MemorySettings();
  const c = new UpdateController({
    currentVersion: '0.1.0',
    engine,
    settings,
    env: {},
    setTimer: timers.set,
    now: () => new Date('2026-02-01T09:00:00Z'),
    ...options,
  });
  const changes: UpdateStatus[] = [];
  c.onDidChange((s) => changes.push(s));
  return { c, engine, timers, settings, changes };
}

describe('UpdateController: policy', () => {
  it('is off in the headless host: the desktop app updates itself', async () => {
    const { c } = controller({ engine: undefined });
    const status = c.status();
    assert.equal(status.phase, 'disabled');
    assert.equal(status.offReason, 'headless');
    assert.equal(status.canChange, false);
    await assert.rejects(c.check(), (err) => {
      assert.ok(isRpcError(err, 'E_BAD_INPUT'));
      assert.match(err.message, /^Cannot look for updates: Updates are handled by the desktop app/);
      return true;
    });
    await assert.rejects(c.setEnabled(false), /cannot be changed here/);
  });

  it('is off when DSVM_POOL_DISABLE_UPDATES is set, and the setting cannot turn it on', async () => {
    const { c, engine } = controller({ env: { DSVM_POOL_DISABLE_UPDATES: '1' } });
    assert.equal(c.status().offReason, 'environment');
    assert.equal(c.status().canChange, false);
    await assert.rejects(c.setEnabled(true), /DSVM_POOL_DISABLE_UPDATES is set/);
    await assert.rejects(c.check(), /Cannot look for updates/);
    assert.equal(engine.checks, 0, 'the feed was never asked');
  });

  it('reads the variable as off for anything but empty, 0, false, no or off', () => {
    for (const value of ['1', 'true', 'YES', 'managed'])
      assert.equal(updatesOffByEnvironment({ DSVM_POOL_DISABLE_UPDATES: value }), true, value);
    for (const value of [undefined, '', ' 0 ', 'false', 'No', 'off'])
      assert.equal(updatesOffByEnvironment({ DSVM_POOL_DISABLE_UPDATES: value }), false, value);
  });

  it('says why the engine cannot update this copy', () => {
    const engine = new ScriptedEngine();
    engine.whyNot = { reason: 'no-feed' };
    const { c } = controller({ engine });
    assert.equal(c.status().offReason, 'no-feed');
    assert.match(c.status().message, /This build has no update address/);
  });
});

describe('UpdateController: the setting', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('turns updates off and on, kept in settings.json, and survives a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsvm-pool-updates-'));
    dirs.push(dir);
    const store = await SettingsStore.open(dir);
    const { c, timers, engine } = controller({ settings: store });
    c.start();
    assert.equal(timers.live, 1, 'the first automatic check is scheduled');

    const off = await c.setEnabled(false);
    assert.equal(off.phase, 'disabled');
    assert.equal(off.offReason, 'setting');
    assert.equal(off.enabled, false);
    assert.equal(off.canChange, true);
    assert.equal(timers.live, 0, 'no automatic check while off');
    const file = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'));
    assert.deepEqual(file.updates, { enabled: false });
    await assert.rejects(c.check(), /Cannot look for updates: Updates are turned off/);
    assert.equal(engine.checks, 0);
    c.dispose();
    store.dispose();

    // The next start reads it back.
    const again = await SettingsStore.open(dir);
    const next = controller({ settings: again });
    assert.equal(next.c.status().offReason, 'setting');
    const on = await next.c.setEnabled(true);
    assert.equal(on.phase, 'idle');
    assert.equal(on.enabled, true);
    assert.equal(next.timers.live, 1, 'turned on: a check is scheduled as at start');
    next.c.dispose();
    again.dispose();
  });

  it('follows a change of the setting made elsewhere (another window)', async () => {
    const { c, settings, changes } = controller();
    await settings.update((s) => ({ ...s, updates: { enabled: false } }));
    assert.equal(c.status().phase, 'disabled');
    assert.equal(changes.at(-1)?.offReason, 'setting');
  });
});

describe('UpdateController: check, download, restart', () => {
  it('asks the feed once for two checks at the same time', async () => {
    const { c, engine } = controller();
    engine.hold = true;
    const first = c.check();
    const second = c.check();
    await tick();
    engine.release!();
    const [a, b] = await Promise.all([first, second]);
    assert.equal(engine.checks, 1);
    assert.equal(a.phase, 'available');
    assert.deepEqual(a, b);
  });

  it('downloads with progress, then restarts through the engine', async () => {
    const { c, engine, changes } = controller();
    await assert.rejects(
      c.download(),
      /There is no update to download\. Check for updates first\./,
    );
    await assert.rejects(c.restart(), /No update has been downloaded yet/);
    await c.check();
    const ready = await c.download();
    assert.equal(ready.phase, 'ready');
    assert.deepEqual(
      changes.filter((s) => s.phase === 'downloading').map((s) => s.progress?.percent),
      [0, 50, 100],
    );
    assert.equal((await c.download()).phase, 'ready', 'downloading again is a no-op');
    assert.equal(engine.downloads, 1);
    await c.restart();
    assert.equal(engine.restarts, 1);
  });

  it('shows a failed download and lets it be tried again', async () => {
    const { c, engine } = controller();
    await c.check();
    engine.downloadError = new Error('the file does not match its sha512 checksum.');
    const failed = await c.download();
    assert.equal(failed.phase, 'error');
    assert.equal(failed.failed, 'download');
    engine.downloadError = undefined;
    assert.equal((await c.download()).phase, 'ready');
  });

  it('shows a failed restart as an error', async () => {
    const { c, engine } = controller();
    await c.check();
    await c.download();
    engine.restartError = new Error('the installer could not start');
    await assert.rejects(
      c.restart(),
      /Could not install the update: the installer could not start/,
    );
    assert.equal(c.status().phase, 'error');
    assert.equal(c.status().failed, 'restart');
  });

  it('checks automatically after start and then at the interval; failures stay quiet', async () => {
    const { c, engine, timers } = controller({ firstCheckDelayMs: 1000, checkIntervalMs: 5000 });
    c.start();
    engine.checkError = new Error('updates.example.com could not be found.');
    assert.equal(timers.fire(), 1000);
    await tick();
    await tick();
    assert.equal(engine.checks, 1);
    assert.equal(c.status().phase, 'idle', 'an automatic failure is no error banner');
    assert.equal(c.status().lastCheck?.outcome, 'failed');
    assert.equal(c.status().lastCheck?.manual, false);

    engine.checkError = undefined;
    assert.equal(timers.fire(), 5000);
    await tick();
    await tick();
    assert.equal(engine.checks, 2);
    assert.equal(c.status().phase, 'available');

    // While an offer waits for the user, the feed is not asked again.
    assert.equal(timers.fire(), 5000);
    await tick();
    await tick();
    assert.equal(engine.checks, 2);
    assert.equal(timers.live, 1);
    c.dispose();
    assert.equal(timers.live, 0);
  });
});
