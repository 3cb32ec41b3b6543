// dsvm-pool:// links: parsed and checked before anything acts on them — known actions and
// parameters only, bounded lengths, no invisible or control characters — or refused with a
// sentence saying what is wrong and what the app understands.
import { unsafeTextProblem } from '../common/user-text';
import type { AppView } from '../common/notification-models';

export const APP_SCHEME = 'dsvm-pool';

export type AppLink = { action: 'connect'; pool: string } | { action: 'open'; view: AppView };

export type AppLinkResult = { ok: true; link: AppLink } | { ok: false; message: string };

/** Longer than any link the app documents by far; a longer one is not ours. */
const MAX_LINK_LENGTH = 512;
/** A pool's name is at most 80 characters (ssh-hosts) or Azure's 64 (a scale set). */
const MAX_POOL_NAME = 80;

const ACTIONS: Record<AppLink['action'], readonly string[]> = {
  connect: ['pool'],
  open: ['view'],
};

const KNOWN =
  'dsvm-pool understands dsvm-pool://connect?pool=<pool name> and ' +
  'dsvm-pool://open?view=user or view=admin.';

function refuse(why: string): AppLinkResult {
  return { ok: false, message: `This dsvm-pool link was refused: ${why} ${KNOWN}` };
}

/** The first argument that is a dsvm-pool:// link (Windows and Linux pass links as argv). */
export function findAppLink(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg.toLowerCase().startsWith(`${APP_SCHEME}:`));
}

/**
 * Parses `dsvm-pool://connect?pool=<name>` and `dsvm-pool://open?view=admin|user`. The message of
 * a refusal never repeats the link's text beyond the parts already checked (it may hold anything).
 */
export function parseAppLink(text: string): AppLinkResult {
  if (text.length > MAX_LINK_LENGTH) {
    return refuse(`it is ${text.length} characters long (at most ${MAX_LINK_LENGTH}).`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('it is not a valid address.');
  }
  if (url.protocol !== `${APP_SCHEME}:`) return refuse('it does not start with dsvm-pool://.');
  if (url.username || url.password || url.port || url.hash) {
    return refuse('it has a user name, password, port or # part, which no dsvm-pool link has.');
  }
  // dsvm-pool://connect?… puts the action in the host; a browser may add a slash after it.
  const action = url.hostname.toLowerCase();
  if (url.pathname !== '' && url.pathname !== '/') {
    return refuse('it has a path after the action, which no dsvm-pool link has.');
  }
  if (action !== 'connect' && action !== 'open') {
    const shown = /^[a-z0-9-]{1,20}$/.test(action) ? `"${action}"` : 'an action';
    return refuse(`it asks for ${shown}, which dsvm-pool does not do.`);
  }
  const allowed = ACTIONS[action];
  const names = [...url.searchParams.keys()];
  const unknown = names.filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    const safe = unknown.every((n) => /^[A-Za-z0-9_-]{1,20}$/.test(n));
    return refuse(
      `${action} takes only ${allowed.join(', ')}, not ${safe ? unknown.join(', ') : 'other parameters'}.`,
    );
  }
  for (const name of allowed) {
    if (url.searchParams.getAll(name).length > 1) return refuse(`${name} is given more than once.`);
  }
  if (action === 'connect') {
    const pool = url.searchParams.get('pool')?.trim() ?? '';
    if (!pool) return refuse('it names no pool (pool=<pool name>).');
    if (pool.length > MAX_POOL_NAME) {
      return refuse(`the pool name is ${pool.length} characters long (at most ${MAX_POOL_NAME}).`);
    }
    const problem = unsafeTextProblem(pool);
    if (problem) return refuse(`the pool name ${problem}.`);
    return { ok: true, link: { action, pool } };
  }
  const view = url.searchParams.get('view') ?? '';
  if (view !== 'user' && view !== 'admin') {
    return refuse('view must be user or admin.');
  }
  return { ok: true, link: { action, view } };
}
