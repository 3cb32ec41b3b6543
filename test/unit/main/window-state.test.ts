// The window comes back where it was, on a display that is still there, and never off-screen.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  placeWindow,
  readWindowState,
  windowStateSaver,
  writeWindowState,
  WINDOW_STATE_FILE,
} from '../../../src/main/window-state';

const laptop = { x: 0, y: 0, width: 1440, height: 870 };
const right = { x: 1440, y: 0, width: 1920, height: 1050 };

describe('placeWindow', () => {
  it('first start: the default size, centred on the primary display', () => {
    assert.deepEqual(placeWindow(undefined, [laptop]), {
      bounds: { x: 170, y: 75, width: 1100, height: 720 },
      maximized: false,
    });
  });

  it('keeps a saved place that is on a display, and the maximized state', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1200, height: 800 }, maximized: true };
    assert.deepEqual(placeWindow(saved, [laptop, right]), saved);
  });

  it('a window on a monitor that was unplugged comes back centred on the primary display', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1200, height: 800 }, maximized: false };
    assert.deepEqual(placeWindow(saved, [laptop]), {
      bounds: { x: 120, y: 35, width: 1200, height: 800 },
      maximized: false,
    });
  });

  it('pulls a window half off the edge fully onto its display, and shrinks one too big for it', () => {
    const saved = { bounds: { x: -300, y: 600, width: 1000, height: 700 }, maximized: false };
    assert.deepEqual(placeWindow(saved, [laptop]).bounds, {
      x: 0,
      y: 170,
      width: 1000,
      height: 700,
    });
    const huge = { bounds: { x: 10, y: 10, width: 4000, height: 3000 }, maximized: false };
    assert.deepEqual(placeWindow(huge, [laptop]).bounds, laptop);
  });

  it('a title bar above the top of every display counts as unreachable', () => {
    const saved = { bounds: { x: 100, y: -500, width: 800, height: 600 }, maximized: false };
    assert.deepEqual(placeWindow(saved, [laptop]).bounds, {
      x: 320,
      y: 135,
      width: 800,
      height: 600,
    });
  });

  it('never makes the window smaller than its minimum unless the display is', () => {
    const saved = { bounds: { x: 0, y: 0, width: 200, height: 100 }, maximized: false };
    assert.deepEqual(placeWindow(saved, [laptop]).bounds, { x: 0, y: 0, width: 640, height: 420 });
  });
});

describe('window-state.json', () => {
  it('round-trips, owner-only, and ignores a file that is not a state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsvm-window-'));
    try {
      assert.equal(await readWindowState(dir), undefined, 'none yet');
      const state = { bounds: { x: 5, y: 6, width: 900, height: 700 }, maximized: true };
      await writeWindowState(dir, state);
      assert.deepEqual(await readWindowState(dir), state);
      assert.equal((await stat(join(dir, WINDOW_STATE_FILE))).mode & 0o777, 0o600);
      for (const bad of [
        '{',
        '{"bounds":{"x":"a"}}',
        '{"bounds":{"x":0,"y":0,"width":-1,"height":5}}',
      ]) {
        await writeFile(join(dir, WINDOW_STATE_FILE), bad);
        assert.equal(await readWindowState(dir), undefined, bad);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the saver writes only the last of many changes, and flush writes at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsvm-window-'));
    try {
      const saver = windowStateSaver(dir, () => {}, 60_000);
      for (let x = 0; x < 50; x++) {
        saver.save({ bounds: { x, y: 0, width: 800, height: 600 }, maximized: false });
      }
      await assert.rejects(readFile(join(dir, WINDOW_STATE_FILE)), 'nothing written yet');
      await saver.flush();
      assert.equal((await readWindowState(dir))?.bounds.x, 49);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
