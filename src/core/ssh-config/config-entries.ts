// Reads an ssh_config file and its Includes (parsed by the `ssh-config` package) into one ordered
// list of directives, each with the Host/Match conditions it sits under, as OpenSSH applies them.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import SSHConfig, { type Directive, type Section } from 'ssh-config';
import { ErrorCode, RpcError } from '../../common/errors';
import { expandPathGlob } from './path-glob';

/** A `Host` line's patterns, or a `Match` line's criteria (`!` kept on the criterion name). */
export type Condition =
  | { type: 'host'; patterns: string[] }
  | { type: 'match'; criteria: { name: string; negate: boolean; arg?: string }[] };

export interface ConfigEntry {
  /** Lower-case keyword, e.g. `hostname`, `identityfile`. */
  param: string;
  args: string[];
  /** All must hold for the entry to apply (a Host block, and the block an Include sat in). */
  conditions: Condition[];
  /** The file it came from, for notes. */
  file: string;
}

export interface ConfigEntries {
  entries: ConfigEntry[];
  /** Every concrete name on a `Host` line, in file order, once each. */
  aliases: string[];
  /** What was skipped and why, for the user. */
  notes: string[];
}

export interface ReadContext {
  /** `~` and relative Include paths (which OpenSSH takes from ~/.ssh) hang off this. */
  home: string;
  env: NodeJS.ProcessEnv;
}

/** OpenSSH's own limit (READCONF_MAX_DEPTH); it also stops an Include loop. */
const MAX_INCLUDE_DEPTH = 16;
const MAX_FILE_BYTES = 1024 * 1024;
/** Match criteria that take no argument. */
const BARE_CRITERIA = new Set(['all', 'canonical', 'final']);

/**
 * Reads `path`; undefined when it does not exist. Throws an RpcError when it exists but cannot
 * be read or is not an ssh_config file.
 */
export async function readConfigEntries(
  path: string,
  context: ReadContext,
): Promise<ConfigEntries | undefined> {
  const read = await readConfigText(path);
  if ('missing' in read) return undefined;
  if ('unreadable' in read) throw new RpcError(ErrorCode.Internal, read.unreadable);
  const result: ConfigEntries = { entries: [], aliases: [], notes: [] };
  await addFile(path, read.text, [], 0, context, result);
  return result;
}

/** The file's text; throws when it is there but is no text file. */
async function readConfigText(
  path: string,
): Promise<{ text: string } | { missing: true } | { unreadable: string }> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { missing: true };
    return {
      unreadable:
        `The SSH config file ${path} cannot be read (${code ?? String(err)}). Check that it is ` +
        'a file you can read, or remove it.',
    };
  }
  if (data.length > MAX_FILE_BYTES) throw notSshConfig(path, 'it is larger than 1 MB');
  if (data.includes(0)) throw notSshConfig(path, 'it is a binary file');
  const text = data.toString('utf8');
  if (text.includes('\uFFFD')) throw notSshConfig(path, 'it is not UTF-8 text');
  return { text };
}

async function addFile(
  path: string,
  text: string,
  outer: Condition[],
  depth: number,
  context: ReadContext,
  result: ConfigEntries,
): Promise<void> {
  let lines: SSHConfig;
  try {
    lines = SSHConfig.parse(text);
  } catch (err) {
    throw notSshConfig(path, (err as Error).message);
  }
  for (const line of lines) {
    if (line.type !== SSHConfig.DIRECTIVE) continue;
    checkKeyword(path, text, line.param);
    if ('config' in line) {
      const condition = sectionCondition(line, path, result);
      if (condition.type === 'host') noteAliases(condition.patterns, result);
      const conditions = [...outer, condition];
      for (const inner of line.config) {
        if (inner.type !== SSHConfig.DIRECTIVE) continue;
        checkKeyword(path, text, inner.param);
        await addDirective(path, inner, conditions, depth, context, result);
      }
    } else {
      await addDirective(path, line, outer, depth, context, result);
    }
  }
}

