// Denies every permission a page may ask for (camera, notifications, geolocation, …).
import type { SessionLike } from '../electron-api';

/**
 * The UI needs no browser permission; by default Electron grants them all. Both handlers are
 * needed: the request handler answers prompts, the check handler answers silent queries.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#5-handle-session-permission-requests-from-remote-content
 */
export function denyPermissions(session: SessionLike, log: (line: string) => void): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`security: denied the "${permission}" permission`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}
