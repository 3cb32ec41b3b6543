// What the app tells the user about outside its window (notifications), where a click leads, and
// which kinds the user wants; shared by the core that decides, the shells and the UI that show.

/** The two views of the window. */
export type AppView = 'user' | 'admin';

/**
 * A place in the app: a view, and what to bring forward in it. Notification clicks, the tray
 * menu and `dsvm-pool://` links all lead somewhere with one of these.
 */
export interface AppTarget {
  view: AppView;
  /** The connection whose terminal (or Jupyter) to bring forward, in the user view. */
  connectionId?: string;
  /** The pool the connection is on (to open a new terminal when none is open). */
  poolId?: string;
  /**
   * With `connectionId`: what to bring forward on it (default: its terminal); `connect` with
   * `poolId`: run Connect on the pool (a link or the tray while the page was still loading).
   */
  open?: 'terminal' | 'jupyter' | 'connect';
  /** In the admin view: the operation to show. */
  operationId?: string;
}

/** The kinds a setting turns off, one each. `test` is the settings' "Send a test notification". */
export const NOTIFICATION_KINDS = ['connection', 'operation', 'scaleIn'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface AppNotification {
  /** The event's identity: one notification per id, ever (the web API's `tag` too). */
  id: string;
  kind: NotificationKind | 'test';
  severity: 'info' | 'success' | 'warning' | 'error';
  title: string;
  body: string;
  /** Epoch ms. */
  at: number;
  /** Where a click leads. */
  target: AppTarget;
}

/** Which kinds are on (settings.json `notifications`); all on unless turned off. */
export type NotificationSettings = Record<NotificationKind, boolean>;

/** The settings' words for each kind. */
export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  connection: 'Connections: reconnecting, lost, back',
  operation: 'Deployments and long operations: done or failed',
  scaleIn: 'Scale-in warnings for instances you are connected to',
};
