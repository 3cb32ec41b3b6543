// The window's size, position and maximized state, kept in the data folder (window-state.json,
// owner-only) and put back at start on a display that is still there.
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_SIZE = { width: 1100, height: 720 };
export const MIN_SIZE = { width: 640, height: 420 };

/** How much of the window's top (its title bar) must be on a display to be reachable. */
const GRIP = { width: 120, height: 32 };

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function centredIn(area: Rect, width: number, height: number): Rect {
  return {
    x: Math.round(area.x + (area.width - width) / 2),
    y: Math.round(area.y + (area.height - height) / 2),
    width,
    height,
  };
}

/**
 * Where to put the saved window on today's displays (their work areas, primary first): on the
 * display it overlaps most, no larger than it and moved fully onto it; when its title bar would be
 * on no display (a monitor unplugged, a resolution changed), centred on the primary display.
 * Without a saved state: the default size centred on the primary display.
 */
export function placeWindow(
  saved: WindowState | undefined,
  displays: readonly Rect[],
): WindowState {
  const primary = displays[0] ?? { x: 0, y: 0, ...DEFAULT_SIZE };
  const fit = (area: Rect, width: number, height: number) => ({
    width: Math.max(Math.min(width, area.width), Math.min(MIN_SIZE.width, area.width)),
    height: Math.max(Math.min(height, area.height), Math.min(MIN_SIZE.height, area.height)),
  });
  if (!saved) {
    const size = fit(primary, DEFAULT_SIZE.width, DEFAULT_SIZE.height);
    return { bounds: centredIn(primary, size.width, size.height), maximized: false };
  }
  const { bounds } = saved;
  const titleBar: Rect = { x: bounds.x, y: bounds.y, width: bounds.width, height: GRIP.height };
  const reachable = displays.some((area) => {
    const w =
      Math.min(titleBar.x + titleBar.width, area.x + area.width) - Math.max(titleBar.x, area.x);
    const h =
      Math.min(titleBar.y + titleBar.height, area.y + area.height) - Math.max(titleBar.y, area.y);
    return w >= Math.min(GRIP.width, bounds.width) && h >= Math.min(GRIP.height, bounds.height);
  });
  if (!reachable) {
    const size = fit(primary, bounds.width, bounds.height);
    return { bounds: centredIn(primary, size.width, size.height), maximized: saved.maximized };
  }
  const area = displays.reduce((best, d) =>
    overlap(d, bounds) > overlap(best, bounds) ? d : best,
  );
  const size = fit(area, bounds.width, bounds.height);
  const x = Math.min(Math.max(bounds.x, area.x), area.x + area.width - size.width);
  const y = Math.min(Math.max(bounds.y, area.y), area.y + area.height - size.height);
  return { bounds: { x, y, ...size }, maximized: saved.maximized };
}

function isRect(value: unknown): value is Rect {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    ['x', 'y', 'width', 'height'].every(
      (k) => typeof r[k] === 'number' && Number.isFinite(r[k]) && Math.abs(r[k]) < 100_000,
    ) &&
    (r.width as number) > 0 &&
    (r.height as number) > 0
  );
}

/** The saved state, or undefined when there is none or it is not one (it is then ignored). */
export async function readWindowState(dataDir: string): Promise<WindowState | undefined> {
  try {
    const json = JSON.parse(await readFile(join(dataDir, WINDOW_STATE_FILE), 'utf8')) as unknown;
    const state = json as Partial<WindowState>;
    if (!isRect(state.bounds)) return undefined;
    return { bounds: state.bounds, maximized: state.maximized === true };
  } catch {
    return undefined;
  }
}

/** Written whole to a temp file and renamed, 0600 like every file of the data folder. */
export async function writeWindowState(dataDir: string, state: WindowState): Promise<void> {
  const path = join(dataDir, WINDOW_STATE_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

/** Saves the latest state at most once per `delayMs` (a drag fires many moves); flush on quit. */
export function windowStateSaver(
  dataDir: string,
  log: (line: string) => void,
  delayMs = 500,
): { save(state: WindowState): void; flush(): Promise<void> } {
  let pending: WindowState | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const state = pending;
    pending = undefined;
    if (state) {
      writing = writing
        .then(() => writeWindowState(dataDir, state))
        .catch((err: unknown) => log(`window: could not save its size and place: ${String(err)}`));
    }
    return writing;
  };
  return {
    save(state) {
      pending = state;
      // unref: a pending save never keeps the app from quitting (quit flushes it anyway).
      timer ??= setTimeout(() => void flush(), delayMs).unref();
    },
    flush,
  };
}
