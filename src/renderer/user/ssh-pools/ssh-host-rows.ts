// The ssh-hosts pool editor's rows: checked here with the contract's own rules, so most mistakes
// are named before Save; the app checks again and its messages land on the same fields.
import type { PoolInfo, SshConfigHost, SshHostEntry } from '../../../common/models';
import { unsafeTextMessage } from '../../../common/user-text';
import type { FieldErrors } from '../../shared/field-errors';
import { parsePort } from '../../shared/port';

/** One editable host: text as typed (the port too), plus a stable key for React. */
export interface HostRow {
  key: number;
  name: string;
  address: string;
  port: string;
  user: string;
  keyPath: string;
  useAgent: boolean;
}

let nextKey = 1;

export function emptyRow(user = ''): HostRow {
  return { key: nextKey++, name: '', address: '', port: '22', user, keyPath: '', useAgent: false };
}

export function rowFromEntry(entry: SshHostEntry): HostRow {
  return {
    key: nextKey++,
    name: entry.name,
    address: entry.address,
    port: String(entry.port),
    user: entry.user,
    keyPath: entry.keyPath ?? '',
    useAgent: entry.useAgent,
  };
}

/** Imported from ~/.ssh/config: named after its `Host` alias, which is what people call it. */
export function rowFromConfig(host: SshConfigHost): HostRow {
  return rowFromEntry({ ...host, name: host.alias || host.name });
}

/**
 * What the UI can rebuild of an existing pool. PoolInfo carries each host's address, port and
 * the pool's user, but not key files or the agent choice (see the report's contract request).
 */
export function rowsFromPool(pool: PoolInfo): HostRow[] {
  return pool.instances.map((i) =>
    rowFromEntry({ name: i.name, address: i.host, port: i.port, user: pool.user, useAgent: false }),
  );
}

export function isBlank(row: HostRow): boolean {
  return !row.name.trim() && !row.address.trim() && !row.keyPath.trim() && !row.useAgent;
}

// The same rules as `sshHost` in src/common/contract/pools.ts.
const ADDRESS = /^[A-Za-z0-9.:_%[\]-]+$/;
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;

/** Messages by field path (`name`, `hosts.<i>.<field>`), the paths the app's errors use. */
export function validateSshPool(name: string, rows: HostRow[]): FieldErrors {
  const errors: Record<string, string> = {};
  if (!name.trim()) errors.name = 'Give the pool a name, e.g. "Lab GPUs".';
  else if (name.trim().length > 80) errors.name = 'Keep the name under 80 characters.';
  else if (unsafeTextMessage('The pool name', name)) {
    errors.name = unsafeTextMessage('The pool name', name)!;
  }
  if (!rows.length) errors.hosts = 'A pool needs at least one host.';
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    const at = (field: string) => `hosts.${i}.${field}`;
    const hostName = row.name.trim();
    if (!hostName) errors[at('name')] = 'Each host needs a name.';
    else if (hostName.length > 80) errors[at('name')] = 'Keep the name under 80 characters.';
    else if (unsafeTextMessage('The host name', hostName)) {
      errors[at('name')] = unsafeTextMessage('The host name', hostName)!;
    } else {
      const other = seen.get(hostName.toLowerCase());
      if (other !== undefined) errors[at('name')] = `Host ${other + 1} already has this name.`;
      else seen.set(hostName.toLowerCase(), i);
    }
    const address = row.address.trim();
    if (!address) errors[at('address')] = 'Enter a host name or an IP address.';
    else if (address.length > 255 || !ADDRESS.test(address)) {
      errors[at('address')] = 'The address must be a host name or an IP address, without spaces.';
    }
    const port = parsePort(row.port, 'The port');
    if (port.error) errors[at('port')] = port.error;
    else if (port.value === undefined) errors[at('port')] = 'Enter the SSH port (usually 22).';
    if (!row.user.trim()) errors[at('user')] = 'Enter your login name on this host.';
    else if (!USER.test(row.user.trim())) {
      errors[at('user')] = 'A login name has letters, digits, _ . - and starts with a letter or _.';
    }
    if (row.keyPath.length > 4096) errors[at('keyPath')] = 'That path is too long.';
    else if (unsafeTextMessage('The key file path', row.keyPath)) {
      errors[at('keyPath')] = unsafeTextMessage('The key file path', row.keyPath)!;
    }
  });
  return errors;
}

export function toSshHosts(rows: HostRow[]): SshHostEntry[] {
  return rows.map((row) => ({
    name: row.name.trim(),
    address: row.address.trim(),
    port: parsePort(row.port, 'The port').value ?? 22,
    user: row.user.trim(),
    ...(row.keyPath.trim() ? { keyPath: row.keyPath.trim() } : {}),
    useAgent: row.useAgent,
  }));
}
