// The app itself: which shell hosts the UI, the view it showed last, and the shell's own requests
// to the UI (the tray's Connect to <pool>, a notification's click, a dsvm-pool:// link).
import { z } from 'zod';
import type { AppInfo } from '../models';
import type { AppTarget, AppView } from '../notification-models';
import { empty, method } from './define';

const appView = z.enum(['user', 'admin'], { error: 'must be user or admin' });

/** What the app ships beside its code, as found (`app.resources`); `problem` when not usable. */
export interface AppResources {
  /** An installed app (resources from its resources folder) rather than a checkout. */
  packaged: boolean;
  /** The agent bundle that Create pool, Repair agent and Install agent upload. */
  agent: { path: string; bytes?: number; problem?: string };
  /** The ARM template of a pool, as shipped for admins; its version must be the code's. */
  template: { path: string; templateVersion?: string; problem?: string };
  /** The tray and window icons: their folder and the files missing from it. */
  icons: { dir: string; missing: string[] };
}

export const appMethods = {
  'app.info': method(
    empty,
    'What shell hosts the UI, the version and the data folder.',
  ).returns<AppInfo>(),
  'app.resources': method(
    empty,
    'Where this build keeps the agent bundle, the ARM template and the icons, and whether each is there (an installed app: its resources folder; a checkout: out/agent and resources/).',
  ).returns<AppResources>(),
  'app.startView': method(
    empty,
    'Where the UI opens: a place the shell asked for before the page listened (a notification click, a link), else the view shown last (settings.json `window.lastView`).',
  ).returns<{ view: AppView; open?: AppTarget }>(),
  'app.setLastView': method(
    z.object({ view: appView }).strict(),
    'Remembers the view the window shows, so the next start opens it.',
  ).returns<void>(),
} as const;

export interface AppEvents {
  /** The shell (e.g. the tray menu) asks the UI to connect to a pool the usual way. */
  'app.onDidRequestConnect': { poolId: string };
  /** The shell asks the UI to bring a place forward (a notification click, the tray, a link). */
  'app.onDidRequestOpen': AppTarget;
}

export const appEventNames = [
  'app.onDidRequestConnect',
  'app.onDidRequestOpen',
] as const satisfies readonly (keyof AppEvents)[];
