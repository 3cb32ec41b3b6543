// SharedKey authorization as Azure Storage checks it for the File service:
// `Authorization: SharedKey <account>:<base64 HMAC-SHA256(key, StringToSign)>`.
// https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The headers of the StringToSign, in order (after the verb), as the service documents them. */
const STANDARD_HEADERS = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
];

export interface SharedKeyAuthorization {
  account: string;
  signature: string;
}

/** `SharedKey <account>:<signature>`, or undefined for anything else. */
export function parseSharedKey(header: string | undefined): SharedKeyAuthorization | undefined {
  const match = /^SharedKey\s+([^:\s]+):(\S+)$/.exec(header?.trim() ?? '');
  return match ? { account: match[1], signature: match[2] } : undefined;
}

/**
 * The StringToSign of a request (version 2009-09-19 and later):
 * VERB, the standard headers above (Content-Length empty when 0), the canonicalized `x-ms-`
 * headers, and the canonicalized resource `/<account><encoded path>` plus `\n<name>:<value>` per
 * query parameter (names lower-cased and sorted, values decoded, repeated names joined by
 * commas). For a path-style URL the account appears twice (`/acct/acct/share/…`), exactly as the
 * SDK signs it against Azurite-style endpoints.
 */
export function stringToSign(
  method: string,
  headers: IncomingHttpHeaders,
  rawUrl: string,
  account: string,
): string {
  const value = (name: string): string => {
    const v = headers[name];
    return (Array.isArray(v) ? v.join(',') : v) ?? '';
  };
  const standard = STANDARD_HEADERS.map((name) => {
    const v = value(name);
    return name === 'content-length' && v === '0' ? '' : v;
  });
  return (
    [method.toUpperCase(), ...standard].join('\n') +
    '\n' +
    canonicalizedHeaders(headers) +
    canonicalizedResource(rawUrl, account)
  );
}

/** Whether `signature` is the HMAC of the request under one of the account's keys (base64). */
export function verifySignature(
  stringToSignValue: string,
  signature: string,
  keys: string[],
): boolean {
  let given: Buffer;
  try {
    given = Buffer.from(signature, 'base64');
  } catch {
    return false;
  }
  return keys.some((key) => {
    const expected = createHmac('sha256', Buffer.from(key, 'base64'))
      .update(stringToSignValue, 'utf8')
      .digest();
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** Signs like the SDK does (for raw requests in tests). */
export function sign(stringToSignValue: string, key: string): string {
  return createHmac('sha256', Buffer.from(key, 'base64'))
    .update(stringToSignValue, 'utf8')
    .digest('base64');
}

function canonicalizedHeaders(headers: IncomingHttpHeaders): string {
  const names = Object.keys(headers)
    .map((n) => n.toLowerCase())
    .filter((n) => n.startsWith('x-ms-'));
  names.sort(compareHeaderNames);
  return names
    .filter((n, i) => i === 0 || names[i - 1] !== n)
    .map((n) => {
      const v = headers[n];
      const text = (Array.isArray(v) ? v.join(',') : v) ?? '';
      return `${n}:${text.trimStart()}\n`;
    })
    .join('');
}

function canonicalizedResource(rawUrl: string, account: string): string {
  const q = rawUrl.indexOf('?');
  const path = (q < 0 ? rawUrl : rawUrl.slice(0, q)) || '/';
  let result = `/${account}${path}`;
  if (q < 0) return result;
  // The pairs the SDK signs: `name=value` with one '=' and a non-empty value.
  const values = new Map<string, string[]>();
  for (const pair of rawUrl
    .slice(q + 1)
    .trim()
    .split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq !== pair.lastIndexOf('=') || eq === pair.length - 1) continue;
    const name = pair.slice(0, eq).toLowerCase();
    let decoded: string;
    try {
      decoded = decodeURIComponent(pair.slice(eq + 1));
    } catch {
      decoded = pair.slice(eq + 1);
    }
    values.set(name, [...(values.get(name) ?? []), decoded]);
  }
  for (const name of [...values.keys()].sort()) {
    result += `\n${name}:${(values.get(name) ?? []).sort().join(',')}`;
  }
  return result;
}

// The service sorts the canonicalized headers the way .NET compares strings in the en-US culture
// (hyphens and apostrophes count only as a tie-breaker, letters ignore case). These weights
// are those of the SDK's SharedKeyComparator (MIT, @azure/storage-common), for ASCII.
const LEVEL0 = new Uint32Array(128);
const LEVEL2 = new Uint32Array(128);
const LEVEL4 = new Uint32Array(128);
{
  const punctuation: [string, number][] = [
    ['!', 0x71c],
    ['#', 0x71f],
    ['$', 0x721],
    ['%', 0x723],
    ['&', 0x725],
    ['*', 0x72d],
    ['+', 0x803],
    ['.', 0x733],
    ['^', 0x743],
    ['_', 0x744],
    ['`', 0x748],
    ['|', 0x74c],
    ['~', 0x750],
  ];
  for (const [c, w] of punctuation) LEVEL0[c.charCodeAt(0)] = w;
  const digits = [0xd03, 0xd1a, 0xd1c, 0xd1e, 0xd20, 0xd22, 0xd24, 0xd26, 0xd28, 0xd2a];
  digits.forEach((w, i) => (LEVEL0[48 + i] = w));
  const letters = [
    0xe02, 0xe09, 0xe0a, 0xe1a, 0xe21, 0xe23, 0xe25, 0xe2c, 0xe32, 0xe35, 0xe36, 0xe48, 0xe51,
    0xe70, 0xe7c, 0xe7e, 0xe89, 0xe8a, 0xe91, 0xe99, 0xe9f, 0xea2, 0xea4, 0xea6, 0xea7, 0xea9,
  ];
  letters.forEach((w, i) => {
    LEVEL0[65 + i] = w;
    LEVEL0[97 + i] = w;
    LEVEL2[65 + i] = 0x12;
  });
  LEVEL4[39] = 0x8012; // '
  LEVEL4[45] = 0x8212; // -
}

export function compareHeaderNames(a: string, b: string): number {
  return isLessThan(a, b) ? -1 : 1;
}

function isLessThan(lhs: string, rhs: string): boolean {
  const tables = [LEVEL0, LEVEL2, LEVEL4];
  let level = 0;
  let i = 0;
  let j = 0;
  while (level < tables.length) {
    if (level === tables.length - 1 && i !== j) return i > j;
    const w1 = i < lhs.length ? (tables[level][lhs.charCodeAt(i)] ?? 0) : 0x1;
    const w2 = j < rhs.length ? (tables[level][rhs.charCodeAt(j)] ?? 0) : 0x1;
    if (w1 === 0x1 && w2 === 0x1) {
      i = 0;
      j = 0;
      level++;
    } else if (w1 === w2) {
      i++;
      j++;
    } else if (w1 === 0) {
      i++;
    } else if (w2 === 0) {
      j++;
    } else {
      return w1 < w2;
    }
  }
  return false;
}
