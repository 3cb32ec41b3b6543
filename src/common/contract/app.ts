// The app itself: which shell hosts the UI, and the shell's own requests to the UI (the tray's
// Connect to <pool>).
import type { AppInfo } from '../models';
import { empty, method } from './define';

export const appMethods = {
  'app.info': method(
    empty,
    'What shell hosts the UI, the version and the data folder.',
  ).returns<AppInfo>(),
} as const;

export interface AppEvents {
  /** The shell (e.g. the tray menu) asks the UI to connect to a pool the usual way. */
  'app.onDidRequestConnect': { poolId: string };
}

export const appEventNames = [
  'app.onDidRequestConnect',
] as const satisfies readonly (keyof AppEvents)[];
