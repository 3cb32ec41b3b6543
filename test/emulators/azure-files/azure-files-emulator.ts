// Azure Files in a box: an HTTPS server on 127.0.0.1 speaking the File service REST API that the
// real @azure/storage-file-share SDK talks to unchanged, with SharedKey authentication, path-style
// URLs (`https://127.0.0.1:<port>/<account>/<share>/<path>`) and every share a real folder
// (`<root>/<account>/<share>`). See README.md here.
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadEmulatorCertificate, type EmulatorCertificate } from '../azure/emulator-certificate';
import {
  FaultInjector,
  type FailOptions,
  type RequestMatch,
  type SlowOptions,
  type ThrottleOptions,
} from '../azure/fault-injector';
import { FilesOperations, type FilesResponse } from './files-operations';
import { FilesState, shareEtag, type AccountState, type ShareState } from './files-state';
import { checkFileReadSas } from './service-sas';
import { parseSharedKey, stringToSign, verifySignature } from './shared-key';
import { FilesErrors, StorageError } from './storage-error';

/** The REST version answered when a request names none (what storage-file-share 12.31 sends). */
export const FILES_API_VERSION = '2026-04-06';

export interface AzureFilesEmulatorOptions {
  /**
   * The real folder holding the data: `<root>/<account>/<share>/…`. Default: a temporary folder,
   * removed by `close()` (a given root is kept).
   */
  root?: string;
  /** Accounts known from the start: name → base64 key. */
  accounts?: Record<string, string>;
  /** Default: the ARM emulator's cached certificate (trusted via trustEmulatorCertificate()). */
  certificate?: EmulatorCertificate;
  /** Diagnostic lines (unexpected errors). */
  log?: (line: string) => void;
}

/** One request as the emulator saw it. */
export interface FilesEmulatorRequest {
  method: string;
  /** Decoded path, e.g. `/acct/share/dir/file`. */
  path: string;
  query: string;
  /** The authenticated account, if any. */
  account?: string;
  /** The REST operation served (`CreateFile`, `PutRange`, …), once known. */
  operation?: string;
  status: number;
  /** `x-ms-error-code` of an error answer. */
  errorCode?: string;
  at: Date;
}

/** A share as the control API shows it. */
export interface FilesShareInfo {
  name: string;
  quota: number;
  enabledProtocols: 'SMB' | 'NFS';
  accessTier: string;
  accessTierChangeTime: Date;
  rootSquash?: string;
  metadata: Record<string, string>;
  lastModified: Date;
  etag: string;
}

export interface FilesShareInit {
  quota?: number;
  enabledProtocols?: 'SMB' | 'NFS';
  accessTier?: string;
  rootSquash?: string;
  metadata?: Record<string, string>;
}

export async function startAzureFilesEmulator(
  options: AzureFilesEmulatorOptions = {},
): Promise<AzureFilesEmulator> {
  const certificate = options.certificate ?? (await loadEmulatorCertificate());
  const ownsRoot = options.root === undefined;
  const root = options.root
    ? resolve(options.root)
    : await mkdtemp(join(os.tmpdir(), 'azure-files-emulator-'));
  mkdirSync(root, { recursive: true });
  const emulator = new AzureFilesEmulator(root, ownsRoot, certificate, options.log);
  for (const [name, key] of Object.entries(options.accounts ?? {})) emulator.addAccount(name, key);
  await emulator.listen();
  return emulator;
}

export class AzureFilesEmulator {
  /** Every request served, in order. */
  readonly requests: FilesEmulatorRequest[] = [];
  /**
   * Throttling (503 ServerBusy + Retry-After), failures and slow answers, as in the ARM emulator.
   * A match is tested against `"<METHOD> <decoded path>?<query>"`, e.g. `'comp=range'`.
   */
  readonly faults = new FaultInjector();

  private readonly state: FilesState;
  private readonly operations: FilesOperations;
  private readonly server: https.Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: (line: string) => void;
  private origin = '';

  constructor(
    readonly root: string,
    private readonly ownsRoot: boolean,
    readonly certificate: EmulatorCertificate,
    log?: (line: string) => void,
  ) {
    this.state = new FilesState(root);
    this.operations = new FilesOperations(this.state);
    this.log = log ?? (() => {});
    this.server = https.createServer(
      { cert: certificate.cert, key: certificate.key, keepAlive: true },
      (req, res) => void this.handle(req, res),
    );
  }

