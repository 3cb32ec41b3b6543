// Decides whether an IPC message comes from the app's own page in one of the app's windows.
import type { IpcEventLike, WebContentsLike } from '../electron-api';

export interface TrustedSenderPolicy {
  /** True for the webContents of a window the shell created. */
  isOurContents(contents: WebContentsLike): boolean;
  /** True for the app's page URL. */
  isAppUrl(url: string): boolean;
}

/**
 * Any frame of any page can send IPC through a preload; only the top frame of our window,
 * showing our page, may receive the RPC port (like desktop/desktop's trusted-ipc-sender).
 * A subframe, another webContents, or our window after a (blocked) navigation gets nothing.
 *
 * @see https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */
export function isTrustedSender(event: IpcEventLike, policy: TrustedSenderPolicy): boolean {
  const { sender, senderFrame: frame } = event;
  if (!frame || sender.isDestroyed() || !policy.isOurContents(sender)) return false;
  // The frame must be this webContents' main frame, not a child frame inside it.
  if (frame.parent !== null || frame.frameTreeNodeId !== sender.mainFrame.frameTreeNodeId) {
    return false;
  }
  return policy.isAppUrl(frame.url);
}
