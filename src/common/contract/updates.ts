// The app's own updates: what the updater is doing, a check, a download, a restart into the new
// version, and the user's setting; the desktop app does the work, the headless host says it does.
import { z } from 'zod';
import type { UpdateStatus } from '../update-models';
import { empty, method } from './define';

export const updateMethods = {
  'updates.status': method(empty, 'Where the updater is, and the setting.').returns<UpdateStatus>(),

  'updates.check': method(
    empty,
    'Asks the update feed for a newer version now (refused while updates are off).',
  ).returns<UpdateStatus>(),

  'updates.download': method(
    empty,
    'Downloads the version on offer and checks its sha512; progress comes as updates.onDidChange.',
  ).returns<UpdateStatus>(),

  'updates.restart': method(
    empty,
    'Quits the app and installs the downloaded update (the app closes its connections first).',
  ).returns<void>(),

  'updates.setEnabled': method(
    z.object({ enabled: z.boolean({ error: 'enabled must be true or false' }) }).strict(),
    'Turns updates on or off for this user (settings.json); refused where the environment decides.',
  ).returns<UpdateStatus>(),
} as const;

export interface UpdateEvents {
  /** The updater moved on (checking, offer, progress, ready, error) or the setting changed. */
  'updates.onDidChange': UpdateStatus;
}

export const updateEventNames = [
  'updates.onDidChange',
] as const satisfies readonly (keyof UpdateEvents)[];
