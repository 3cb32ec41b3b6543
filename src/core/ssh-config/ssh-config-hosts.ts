// Lists the machines in the user's ~/.ssh/config that can become an ssh-hosts pool: each concrete
// `Host` alias with its HostName, Port, User, key and agent use resolved as `ssh <alias>` would.
import { existsSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { SshConfigHost } from '../../common/models';
import { expandHome } from '../keys/expand-home';
import { readConfigEntries, type Condition, type ConfigEntry } from './config-entries';

export interface SshConfigOptions {
  /** The config file (default `<home>/.ssh/config`). */
  path?: string;
  /** The home folder for `~`, `%d` and relative Includes (default: the OS user's). */
  home?: string;
  /** The local user name, OpenSSH's default remote user (default: the OS user's). */
  localUser?: string;
  env?: NodeJS.ProcessEnv;
  /** Whether a key file exists; tests replace it. */
  fileExists?: (path: string) => boolean;
}

export interface SshConfigImport {
  hosts: SshConfigHost[];
  /** What was skipped or approximated, one sentence each (e.g. a ProxyJump host). */
  notes: string[];
}

/** OpenSSH's default identities that ssh2 can use, in OpenSSH's order. */
const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ed25519'];

/** Reads the config; a missing file is an empty list, an unusable one an RpcError. */
export async function listSshConfigHosts(options: SshConfigOptions = {}): Promise<SshConfigImport> {
  const home = options.home ?? homedir();
  const localUser = options.localUser ?? userInfo().username;
  const env = options.env ?? process.env;
  const fileExists = options.fileExists ?? existsSync;
  const path = options.path ?? join(home, '.ssh', 'config');

  const config = await readConfigEntries(path, { home, env });
  if (!config) return { hosts: [], notes: [] };
  const notes = [...config.notes];
  const hosts: SshConfigHost[] = [];
  for (const alias of config.aliases) {
    const host = resolveHost(alias, config.entries, { home, localUser, env, fileExists }, notes);
    if (host) hosts.push(host);
  }
  return { hosts, notes };
}

interface Resolved {
  hostname?: string;
  port?: string;
  user?: string;
  identityFiles: string[];
  identitiesOnly?: string;
  identityAgent?: string;
  proxyJump?: string;
  proxyCommand?: string;
}

interface Context {
  home: string;
  localUser: string;
  env: NodeJS.ProcessEnv;
  fileExists: (path: string) => boolean;
}

/** OpenSSH's rule: the first value obtained for an option wins; IdentityFile adds up. */
function resolveHost(
  alias: string,
  entries: ConfigEntry[],
  context: Context,
  notes: string[],
): SshConfigHost | undefined {
  const r: Resolved = { identityFiles: [] };
  for (const entry of entries) {
    if (!entry.conditions.every((c) => holds(c, alias, r, context))) continue;
    const value = entry.args.join(' ');
    switch (entry.param) {
      case 'hostname':
        r.hostname ??= value;
        break;
      case 'port':
        r.port ??= value;
        break;
      case 'user':
        r.user ??= value;
        break;
      case 'identityfile':
        r.identityFiles.push(value);
        break;
      case 'identitiesonly':
        r.identitiesOnly ??= value.toLowerCase();
        break;
      case 'identityagent':
        r.identityAgent ??= value;
        break;
      case 'proxyjump':
        r.proxyJump ??= value;
        break;
      case 'proxycommand':
        r.proxyCommand ??= value;
        break;
    }
  }

  const via = [
    r.proxyJump && r.proxyJump.toLowerCase() !== 'none' && 'ProxyJump',
    r.proxyCommand && r.proxyCommand.toLowerCase() !== 'none' && 'ProxyCommand',
  ].filter(Boolean);
  if (via.length) {
    notes.push(
      `${alias} was skipped: it is reached through ${via.join(' and ')}, which the app cannot follow yet.`,
    );
    return undefined;
  }

  const address = (r.hostname ?? alias).replace(/%(.)/g, (token, char: string) =>
    char === 'h' ? alias : char === '%' ? '%' : token,
  );
  const port = r.port === undefined ? 22 : Number(r.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    notes.push(`${alias} was skipped: its Port "${r.port}" is not a port number.`);
    return undefined;
  }
  const user = r.user ?? context.localUser;

  const tokens = { alias, address, user, port, ...context };
  let keyPath: string | undefined;
  for (const file of r.identityFiles) {
    const expanded = expandTokens(file, tokens);
    if (expanded === undefined) {
      notes.push(
        `${alias}: IdentityFile ${file} uses a token or variable the app cannot fill in; it was left out.`,
      );
      continue;
    }
    if (context.fileExists(expanded)) {
      keyPath = expanded;
      break;
    }
    notes.push(`${alias}: IdentityFile ${expanded} does not exist; it was left out.`);
  }
  // No IdentityFile at all: ssh tries the default keys, so the import does too.
  if (r.identityFiles.length === 0) {
    keyPath = DEFAULT_IDENTITIES.map((name) => join(context.home, '.ssh', name)).find((p) =>
      context.fileExists(p),
    );
  }
  if (r.identityFiles.length > 1 && keyPath) {
    notes.push(`${alias}: only the first existing IdentityFile (${keyPath}) is imported.`);
  }

  const agentOff = r.identityAgent?.toLowerCase() === 'none';
  // IdentitiesOnly keeps ssh from offering the agent's other keys; the app cannot pick one key
  // from an agent, so with a key file it leaves the agent out.
  const useAgent = !agentOff && !(r.identitiesOnly === 'yes' && keyPath !== undefined);
  if (r.identityAgent && !agentOff && !/^SSH_AUTH_SOCK$/i.test(r.identityAgent)) {
    notes.push(
      `${alias}: IdentityAgent ${r.identityAgent} is not used; the app uses the default ssh-agent.`,
    );
  }

  const host: SshConfigHost = { alias, name: alias, address, port, user, useAgent };
  if (keyPath) host.keyPath = keyPath;
  return host;
}

function holds(condition: Condition, alias: string, r: Resolved, context: Context): boolean {
  if (condition.type === 'host') return matchesList(condition.patterns, alias);
  return condition.criteria.every(({ name, negate, arg = '' }) => {
    let result: boolean;
    switch (name) {
      case 'all':
      case 'final':
        // Without canonicalisation OpenSSH's final pass sees the same host, so it matches.
        result = true;
        break;
      case 'host':
        result = matchesList(arg.split(','), r.hostname ?? alias);
        break;
      case 'originalhost':
        result = matchesList(arg.split(','), alias);
        break;
      case 'user':
        result = matchesList(arg.split(','), r.user ?? context.localUser);
        break;
      case 'localuser':
        result = matchesList(arg.split(','), context.localUser);
        break;
      default:
        // exec (never run), canonical, address, tagged, …: cannot be known here, so not applied.
        return false;
    }
    return negate ? !result : result;
  });
}

/** ssh_config PATTERNS: `*`, `?`, and `!` to exclude; case-insensitive like host names. */
function matchesList(patterns: string[], text: string): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = negate ? raw.slice(1) : raw;
    if (!matchesPattern(pattern, text)) continue;
    if (negate) return false;
    matched = true;
  }
  return matched;
}

function matchesPattern(pattern: string, text: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i').test(text);
}

/** ssh_config TOKENS and `${VAR}` in IdentityFile, then `~`; undefined when one cannot be filled. */
function expandTokens(
  value: string,
  t: { alias: string; address: string; user: string; port: number } & Context,
): string | undefined {
  let unknown = false;
  const withVars = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    if (t.env[name] === undefined) unknown = true;
    return t.env[name] ?? '';
  });
  const withTokens = withVars.replace(/%(.)/g, (_, char: string) => {
    switch (char) {
      case '%':
        return '%';
      case 'd':
        return t.home;
      case 'u':
        return t.localUser;
      case 'h':
        return t.address;
      case 'n':
        return t.alias;
      case 'p':
        return String(t.port);
      case 'r':
        return t.user;
      case 'l':
        return hostname();
      case 'L':
        return hostname().split('.')[0];
      default:
        unknown = true;
        return '';
    }
  });
  // A relative path is relative to where ssh runs, which for a terminal is the home folder.
  return unknown ? undefined : expandHome(withTokens, t.home);
}
