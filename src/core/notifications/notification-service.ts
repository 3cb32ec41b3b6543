// Decides what deserves a notification — a connection reconnecting for long, lost or back; a
// deployment or long operation done or failed; a scheduled event on an instance the user is
// connected to — once per event, as each kind's setting allows. Both shells show what it fires.
import { DisposableStore, Emitter, type Disposable } from '../../common/event';
import type { ConnectionInfo, OperationInfo, PoolInfo } from '../../common/models';
import {
  NOTIFICATION_KINDS,
  type AppNotification,
  type NotificationKind,
  type NotificationSettings,
} from '../../common/notification-models';
import type { Settings, SettingsStore } from '../settings/settings-store';
import {
  backText,
  lostText,
  operationText,
  reconnectingText,
  scaleInText,
} from './notification-texts';

/** The clock the service waits on; tests pass one they advance by hand. */
export interface NotificationClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: NotificationClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface NotificationServiceOptions {
  settings: Pick<SettingsStore, 'get' | 'update' | 'onDidChange'>;
  /** A pool's name for the sentences (the connection carries only its id). */
  poolName(poolId: string): string | undefined;
  clock?: NotificationClock;
  /** A reconnect shorter than this is not worth a notification (default 10 s). */
  reconnectingAfterMs?: number;
  /**
   * After a "reconnecting" notification, the same connection stays quiet about new drops for this
   * long (default 5 min), so a flapping link shows one, not one per flap.
   */
  quietMs?: number;
  /** An operation that took at least this long is worth one when it ends (default 10 s). */
  longOperationMs?: number;
  /** The time of a scheduled event in the user's words (default: the local clock, 14:05). */
  formatTime?(ms: number): string;
  log?(line: string): void;
}

/** How many event identities are remembered; far more than a session produces. */
const REMEMBERED = 2000;

interface ConnectionWatch {
  state: ConnectionInfo['state'];
  /** Counts drops, so each reconnect is an event of its own. */
  episode: number;
  timer?: unknown;
  /** A "reconnecting" was shown for this episode, so "back" is worth one too. */
  troubleShown: boolean;
  lastTroubleShownAt?: number;
}

export function notificationSettingsOf(settings: Settings): NotificationSettings {
  const saved = settings.notifications ?? {};
  return Object.fromEntries(
    NOTIFICATION_KINDS.map((kind) => [kind, saved[kind] ?? true]),
  ) as NotificationSettings;
}

export class NotificationService implements Disposable {
  private readonly store = new DisposableStore();
  private readonly shown = new Emitter<AppNotification>();
  private readonly settingsChanged = new Emitter<NotificationSettings>();
  /** Fires once per event the user should hear of (and has not turned off). */
  readonly onDidShow = this.shown.event;
  readonly onDidChangeSettings = this.settingsChanged.event;
  private readonly clock: NotificationClock;
  private readonly seen = new Set<string>();
  private readonly watches = new Map<string, ConnectionWatch>();
  private current: NotificationSettings;
  private testCount = 0;

  constructor(private readonly options: NotificationServiceOptions) {
    this.clock = options.clock ?? realClock;
    this.current = notificationSettingsOf(options.settings.get());
    this.store.add(
      options.settings.onDidChange((settings) => {
        const next = notificationSettingsOf(settings);
        if (NOTIFICATION_KINDS.every((k) => next[k] === this.current[k])) return;
        this.current = next;
        this.settingsChanged.fire({ ...next });
      }),
    );
  }

  settings(): NotificationSettings {
    return { ...this.current };
  }

  async setEnabled(kind: NotificationKind, enabled: boolean): Promise<NotificationSettings> {
    const saved = await this.options.settings.update((s) => ({
      ...s,
      notifications: { ...s.notifications, [kind]: enabled },
    }));
    return notificationSettingsOf(saved);
  }

  /** "Send a test notification": shown whatever the kinds' settings, so the user sees one. */
  test(): AppNotification {
    const notification: AppNotification = {
      id: `test:${this.clock.now()}:${++this.testCount}`,
      kind: 'test',
      severity: 'info',
      title: 'dsvm-pool notifications work',
      body: 'This is how the app tells you about dropped connections, finished deployments and scale-in warnings.',
      at: this.clock.now(),
      target: { view: 'user' },
    };
    this.shown.fire(notification);
    return notification;
  }

