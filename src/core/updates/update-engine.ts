// What the desktop shell plugs into the core to update the app (src/main: electron-updater); the
// core keeps the state, the setting and the schedule, and never imports the updater itself.
import type {
  UpdateEngineUnavailable,
  UpdateOffer,
  UpdateProgress,
} from '../../common/update-models';

export type { UpdateEngineUnavailable };

export interface UpdateEngine {
  /** Why this copy cannot update itself, or undefined when it can. Asked once, at start. */
  unavailable(): UpdateEngineUnavailable | undefined;
  /**
   * Asks the feed for its latest version. `available` is true when it is newer than the running
   * one. Rejects with an Error whose message is a sentence for the user.
   */
  check(): Promise<{ available: boolean; latest: UpdateOffer }>;
  /**
   * Downloads the version the last check found and verifies its sha512 against the feed; a file
   * that does not match is deleted. Rejects with an Error whose message is a sentence for the user.
   */
  download(onProgress: (progress: UpdateProgress) => void): Promise<void>;
  /** Closes the app and installs the downloaded update, which then starts. */
  restart(): Promise<void>;
}