async function addDirective(
  file: string,
  line: Directive,
  conditions: Condition[],
  depth: number,
  context: ReadContext,
  result: ConfigEntries,
): Promise<void> {
  const param = line.param.toLowerCase();
  const args = valuesOf(line.value);
  if (param !== 'include') {
    result.entries.push({ param, args, conditions, file });
    return;
  }
  if (depth + 1 > MAX_INCLUDE_DEPTH) {
    result.notes.push(
      `Include ${args.join(' ')} in ${file} was skipped: Includes nest more than ` +
        `${MAX_INCLUDE_DEPTH} deep (does a file include itself?).`,
    );
    return;
  }
  for (const arg of args) {
    const pattern = includePath(arg, context);
    if (pattern === undefined) {
      result.notes.push(
        `Include ${arg} in ${file} was skipped: it uses an environment variable that is not set.`,
      );
      continue;
    }
    for (const included of await expandPathGlob(pattern)) {
      // Garbage fails the import as in the main file; an unreadable include is only a note:
      // everything else still imports fine.
      const read = await readConfigText(included);
      if ('unreadable' in read) result.notes.push(`${read.unreadable} It was skipped.`);
      else if ('text' in read)
        await addFile(included, read.text, conditions, depth + 1, context, result);
    }
  }
}

function sectionCondition(line: Section, file: string, result: ConfigEntries): Condition {
  const values = valuesOf(line.value);
  if (/^host$/i.test(line.param)) {
    // `Host a,b` is not OpenSSH syntax, but commas are split like Match's lists, harmlessly.
    return { type: 'host', patterns: values.flatMap((v) => v.split(',')).filter(Boolean) };
  }
  const criteria: { name: string; negate: boolean; arg?: string }[] = [];
  for (let i = 0; i < values.length; i++) {
    const raw = values[i].toLowerCase();
    const negate = raw.startsWith('!');
    const name = negate ? raw.slice(1) : raw;
    if (BARE_CRITERIA.has(name)) {
      criteria.push({ name, negate });
    } else {
      criteria.push({ name, negate, arg: values[++i] ?? '' });
    }
  }
  if (criteria.some((c) => c.name === 'exec')) {
    result.notes.push(
      `A "Match exec" block in ${file} was not applied: the app never runs commands from ` +
        'ssh_config.',
    );
  }
  return { type: 'match', criteria };
}

function noteAliases(patterns: string[], result: ConfigEntries): void {
  for (const pattern of patterns) {
    // Wildcards and negations describe many hosts (or none); only plain names are machines.
    if (/[*?]/.test(pattern) || pattern.startsWith('!')) continue;
    if (!result.aliases.includes(pattern)) result.aliases.push(pattern);
  }
}

function valuesOf(value: Directive['value']): string[] {
  return Array.isArray(value) ? value.map((v) => v.val) : [value];
}

/** `~`, `${VAR}` and the ~/.ssh base of relative paths, as OpenSSH treats Include arguments. */
function includePath(arg: string, { home, env }: ReadContext): string | undefined {
  let missing = false;
  let path = arg.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) missing = true;
    return value ?? '';
  });
  if (missing) return undefined;
  if (path === '~' || path.startsWith('~/')) path = join(home, path.slice(1));
  return isAbsolute(path) ? path : join(home, '.ssh', path);
}

/** Keywords are letters and digits; anything else means this is not an ssh_config file. */
function checkKeyword(path: string, text: string, param: string): void {
  if (/^[A-Za-z][A-Za-z0-9]*$/.test(param)) return;
  const shown = param.length > 30 ? `${param.slice(0, 30)}…` : param;
  const lineNo = text.split(/\r?\n/).findIndex((l) => l.trimStart().startsWith(param.slice(0, 10)));
  throw notSshConfig(
    path,
    `${lineNo >= 0 ? `line ${lineNo + 1}: ` : ''}"${shown.trim()}" is not an ssh_config keyword`,
  );
}

function notSshConfig(path: string, why: string): RpcError {
  return new RpcError(
    ErrorCode.BadInput,
    `${path} is not a valid SSH config file (${why}). Fix the file (\`ssh -G <host>\` shows ` +
      "OpenSSH's view of it), or add the hosts by hand.",
  );
}