  /** A connection changed state (connections.onDidChange). */
  connectionChanged(info: ConnectionInfo): void {
    let watch = this.watches.get(info.id);
    if (!watch) {
      watch = { state: info.state, episode: 0, troubleShown: false };
      this.watches.set(info.id, watch);
      if (info.state !== 'reconnecting') return;
    } else if (watch.state === info.state) {
      return; // a new attempt of the same reconnect, or a detail changed
    }
    const before = watch.state;
    watch.state = info.state;
    switch (info.state) {
      case 'reconnecting':
        watch.episode++;
        this.stopTimer(watch);
        watch.timer = this.clock.setTimeout(
          () => this.stillReconnecting(info, watch),
          this.options.reconnectingAfterMs ?? 10_000,
        );
        return;
      case 'connected':
        this.stopTimer(watch);
        if (before === 'reconnecting' && watch.troubleShown) {
          watch.troubleShown = false;
          this.fire('connection', `connection:${info.id}:back:${watch.episode}`, {
            ...backText(info, this.options.poolName(info.poolId)),
            target: { view: 'user', connectionId: info.id, poolId: info.poolId, open: 'terminal' },
          });
        }
        return;
      case 'lost':
        this.stopTimer(watch);
        watch.troubleShown = false;
        this.fire('connection', `connection:${info.id}:lost`, {
          ...lostText(info, this.options.poolName(info.poolId)),
          target: { view: 'user', connectionId: info.id, poolId: info.poolId, open: 'terminal' },
        });
        return;
      case 'closed':
      case 'failed':
        // Closed by the user, or a connect that failed in front of them: nothing to tell.
        this.stopTimer(watch);
        this.watches.delete(info.id);
        return;
      default:
        return;
    }
  }

  /** An operation started, progressed or ended (operations.onDidChange). */
  operationChanged(op: OperationInfo): void {
    if (op.status === 'running' || op.endedAt === undefined) return;
    const deployment = op.deploymentStatus !== undefined;
    const long = op.endedAt - op.startedAt >= (this.options.longOperationMs ?? 10_000);
    if (!deployment && !long) return; // a quick one ended in front of the user
    this.fire('operation', `operation:${op.id}:${op.status}`, {
      ...operationText(op),
      target: { view: 'admin', operationId: op.id },
    });
  }

  /**
   * The pools changed (an agent's heartbeat brings scheduled events) or the connections did:
   * warns of each scheduled event on an instance the user has a live connection to.
   */
  poolsChanged(pools: readonly PoolInfo[], connections: readonly ConnectionInfo[]): void {
    const live = connections.filter(
      (c) => c.state === 'connected' || c.state === 'reconnecting' || c.state === 'connecting',
    );
    for (const pool of pools) {
      for (const instance of pool.instances) {
        const events = instance.activity?.scheduledEvents ?? [];
        if (events.length === 0) continue;
        const connection = live.find((c) => c.poolId === pool.id && c.instanceId === instance.id);
        if (!connection) continue;
        for (const event of events) {
          this.fire('scaleIn', `scaleIn:${pool.id}:${instance.id}:${event.eventId}`, {
            ...scaleInText(event, instance.name, pool.name, this.formatTime),
            target: {
              view: 'user',
              connectionId: connection.id,
              poolId: pool.id,
              open: 'terminal',
            },
          });
        }
      }
    }
  }

  dispose(): void {
    for (const watch of this.watches.values()) this.stopTimer(watch);
    this.watches.clear();
    this.store.dispose();
    this.shown.dispose();
    this.settingsChanged.dispose();
  }

  private stillReconnecting(info: ConnectionInfo, watch: ConnectionWatch): void {
    watch.timer = undefined;
    if (watch.state !== 'reconnecting' || this.watches.get(info.id) !== watch) return;
    const now = this.clock.now();
    const quiet = this.options.quietMs ?? 5 * 60_000;
    if (watch.lastTroubleShownAt !== undefined && now - watch.lastTroubleShownAt < quiet) {
      this.options.log?.(`notifications: ${info.instanceName} is flapping; staying quiet`);
      return;
    }
    const seconds = Math.round((this.options.reconnectingAfterMs ?? 10_000) / 1000);
    const shown = this.fire('connection', `connection:${info.id}:reconnecting:${watch.episode}`, {
      ...reconnectingText(info, this.options.poolName(info.poolId), seconds),
      target: { view: 'user', connectionId: info.id, poolId: info.poolId, open: 'terminal' },
    });
    if (shown) {
      watch.troubleShown = true;
      watch.lastTroubleShownAt = now;
    }
  }

  private stopTimer(watch: ConnectionWatch): void {
    if (watch.timer !== undefined) this.clock.clearTimeout(watch.timer);
    watch.timer = undefined;
  }

  private readonly formatTime = (ms: number): string =>
    this.options.formatTime?.(ms) ??
    new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

  /**
   * Shows it unless this event was already handled or its kind is off; either way the event
   * counts as handled, so turning a kind back on never replays old events. True when shown.
   */
  private fire(
    kind: NotificationKind,
    id: string,
    content: Pick<AppNotification, 'title' | 'body' | 'severity' | 'target'>,
  ): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > REMEMBERED) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    if (!this.current[kind]) return false;
    this.shown.fire({ id, kind, at: this.clock.now(), ...content });
    return true;
  }
}
