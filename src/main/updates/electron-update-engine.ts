// The core's UpdateEngine on electron-updater: a generic feed (latest-*.yml), the sha512 check of
// the download as electron-updater does it, and the install through the shell's own quit.
import type { AppUpdater, ProgressInfo, UpdateInfo } from 'electron-updater';
import type { UpdateOffer, UpdateProgress } from '../../common/update-models';
import type { UpdateEngine, UpdateEngineUnavailable } from '../../core/updates/update-engine';
import type { UpdateFeed } from './update-feed';
import { describeUpdaterError, withoutSecrets } from './updater-errors';

/** The parts of electron-updater's AppUpdater the engine uses (the real one in the app). */
export type UpdaterLike = Pick<
  AppUpdater,
  | 'autoDownload'
  | 'autoInstallOnAppQuit'
  | 'forceDevUpdateConfig'
  | 'logger'
  | 'isUpdaterActive'
  | 'checkForUpdates'
  | 'downloadUpdate'
  | 'quitAndInstall'
  | 'on'
  | 'off'
>;

export interface ElectronUpdateEngineOptions {
  updater: UpdaterLike;
  /** From resources/app-update.yml (update-feed.ts). */
  feed: UpdateFeed;
  /** Electron's app.isPackaged: a development build never updates itself. */
  isPackaged: boolean;
  platform: NodeJS.Platform;
  /**
   * Ends the app's work (connections, the core) and then calls `install`, which starts the
   * installer and quits; it returns false when the installer could not start.
   */
  restartApp(install: () => boolean): Promise<void>;
  log(line: string): void;
}

/** Release notes longer than this are cut: the banner shows a few lines, not a changelog. */
const MAX_NOTES = 4000;

export class ElectronUpdateEngine implements UpdateEngine {
  private readonly updater: UpdaterLike;
  private readonly feedUrl: string | undefined;

  constructor(private readonly options: ElectronUpdateEngineOptions) {
    const { updater, log } = options;
    this.updater = updater;
    this.feedUrl = 'url' in options.feed ? options.feed.url : undefined;
    // The user decides when to download (a few hundred MB on a metered link is theirs to start);
    // a downloaded update still installs when the app quits, as electron-updater does by default.
    updater.autoDownload = false;
    updater.autoInstallOnAppQuit = true;
    const line = (level: string) => (message?: unknown) =>
      log(`updater: ${level}${withoutSecrets(firstLine(message))}`);
    updater.logger = { info: line(''), warn: line('warning: '), error: line('error: ') };
  }

  unavailable(): UpdateEngineUnavailable | undefined {
    const { updater, feed, isPackaged, platform, log } = this.options;
    if (!isPackaged && !updater.forceDevUpdateConfig) return { reason: 'development' };
    if ('problem' in feed) {
      log(`updates: no feed: ${feed.problem}`);
      return { reason: 'no-feed' };
    }
    if (!updater.isUpdaterActive()) {
      return {
        reason: 'unsupported',
        detail:
          platform === 'linux'
            ? 'This copy of the app cannot replace itself: on Linux the AppImage and the .deb package update themselves, other copies do not. Update it the way it was installed.'
            : 'This copy of the app cannot replace itself; update it the way it was installed.',
      };
    }
    return undefined;
  }

  async check(): Promise<{ available: boolean; latest: UpdateOffer }> {
    let result;
    try {
      result = await this.updater.checkForUpdates();
    } catch (err) {
      throw new Error(describeUpdaterError(err, this.feedUrl), { cause: err });
    }
    if (!result) throw new Error('the updater is not active in this copy of the app.');
    return { available: result.isUpdateAvailable, latest: offerOf(result.updateInfo) };
  }

  async download(onProgress: (progress: UpdateProgress) => void): Promise<void> {
    const listener = (p: ProgressInfo) =>
      onProgress({
        percent: p.percent,
        transferred: p.transferred,
        total: p.total,
        bytesPerSecond: p.bytesPerSecond,
      });
    this.updater.on('download-progress', listener);
    try {
      // Verifies the file's sha512 against latest-*.yml; a mismatch deletes it and rejects.
      await this.updater.downloadUpdate();
    } catch (err) {
      throw new Error(describeUpdaterError(err, this.feedUrl), { cause: err });
    } finally {
      this.updater.off('download-progress', listener);
    }
  }

  restart(): Promise<void> {
    return this.options.restartApp(() => this.install());
  }

  /** Starts the installer (silently, then the new version); false when it could not start. */
  private install(): boolean {
    let failure: Error | undefined;
    // electron-updater reports an install that cannot start as an `error` event, synchronously.
    const onError = (err: Error) => {
      failure = err;
    };
    this.updater.on('error', onError);
    try {
      this.updater.quitAndInstall(true, true);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.updater.off('error', onError);
    }
    if (failure) {
      this.options.log(
        `updates: the installer did not start: ${describeUpdaterError(failure, this.feedUrl)}`,
      );
      return false;
    }
    return true;
  }
}

/** The feed's UpdateInfo as the UI's offer: release notes as plain text. */
export function offerOf(info: UpdateInfo): UpdateOffer {
  const offer: UpdateOffer = { version: info.version };
  if (info.releaseName) offer.name = info.releaseName;
  if (info.releaseDate) offer.date = info.releaseDate;
  const notes = notesText(info.releaseNotes);
  if (notes) offer.notes = notes;
  return offer;
}

/** A string (HTML on some feeds) or one note per version, as plain text. */
export function notesText(notes: UpdateInfo['releaseNotes']): string | undefined {
  if (!notes) return undefined;
  const text = (
    typeof notes === 'string'
      ? plain(notes)
      : notes
          .filter((n) => n.note)
          .map((n) => `${n.version}\n${plain(n.note!)}`)
          .join('\n\n')
  ).trim();
  if (!text) return undefined;
  return text.length > MAX_NOTES ? `${text.slice(0, MAX_NOTES - 1)}…` : text;
}

/** Tags out, line breaks for block ends, the common entities decoded; shown as text, never HTML. */
function plain(html: string): string {
  return html
    .replace(/<\s*(br|\/p|\/li|\/h\d|\/div)\s*\/?>/gi, '\n')
    .replace(/<\s*li[^>]*>/gi, '• ')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n');
}

function firstLine(message: unknown): string {
  const text = message instanceof Error ? message.message : String(message ?? '');
  return text.split('\n')[0]!;
}
