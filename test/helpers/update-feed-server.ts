// A generic update feed on loopback, as electron-builder's `generic` provider expects one: a
// folder served over HTTP with latest-linux.yml beside the installers it lists.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The channel file electron-updater asks for on this machine (Provider.getChannelFilePrefix). */
export function linuxChannelFile(arch = process.arch): string {
  return `latest-linux${arch === 'x64' ? '' : `-${arch}`}.yml`;
}

export function sha512(bytes: Buffer): string {
  return createHash('sha512').update(bytes).digest('base64');
}

export interface Release {
  version: string;
  /** The installer's bytes. */
  bytes: Buffer;
  /** What latest-linux.yml claims the sha512 is (default: the true one). */
  claimedSha512?: string;
  notes?: string;
}

export class UpdateFeedServer {
  /** Paths asked for, query included, in order. */
  readonly requests: string[] = [];
  /** Required as `?sig=` on every request when set, like a SAS token on a storage account. */
  requiredSig: string | undefined;

  private constructor(
    private readonly server: Server,
    readonly dir: string,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<UpdateFeedServer> {
    const dir = await mkdtemp(join(tmpdir(), 'dsvm-pool-feed-'));
    const holder: { feed?: UpdateFeedServer } = {};
    const server = createServer((req, res) => void holder.feed!.serve(req.url ?? '/', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.feed = new UpdateFeedServer(server, dir, `http://127.0.0.1:${port}/feed/`);
    return holder.feed;
  }

  /** Writes the installer and latest-linux.yml for `release`, as electron-builder publishes them. */
  async publish(release: Release): Promise<string> {
    const file = `dsvm-pool-${release.version}.AppImage`;
    await writeFile(join(this.dir, file), release.bytes);
    const sum = release.claimedSha512 ?? sha512(release.bytes);
    const lines = [
      `version: ${release.version}`,
      'files:',
      `  - url: ${file}`,
      `    sha512: ${sum}`,
      `    size: ${release.bytes.length}`,
      `path: ${file}`,
      `sha512: ${sum}`,
      `releaseDate: '2026-01-15T10:00:00.000Z'`,
    ];
    if (release.notes) lines.push(`releaseNotes: ${JSON.stringify(release.notes)}`);
    await writeFile(join(this.dir, linuxChannelFile()), `${lines.join('\n')}\n`);
    return file;
  }

  async unpublish(): Promise<void> {
    await rm(join(this.dir, linuxChannelFile()), { force: true });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }

  private async serve(rawUrl: string, res: ServerResponse): Promise<void> {
    this.requests.push(rawUrl);
    const url = new URL(rawUrl, 'http://feed');
    if (this.requiredSig !== undefined && url.searchParams.get('sig') !== this.requiredSig) {
      res.writeHead(403).end('signature required');
      return;
    }
    const name = url.pathname.replace(/^\/feed\//, '');
    if (!/^[\w.-]+$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    const path = join(this.dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': info.size, 'content-type': 'application/octet-stream' });
    createReadStream(path).pipe(res);
  }
}

/** A folder for a test's app: its app-update.yml, user data and cache. */
export async function appFolder(feedUrl: string | undefined): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dsvm-pool-app-'));
  await mkdir(join(dir, 'resources'));
  await writeFile(
    join(dir, 'resources', 'app-update.yml'),
    `provider: generic\nurl: ${feedUrl === undefined ? "''" : feedUrl}\nupdaterCacheDirName: dsvm-pool-updater\n`,
  );
  return dir;
}
