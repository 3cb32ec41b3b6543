// The trusted SSH host keys (trust on first use), stored per pool in one JSON file of the data dir.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ErrorCode, RpcError } from '../../common/errors';
import { algorithmOf, fingerprintOf } from './host-key';

export type HostKeyCheck =
  | { status: 'trusted' }
  | { status: 'unknown' }
  | { status: 'mismatch'; knownAlgorithm: string; knownFingerprint: string };

const entrySchema = z.object({
  algorithm: z.string().min(1),
  /** The whole key blob in base64: comparing blobs, not fingerprints, leaves nothing to chance. */
  key: z.string().min(1),
  fingerprint: z.string().min(1),
  addedAt: z.string(),
});

const fileSchema = z.object({
  version: z.literal(1),
  pools: z.record(z.string(), z.record(z.string(), entrySchema)),
});

type KnownHostsFile = z.infer<typeof fileSchema>;

export class KnownHostsStore {
  /** @param filePath where the JSON lives, e.g. `<dataDir>/known-hosts.json`. */
  constructor(readonly filePath: string) {}

  check(poolId: string, host: string, port: number, key: Buffer): HostKeyCheck {
    const known = own(own(this.read().pools, poolId), hostKey(host, port));
    if (!known) return { status: 'unknown' };
    if (Buffer.from(known.key, 'base64').equals(key)) return { status: 'trusted' };
    return {
      status: 'mismatch',
      knownAlgorithm: known.algorithm,
      knownFingerprint: known.fingerprint,
    };
  }

  trust(poolId: string, host: string, port: number, key: Buffer): void {
    const data = this.read();
    const pool = own(data.pools, poolId) ?? {};
    data.pools[poolId] = pool;
    pool[hostKey(host, port)] = {
      algorithm: algorithmOf(key),
      key: key.toString('base64'),
      fingerprint: fingerprintOf(key),
      addedAt: new Date().toISOString(),
    };
    this.write(data);
  }

  forget(poolId: string, host: string, port: number): void {
    const data = this.read();
    const pool = own(data.pools, poolId);
    if (!pool || !own(pool, hostKey(host, port))) return;
    delete pool[hostKey(host, port)];
    if (Object.keys(pool).length === 0) delete data.pools[poolId];
    this.write(data);
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

/** `host:port`, with IPv6 literals in brackets (as OpenSSH does) so the port stays unambiguous. */
function hostKey(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Own properties only, so an id like `constructor` never reads something off Object.prototype. */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}