  /** `https://127.0.0.1:<port>` */
  get url(): string {
    return this.origin;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** @internal */
  async listen(): Promise<void> {
    await new Promise<void>((resolveListen, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolveListen());
    });
    this.origin = `https://127.0.0.1:${this.port}`;
  }

  // --- accounts ---

  /** `https://127.0.0.1:<port>/<account>/`: the account's file endpoint (path-style). */
  accountUrl(name: string): string {
    return `${this.origin}/${name}/`;
  }

  /**
   * Adds (or re-keys) an account; returns its first key. `key` may be one base64 key or several
   * (key1, key2: requests signed with any of them are accepted); default: a random 64-byte key.
   */
  addAccount(name: string, key?: string | string[]): string {
    const keys =
      key === undefined ? [randomBytes(64).toString('base64')] : Array.isArray(key) ? key : [key];
    if (keys.length === 0) throw new Error('an account needs at least one key');
    this.state.addAccount(name, keys);
    return keys[0];
  }

  hasAccount(name: string): boolean {
    return this.state.account(name) !== undefined;
  }

  accountKeys(name: string): string[] | undefined {
    const account = this.state.account(name);
    return account ? [...account.keys] : undefined;
  }

  /** Forgets an account; by default its folder (every share's data) goes too, as in Azure. */
  removeAccount(name: string, options: { keepData?: boolean } = {}): void {
    this.state.removeAccount(name, !options.keepData);
  }

  /** The real folder holding a share's files (what a test VM can bind-mount as the share). */
  dataDir(account: string, share: string): string {
    return this.state.shareDir(account, share);
  }

  /**
   * A file's content by URL with a service SAS, as a VM downloading it (a CustomScript
   * extension's fileUris) gets it: `https://<account>.file.<suffix>/<share>/<path>?<sas>`, or
   * this emulator's path-style URL. Throws the service's StorageError (403 for a bad or expired
   * SAS, 404 for a missing share or file).
   */
  readFileBySasUrl(url: string, now = new Date()): Buffer {
    const parsed = new URL(url);
    const segments = parsed.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const hostAccount = /^([a-z0-9]{3,24})\.file\./.exec(parsed.hostname)?.[1];
    const account = hostAccount ?? segments.shift();
    const share = segments.shift();
    const state = account ? this.state.account(account) : undefined;
    if (!account || !state) throw FilesErrors.resourceNotFound();
    if (!share || segments.length === 0) throw FilesErrors.resourceNotFound();
    const path = segments.join('/');
    checkFileReadSas({ account, keys: state.keys, share, path }, parsed.searchParams, now);
    if (!this.state.share(state, share)) throw FilesErrors.shareNotFound();
    const base = this.dataDir(account, share);
    const file = resolve(base, path);
    if (relative(base, file).startsWith('..')) throw FilesErrors.resourceNotFound();
    const info = statSync(file, { throwIfNoEntry: false });
    if (!info?.isFile()) throw FilesErrors.resourceNotFound();
    return readFileSync(file);
  }

  // --- shares (the control plane's view, used by the ARM emulator's Microsoft.Storage) ---

  /** Share names of an account, sorted (folders made on disk included). */
  shares(account: string): string[] {
    const state = this.state.account(account);
    return state ? this.state.shareNames(state) : [];
  }

  share(account: string, name: string): FilesShareInfo | undefined {
    const state = this.state.account(account);
    const share = state ? this.state.share(state, name) : undefined;
    return share ? shareInfo(name, share) : undefined;
  }

  createShare(account: string, name: string, init: FilesShareInit = {}): FilesShareInfo {
    const state = this.requireAccount(account);
    const share = this.state.createShare(state, name, withoutUndefined(init));
    return shareInfo(name, share);
  }

  updateShare(account: string, name: string, change: FilesShareInit): FilesShareInfo {
    const state = this.requireAccount(account);
    const share = this.state.requireShare(state, name);
    if (change.quota !== undefined) share.quota = change.quota;
    if (change.accessTier !== undefined && change.accessTier !== share.accessTier) {
      share.accessTier = change.accessTier;
      share.accessTierChangeTime = new Date();
    }
    if (change.metadata !== undefined) share.metadata = { ...change.metadata };
    if (change.rootSquash !== undefined) share.rootSquash = change.rootSquash;
    this.state.touchShare(share);
    return shareInfo(name, share);
  }

