// Expands the wildcards of an ssh_config `Include` path (`*`, `?`, `[…]` in any segment), sorted as
// glob(3) sorts, so `Include config.d/*` reads the same files in the same order as OpenSSH.
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, parse, sep } from 'node:path';

const WILDCARD = /[*?[]/;

/** Every existing file that `pattern` (an absolute path) names; none is not an error. */
export async function expandPathGlob(pattern: string): Promise<string[]> {
  if (!isAbsolute(pattern))
    throw new Error(`expandPathGlob needs an absolute path, not ${pattern}`);
  const { root } = parse(pattern);
  const segments = pattern
    .slice(root.length)
    .split(/[\\/]+/)
    .filter(Boolean);
  let paths = [root];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of paths) {
      if (!WILDCARD.test(segment)) {
        next.push(join(base, segment));
        continue;
      }
      const matcher = segmentMatcher(segment);
      const names = await readdir(base).catch(() => [] as string[]);
      // Like glob(3): a leading dot is only matched by a pattern that starts with one.
      for (const name of names.sort()) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (matcher.test(name)) next.push(join(base, name));
      }
    }
    paths = next;
    if (paths.length === 0) return [];
  }
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) files.push(path);
  }
  return files;
}

/** `*`, `?`, `[abc]`, `[!a-z]` of one path segment as a RegExp. */
function segmentMatcher(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    if (char === '*') source += `[^${escapeClass(sep)}/]*`;
    else if (char === '?') source += `[^${escapeClass(sep)}/]`;
    else if (char === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      source += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function escapeClass(char: string): string {
  return char === '\\' ? '\\\\' : char;
}
