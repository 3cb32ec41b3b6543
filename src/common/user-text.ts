// Rules for the text people give as names and labels (pools, hosts, members, forwards' labels…),
// shared by the contract and the UI's own checks, and how a field's key reads in words.

/**
 * Characters a name must never hold: they are invisible, or they reorder the text around them
 * (a right-to-left override in a pool name reverses the app's own sentences that quote it).
 */
const UNSAFE: ReadonlyArray<{ test: (code: number) => boolean; what: string }> = [
  { test: (c) => c < 0x20 || c === 0x7f, what: 'a control character' },
  { test: (c) => c >= 0x80 && c <= 0x9f, what: 'a control character' },
  {
    test: (c) => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069),
    what: 'a text direction override',
  },
  { test: (c) => c === 0x200e || c === 0x200f || c === 0x061c, what: 'a text direction mark' },
  {
    test: (c) =>
      (c >= 0x200b && c <= 0x200d) ||
      c === 0x2060 ||
      c === 0xfeff ||
      c === 0x180e ||
      c === 0x00ad ||
      c === 0x2028 ||
      c === 0x2029,
    what: 'an invisible character',
  },
];

/** The first character a name must not hold, as `U+202E` and what it is; undefined when none. */
export function unsafeCharacter(text: string): { code: string; what: string } | undefined {
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    const rule = UNSAFE.find((r) => r.test(cp));
    if (rule) {
      return { code: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, what: rule.what };
    }
  }
  return undefined;
}

/** What to say about a name holding an unsafe character (never quoting the text itself). */
export function unsafeTextProblem(text: string): string | undefined {
  const found = unsafeCharacter(text);
  if (!found) return undefined;
  return `must not contain ${found.what} (${found.code}): retype it without invisible or direction characters`;
}

/** The same as `unsafeTextProblem`, as a sentence for a field with `label`. */
export function unsafeTextMessage(label: string, text: string): string | undefined {
  const problem = unsafeTextProblem(text);
  return problem ? `${label} ${problem}.` : undefined;
}

/** Keys whose words are not just the key split at its capitals. */
const KEY_WORDS: Readonly<Record<string, string>> = {
  sshKeys: 'SSH keys',
  keyPath: 'key file',
  useAgent: 'use the SSH agent',
  quotaGiB: 'quota (GiB)',
  poolId: 'pool',
  instanceId: 'instance',
  instanceIds: 'instances',
  connectionId: 'connection',
  terminalId: 'terminal',
  forwardId: 'forward',
  operationId: 'operation',
  promptId: 'question',
  subscriptionId: 'subscription',
  tenantId: 'tenant',
  confirmName: 'the name typed to confirm',
  json: 'the file',
};

/** A schema key in words: `remoteHost` → "remote host", `sshKeys` → "SSH keys". */
export function fieldWords(key: string): string {
  return (
    KEY_WORDS[key] ??
    key
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .toLowerCase()
  );
}

/** A field path in words: `['hosts', 1, 'address']` → "host 2, address". */
export function pathWords(path: ReadonlyArray<PropertyKey>): string {
  const words: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    const next = path[i + 1];
    if (typeof part === 'string' && typeof next === 'number') {
      const noun = fieldWords(part).replace(/s$/, '');
      words.push(`${noun} ${next + 1}`);
      i++;
    } else if (typeof part === 'number') words.push(`item ${part + 1}`);
    else words.push(fieldWords(String(part)));
  }
  return words.join(', ');
}

/** "1 instance", "2 instances"; `plural` for nouns that do not just take an s. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** An IPv6 literal (`::1`, `fe80::1`, `::ffff:192.0.2.1`), without brackets or a zone. */
export function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.length > 45) return false;
  let groups = text.split(':');
  let ipv4Tail = 0;
  const last = groups[groups.length - 1] ?? '';
  if (last.includes('.')) {
    if (!isIpv4(last)) return false;
    groups = groups.slice(0, -1);
    ipv4Tail = 2;
  }
  const doubles = text.split('::').length - 1;
  if (doubles > 1) return false;
  if (doubles === 0) {
    return groups.length + ipv4Tail === 8 && groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g));
  }
  const [head = '', tail = ''] = (ipv4Tail ? groups.join(':') : text).split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const all = [...headGroups, ...tailGroups];
  return all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g)) && all.length + ipv4Tail <= 7;
}

/** A DNS host name: dot-separated labels of letters, digits, "-" and "_", at most 253 characters. */
function isHostName(text: string): boolean {
  if (text.length > 253) return false;
  const labels = (text.endsWith('.') ? text.slice(0, -1) : text).split('.');
  return labels.every((l) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l));
}

/**
 * What is wrong with a host to forward to, or undefined for `localhost`, a host name, an IPv4
 * address or an IPv6 literal (brackets allowed).
 */
export function hostAddressProblem(text: string): string | undefined {
  if (text.trim() === '') return 'give a host name or an IP address, e.g. 127.0.0.1';
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIpv6(bare)) return undefined;
  if (bare !== text) return 'holds brackets but no IPv6 address inside them';
  if (/^[\d.]+$/.test(text)) {
    return isIpv4(text) ? undefined : 'is not an IPv4 address (four numbers from 0 to 255)';
  }
  if (isHostName(text)) return undefined;
  return 'must be a host name (letters, digits, "-" and "."), an IPv4 address or an IPv6 address, with no spaces';
}