  deleteShare(account: string, name: string): void {
    this.state.deleteShare(this.requireAccount(account), name);
  }

  /** What Get Share Stats reports: the bytes of every file in the share's folder. */
  shareUsageBytes(account: string, name: string): number {
    return this.state.usageBytes(account, name);
  }

  // --- fault injection (shortcuts for emulator.faults) ---

  /** The next `count` requests (that match) get 503 ServerBusy with Retry-After (default 1 s). */
  throttleNext(count: number, options?: ThrottleOptions): void {
    this.faults.throttleNext(count, options);
  }

  /** The next request matching `match` fails with `status` (default 500 InternalError). */
  failNext(match: RequestMatch, status = 500, options?: FailOptions): void {
    this.faults.failNext(match, status, options);
  }

  /** Matching requests are answered `ms` later. */
  slow(match: RequestMatch, ms: number, options?: SlowOptions): void {
    this.faults.slow(match, ms, options);
  }

  /** Requests whose `"<METHOD> <path>"` contains `match` (case-insensitive). */
  requestsMatching(match: string): FilesEmulatorRequest[] {
    const needle = match.toLowerCase();
    return this.requests.filter((r) => `${r.method} ${r.path}`.toLowerCase().includes(needle));
  }

  /** Stops the server; removes the data folder if the emulator made it. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolveClose) => this.server.close(() => resolveClose()));
    if (this.ownsRoot) await rm(this.root, { recursive: true, force: true }).catch(() => {});
  }

  private requireAccount(name: string): AccountState {
    const account = this.state.account(name);
    if (!account) throw new Error(`no storage account '${name}' in the Azure Files emulator`);
    return account;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const rawUrl = req.url ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(rawUrl, this.origin);
    let path = url.pathname;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      // keep it encoded
    }
    const record: FilesEmulatorRequest = {
      method,
      path,
      query: url.search,
      status: 0,
      at: new Date(),
    };
    this.requests.push(record);
    let response: FilesResponse;
    try {
      const body = await readBody(req);
      response = await this.respond(method, rawUrl, url, path, req, body, record);
    } catch (err) {
      response = this.errorResponse(err, method, path, requestId);
    }
    record.status = response.status;
    record.operation ??= response.operation;
    const version = req.headers['x-ms-version'];
    res.statusCode = response.status;
    res.setHeader('x-ms-request-id', requestId);
    res.setHeader('x-ms-version', typeof version === 'string' ? version : FILES_API_VERSION);
    res.setHeader('Date', new Date().toUTCString());
    res.setHeader('Server', 'Windows-Azure-File/1.0 Microsoft-HTTPAPI/2.0');
    const clientRequestId = req.headers['x-ms-client-request-id'];
    if (typeof clientRequestId === 'string')
      res.setHeader('x-ms-client-request-id', clientRequestId);
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    if (response.headers['x-ms-error-code']) record.errorCode = response.headers['x-ms-error-code'];
    const body = response.body;
    if (body === undefined || method === 'HEAD') {
      if (!res.hasHeader('Content-Length')) res.setHeader('Content-Length', '0');
      res.end();
      return;
    }
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(body);
      return;
    }
    res.setHeader('Content-Length', String(body.end - body.start + 1));
    const stream = createReadStream(body.path, { start: body.start, end: body.end });
    stream.on('error', (err) => {
      this.log(`azure files emulator: reading ${body.path} failed: ${err.message}`);
      res.destroy(err);
    });
    stream.pipe(res);
  }

  private async respond(
    method: string,
    rawUrl: string,
    url: URL,
    path: string,
    req: IncomingMessage,
    body: Buffer,
    record: FilesEmulatorRequest,
  ): Promise<FilesResponse> {
    const matchText = `${path}${url.search}`;
    const delay = this.faults.takeDelay(method, matchText);
    if (delay > 0) await this.sleep(delay);

    const account = this.authenticate(method, rawUrl, req);
    record.account = account.name;
    if (req.headers['x-ms-version'] === undefined) {
      throw FilesErrors.missingRequiredHeader('x-ms-version');
    }
    const fault = this.faults.takeRequestFault(method, matchText, false);
    if (fault?.kind === 'throttle') throw FilesErrors.serverBusy(fault.retryAfterSeconds);
    if (fault?.kind === 'fail') {
      const code =
        fault.code === 'InternalServerError'
          ? fault.status === 503
            ? 'ServerBusy'
            : 'InternalError'
          : fault.code;
      throw new StorageError(fault.status, code, fault.message);
    }

    let segments: string[];
    try {
      segments = url.pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
    } catch {
      throw FilesErrors.invalidUri();
    }
    // Path-style: `/<account>/<share>/…`. The SDK's rename() rebuilds the destination URL as
    // `/<share>/<path>` (setURLPath), dropping the account of an IP-style endpoint: such a path
    // belongs to the account of the SharedKey signature.
    if (segments[0] === account.name) segments = segments.slice(1);
    return this.operations.handle({
      method,
      account,
      share: segments[0],
      segments: segments.slice(1),
      query: url.searchParams,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body,
      serviceEndpoint: this.accountUrl(account.name),
      origin: this.origin,
    });
  }

  /** The account whose key signed the request, or the error the service answers. */
  private authenticate(method: string, rawUrl: string, req: IncomingMessage): AccountState {
    const authorization = req.headers.authorization;
    if (authorization === undefined) throw FilesErrors.noAuthenticationInformation();
    const auth = parseSharedKey(authorization);
    if (!auth) {
      throw FilesErrors.authenticationFailed(
        `The authorization header '${authorization.split(' ')[0]}' is not supported by the emulator: use SharedKey.`,
      );
    }
    const account = this.state.account(auth.account);
    if (!account) {
      throw new StorageError(
        404,
        'ResourceNotFound',
        `The storage account '${auth.account}' does not exist in the Azure Files emulator.`,
      );
    }
    if (req.headers['x-ms-date'] === undefined && req.headers.date === undefined) {
      throw FilesErrors.authenticationFailed('Request date header not specified.');
    }
    const signed = stringToSign(method, req.headers, rawUrl, auth.account);
    if (!verifySignature(signed, auth.signature, account.keys)) {
      throw FilesErrors.authenticationFailed(
        `The MAC signature found in the HTTP request '${auth.signature}' is not the same as any ` +
          `computed signature. Server used following string to sign: '${signed}'.`,
      );
    }
    return account;
  }

