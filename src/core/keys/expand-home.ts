// `~` and `~/…` in user-given paths (key files, ~/.ssh/config) mean the home folder, as in a shell.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Expands a leading `~` (not `~user`) and makes the path absolute against `base` (default: home). */
export function expandHome(path: string, home = homedir(), base = home): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(base, path);
}
