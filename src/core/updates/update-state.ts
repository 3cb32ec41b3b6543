// The updater's state machine, pure: each event (a check, an offer, progress, a failure, a change
// of policy) gives the next UpdateStatus, with the sentence the UI shows for it.
import type {
  UpdateOffer,
  UpdateProgress,
  UpdateStatus,
  UpdatesOffReason,
} from '../../common/update-models';

/** Whether updates may run here, and why not. */
export interface UpdatePolicy {
  off?: UpdatesOffReason;
  /** A sentence that says more about `off` (e.g. what kind of copy this is). */
  detail?: string;
  /** The user's setting. */
  enabled: boolean;
  canChange: boolean;
}

export type UpdateEvent =
  | { type: 'policy'; policy: UpdatePolicy }
  | { type: 'checking'; manual: boolean }
  | { type: 'checked'; manual: boolean; at: string; available: boolean; latest: UpdateOffer }
  | { type: 'check-failed'; manual: boolean; at: string; message: string }
  | { type: 'downloading' }
  | { type: 'progress'; progress: UpdateProgress }
  | { type: 'downloaded' }
  | { type: 'download-failed'; message: string }
  | { type: 'restart-failed'; message: string };

const APP = 'dsvm-pool';

/** What each reason to be off says. */
export function offMessage(reason: UpdatesOffReason, detail?: string): string {
  switch (reason) {
    case 'headless':
      return 'Updates are handled by the desktop app; the browser view does not update it.';
    case 'environment':
      return 'Updates are turned off on this computer (DSVM_POOL_DISABLE_UPDATES is set), usually by its administrator.';
    case 'setting':
      return 'Updates are turned off. Turn on "Automatic updates" in the Updates menu to get new versions.';
    case 'no-feed':
      return (
        detail ??
        'This build has no update address, so it cannot look for new versions. Install a build that has one to get updates.'
      );
    case 'development':
      return detail ?? 'Updates apply to the installed app, not to a development build.';
    case 'unsupported':
      return (
        detail ?? 'This copy of the app cannot replace itself; update it the way it was installed.'
      );
  }
}

/** The status before anything happened. */
export function initialUpdateStatus(currentVersion: string, policy: UpdatePolicy): UpdateStatus {
  return reduceUpdate(
    { phase: 'idle', currentVersion, message: '', enabled: policy.enabled, canChange: false },
    { type: 'policy', policy },
  );
}

/** The next status after `event`. Events other than a change of policy are ignored while off. */
export function reduceUpdate(state: UpdateStatus, event: UpdateEvent): UpdateStatus {
  if (event.type === 'policy') return applyPolicy(state, event.policy);
  if (state.phase === 'disabled') return state;
  const version = state.currentVersion;

  switch (event.type) {
    case 'checking':
      return keep(state, { phase: 'checking', message: 'Checking for updates…' });

    case 'checked': {
      const lastCheck = {
        at: event.at,
        manual: event.manual,
        outcome: event.available ? ('available' as const) : ('up-to-date' as const),
      };
      if (!event.available) {
        return keep(state, {
          phase: 'idle',
          lastCheck,
          message: `${APP} ${version} is up to date.`,
        });
      }
      // The same version already downloaded stays ready: nothing to fetch again.
      if (state.phase === 'ready' && state.offer?.version === event.latest.version) {
        return { ...state, lastCheck };
      }
      return keep(state, {
        phase: 'available',
        offer: event.latest,
        lastCheck,
        message: `${APP} ${event.latest.version} is available (you have ${version}).`,
      });
    }

    case 'check-failed': {
      const lastCheck = { at: event.at, manual: event.manual, outcome: 'failed' as const };
      const message = `Could not check for updates: ${event.message}`;
      if (event.manual) return keep(state, { phase: 'error', failed: 'check', lastCheck, message });
      // An automatic check on a laptop that is offline is no news: what was on offer stays, and
      // the menu (not a banner) tells what happened.
      if (state.phase === 'available' || state.phase === 'ready' || state.phase === 'downloading') {
        return { ...state, lastCheck };
      }
      return keep(state, { phase: 'idle', lastCheck, message });
    }

    case 'downloading':
      if (!state.offer) return state;
      return keep(state, {
        phase: 'downloading',
        offer: state.offer,
        progress: { percent: 0, transferred: 0, total: 0, bytesPerSecond: 0 },
        message: `Downloading ${APP} ${state.offer.version}…`,
      });

    case 'progress':
      if (state.phase !== 'downloading' || !state.offer) return state;
      return keep(state, {
        phase: 'downloading',
        offer: state.offer,
        progress: event.progress,
        message: `Downloading ${APP} ${state.offer.version}… ${Math.floor(event.progress.percent)}%`,
      });

    case 'downloaded':
      if (!state.offer) return state;
      return keep(state, {
        phase: 'ready',
        offer: state.offer,
        message: `${APP} ${state.offer.version} is downloaded and verified. Restart to update now; otherwise it is installed when you quit the app.`,
      });

    case 'download-failed':
      return keep(state, {
        phase: 'error',
        failed: 'download',
        offer: state.offer,
        message: state.offer
          ? `Could not download ${APP} ${state.offer.version}: ${event.message}`
          : `Could not download the update: ${event.message}`,
      });

    case 'restart-failed':
      return keep(state, {
        phase: 'error',
        failed: 'restart',
        offer: state.offer,
        message: `Could not install the update: ${event.message}`,
      });
  }
}

/** The parts every phase keeps (version, setting, last check), then the new phase's own. */
function keep(
  state: UpdateStatus,
  next: Pick<UpdateStatus, 'phase' | 'message'> & Partial<UpdateStatus>,
): UpdateStatus {
  const result: UpdateStatus = {
    phase: next.phase,
    currentVersion: state.currentVersion,
    message: next.message,
    enabled: state.enabled,
    canChange: state.canChange,
  };
  const lastCheck = next.lastCheck ?? state.lastCheck;
  if (lastCheck) result.lastCheck = lastCheck;
  if (next.offer) result.offer = next.offer;
  if (next.progress) result.progress = next.progress;
  if (next.failed) result.failed = next.failed;
  return result;
}

function applyPolicy(state: UpdateStatus, policy: UpdatePolicy): UpdateStatus {
  const base = { ...state, enabled: policy.enabled, canChange: policy.canChange };
  if (policy.off) {
    const result: UpdateStatus = {
      phase: 'disabled',
      currentVersion: state.currentVersion,
      message: offMessage(policy.off, policy.detail),
      offReason: policy.off,
      enabled: policy.enabled,
      canChange: policy.canChange,
    };
    if (state.lastCheck) result.lastCheck = state.lastCheck;
    return result;
  }
  if (state.phase !== 'disabled' && state.message) return base;
  // Turned (back) on, or the very first status: nothing checked since.
  return keep(base, {
    phase: 'idle',
    message: `${APP} ${state.currentVersion}. New versions are looked for automatically.`,
  });
}
