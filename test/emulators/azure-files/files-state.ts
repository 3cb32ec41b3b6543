// What the File service knows: accounts and their keys, and for every share a real folder
// `<root>/<account>/<share>` holding its files. What the disk cannot hold (quota, metadata,
// content headers, leases) is kept here in memory, keyed by path; files made on disk show up with
// default properties.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, rmSync, statSync, type BigIntStats } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { FilesErrors, StorageError } from './storage-error';

/** Gibibytes; what a share gets when created without `x-ms-share-quota`. */
export const DEFAULT_SHARE_QUOTA_GIB = 5120;
/** The largest quota of a (large file share enabled) standard share, in GiB. */
export const MAX_SHARE_QUOTA_GIB = 102400;
export const GIB = 1024 ** 3;

export interface ShareState {
  quota: number;
  enabledProtocols: 'SMB' | 'NFS';
  accessTier: string;
  accessTierChangeTime: Date;
  rootSquash?: string;
  metadata: Record<string, string>;
  lastModified: Date;
  version: number;
}

export interface FileHttpHeaders {
  contentType?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  cacheControl?: string;
  contentDisposition?: string;
  /** base64 */
  contentMD5?: string;
}

export interface FileLease {
  id: string;
  state: 'leased' | 'broken';
}

/** What a file or directory has beyond its bytes. */
export interface EntryState {
  metadata: Record<string, string>;
  http: FileHttpHeaders;
  attributes?: string;
  creationTime?: string;
  /** ms since epoch of the last property change (Last-Modified is the later of this and mtime). */
  changed: number;
  version: number;
  lease?: FileLease;
}

export interface AccountState {
  name: string;
  /** base64; requests signed with any of them are accepted (key1, key2). */
  keys: string[];
  shares: Map<string, ShareState>;
  /** `<share>/<path>` → properties. */
  entries: Map<string, EntryState>;
}

