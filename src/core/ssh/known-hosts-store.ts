// The trusted SSH host keys (trust on first use), stored per pool and machine identity in one JSON
// file of the data dir (version 1 stored them per host:port; such entries are migrated as used).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter } from '../../common/event';
import { algorithmOf, fingerprintOf } from './host-key';

/** The machine whose key it is was seen before at this address, as another machine. */
export interface ReplacedMachine {
  /** What the user called the machine whose key was trusted here before. */
  instanceName: string;
  fingerprint: string;
  /** When its key was trusted (ISO time). */
  trustedAt: string;
}

export type HostKeyCheck =
  | { status: 'trusted' }
  | { status: 'unknown'; replaces?: ReplacedMachine }
  | { status: 'mismatch'; knownAlgorithm: string; knownFingerprint: string };

/**
 * Whose key it is: the machine, not where it answers. `identity` is `vm/<vmId>` for an Azure VM (a
 * VM recreated behind the same NAT port is another machine), `instance/<id>` for a sandbox
 * instance (its key is kept across starts, its port may change), and `host:port` for an SSH host
 * (nothing better is known about it; this is also how version 1 stored every key).
 */
export interface HostKeySubject {
  poolId: string;
  identity: string;
  /** Where it answers now (`host:port` is also the identity when nothing better is known). */
  host: string;
  port: number;
  /** What the user calls it; kept with the key so a later prompt can say which machine it was. */
  instanceName?: string;
}

/** One trusted key, as the OpenSSH known_hosts file needs it. */
export interface TrustedHostKey {
  identity: string;
  algorithm: string;
  /** The key blob in base64. */
  key: string;
  fingerprint: string;
  address?: string;
}

/** Identities that name a machine (not an address); entries without one are host:port entries. */
const MACHINE_IDENTITY = /^(vm|instance)\//;

/** Whether an identity names a machine (`vm/…`, `instance/…`) rather than an address. */
export function isMachineIdentity(identity: string): boolean {
  return MACHINE_IDENTITY.test(identity);
}

const entrySchema = z.object({
  algorithm: z.string().min(1),
  /** The whole key blob in base64: comparing blobs, not fingerprints, leaves nothing to chance. */
  key: z.string().min(1),
  fingerprint: z.string().min(1),
  addedAt: z.string(),
  /** Where the machine answered when its key was trusted (`host:port`): tells a recreated VM. */
  address: z.string().optional(),
  instanceName: z.string().optional(),
});

type Entry = z.infer<typeof entrySchema>;

const fileSchema = z.object({
  // 1: entries keyed by host:port only; 2: keyed by machine identity (see HostKeySubject).
  version: z.union([z.literal(1), z.literal(2)]),
  pools: z.record(z.string(), z.record(z.string(), entrySchema)),
});

type KnownHostsFile = z.infer<typeof fileSchema>;

export class KnownHostsStore {
  private readonly changed = new Emitter<void>();
  /** Fires after every write (the OpenSSH known_hosts file follows it). */
  readonly onDidChange = this.changed.event;

  /** @param filePath where the JSON lives, e.g. `<dataDir>/known-hosts.json`. */
  constructor(readonly filePath: string) {}

  /** The key of whatever answers at host:port (an SSH host, or a check that knows no identity). */
  check(poolId: string, host: string, port: number, key: Buffer): HostKeyCheck {
    return this.checkMachine({ poolId, identity: keyAddress(host, port), host, port }, key);
  }

  trust(poolId: string, host: string, port: number, key: Buffer): void {
    this.trustMachine({ poolId, identity: keyAddress(host, port), host, port }, key);
  }

  forget(poolId: string, host: string, port: number): void {
    const data = this.read();
    const pool = own(data.pools, poolId);
    if (!pool || !own(pool, keyAddress(host, port))) return;
    delete pool[keyAddress(host, port)];
    if (Object.keys(pool).length === 0) delete data.pools[poolId];
    this.write(data);
  }

  /**
   * The machine's key: trusted, changed (refused by the caller), or unknown. An unknown machine
   * at an address where another machine's key was trusted is a recreated VM (`replaces`). A key
   * that version 1 trusted for this address (or anywhere in the pool: the sandbox's ports move)
   * is still trusted, and moves to the machine's identity here.
   */
  checkMachine(subject: HostKeySubject, key: Buffer): HostKeyCheck {
    const data = this.read();
    const pool = own(data.pools, subject.poolId) ?? {};
    const known = own(pool, subject.identity);
    if (known) return compare(known, key);
    if (!MACHINE_IDENTITY.test(subject.identity)) return { status: 'unknown' };
    const address = keyAddress(subject.host, subject.port);
    const legacy = Object.entries(pool).filter(([id]) => !MACHINE_IDENTITY.test(id));
    const sameKey = legacy.find(([, e]) => Buffer.from(e.key, 'base64').equals(key));
    if (sameKey) {
      this.trustMachine(subject, key, data);
      return { status: 'trusted' };
    }
    // A version 1 key at this address that differs: refused as before, never re-asked.
    const atAddress = own(pool, address);
    if (atAddress) return compare(atAddress, key);
    const before = Object.entries(pool).find(
      ([id, e]) => id !== subject.identity && MACHINE_IDENTITY.test(id) && e.address === address,
    )?.[1];
    if (!before) return { status: 'unknown' };
    return {
      status: 'unknown',
      replaces: {
        instanceName: before.instanceName ?? address,
        fingerprint: before.fingerprint,
        trustedAt: before.addedAt,
      },
    };
  }

