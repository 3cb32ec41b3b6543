// What the app needs from a pool's share (DESIGN.md §7): read and atomically replace small files
// (the team registry), take the registry's lock, list folders, and tell usage and quota. One
// interface over Azure Files (the SDK, for Azure pools) and, later, over SSH (other pools).

export interface ShareEntry {
  name: string;
  isDirectory: boolean;
  /** Bytes, for files. */
  size: number;
}

export interface ShareUsage {
  usedBytes: number;
  /** The share's quota (GiB), when the share has one. */
  quotaGiB?: number;
  /** Bytes under `notebooks/<user>` per user; `approximate` when the walk stopped at its limit. */
  perUser: Record<string, number>;
  approximate: boolean;
}

export interface ShareFiles {
  /** For messages: "Azure Files share teamstore/notebooks". */
  readonly label: string;
  /** The text of a file, or undefined when there is none. */
  read(path: string): Promise<string | undefined>;
  /** Writes a temp file next to `path` and renames it over: readers see old or new, never half. */
  writeAtomic(path: string, text: string): Promise<void>;
  /** Runs `fn` holding the share-wide lock `name` (one writer at a time, across machines). */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** The entries of a folder ([] when it does not exist). */
  list(dir: string): Promise<ShareEntry[]>;
  usage(options?: { perUserLimit?: number }): Promise<ShareUsage>;
  /** Sets the share's quota in GiB. */
  setQuota(gib: number): Promise<void>;
}