  private errorResponse(
    err: unknown,
    method: string,
    path: string,
    requestId: string,
  ): FilesResponse {
    let error: StorageError;
    if (err instanceof StorageError) {
      error = err;
    } else {
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT') error = FilesErrors.resourceNotFound();
      else if (code === 'ENOTEMPTY') error = FilesErrors.directoryNotEmpty();
      else if (code === 'EISDIR' || code === 'ENOTDIR') error = FilesErrors.resourceTypeMismatch();
      else {
        const message = err instanceof Error ? err.message : String(err);
        this.log(
          `azure files emulator: ${method} ${path} failed: ${err instanceof Error ? (err.stack ?? message) : message}`,
        );
        error = new StorageError(
          500,
          'InternalError',
          'Server encountered an internal error. Please try again after some time.',
        );
      }
    }
    return {
      status: error.status,
      headers: {
        ...error.headers,
        'x-ms-error-code': error.code,
        'Content-Type': 'application/xml',
      },
      body: error.toXml(requestId),
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolveSleep) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolveSleep();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function shareInfo(name: string, share: ShareState): FilesShareInfo {
  const info: FilesShareInfo = {
    name,
    quota: share.quota,
    enabledProtocols: share.enabledProtocols,
    accessTier: share.accessTier,
    accessTierChangeTime: share.accessTierChangeTime,
    metadata: { ...share.metadata },
    lastModified: share.lastModified,
    etag: shareEtag(share, name),
  };
  if (share.rootSquash) info.rootSquash = share.rootSquash;
  return info;
}

function withoutUndefined(init: FilesShareInit): Partial<ShareState> {
  const result: Partial<ShareState> = {};
  if (init.quota !== undefined) result.quota = init.quota;
  if (init.enabledProtocols !== undefined) result.enabledProtocols = init.enabledProtocols;
  if (init.accessTier !== undefined) result.accessTier = init.accessTier;
  if (init.rootSquash !== undefined) result.rootSquash = init.rootSquash;
  if (init.metadata !== undefined) result.metadata = { ...init.metadata };
  return result;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
