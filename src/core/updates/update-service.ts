// The app's updates as a service: the state (update-state.ts), the policy (headless host,
// DSVM_POOL_DISABLE_UPDATES, the user's setting, what the engine says of this copy), the automatic
// checks, and the engine the desktop shell plugs in (update-engine.ts) doing the work.
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable, type Event } from '../../common/event';
import type { UpdateStatus } from '../../common/update-models';
import type { SettingsStore } from '../settings/settings-store';
import type { UpdateEngine } from './update-engine';
import {
  initialUpdateStatus,
  reduceUpdate,
  type UpdateEvent,
  type UpdatePolicy,
} from './update-state';
import { saveUpdatesEnabled, updatesEnabledIn } from './update-settings';

/** What the contract (updates.*), the tray and the shell use. */
export interface UpdateService extends Disposable {
  status(): UpdateStatus;
  readonly onDidChange: Event<UpdateStatus>;
  /** Asks the feed now; resolves with the outcome (a failed check is a status, not a rejection). */
  check(options?: { manual?: boolean }): Promise<UpdateStatus>;
  /** Downloads what the last check offered; resolves once it is ready or failed. */
  download(): Promise<UpdateStatus>;
  /** Installs the downloaded update: the app closes and the new version starts. */
  restart(): Promise<void>;
  /** The user's setting; refused where the environment or the shell decide. */
  setEnabled(enabled: boolean): Promise<UpdateStatus>;
}

/** The environment variable a managed machine sets to turn updates off. */
export const DISABLE_UPDATES_ENV = 'DSVM_POOL_DISABLE_UPDATES';

/** Set to anything but empty, 0, false, no or off, the variable turns updates off. */
export function updatesOffByEnvironment(env: NodeJS.ProcessEnv): boolean {
  const value = env[DISABLE_UPDATES_ENV]?.trim().toLowerCase();
  return value !== undefined && !['', '0', 'false', 'no', 'off'].includes(value);
}

export interface UpdateControllerOptions {
  currentVersion: string;
  /** The desktop shell's updater; absent in the headless host, which does not update the app. */
  engine?: UpdateEngine;
  settings: Pick<SettingsStore, 'get' | 'update' | 'onDidChange'>;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  now?: () => Date;
  /** The first automatic check after start (default 1 minute: the app starts quickly). */
  firstCheckDelayMs?: number;
  /** Automatic checks after that (default 6 hours; a tray app runs for weeks). */
  checkIntervalMs?: number;
  /** Runs `fn` after `ms`; tests pass their own to run the automatic check when they choose. */
  setTimer?: (fn: () => void, ms: number) => Disposable;
}

const FIRST_CHECK_DELAY_MS = 60_000;
const CHECK_INTERVAL_MS = 6 * 60 * 60_000;

function nodeTimer(fn: () => void, ms: number): Disposable {
  const timer = setTimeout(fn, ms);
  // Never what keeps the process alive.
  timer.unref();
  return { dispose: () => clearTimeout(timer) };
}

export class UpdateController implements UpdateService {
  private state: UpdateStatus;
  private readonly changed = new Emitter<UpdateStatus>();
  readonly onDidChange = this.changed.event;
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private readonly setTimer: (fn: () => void, ms: number) => Disposable;
  private readonly settingsSub: Disposable;
  private timer: Disposable | undefined;
  private checking: Promise<UpdateStatus> | undefined;
  private downloading: Promise<UpdateStatus> | undefined;
  private disposed = false;

  constructor(private readonly options: UpdateControllerOptions) {
    this.log = options.log ?? (() => {});
    this.now = options.now ?? (() => new Date());
    this.setTimer = options.setTimer ?? nodeTimer;
    this.state = initialUpdateStatus(options.currentVersion, this.policy());
    if (this.state.phase === 'disabled') this.log(`updates: off (${this.state.offReason})`);
    // Another window (or a hand edit picked up on save) may change the setting.
    this.settingsSub = options.settings.onDidChange(() => this.applyPolicy());
  }

  status(): UpdateStatus {
    return structuredClone(this.state);
  }

  /** Starts the automatic checks (when updates are on). */
  start(): void {
    this.schedule(this.options.firstCheckDelayMs ?? FIRST_CHECK_DELAY_MS);
  }

