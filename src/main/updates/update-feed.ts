// Which update feed this build was made with: electron-builder writes electron-builder.yml's
// `publish` setting to resources/app-update.yml, and an empty `url` there means updates are off.
import { readFile } from 'node:fs/promises';

/** The feed, or why there is none (for the log; the UI says "this build has no update address"). */
export type UpdateFeed = { url: string } | { problem: string };

/**
 * Reads the feed URL from app-update.yml. Only to tell whether there is a feed, and to name it in
 * messages: electron-updater reads the same file itself (with js-yaml) for the real check. The
 * file is electron-builder's own output (js-yaml's dump), one `key: value` per line.
 */
export async function readUpdateFeed(configPath: string): Promise<UpdateFeed> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return { problem: `${configPath} cannot be read (${code}): the build has no publish setting` };
  }
  const match = /^url:[ \t]*(.*?)[ \t]*$/m.exec(text);
  const url = unquote(match?.[1] ?? '');
  if (!url) {
    return { problem: `${configPath} has no url: electron-builder.yml's publish url was empty` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `the feed url in ${configPath} is not a URL` };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { problem: `the feed url in ${configPath} is not http(s)` };
  }
  return { url };
}

/** js-yaml quotes a scalar with '…' (a quote doubled inside) or "…" (JSON-like escapes). */
function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
    return value.slice(1, -1).replaceAll("''", "'");
  }
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  return value;
}

/**
 * A feed's address for messages and logs: host and path, never the query (a feed on a storage
 * account may carry a SAS token there) nor user info.
 */
export function feedLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname.replace(/\/$/, '')}`;
  } catch {
    return 'the update server';
  }
}
