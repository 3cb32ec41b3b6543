// The app's own updates as the UI sees them (src/core/updates): plain data shared by core and
// renderer, carried by `updates.*` and `updates.onDidChange`.

/**
 * Where the updater is. `disabled`: updates are off here (`offReason` says why); `idle`: nothing
 * on offer (yet); `checking`: asking the feed; `available`: a newer version can be downloaded;
 * `downloading`: with `progress`; `ready`: downloaded and verified, a restart installs it;
 * `error`: the last step someone asked for failed (`failed` says which).
 */
export type UpdatePhase =
  'disabled' | 'idle' | 'checking' | 'available' | 'downloading' | 'ready' | 'error';

/**
 * Why updates are off: the headless host (the desktop app updates itself, not a browser tab),
 * DSVM_POOL_DISABLE_UPDATES on a managed machine, the user's setting, a build made without a
 * feed URL, a development build, or a copy the updater cannot replace (e.g. not an AppImage).
 */
export type UpdatesOffReason =
  'headless' | 'environment' | 'setting' | 'no-feed' | 'development' | 'unsupported';

/** Why this copy of the app cannot update itself, whatever the setting says. */
export interface UpdateEngineUnavailable {
  reason: 'no-feed' | 'development' | 'unsupported';
  /** A sentence for the user, when the reason alone does not say enough. */
  detail?: string;
}

/** A newer version on the feed (latest-*.yml). */
export interface UpdateOffer {
  version: string;
  /** The release's title, when the feed has one. */
  name?: string;
  /** Release notes as plain text (tags removed), when the feed has any. */
  notes?: string;
  /** ISO date of the release, when the feed says. */
  date?: string;
}

export interface UpdateProgress {
  /** 0–100. */
  percent: number;
  /** Bytes so far and in all. */
  transferred: number;
  total: number;
  bytesPerSecond: number;
}

/** The last time the app asked the feed. */
export interface UpdateCheck {
  /** ISO time. */
  at: string;
  /** Someone asked (the menu, the tray); else the automatic check. */
  manual: boolean;
  outcome: 'up-to-date' | 'available' | 'failed';
}

export interface UpdateStatus {
  phase: UpdatePhase;
  /** The running version. */
  currentVersion: string;
  /** One sentence for the UI, for every phase. */
  message: string;
  /** Set when `phase` is `disabled`. */
  offReason?: UpdatesOffReason;
  /** The user's setting (settings.json `updates.enabled`, on by default). */
  enabled: boolean;
  /** Whether the setting can be changed here: not in the headless host, nor when the environment turned updates off. */
  canChange: boolean;
  /** The version on offer (available, downloading, ready; and error when a download failed). */
  offer?: UpdateOffer;
  progress?: UpdateProgress;
  lastCheck?: UpdateCheck;
  /** Set when `phase` is `error`: which step failed. */
  failed?: 'check' | 'download' | 'restart';
}
