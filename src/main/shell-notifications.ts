// Shows the core's notifications as the desktop's own (Electron's Notification); a click brings the
// window forward at the place the notification is about.
import type { Disposable } from '../common/event';
import type { AppNotification, AppTarget } from '../common/notification-models';
import type { AppCore } from '../core/app-core';
import type { ElectronApi, NotificationLike } from './electron-api';

export interface ShellNotificationOptions {
  /** Shows the window and opens `target` in it. */
  open(target: AppTarget): void;
  /** The app's icon, for desktops that show it beside the text. */
  iconPath?: string;
  log(line: string): void;
}

export function showNativeNotifications(
  electron: Pick<ElectronApi, 'Notification'>,
  core: Pick<AppCore, 'onDidNotify'>,
  options: ShellNotificationOptions,
): Disposable {
  // Held until clicked or closed: a notification that is garbage-collected loses its click.
  const live = new Set<NotificationLike>();
  const show = (n: AppNotification) => {
    if (!electron.Notification.isSupported()) {
      options.log(`notifications: the desktop shows none; not shown: ${n.title}`);
      return;
    }
    const notification = new electron.Notification({
      title: n.title,
      body: n.body,
      ...(options.iconPath ? { icon: options.iconPath } : {}),
    });
    live.add(notification);
    notification.on('click', () => {
      live.delete(notification);
      options.open(n.target);
    });
    notification.on('close', () => live.delete(notification));
    notification.show();
  };
  return core.onDidNotify(show);
}

/** A message from the shell itself (a refused link, a failed tray action), as a notification. */
export function tellUser(
  electron: Pick<ElectronApi, 'Notification'>,
  title: string,
  body: string,
  log: (line: string) => void,
): void {
  log(`${title}: ${body}`);
  if (!electron.Notification.isSupported()) return;
  new electron.Notification({ title, body }).show();
}
