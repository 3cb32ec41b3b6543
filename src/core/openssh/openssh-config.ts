// Renders the app's own OpenSSH files: an ssh config with a Host per pool instance (host-key
// checking pinned to the keys the app trusts) and the known_hosts file those Hosts use.
import { ErrorCode, RpcError } from '../../common/errors';

/** One instance as OpenSSH should reach it. */
export interface OpenSshHost {
  alias: string;
  /** Pool name, for the comment above the block (what a person reading the file sees). */
  poolName: string;
  instanceName: string;
  host: string;
  port: number;
  user: string;
  /** Absent: no key file (the ssh-agent's keys are offered instead). */
  identityFile?: string;
}

export interface OpenSshFiles {
  /** The app's known_hosts, which every Host names as its UserKnownHostsFile. */
  knownHostsPath: string;
}

/** A trusted key, one known_hosts line under the Host's alias. */
export interface KnownHostLine {
  alias: string;
  algorithm: string;
  /** Key blob in base64. */
  key: string;
}

const HEADER =
  "# Written by dsvm-pool for its pools' instances; the app rewrites it whenever they change, so\n" +
  '# edits here are lost. Use it with `ssh -F <this file> <alias>`, or add one line\n' +
  "# `Include <this file>` at the top of ~/.ssh/config (the app's Settings can do it for you).\n";

/** `dsvm-<pool>-<instance>`, made of what OpenSSH patterns and shells take literally. */
export function aliasFor(poolName: string, instanceName: string): string {
  return `dsvm-${slug(poolName)}-${slug(instanceName)}`;
}

/** Aliases for many instances: the same slug twice gets `-2`, `-3` in the order given. */
export function uniqueAliases(names: { poolName: string; instanceName: string }[]): string[] {
  const seen = new Map<string, number>();
  return names.map(({ poolName, instanceName }) => {
    const base = aliasFor(poolName, instanceName);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

function slug(text: string): string {
  const plain = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    // `*`, `?`, `!` and `,` are pattern characters in a Host line; spaces split it; keep none.
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return plain || 'x';
}

/** The whole config file. Hosts keep their order; every value is quoted where it must be. */
export function renderSshConfig(hosts: OpenSshHost[], files: OpenSshFiles): string {
  const blocks = hosts.map((h) => {
    const lines = [
      `# ${comment(h.poolName)}: ${comment(h.instanceName)}`,
      `Host ${h.alias}`,
      `  HostName ${plainValue(h.host, 'host address')}`,
      `  Port ${h.port}`,
      `  User ${plainValue(h.user, 'user name')}`,
    ];
    if (h.identityFile !== undefined) {
      lines.push(`  IdentityFile ${pathValue(h.identityFile)}`, '  IdentitiesOnly yes');
    }
    lines.push(
      // The alias names the key in known_hosts, so a reused address (an Azure NAT port that now
      // leads to a recreated VM) never matches another machine's key.
      `  HostKeyAlias ${h.alias}`,
      `  UserKnownHostsFile ${pathValue(files.knownHostsPath)}`,
      '  StrictHostKeyChecking yes',
      // The app decides what is trusted: OpenSSH must not add IP entries or rotated keys.
      '  CheckHostIP no',
      '  UpdateHostKeys no',
    );
    return lines.join('\n');
  });
  return `${HEADER}${blocks.length ? `\n${blocks.join('\n\n')}\n` : ''}`;
}

/** The known_hosts file: `<alias> <algorithm> <key>` per line (HostKeyAlias has no port). */
export function renderKnownHosts(lines: KnownHostLine[]): string {
  return lines
    .map((l) => {
      if (!/^[\x21-\x7e]+$/.test(l.algorithm) || !/^[A-Za-z0-9+/]+=*$/.test(l.key)) {
        throw new RpcError(ErrorCode.Internal, `A trusted key of ${l.alias} cannot be written.`);
      }
      return `${l.alias} ${l.algorithm} ${l.key}\n`;
    })
    .join('');
}

/**
 * A path for a config value: always in double quotes (spaces), `"` and `\` escaped as OpenSSH's
 * argument splitting reads them, `%` doubled (IdentityFile and UserKnownHostsFile expand %-tokens).
 */
export function pathValue(path: string): string {
  // Control characters (a newline would start a new directive) cannot be written safely.
  if (hasControlCharacter(path)) {
    throw new RpcError(
      ErrorCode.BadInput,
      `The path ${JSON.stringify(path)} has a control character, which an OpenSSH config file ` +
        'cannot hold. Move the file to a folder whose name has none.',
    );
  }
  return `"${path.replace(/[\\"]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

/** Host names and user names: already validated by the contract; refuse anything odd anyway. */
function plainValue(value: string, what: string): string {
  if (!/^[A-Za-z0-9._:@-]+$/.test(value)) {
    throw new RpcError(
      ErrorCode.BadInput,
      `The ${what} ${JSON.stringify(value)} cannot be written to an OpenSSH config file; use ` +
        'letters, digits, ".", "-", "_" or ":".',
    );
  }
  return value;
}

/** A name in a comment line: one line, no control characters. */
function comment(text: string): string {
  return [...text]
    .map((c) => (hasControlCharacter(c) || /[\u2028\u2029]/.test(c) ? ' ' : c))
    .join('');
}

/** C0 controls and DEL: a newline would start a new directive, a NUL ends the line early. */
export function hasControlCharacter(text: string): boolean {
  return [...text].some((c) => {
    const code = c.codePointAt(0)!;
    return code < 0x20 || code === 0x7f;
  });
}
