// Notifications: what the core decided to tell the user (each once), the user's setting per kind,
// and a test notification; the desktop shell shows them natively, the browser UI by the web
// Notification API or an in-app toast.
import { z } from 'zod';
import {
  NOTIFICATION_KINDS,
  type AppNotification,
  type NotificationSettings,
} from '../notification-models';
import { empty, method } from './define';

export const notificationMethods = {
  'notifications.settings': method(
    empty,
    'Which kinds of notification are on.',
  ).returns<NotificationSettings>(),

  'notifications.setEnabled': method(
    z
      .object({
        kind: z.enum(NOTIFICATION_KINDS, {
          // The values quoted: they are what to send, not words of the UI.
          error: `must be one of ${NOTIFICATION_KINDS.map((k) => `"${k}"`).join(', ')}`,
        }),
        enabled: z.boolean({ error: 'must be true or false' }),
      })
      .strict(),
    'Turns one kind of notification on or off (settings.json `notifications`).',
  ).returns<NotificationSettings>(),

  'notifications.test': method(
    empty,
    'Sends a test notification, shown as any other, so the user sees how they appear.',
  ).returns<AppNotification>(),
} as const;

export interface NotificationEvents {
  /** Something deserves the user's attention; shown once, wherever the shell shows them. */
  'notifications.onDidShow': AppNotification;
  /** The setting changed (here or in another window). */
  'notifications.onDidChangeSettings': NotificationSettings;
}

export const notificationEventNames = [
  'notifications.onDidShow',
  'notifications.onDidChangeSettings',
] as const satisfies readonly (keyof NotificationEvents)[];
