// ShareFiles over an Azure Files share with @azure/storage-file-share. The account key comes from
// ARM (listKeys, with the admin's own Azure sign-in) and lives only in this object's memory:
// never in settings, logs, argv or URLs.
import { randomBytes } from 'node:crypto';
import type { StorageManagementClient } from '@azure/arm-storage';
import {
  ShareServiceClient,
  StorageSharedKeyCredential,
  type ShareClient,
  type ShareFileClient,
} from '@azure/storage-file-share';
import { ErrorCode, RpcError } from '../../common/errors';
import type { ShareEntry, ShareFiles, ShareUsage } from './share-files';

export interface AzureShareRef {
  /** The storage account's resource group. */
  resourceGroup: string;
  account: string;
  share: string;
}

export interface AzureShareFilesOptions {
  /** How long withLock waits for another writer before it breaks a stale lock (default 15 s). */
  lockWaitMs?: number;
  /** Retry delays of the data-plane client (tests shorten them). */
  retryDelayInMs?: number;
}

const statusOf = (err: unknown): number | undefined =>
  (err as { statusCode?: number } | null)?.statusCode;
const codeOf = (err: unknown): string | undefined =>
  (err as { details?: { errorCode?: string }; code?: string } | null)?.details?.errorCode ??
  (err as { code?: string } | null)?.code;

/** Splits `a/b/c.json` into the folder client and the file client. */
function fileClient(share: ShareClient, path: string): ShareFileClient {
  const parts = path.split('/').filter(Boolean);
  const name = parts.pop();
  if (!name || parts.some((p) => p === '..' || p === '.')) {
    throw new RpcError(ErrorCode.BadInput, `"${path}" is not a file path on the share.`);
  }
  const dir = parts.length ? share.getDirectoryClient(parts.join('/')) : share.rootDirectoryClient;
  return dir.getFileClient(name);
}

export class AzureShareFiles implements ShareFiles {
  readonly label: string;

  private constructor(
    private readonly share: ShareClient,
    ref: AzureShareRef,
    private readonly options: AzureShareFilesOptions,
  ) {
    this.label = `Azure Files share ${ref.account}/${ref.share}`;
  }

  /** Looks up the account's file endpoint and key through ARM and opens the share. */
  static async open(
    storage: StorageManagementClient,
    ref: AzureShareRef,
    options: AzureShareFilesOptions = {},
  ): Promise<AzureShareFiles> {
    const account = await storage.storageAccounts.getProperties(ref.resourceGroup, ref.account);
    const endpoint = account.primaryEndpoints?.file;
    if (!endpoint) {
      throw new RpcError(
        ErrorCode.NotFound,
        `Storage account ${ref.account} has no Azure Files endpoint; is it a general-purpose (StorageV2) account?`,
      );
    }
    const keys = await storage.storageAccounts.listKeys(ref.resourceGroup, ref.account);
    const key = keys.keys?.find((k) => k.value)?.value;
    if (!key) {
      throw new RpcError(
        ErrorCode.AuthFailed,
        `Could not read a key of storage account ${ref.account}: your Azure role needs listKeys (e.g. Storage Account Key Operator).`,
      );
    }
    const delay = options.retryDelayInMs;
    const service = new ShareServiceClient(
      endpoint,
      new StorageSharedKeyCredential(ref.account, key),
      delay === undefined
        ? {}
        : { retryOptions: { retryDelayInMs: delay, maxRetryDelayInMs: delay * 5 } },
    );
    return new AzureShareFiles(service.getShareClient(ref.share), ref, options);
  }

  async read(path: string): Promise<string | undefined> {
    try {
      return (await fileClient(this.share, path).downloadToBuffer()).toString('utf8');
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.failure(`read ${path}`, err);
    }
  }

  async writeAtomic(path: string, text: string): Promise<void> {
    const target = fileClient(this.share, path);
    const dir = path.split('/').slice(0, -1).join('/');
    await this.ensureDirectories(dir);
    const tmpName = `${path.split('/').pop()}.${randomBytes(6).toString('hex')}.tmp`;
    const tmp = fileClient(this.share, dir ? `${dir}/${tmpName}` : tmpName);
    try {
      await tmp.uploadData(Buffer.from(text, 'utf8'));
      await tmp.rename(path, { replaceIfExists: true });
    } catch (err) {
      await tmp.deleteIfExists().catch(() => {});
      throw this.failure(`write ${target.path}`, err);
    }
  }