const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const SHARE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
// Characters a file or directory name may not contain (and no control characters).
// eslint-disable-next-line no-control-regex
const BAD_NAME_CHARS = /["\\/:|<>*?\u0000-\u001f]/;

export function isValidAccountName(name: string): boolean {
  return ACCOUNT_NAME.test(name);
}

export function isValidShareName(name: string): boolean {
  return SHARE_NAME.test(name);
}

/** Checks the path segments of a file or directory: no `.`/`..`, no forbidden characters. */
export function checkPathSegments(segments: string[]): void {
  let total = 0;
  for (const s of segments) {
    total += s.length + 1;
    if (s === '' || s === '.' || s === '..' || s.length > 255 || BAD_NAME_CHARS.test(s)) {
      throw FilesErrors.invalidResourceName();
    }
  }
  if (total > 2048) {
    throw new StorageError(
      400,
      'InvalidFileOrDirectoryPathName',
      'The specified path is too long.',
    );
  }
}

export class FilesState {
  readonly accounts = new Map<string, AccountState>();

  constructor(readonly root: string) {}

  account(name: string): AccountState | undefined {
    return this.accounts.get(name);
  }

  addAccount(name: string, keys: string[]): AccountState {
    if (!isValidAccountName(name)) {
      throw new Error(
        `'${name}' is not a valid storage account name (3-24 lower-case letters and digits).`,
      );
    }
    mkdirSync(join(this.root, name), { recursive: true });
    const existing = this.accounts.get(name);
    if (existing) {
      existing.keys = [...keys];
      return existing;
    }
    const account: AccountState = { name, keys: [...keys], shares: new Map(), entries: new Map() };
    this.accounts.set(name, account);
    return account;
  }

  removeAccount(name: string, deleteData: boolean): void {
    this.accounts.delete(name);
    if (deleteData) rmSync(join(this.root, name), { recursive: true, force: true });
  }

  accountDir(account: string): string {
    return join(this.root, account);
  }

  shareDir(account: string, share: string): string {
    return join(this.root, account, share);
  }

  /** The share's properties, or undefined when its folder does not exist (any more). */
  share(account: AccountState, name: string): ShareState | undefined {
    const dir = this.shareDir(account.name, name);
    if (!isValidShareName(name) || !isDirectory(dir)) {
      if (account.shares.delete(name)) this.dropEntries(account, name, '');
      return undefined;
    }
    let state = account.shares.get(name);
    if (!state) {
      // A folder made on disk: a share with default properties.
      const created = statSync(dir).birthtime;
      state = defaultShareState(created.getTime() > 0 ? created : new Date());
      account.shares.set(name, state);
    }
    return state;
  }

  requireShare(account: AccountState, name: string): ShareState {
    const share = this.share(account, name);
    if (!share) throw FilesErrors.shareNotFound();
    return share;
  }

  /** Share names (folders with a valid share name), sorted. */
  shareNames(account: AccountState): string[] {
    let names: string[];
    try {
      names = readdirSync(this.accountDir(account.name), { withFileTypes: true })
        .filter((d) => d.isDirectory() && isValidShareName(d.name))
        .map((d) => d.name);
    } catch {
      names = [];
    }
    return names.sort();
  }

  createShare(account: AccountState, name: string, init: Partial<ShareState> = {}): ShareState {
    if (!isValidShareName(name)) throw FilesErrors.invalidResourceName();
    if (this.share(account, name)) throw FilesErrors.shareAlreadyExists();
    mkdirSync(this.shareDir(account.name, name), { recursive: true });
    const state = { ...defaultShareState(new Date()), ...init };
    account.shares.set(name, state);
    this.dropEntries(account, name, '');
    return state;
  }

  deleteShare(account: AccountState, name: string): void {
    this.requireShare(account, name);
    rmSync(this.shareDir(account.name, name), { recursive: true, force: true });
    account.shares.delete(name);
    this.dropEntries(account, name, '');
  }

  touchShare(share: ShareState): void {
    share.version++;
    share.lastModified = new Date();
  }

  /** Bytes of every file in the share (what Get Share Stats reports). */
  usageBytes(account: string, share: string): number {
    return folderBytes(this.shareDir(account, share));
  }

  /**
   * The absolute path of `segments` in the share; refuses anything that leads out of the share
   * (a symbolic link made on disk included).
   */
  async resolve(account: string, share: string, segments: string[]): Promise<string> {
    checkPathSegments(segments);
    const base = this.shareDir(account, share);
    const target = join(base, ...segments);
    if (target !== base && !target.startsWith(base + sep)) throw FilesErrors.invalidResourceName();
    // The deepest part that exists must really be inside the share.
    let probe = target;
    for (;;) {
      try {
        const real = await realpath(probe);
        const realBase = await realpath(base);
        if (real !== realBase && !real.startsWith(realBase + sep)) {
          throw FilesErrors.invalidResourceName();
        }
        return target;
      } catch (err) {
        if (err instanceof StorageError) throw err;
        if (probe === base) throw FilesErrors.shareNotFound();
        probe = dirname(probe);
      }
    }
  }

  entryKey(share: string, segments: string[]): string {
    return [share, ...segments].join('/');
  }

  /** The in-memory properties of a file or directory (made on first use). */
  entry(account: AccountState, share: string, segments: string[]): EntryState {
    const key = this.entryKey(share, segments);
    let entry = account.entries.get(key);
    if (!entry) {
      entry = { metadata: {}, http: {}, changed: 0, version: 0 };
      account.entries.set(key, entry);
    }
    return entry;
  }

  peekEntry(account: AccountState, share: string, segments: string[]): EntryState | undefined {
    return account.entries.get(this.entryKey(share, segments));
  }

  /** Forgets the properties of a path and (for a directory) of everything under it. */
  dropEntries(account: AccountState, share: string, path: string): void {
    const key = path === '' ? share : `${share}/${path}`;
    for (const k of [...account.entries.keys()]) {
      if (k === key || k.startsWith(`${key}/`)) account.entries.delete(k);
    }
  }

  /** Moves the properties of a path (and what is under it) to another path of the share. */
  moveEntries(account: AccountState, share: string, from: string, to: string): void {
    this.dropEntries(account, share, to);
    const fromKey = `${share}/${from}`;
    const toKey = `${share}/${to}`;
    for (const [k, v] of [...account.entries]) {
      if (k === fromKey || k.startsWith(`${fromKey}/`)) {
        account.entries.delete(k);
        account.entries.set(toKey + k.slice(fromKey.length), v);
      }
    }
  }
}

export function touchEntry(entry: EntryState): void {
  entry.version++;
  entry.changed = Date.now();
}

function defaultShareState(created: Date): ShareState {
  return {
    quota: DEFAULT_SHARE_QUOTA_GIB,
    enabledProtocols: 'SMB',
    accessTier: 'TransactionOptimized',
    accessTierChangeTime: created,
    metadata: {},
    lastModified: created,
    version: 1,
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (st.isDirectory()) total += folderBytes(path);
      else if (st.isFile()) total += st.size;
    } catch {
      // vanished meanwhile
    }
  }
  return total;
}

/** `"0x8D…"`: changes with every write, resize, rename or property change. */
export function entryEtag(st: BigIntStats, entry: EntryState | undefined): string {
  const digest = createHash('sha1')
    .update(`${st.ino}/${st.size}/${st.mtimeNs}/${st.ctimeNs}/${entry?.version ?? 0}`)
    .digest('hex')
    .slice(0, 13)
    .toUpperCase();
  return `"0x8D${digest}"`;
}

export function shareEtag(share: ShareState, name: string): string {
  const digest = createHash('sha1')
    .update(`${name}/${share.version}/${share.lastModified.getTime()}`)
    .digest('hex')
    .slice(0, 13)
    .toUpperCase();
  return `"0x8D${digest}"`;
}

/** The File service's SMB time format: ISO 8601 with seven fractional digits. */
export function fileTime(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const ticks = (ns % 1_000_000_000n) / 100n;
  return `${iso}.${ticks.toString().padStart(7, '0')}Z`;
}

export function dateFileTime(date: Date): string {
  return date.toISOString().replace('Z', '0000Z');
}
