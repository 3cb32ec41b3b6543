// Notifications in the page: the setting per kind, and — in the browser (headless host) — showing
// what the core sends: a web notification once the user allowed them (asked from a button, never
// on load), else an in-app toast. The desktop app's shell shows its own, so the page shows none.
import { useCallback, useEffect, useRef, useState } from 'react';
import { RpcError } from '../../common/errors';
import type {
  AppNotification,
  AppTarget,
  NotificationKind,
  NotificationSettings,
} from '../../common/notification-models';
import { useRpc } from '../shared/rpc-context';
import { useEvent } from '../shared/use-event';

/** The browser's answer so far; `unsupported` where there is no web Notification API. */
export type WebPermission = NotificationPermission | 'unsupported';

export interface Notifications {
  settings?: NotificationSettings;
  /** Where the page shows them: the desktop's notification centre (desktop app), or this page. */
  shownBy: 'shell' | 'page';
  permission: WebPermission;
  /** Asks the browser (from a click: browsers refuse a request without one). */
  requestPermission(): void;
  setEnabled(kind: NotificationKind, enabled: boolean): void;
  sendTest(): void;
  error?: string;
}

function webPermission(): WebPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export interface NotificationsOptions {
  /** True in the desktop app, whose shell shows notifications natively. */
  shellShows: boolean;
  /** Shows one inside the page (a toast), when the browser may not. */
  toast(notification: AppNotification): void;
  /** Brings its place forward (a click on a web notification or on a toast's Open). */
  open(target: AppTarget): void;
}

export function useNotifications(options: NotificationsOptions): Notifications {
  const rpc = useRpc();
  const [settings, setSettings] = useState<NotificationSettings>();
  const [permission, setPermission] = useState<WebPermission>(webPermission);
  const [error, setError] = useState<string>();
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });

  useEffect(() => {
    let live = true;
    rpc.call('notifications.settings', {}).then(
      (s) => live && setSettings(s),
      (err: unknown) => live && setError(RpcError.from(err).message),
    );
    return () => {
      live = false;
    };
  }, [rpc]);
  useEvent('notifications.onDidChangeSettings', setSettings);

  useEvent('notifications.onDidShow', (n) => {
    const { shellShows, toast, open } = latest.current;
    if (shellShows) return;
    // Read again: the user may have changed it in the browser's site settings meanwhile.
    if (webPermission() !== 'granted') {
      toast(n);
      return;
    }
    // The tag is the event's identity: several tabs of the app show it once.
    const shown = new Notification(n.title, { body: n.body, tag: n.id });
    shown.onclick = () => {
      window.focus();
      open(n.target);
      shown.close();
    };
  });

  const requestPermission = useCallback(() => {
    if (typeof Notification === 'undefined') return;
    void Notification.requestPermission().then(setPermission, () => setPermission(webPermission()));
  }, []);

  const setEnabled = useCallback(
    (kind: NotificationKind, enabled: boolean) => {
      setError(undefined);
      rpc
        .call('notifications.setEnabled', { kind, enabled })
        .then(setSettings, (err: unknown) => setError(RpcError.from(err).message));
    },
    [rpc],
  );

  const sendTest = useCallback(() => {
    setError(undefined);
    rpc
      .call('notifications.test', {})
      .catch((err: unknown) => setError(RpcError.from(err).message));
  }, [rpc]);

  return {
    settings,
    shownBy: options.shellShows ? 'shell' : 'page',
    permission,
    requestPermission,
    setEnabled,
    sendTest,
    error,
  };
}