  /** Uploads a local file (e.g. a 40 MB runtime tarball) the same way: temp file, then rename. */
  async uploadFileAtomic(path: string, localPath: string): Promise<void> {
    const target = fileClient(this.share, path);
    const dir = path.split('/').slice(0, -1).join('/');
    await this.ensureDirectories(dir);
    const tmpName = `${path.split('/').pop()}.${randomBytes(6).toString('hex')}.tmp`;
    const tmp = fileClient(this.share, dir ? `${dir}/${tmpName}` : tmpName);
    try {
      await tmp.uploadFile(localPath);
      await tmp.rename(path, { replaceIfExists: true });
    } catch (err) {
      await tmp.deleteIfExists().catch(() => {});
      throw this.failure(`write ${target.path}`, err);
    }
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const lockPath = `.pool/${name}.lock`;
    await this.ensureDirectories('.pool');
    const file = fileClient(this.share, lockPath);
    if (!(await file.exists())) await file.create(0).catch(() => {});
    const lease = file.getShareLeaseClient();
    const deadline = Date.now() + (this.options.lockWaitMs ?? 15_000);
    let broke = false;
    for (;;) {
      try {
        // Files support infinite leases only; the finally below always releases it.
        await lease.acquireLease(-1);
        break;
      } catch (err) {
        if (codeOf(err) !== 'LeaseAlreadyPresent' && statusOf(err) !== 409) {
          throw this.failure(`lock ${lockPath}`, err);
        }
        if (Date.now() > deadline) {
          if (broke) {
            throw new RpcError(
              ErrorCode.Unreachable,
              `Another app is changing the team on ${this.label} and did not finish in time; try again in a minute.`,
            );
          }
          // A writer that crashed keeps its infinite lease: break it once, then take it.
          await lease.breakLease().catch(() => {});
          broke = true;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    try {
      return await fn();
    } finally {
      await lease.releaseLease().catch(() => {});
    }
  }

  async list(dir: string): Promise<ShareEntry[]> {
    const client = dir ? this.share.getDirectoryClient(dir) : this.share.rootDirectoryClient;
    const entries: ShareEntry[] = [];
    try {
      for await (const item of client.listFilesAndDirectories()) {
        entries.push(
          item.kind === 'directory'
            ? { name: item.name, isDirectory: true, size: 0 }
            : { name: item.name, isDirectory: false, size: item.properties.contentLength },
        );
      }
    } catch (err) {
      if (statusOf(err) === 404) return [];
      throw this.failure(`list ${dir || '/'}`, err);
    }
    return entries;
  }

  async usage(options: { perUserLimit?: number } = {}): Promise<ShareUsage> {
    try {
      const [stats, props] = await Promise.all([
        this.share.getStatistics(),
        this.share.getProperties(),
      ]);
      const perUser: Record<string, number> = {};
      let budget = options.perUserLimit ?? 20_000;
      let approximate = false;
      for (const user of await this.list('notebooks')) {
        if (!user.isDirectory) continue;
        const walk = async (dir: string): Promise<number> => {
          let bytes = 0;
          for (const entry of await this.list(dir)) {
            if (--budget < 0) {
              approximate = true;
              return bytes;
            }
            bytes += entry.isDirectory ? await walk(`${dir}/${entry.name}`) : entry.size;
          }
          return bytes;
        };
        perUser[user.name] = await walk(`notebooks/${user.name}`);
      }
      const usage: ShareUsage = { usedBytes: stats.shareUsageBytes, perUser, approximate };
      if (props.quota !== undefined) usage.quotaGiB = props.quota;
      return usage;
    } catch (err) {
      if (err instanceof RpcError) throw err;
      throw this.failure('read usage', err);
    }
  }

  async setQuota(gib: number): Promise<void> {
    try {
      await this.share.setQuota(gib);
    } catch (err) {
      throw this.failure(`set the quota to ${gib} GiB`, err);
    }
  }

  private async ensureDirectories(dir: string): Promise<void> {
    let path = '';
    for (const part of dir.split('/').filter(Boolean)) {
      path = path ? `${path}/${part}` : part;
      await this.share.getDirectoryClient(path).createIfNotExists();
    }
  }

  /** A storage failure as the app's error, with the service's code and no secret. */
  private failure(action: string, err: unknown): RpcError {
    if (err instanceof RpcError) return err;
    const status = statusOf(err);
    const code = codeOf(err);
    const what = `Could not ${action} on ${this.label}`;
    if (status === 403) {
      return new RpcError(
        ErrorCode.AuthFailed,
        `${what}: the share refused the account key (${code ?? 'HTTP 403'}). Was the key rotated? Reopen the pool's storage.`,
      );
    }
    if (status === 404) {
      return new RpcError(
        ErrorCode.NotFound,
        `${what}: ${code ?? 'not found'} — does the share exist?`,
      );
    }
    if (status === 503 || status === 500 || code === 'ServerBusy') {
      return new RpcError(
        ErrorCode.Unreachable,
        `${what}: Azure Files is busy (${code ?? `HTTP ${status}`}) and still was after retries; try again shortly.`,
      );
    }
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return new RpcError(ErrorCode.Internal, `${what}: ${code ? `${code}: ` : ''}${message}`);
  }
}