  /**
   * Trusts the machine's key (first use, or a replacement the user confirmed). The machine it
   * replaced at the same address, and a version 1 entry of that address, are dropped: that
   * address now leads to this machine.
   */
  trustMachine(subject: HostKeySubject, key: Buffer, data = this.read()): void {
    const pool = own(data.pools, subject.poolId) ?? {};
    data.pools[subject.poolId] = pool;
    const address = keyAddress(subject.host, subject.port);
    if (MACHINE_IDENTITY.test(subject.identity)) {
      for (const [id, e] of Object.entries(pool)) {
        if (id === subject.identity) continue;
        const legacySame = !MACHINE_IDENTITY.test(id) && Buffer.from(e.key, 'base64').equals(key);
        if (id === address || e.address === address || legacySame) delete pool[id];
      }
    }
    const entry: Entry = {
      algorithm: algorithmOf(key),
      key: key.toString('base64'),
      fingerprint: fingerprintOf(key),
      addedAt: new Date().toISOString(),
      address,
    };
    if (subject.instanceName !== undefined) entry.instanceName = subject.instanceName;
    pool[subject.identity] = entry;
    data.version = 2;
    this.write(data);
  }

  /** The trusted key of a machine (or, not yet migrated, of its address), if any. */
  lookup(subject: HostKeySubject): TrustedHostKey | undefined {
    return this.lookupAll([subject])[0];
  }

  /** lookup() for many machines with one read of the file (the OpenSSH known_hosts needs all). */
  lookupAll(subjects: readonly HostKeySubject[]): (TrustedHostKey | undefined)[] {
    const { pools } = this.read();
    return subjects.map((subject) => {
      const pool = own(pools, subject.poolId);
      const address = keyAddress(subject.host, subject.port);
      const found = own(pool, subject.identity) ?? own(pool, address);
      if (!found) return undefined;
      const trusted: TrustedHostKey = {
        identity: subject.identity,
        algorithm: found.algorithm,
        key: found.key,
        fingerprint: found.fingerprint,
      };
      if (found.address !== undefined) trusted.address = found.address;
      return trusted;
    });
  }

  // Read on every call rather than caching: the file is tiny, and an admin told to remove a key
  // by hand (see the mismatch message) expects the change to count without restarting the app.
  private read(): KnownHostsFile {
    let text: string;
    try {
      text = fs.readFileSync(this.filePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, pools: {} };
      throw new RpcError(
        ErrorCode.Internal,
        `Cannot read the trusted host keys file ${this.filePath} (${(err as Error).message}). ` +
          'Check that the file is readable by you.',
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw this.damaged(`it is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw this.damaged(`unexpected content${where}: ${issue?.message ?? 'unknown problem'}`);
    }
    return parsed.data;
  }

  // A damaged file must never be read as "no keys known": that would silently re-trust whatever
  // key a server presents. So refuse, and tell the user how to recover.
  private damaged(why: string): RpcError {
    return new RpcError(
      ErrorCode.Internal,
      `The trusted host keys file ${this.filePath} is damaged (${why}), so host keys cannot be ` +
        'checked and no connection is made. Fix the file, or move it aside to start over; you ' +
        'will then be asked to confirm the key of each VM again.',
      { file: this.filePath },
    );
  }

  // Write a temp file and rename it over the old one: a crash mid-write leaves either the old or
  // the new file, never half of one.
  private write(data: KnownHostsFile): void {
    fs.mkdirSync(path.dirname(this.filePath), { recursive: true, mode: 0o700 });
    const temp = `${this.filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const fd = fs.openSync(temp, 'wx', 0o600);
      try {
        // The umask can only narrow the mode, but be explicit: these keys decide whom we trust.
        fs.fchmodSync(fd, 0o600);
        fs.writeFileSync(fd, `${JSON.stringify(data, null, 2)}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, this.filePath);
      this.changed.fire();
    } catch (err) {
      fs.rmSync(temp, { force: true });
      throw new RpcError(
        ErrorCode.Internal,
        `Cannot save the trusted host keys file ${this.filePath} (${(err as Error).message}). ` +
          'Check that its folder exists and is writable by you.',
      );
    }
  }
}

function compare(known: Entry, key: Buffer): HostKeyCheck {
  if (Buffer.from(known.key, 'base64').equals(key)) return { status: 'trusted' };
  return {
    status: 'mismatch',
    knownAlgorithm: known.algorithm,
    knownFingerprint: known.fingerprint,
  };
}

/** `host:port`, with IPv6 literals in brackets (as OpenSSH does) so the port stays unambiguous. */
export function keyAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Own properties only, so an id like `constructor` never reads something off Object.prototype. */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}
