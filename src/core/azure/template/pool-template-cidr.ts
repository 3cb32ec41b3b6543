// Parses and normalizes IPv4/IPv6 CIDR ranges for the pool's NSG source list.

/** A well-formed range, in canonical form (network address, RFC 5952 text for IPv6). */
export interface ParsedCidr {
  ok: true;
  cidr: string;
  version: 4 | 6;
  prefix: number;
  /** `0.0.0.0/0` or `::/0`: everyone on the internet. */
  isAny: boolean;
  /**
   * Wholly inside a private, shared (CGNAT), loopback or link-local range: traffic to the pool's
   * public IP never comes from there, so such a rule lets nobody in.
   */
  isPrivate: boolean;
}

export interface CidrProblem {
  ok: false;
  /** What is wrong and what to do, as a phrase that follows the value (`"10.0.0.5/24" …`). */
  reason: string;
}

const IPV4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const PREFIX = /^(?:0|[1-9][0-9]{0,2})$/;

/** Parses `a.b.c.d` into a 32-bit number, or undefined. Leading zeros are refused (octal?). */
function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

/** Parses IPv6 text (with `::` and an optional dotted IPv4 tail) into a 128-bit number. */
function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

/** Ranges that no packet to a public IP comes from (RFC 1918, RFC 6598, loopback, link-local). */
const NON_PUBLIC_V4: Array<[string, number]> = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
];
const NON_PUBLIC_V6: Array<[string, number]> = [
  ['fc00::', 7],
  ['fe80::', 10],
  ['::1', 128],
];

function within(
  value: bigint,
  prefix: number,
  bits: number,
  ranges: Array<[string, number]>,
  parse: (s: string) => bigint | undefined,
) {
  return ranges.some(([base, len]) => {
    if (prefix < len) return false;
    const shift = BigInt(bits - len);
    return value >> shift === (parse(base) as bigint) >> shift;
  });
}

/**
 * Parses one source range. A bare address is taken as a single host (`/32`, `/128`), since that
 * is what people paste ("my IP"). A range with host bits set is refused with the network it
 * probably means, rather than silently widened or narrowed.
 */
export function parseCidr(input: string): ParsedCidr | CidrProblem {
  const text = input.trim();
  if (text === '') return { ok: false, reason: 'is empty — give a range such as 203.0.113.0/24' };
  if (/^(?:\*|any|internet)$/i.test(text)) {
    return {
      ok: false,
      reason:
        'is a wildcard or service tag that lets the whole internet reach SSH — give your office or VPN range as a CIDR, e.g. 203.0.113.0/24',
    };
  }
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const version: 4 | 6 = addressText.includes(':') ? 6 : 4;
  const bits = version === 4 ? 32 : 128;
  const address = version === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  if (address === undefined) {
    return {
      ok: false,
      reason: `is not an IPv${version} address with a prefix length — write it like ${
        version === 4 ? '203.0.113.0/24' : '2001:db8::/48'
      }`,
    };
  }
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!PREFIX.test(prefixText) || Number(prefixText) > bits) {
      return {
        ok: false,
        reason: `has a bad prefix length; IPv${version} prefixes run from 0 to ${bits}`,
      };
    }
    prefix = Number(prefixText);
  }
  const hostBits = BigInt(bits - prefix);
  const network = (address >> hostBits) << hostBits;
  const format = version === 4 ? formatIpv4 : formatIpv6;
  const cidr = `${format(network)}/${prefix}`;
  if (network !== address) {
    return {
      ok: false,
      reason: `has host bits set after the /${prefix} prefix — did you mean ${cidr} (the whole network) or ${format(address)}/${bits} (one address)?`,
    };
  }
  const parse = version === 4 ? parseIpv4 : parseIpv6;
  const isPrivate = within(
    network,
    prefix,
    bits,
    version === 4 ? NON_PUBLIC_V4 : NON_PUBLIC_V6,
    parse,
  );
  return { ok: true, cidr, version, prefix, isAny: prefix === 0, isPrivate };
}