  async check(options: { manual?: boolean } = {}): Promise<UpdateStatus> {
    const manual = options.manual ?? true;
    this.refuseWhenOff('look for updates');
    if (this.state.phase === 'downloading') return this.status();
    this.checking ??= this.runCheck(manual).finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  async download(): Promise<UpdateStatus> {
    this.refuseWhenOff('download an update');
    if (this.downloading) return this.downloading;
    const { phase, offer, failed } = this.state;
    if (phase === 'ready') return this.status();
    const canStart = phase === 'available' || (phase === 'error' && failed === 'download');
    if (!canStart || !offer) {
      throw new RpcError(
        ErrorCode.BadInput,
        'There is no update to download. Check for updates first.',
      );
    }
    this.downloading = this.runDownload().finally(() => {
      this.downloading = undefined;
    });
    return this.downloading;
  }

  async restart(): Promise<void> {
    this.refuseWhenOff('install an update');
    const { engine } = this.options;
    const ready = this.state.phase === 'ready' || this.state.failed === 'restart';
    if (!engine || !ready) {
      throw new RpcError(
        ErrorCode.BadInput,
        'No update has been downloaded yet. Download it first, then restart.',
      );
    }
    this.log(`updates: restarting to install ${this.state.offer?.version ?? 'the update'}`);
    try {
      await engine.restart();
    } catch (err) {
      this.fire({ type: 'restart-failed', message: errorMessage(err) });
      throw new RpcError(ErrorCode.Internal, this.state.message);
    }
  }

  async setEnabled(enabled: boolean): Promise<UpdateStatus> {
    const policy = this.policy();
    if (!policy.canChange) {
      throw new RpcError(
        ErrorCode.BadInput,
        `The update setting cannot be changed here. ${this.state.message}`,
      );
    }
    await saveUpdatesEnabled(this.options.settings, enabled);
    // The store's change event applied the policy already; this covers a store that is quiet.
    this.applyPolicy();
    return this.status();
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.dispose();
    this.settingsSub.dispose();
    this.changed.dispose();
  }

  private policy(): UpdatePolicy {
    const { engine, env = process.env } = this.options;
    const enabled = updatesEnabledIn(this.options.settings.get());
    if (!engine) return { off: 'headless', enabled, canChange: false };
    if (updatesOffByEnvironment(env)) return { off: 'environment', enabled, canChange: false };
    const unavailable = engine.unavailable();
    if (unavailable) {
      return { off: unavailable.reason, detail: unavailable.detail, enabled, canChange: true };
    }
    return enabled ? { enabled, canChange: true } : { off: 'setting', enabled, canChange: true };
  }

  private applyPolicy(): void {
    if (this.disposed) return;
    const wasOff = this.state.phase === 'disabled';
    this.fire({ type: 'policy', policy: this.policy() });
    const isOff = this.state.phase === 'disabled';
    if (isOff) this.timer?.dispose();
    // Turned on again: look soon, as at start.
    if (wasOff && !isOff) this.schedule(this.options.firstCheckDelayMs ?? FIRST_CHECK_DELAY_MS);
  }

  private schedule(ms: number): void {
    this.timer?.dispose();
    this.timer = undefined;
    if (this.disposed || this.state.phase === 'disabled') return;
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      if (this.disposed || this.state.phase === 'disabled') return;
      // Nothing to ask while an offer waits for the user or a download runs.
      const busy = ['available', 'downloading', 'ready'].includes(this.state.phase);
      const next = busy ? Promise.resolve() : this.check({ manual: false }).then(() => {});
      void next
        .catch((err: unknown) => this.log(`updates: automatic check: ${errorMessage(err)}`))
        .finally(() => this.schedule(this.options.checkIntervalMs ?? CHECK_INTERVAL_MS));
    }, ms);
  }

  private async runCheck(manual: boolean): Promise<UpdateStatus> {
    const engine = this.options.engine!;
    this.fire({ type: 'checking', manual });
    try {
      const { available, latest } = await engine.check();
      this.fire({ type: 'checked', manual, at: this.now().toISOString(), available, latest });
      this.log(
        available
          ? `updates: ${latest.version} is available`
          : `updates: up to date (the feed's latest is ${latest.version})`,
      );
    } catch (err) {
      const message = errorMessage(err);
      this.log(`updates: check failed: ${message}`);
      this.fire({ type: 'check-failed', manual, at: this.now().toISOString(), message });
    }
    return this.status();
  }

  private async runDownload(): Promise<UpdateStatus> {
    const engine = this.options.engine!;
    this.fire({ type: 'downloading' });
    try {
      await engine.download((progress) => this.fire({ type: 'progress', progress }));
      this.fire({ type: 'downloaded' });
      this.log(`updates: ${this.state.offer?.version ?? 'the update'} downloaded and verified`);
    } catch (err) {
      const message = errorMessage(err);
      this.log(`updates: download failed: ${message}`);
      this.fire({ type: 'download-failed', message });
    }
    return this.status();
  }

  private refuseWhenOff(what: string): void {
    if (this.state.phase !== 'disabled') return;
    throw new RpcError(ErrorCode.BadInput, `Cannot ${what}: ${this.state.message}`);
  }

  private fire(event: UpdateEvent): void {
    if (this.disposed) return;
    const next = reduceUpdate(this.state, event);
    if (next === this.state) return;
    this.state = next;
    this.changed.fire(this.status());
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
