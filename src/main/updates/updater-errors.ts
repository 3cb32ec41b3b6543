// electron-updater's failures as sentences for the user: what went wrong, and what to do. URLs
// lose their query strings (a feed may carry a SAS token), and stacks are never shown.
import { feedLabel } from './update-feed';

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

/** Removes query strings and user info from every URL in `text`. */
export function withoutSecrets(text: string): string {
  return text
    .replace(/(https?:\/\/)[^/\s@]+@/gi, '$1')
    .replace(/(https?:\/\/[^\s?#"'<>]+)[?#][^\s"'<>)]*/gi, '$1');
}

/** The first line of a message, without the stack or the response headers some errors append. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

export function describeUpdaterError(err: unknown, feedUrl: string | undefined): string {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = withoutSecrets(
    firstLine(typeof e.message === 'string' ? e.message : String(err)),
  );
  const where = feedUrl ? feedLabel(feedUrl) : 'the update server';
  const host = feedUrl ? safeHost(feedUrl) : 'the update server';

  if (code === 'ERR_CHECKSUM_MISMATCH') {
    return (
      'the downloaded file does not match the sha512 checksum the update feed publishes, so it ' +
      'was deleted and nothing was installed. The files on the feed may be incomplete or altered: ' +
      'tell whoever publishes the updates, and try again later.'
    );
  }
  if (code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND') {
    const file = /channel "([^"]+)"/.exec(message)?.[1] ?? 'the latest-*.yml file';
    return `${where} has no ${file}. Whoever publishes the updates should upload it beside the installers.`;
  }
  if (code === 'ERR_UPDATER_INVALID_UPDATE_INFO' || code === 'ERR_UPDATER_INVALID_VERSION') {
    return `the update feed at ${where} is not valid (${message}). Tell whoever publishes the updates.`;
  }
  if (code === 'ERR_UPDATER_NO_FILES_PROVIDED' || code === 'ERR_UPDATER_NO_CHECKSUM') {
    return `the update feed at ${where} lists no file this app can install (${message}). Tell whoever publishes the updates.`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `${host} could not be found. Check your network connection, or try again later.`;
  }
  if (code && NETWORK_CODES.has(code)) {
    return `${host} could not be reached (${code}). Check your network connection, or try again later.`;
  }
  if (typeof e.statusCode === 'number') {
    return `${where} answered HTTP ${e.statusCode}. Try again later; if it persists, tell whoever publishes the updates.`;
  }
  return message || 'the updater failed without saying why.';
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the update server';
  }
}
