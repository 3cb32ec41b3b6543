// What the update banner shows for an UpdateStatus, as plain data: tested without a DOM.
import type { UpdateStatus } from '../../common/update-models';

export type UpdateAction = 'download' | 'restart' | 'check';

export interface UpdateBannerModel {
  /** Identifies what is shown: "Later" hides it until the key changes (a new version, a new step). */
  key: string;
  intent: 'info' | 'success' | 'error';
  title: string;
  body: string;
  /** Release notes, plain text. */
  notes?: string;
  progress?: { value: number; label: string };
  action?: { kind: UpdateAction; label: string };
}

/** 27_100_000 → "25.8 MB" (MiB, as download dialogs usually count). */
export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The banner for a status, or undefined when there is nothing to tell: off, idle after an
 * automatic check, checking. A manual check that found nothing says so once.
 */
export function updateBanner(status: UpdateStatus | undefined): UpdateBannerModel | undefined {
  if (!status) return undefined;
  const { phase, offer, message } = status;
  switch (phase) {
    case 'available':
      return {
        key: `available:${offer?.version}`,
        intent: 'info',
        title: 'Update available',
        body: message,
        ...(offer?.notes ? { notes: offer.notes } : {}),
        action: { kind: 'download', label: 'Download' },
      };
    case 'downloading': {
      const p = status.progress;
      const value = p ? Math.min(1, Math.max(0, p.percent / 100)) : 0;
      const amount =
        p && p.total > 0 ? ` (${megabytes(p.transferred)} of ${megabytes(p.total)})` : '';
      return {
        key: `downloading:${offer?.version}`,
        intent: 'info',
        title: 'Downloading update',
        body: message,
        progress: { value, label: `${Math.floor(value * 100)} %${amount}` },
      };
    }
    case 'ready':
      return {
        key: `ready:${offer?.version}`,
        intent: 'success',
        title: 'Update ready',
        body: message,
        ...(offer?.notes ? { notes: offer.notes } : {}),
        action: { kind: 'restart', label: 'Restart to update' },
      };
    case 'error': {
      const failed = status.failed ?? 'check';
      const retry: UpdateAction =
        failed === 'download' ? 'download' : failed === 'restart' ? 'restart' : 'check';
      return {
        key: `error:${failed}:${status.lastCheck?.at ?? ''}:${message}`,
        intent: 'error',
        title: failed === 'check' ? 'Could not check for updates' : 'Update failed',
        body: message,
        action: { kind: retry, label: 'Try again' },
      };
    }
    case 'idle':
      if (status.lastCheck?.manual && status.lastCheck.outcome === 'up-to-date') {
        return {
          key: `up-to-date:${status.lastCheck.at}`,
          intent: 'success',
          title: 'Up to date',
          body: message,
        };
      }
      return undefined;
    default:
      return undefined;
  }
}
