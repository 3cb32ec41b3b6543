// The File REST operations the app uses, on real folders: shares, directories, files, ranges,
// leases and rename. Request and response headers, status codes and XML bodies follow the
// service's REST reference (version 2026-04-06, what @azure/storage-file-share 12.31 sends).
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, rmdir, stat, utimes } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { dirname } from 'node:path';
import {
  dateFileTime,
  DEFAULT_SHARE_QUOTA_GIB,
  entryEtag,
  fileTime,
  GIB,
  MAX_SHARE_QUOTA_GIB,
  shareEtag,
  touchEntry,
  type AccountState,
  type EntryState,
  type FileHttpHeaders,
  type FilesState,
  type ShareState,
} from './files-state';
import { FilesErrors, StorageError } from './storage-error';
import { element, encodedElement, escapeXml, XML_DECLARATION } from './xml';

/** Largest range of one Put Range (and of a ranged MD5). */
export const MAX_RANGE_BYTES = 4 * 1024 * 1024;
const MAX_FILE_BYTES = 4 * 1024 ** 4;
const MAX_RESULTS = 5000;
/** Every file and directory has the share's default security descriptor. */
const PERMISSION_KEY = '4066528134148476695*1';
const ACCESS_TIERS = ['TransactionOptimized', 'Hot', 'Cool', 'Premium'];

export interface FilesRequest {
  method: string;
  account: AccountState;
  /** First path segment after the account (undefined for service-level requests). */
  share?: string;
  /** Decoded path segments inside the share. */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Header names as sent (metadata names keep their case). */
  rawHeaders: string[];
  body: Buffer;
  /** `https://127.0.0.1:<port>/<account>/` (what listings name as ServiceEndpoint). */
  serviceEndpoint: string;
  origin: string;
}

export type FilesBody = string | Buffer | { path: string; start: number; end: number };

export interface FilesResponse {
  status: number;
  headers: Record<string, string>;
  body?: FilesBody;
  /** The REST operation served (for `emulator.requests`); none for an error. */
  operation?: string;
}

export class FilesOperations {
  constructor(private readonly state: FilesState) {}

  async handle(req: FilesRequest): Promise<FilesResponse> {
    const comp = param(req, 'comp');
    const restype = param(req, 'restype');
    // The File service has no conditional requests: it refuses If-Match and friends.
    for (const name of ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']) {
      if (req.headers[name] !== undefined) throw FilesErrors.conditionHeadersNotSupported();
    }
    if (req.headers['x-ms-structured-body'] !== undefined) {
      // CRC64 structured messages (contentChecksumAlgorithm "StorageCrc64") are not emulated.
      throw FilesErrors.unsupportedHeader('x-ms-structured-body');
    }
    if (req.share === undefined) {
      if (restype === undefined && comp === 'list')
        return this.on(req, 'GET', () => this.listShares(req));
      if (restype !== undefined) throw FilesErrors.unsupportedQueryParameter('restype', restype);
      throw FilesErrors.invalidUri();
    }
    if (restype === 'share') {
      if (req.segments.length > 0) throw FilesErrors.invalidUri();
      switch (comp) {
        case undefined:
          if (req.method === 'PUT') return this.createShare(req);
          if (req.method === 'DELETE') return this.deleteShare(req);
          return this.on(req, ['GET', 'HEAD'], () =>
            this.getShareProperties(req, 'GetShareProperties'),
          );
        case 'properties':
          return this.on(req, 'PUT', () => this.setShareProperties(req));
        case 'metadata':
          if (req.method === 'PUT') return this.setShareMetadata(req);
          return this.on(req, ['GET', 'HEAD'], () =>
            this.getShareProperties(req, 'GetShareMetadata'),
          );
        case 'stats':
          return this.on(req, 'GET', () => this.getShareStats(req));
        default:
          throw FilesErrors.unsupportedQueryParameter('comp', comp);
      }
    }
    if (restype === 'directory') {
      switch (comp) {
        case undefined:
          if (req.method === 'PUT') return this.createDirectory(req);
          if (req.method === 'DELETE') return this.deleteDirectory(req);
          return this.on(req, ['GET', 'HEAD'], () => this.getDirectoryProperties(req));
        case 'list':
          return this.on(req, 'GET', () => this.listFilesAndDirectories(req));
        case 'metadata':
          return this.on(req, 'PUT', () => this.setDirectoryMetadata(req));
        case 'properties':
          return this.on(req, 'PUT', () => this.setDirectoryProperties(req));
        case 'rename':
          return this.on(req, 'PUT', () => this.rename(req, true));
        default:
          throw FilesErrors.unsupportedQueryParameter('comp', comp);
      }
    }
    if (restype !== undefined) throw FilesErrors.unsupportedQueryParameter('restype', restype);
    if (req.segments.length === 0) throw FilesErrors.invalidUri();
    switch (comp) {
      case undefined:
        if (req.method === 'PUT') return this.createFile(req);
        if (req.method === 'DELETE') return this.deleteFile(req);
        if (req.method === 'HEAD') return this.getFile(req, false);
        return this.on(req, 'GET', () => this.getFile(req, true));
      case 'range':
        return this.on(req, 'PUT', () => this.putRange(req));
      case 'rangelist':
        return this.on(req, 'GET', () => this.listRanges(req));
      case 'properties':
        return this.on(req, 'PUT', () => this.setHttpHeaders(req));
      case 'metadata':
        return this.on(req, 'PUT', () => this.setFileMetadata(req));
      case 'lease':
        return this.on(req, 'PUT', () => this.lease(req));
      case 'rename':
        return this.on(req, 'PUT', () => this.rename(req, false));
      default:
        throw FilesErrors.unsupportedQueryParameter('comp', comp);
    }
  }

  private on(
    req: FilesRequest,
    methods: string | string[],
    run: () => Promise<FilesResponse>,
  ): Promise<FilesResponse> {
    const allowed = Array.isArray(methods) ? methods : [methods];
    if (!allowed.includes(req.method)) throw FilesErrors.unsupportedHttpVerb(req.method);
    return run();
  }

  // --- shares ---

  private async listShares(req: FilesRequest): Promise<FilesResponse> {
    const prefix = param(req, 'prefix') ?? '';
    const marker = param(req, 'marker');
    const max = maxResults(req);
    const include = new Set(
      (param(req, 'include') ?? '').split(',').map((s) => s.trim().toLowerCase()),
    );
    const names = this.state.shareNames(req.account).filter((n) => n.startsWith(prefix));
    let start = 0;
    if (marker) {
      const markerPrefix = `/${req.account.name}/`;
      if (!marker.startsWith(markerPrefix)) {
        throw FilesErrors.invalidQueryParameterValue('marker', marker);
      }
      const from = marker.slice(markerPrefix.length);
      start = names.findIndex((n) => n >= from);
      if (start < 0) start = names.length;
    }
    const page = names.slice(start, start + max);
    const next = names[start + max];
    let xml = `${XML_DECLARATION}<EnumerationResults ServiceEndpoint="${escapeXml(req.serviceEndpoint)}">`;
    if (param(req, 'prefix') !== undefined) xml += element('Prefix', prefix);
    if (marker) xml += element('Marker', marker);
    if (param(req, 'maxresults') !== undefined) xml += element('MaxResults', max);
    xml += '<Shares>';
    for (const name of page) {
      const share = this.state.share(req.account, name);
      if (!share) continue;
      xml += `<Share>${element('Name', name)}<Properties>`;
      xml += element('Last-Modified', share.lastModified.toUTCString());
      xml += element('Etag', shareEtag(share, name));
      xml += element('Quota', share.quota);
      xml += element('AccessTier', share.accessTier);
      xml += element('AccessTierChangeTime', share.accessTierChangeTime.toUTCString());
      xml += element('LeaseStatus', 'unlocked') + element('LeaseState', 'available');
      xml += element('EnabledProtocols', share.enabledProtocols);
      if (share.rootSquash) xml += element('RootSquash', share.rootSquash);
      xml += '</Properties>';
      if (include.has('metadata')) xml += metadataXml(share.metadata);
      xml += '</Share>';
    }
    xml += `</Shares>${next === undefined ? '<NextMarker />' : element('NextMarker', `/${req.account.name}/${next}`)}`;
    xml += '</EnumerationResults>';
    return xmlResponse(200, xml, 'ListShares');
  }

  private async createShare(req: FilesRequest): Promise<FilesResponse> {
    const name = req.share ?? '';
    const quota = parseQuota(header(req, 'x-ms-share-quota'));
    const protocols = header(req, 'x-ms-enabled-protocols') ?? 'SMB';
    if (protocols !== 'SMB' && protocols !== 'NFS') {
      throw FilesErrors.invalidHeaderValue('x-ms-enabled-protocols', protocols);
    }
    const tier = parseTier(header(req, 'x-ms-access-tier'));
    const rootSquash = header(req, 'x-ms-root-squash');
    const share = this.state.createShare(req.account, name, {
      quota: quota ?? DEFAULT_SHARE_QUOTA_GIB,
      enabledProtocols: protocols,
      accessTier: tier ?? 'TransactionOptimized',
      metadata: requestMetadata(req),
      ...(rootSquash ? { rootSquash } : {}),
    });
    return { status: 201, headers: shareHeaders(share, name), operation: 'CreateShare' };
  }

  private async getShareProperties(req: FilesRequest, operation: string): Promise<FilesResponse> {
    const name = req.share ?? '';
    const share = this.state.requireShare(req.account, name);
    const headers: Record<string, string> = {
      ...metadataHeaders(share.metadata),
      ...shareHeaders(share, name),
      'x-ms-share-quota': String(share.quota),
      'x-ms-access-tier': share.accessTier,
      'x-ms-access-tier-change-time': share.accessTierChangeTime.toUTCString(),
      'x-ms-enabled-protocols': share.enabledProtocols,
      'x-ms-lease-status': 'unlocked',
      'x-ms-lease-state': 'available',
    };
    if (share.rootSquash) headers['x-ms-root-squash'] = share.rootSquash;
    return { status: 200, headers, operation };
  }

  private async setShareProperties(req: FilesRequest): Promise<FilesResponse> {
    const name = req.share ?? '';
    const share = this.state.requireShare(req.account, name);
    const quota = parseQuota(header(req, 'x-ms-share-quota'));
    const tier = parseTier(header(req, 'x-ms-access-tier'));
    if (quota !== undefined) share.quota = quota;
    if (tier !== undefined && tier !== share.accessTier) {
      share.accessTier = tier;
      share.accessTierChangeTime = new Date();
    }
    this.state.touchShare(share);
    return {
      status: 200,
      headers: { ...shareHeaders(share, name), 'x-ms-share-quota': String(share.quota) },
      operation: 'SetShareProperties',
    };
  }

  private async setShareMetadata(req: FilesRequest): Promise<FilesResponse> {
    const name = req.share ?? '';
    const share = this.state.requireShare(req.account, name);
    share.metadata = requestMetadata(req);
    this.state.touchShare(share);
    return { status: 200, headers: shareHeaders(share, name), operation: 'SetShareMetadata' };
  }

  private async getShareStats(req: FilesRequest): Promise<FilesResponse> {
    const name = req.share ?? '';
    const share = this.state.requireShare(req.account, name);
    const bytes = this.state.usageBytes(req.account.name, name);
    const xml = `${XML_DECLARATION}<ShareStats>${element('ShareUsageBytes', bytes)}</ShareStats>`;
    const response = xmlResponse(200, xml, 'GetShareStats');
    Object.assign(response.headers, shareHeaders(share, name));
    return response;
  }

  private async deleteShare(req: FilesRequest): Promise<FilesResponse> {
    this.state.deleteShare(req.account, req.share ?? '');
    return { status: 202, headers: {}, operation: 'DeleteShare' };
  }

  // --- directories ---

  private async createDirectory(req: FilesRequest): Promise<FilesResponse> {
    const { share, path } = await this.target(req);
    if (req.segments.length === 0) throw FilesErrors.resourceAlreadyExists();
    const existing = await statOf(path);
    if (existing) {
      throw existing.isDirectory()
        ? FilesErrors.resourceAlreadyExists()
        : FilesErrors.resourceTypeMismatch();
    }
    if (!(await statOf(dirname(path)))?.isDirectory()) throw FilesErrors.parentNotFound();
    await mkdir(path);
    this.state.dropEntries(req.account, share, req.segments.join('/'));
    const entry = this.entry(req);
    entry.metadata = requestMetadata(req);
    applySmbProperties(req, entry);
    await applyLastWriteTime(req, path);
    touchEntry(entry);
    return {
      status: 201,
      headers: {
        ...(await this.entryHeaders(req, path, entry, true)),
        'x-ms-request-server-encrypted': 'true',
      },
      operation: 'CreateDirectory',
    };
  }

  private async getDirectoryProperties(req: FilesRequest): Promise<FilesResponse> {
    const { path } = await this.target(req);
    const st = await statOf(path);
    if (!st?.isDirectory()) throw FilesErrors.resourceNotFound();
    const entry = this.entry(req);
    return {
      status: 200,
      headers: {
        ...metadataHeaders(entry.metadata),
        ...(await this.entryHeaders(req, path, entry, true)),
        'x-ms-server-encrypted': 'true',
      },
      operation: 'GetDirectoryProperties',
    };
  }

  private async deleteDirectory(req: FilesRequest): Promise<FilesResponse> {
    const { share, path } = await this.target(req);
    if (req.segments.length === 0) throw FilesErrors.cannotDelete();
    const st = await statOf(path);
    if (!st?.isDirectory()) throw FilesErrors.resourceNotFound();
    if ((await readdir(path)).length > 0) throw FilesErrors.directoryNotEmpty();
    await rmdir(path);
    this.state.dropEntries(req.account, share, req.segments.join('/'));
    return { status: 202, headers: {}, operation: 'DeleteDirectory' };
  }

  private async setDirectoryMetadata(req: FilesRequest): Promise<FilesResponse> {
    const { path } = await this.target(req);
    if (!(await statOf(path))?.isDirectory()) throw FilesErrors.resourceNotFound();
    const entry = this.entry(req);
    entry.metadata = requestMetadata(req);
    touchEntry(entry);
    const st = await statOrThrow(path);
    return {
      status: 200,
      headers: {
        ETag: entryEtag(st, entry),
        'Last-Modified': lastModified(st, entry),
        'x-ms-request-server-encrypted': 'true',
      },
      operation: 'SetDirectoryMetadata',
    };
  }

  private async setDirectoryProperties(req: FilesRequest): Promise<FilesResponse> {
    const { path } = await this.target(req);
    if (!(await statOf(path))?.isDirectory()) throw FilesErrors.resourceNotFound();
    const entry = this.entry(req);
    applySmbProperties(req, entry);
    await applyLastWriteTime(req, path);
    touchEntry(entry);
    return {
      status: 200,
      headers: {
        ...(await this.entryHeaders(req, path, entry, true)),
        'x-ms-request-server-encrypted': 'true',
      },
      operation: 'SetDirectoryProperties',
    };
  }

  private async listFilesAndDirectories(req: FilesRequest): Promise<FilesResponse> {
    const { share, path } = await this.target(req);
    const dirStat = await statOf(path);
    if (!dirStat?.isDirectory()) throw FilesErrors.resourceNotFound();
    const prefix = param(req, 'prefix') ?? '';
    const marker = param(req, 'marker');
    const max = maxResults(req);
    const include = new Set(
      (param(req, 'include') ?? '').split(',').map((s) => s.trim().toLowerCase()),
    );
    const extended = (header(req, 'x-ms-file-extended-info') ?? '').toLowerCase() === 'true';
    // Symbolic links made on disk are not listed (the share holds files and directories only).
    const dirents = (await readdir(path, { withFileTypes: true }))
      .filter((d) => (d.isFile() || d.isDirectory()) && d.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let start = 0;
    if (marker) {
      const from = Buffer.from(marker, 'base64url').toString('utf8');
      if (!from) throw FilesErrors.invalidContinuationToken();
      start = dirents.findIndex((d) => d.name >= from);
      if (start < 0) start = dirents.length;
    }
    const page = dirents.slice(start, start + max);
    const next = dirents[start + max];
    const dirPath = req.segments.join('/');
    let xml =
      `${XML_DECLARATION}<EnumerationResults ServiceEndpoint="${escapeXml(req.serviceEndpoint)}"` +
      ` ShareName="${escapeXml(share)}" DirectoryPath="${escapeXml(dirPath)}">`;
    if (marker) xml += element('Marker', marker);
    if (param(req, 'prefix') !== undefined) xml += encodedElement('Prefix', prefix);
    if (param(req, 'maxresults') !== undefined) xml += element('MaxResults', max);
    if (extended) xml += element('DirectoryId', String(dirStat.ino));
    xml += '<Entries>';
    for (const d of page) {
      const st = await statOf(`${path}/${d.name}`);
      if (!st) continue;
      const entry = this.state.peekEntry(req.account, share, [...req.segments, d.name]);
      const tag = st.isDirectory() ? 'Directory' : 'File';
      xml += `<${tag}>`;
      if (extended) xml += element('FileId', String(st.ino));
      xml += encodedElement('Name', d.name);
      let props = '';
      if (tag === 'File') props += element('Content-Length', String(st.size));
      if (include.has('timestamps')) {
        props += element('CreationTime', creationTime(st, entry));
        props += element('LastAccessTime', fileTime(st.atimeNs));
        props += element('LastWriteTime', fileTime(st.mtimeNs));
        props += element('ChangeTime', fileTime(st.ctimeNs));
        props += element('Last-Modified', lastModified(st, entry));
      }
      if (include.has('etag')) props += element('Etag', entryEtag(st, entry));
      xml += props ? `<Properties>${props}</Properties>` : '<Properties />';
      if (include.has('attributes')) {
        xml += element('Attributes', attributes(entry, tag === 'Directory'));
      }
      if (include.has('permissionkey')) xml += element('PermissionKey', PERMISSION_KEY);
      xml += `</${tag}>`;
    }
    xml += '</Entries>';
    xml +=
      next === undefined
        ? '<NextMarker />'
        : element('NextMarker', Buffer.from(next.name).toString('base64url'));
    xml += '</EnumerationResults>';
    return xmlResponse(200, xml, 'ListFilesAndDirectories');
  }

  // --- files ---

  private async createFile(req: FilesRequest): Promise<FilesResponse> {
    const type = header(req, 'x-ms-type');
    if (type === undefined) throw FilesErrors.missingRequiredHeader('x-ms-type');
    if (type.toLowerCase() !== 'file') throw FilesErrors.invalidHeaderValue('x-ms-type', type);
    const sizeText = header(req, 'x-ms-content-length');
    if (sizeText === undefined) throw FilesErrors.missingRequiredHeader('x-ms-content-length');
    const size = Number(sizeText);
    if (!/^\d+$/.test(sizeText) || size > MAX_FILE_BYTES) {
      throw FilesErrors.invalidHeaderValue('x-ms-content-length', sizeText);
    }
    const { share, shareState, path } = await this.target(req);
    const existing = await statOf(path);
    if (existing?.isDirectory()) throw FilesErrors.resourceTypeMismatch();
    if (!(await statOf(dirname(path)))?.isDirectory()) throw FilesErrors.parentNotFound();
    const previous = existing ? this.state.peekEntry(req.account, share, req.segments) : undefined;
    checkWriteLease(previous, header(req, 'x-ms-lease-id'));
    this.ensureRoom(req, share, shareState, size - Number(existing?.size ?? 0n));
    const handle = await open(path, 'w');
    try {
      await handle.truncate(size);
    } finally {
      await handle.close();
    }
    const lease = previous?.lease;
    this.state.dropEntries(req.account, share, req.segments.join('/'));
    const entry = this.entry(req);
    if (lease) entry.lease = lease;
    entry.metadata = requestMetadata(req);
    entry.http = requestHttpHeaders(req);
    applySmbProperties(req, entry);
    await applyLastWriteTime(req, path);
    touchEntry(entry);
    return {
      status: 201,
      headers: {
        ...(await this.entryHeaders(req, path, entry, false)),
        'x-ms-request-server-encrypted': 'true',
      },
      operation: 'CreateFile',
    };
  }

  private async putRange(req: FilesRequest): Promise<FilesResponse> {
    const { path } = await this.target(req);
    const st = await this.fileStat(path);
    const entry = this.entry(req);
    const rangeText = header(req, 'x-ms-range') ?? header(req, 'range');
    if (rangeText === undefined) throw FilesErrors.missingRequiredHeader('Range');
    const range = parseRange(rangeText, 'x-ms-range');
    if (range.end === undefined) throw FilesErrors.invalidHeaderValue('x-ms-range', rangeText);
    const write = header(req, 'x-ms-write');
    if (write === undefined) throw FilesErrors.missingRequiredHeader('x-ms-write');
    const mode = write.toLowerCase();
    if (mode !== 'update' && mode !== 'clear')
      throw FilesErrors.invalidHeaderValue('x-ms-write', write);
    if (header(req, 'content-length') === undefined) throw FilesErrors.missingContentLength();
    checkWriteLease(entry, header(req, 'x-ms-lease-id'));
    const length = range.end - range.start + 1;
    if (mode === 'update' && length > MAX_RANGE_BYTES) throw FilesErrors.requestBodyTooLarge();
    if (range.end >= Number(st.size)) throw FilesErrors.invalidRange();
    const expectedBody = mode === 'update' ? length : 0;
    if (req.body.length !== expectedBody) {
      throw FilesErrors.invalidHeaderValue('Content-Length', String(req.body.length));
    }
    const headers: Record<string, string> = {};
    if (mode === 'update') {
      const md5 = createHash('md5').update(req.body).digest('base64');
      const given = header(req, 'content-md5');
      if (given !== undefined && given !== md5) throw FilesErrors.md5Mismatch();
      headers['Content-MD5'] = md5;
    }
    const preserve = (header(req, 'x-ms-file-last-write-time') ?? '').toLowerCase() === 'preserve';
    const handle = await open(path, 'r+');
    try {
      if (mode === 'update') {
        await handle.write(req.body, 0, req.body.length, range.start);
      } else {
        const zeros = Buffer.alloc(Math.min(length, 1024 * 1024));
        for (let at = range.start; at <= range.end; at += zeros.length) {
          await handle.write(zeros, 0, Math.min(zeros.length, range.end - at + 1), at);
        }
      }
    } finally {
      await handle.close();
    }
    if (preserve) await utimes(path, Number(st.atimeNs) / 1e9, Number(st.mtimeNs) / 1e9);
    const after = await statOrThrow(path);
    return {
      status: 201,
      headers: {
        ...headers,
        ETag: entryEtag(after, entry),
        'Last-Modified': lastModified(after, entry),
        'x-ms-request-server-encrypted': 'true',
        'x-ms-file-last-write-time': fileTime(after.mtimeNs),
      },
      operation: mode === 'update' ? 'PutRange' : 'ClearRange',
    };
  }

  private async listRanges(req: FilesRequest): Promise<FilesResponse> {
    const { path } = await this.target(req);
    const st = await this.fileStat(path);
    const entry = this.entry(req);
    checkReadLease(entry, header(req, 'x-ms-lease-id'));
    const size = Number(st.size);
    let from = 0;
    let to = size - 1;
    const rangeText = header(req, 'x-ms-range') ?? header(req, 'range');
    if (rangeText !== undefined) {
      const range = parseRange(rangeText, 'x-ms-range');
      from = range.start;
      to = Math.min(range.end ?? to, to);
    }
    // The emulator does not track sparse regions: the whole file is one range.
    const ranges = from <= to ? `<Range><Start>${from}</Start><End>${to}</End></Range>` : '';
    const response = xmlResponse(200, `${XML_DECLARATION}<Ranges>${ranges}</Ranges>`, 'ListRanges');
    Object.assign(response.headers, {
      ETag: entryEtag(st, entry),
      'Last-Modified': lastModified(st, entry),
      'x-ms-content-length': String(size),
    });
    return response;
  }

  private async getFile(req: FilesRequest, withBody: boolean): Promise<FilesResponse> {
    const { path } = await this.target(req);
    const st = await this.fileStat(path);
    const entry = this.entry(req);
    checkReadLease(entry, header(req, 'x-ms-lease-id'));
    const size = Number(st.size);
    const headers: Record<string, string> = {
      ...metadataHeaders(entry.metadata),
      ...contentHeaders(entry.http),
      ...(await this.entryHeaders(req, path, entry, false, st)),
      'Accept-Ranges': 'bytes',
      'x-ms-type': 'File',
      'x-ms-server-encrypted': 'true',
      ...leaseHeaders(entry),
    };
    if (!withBody) {
      if (entry.http.contentMD5) headers['Content-MD5'] = entry.http.contentMD5;
      headers['Content-Length'] = String(size);
      return { status: 200, headers, operation: 'GetFileProperties' };
    }
    const rangeText = header(req, 'x-ms-range') ?? header(req, 'range');
    if (rangeText === undefined) {
      if (entry.http.contentMD5) headers['Content-MD5'] = entry.http.contentMD5;
      return {
        status: 200,
        headers,
        body: size === 0 ? Buffer.alloc(0) : { path, start: 0, end: size - 1 },
        operation: 'GetFile',
      };
    }
    const range = parseRange(rangeText, header(req, 'x-ms-range') ? 'x-ms-range' : 'Range');
    if (range.start >= size) throw FilesErrors.invalidRange(size);
    const end = Math.min(range.end ?? size - 1, size - 1);
    headers['Content-Range'] = `bytes ${range.start}-${end}/${size}`;
    if (entry.http.contentMD5) headers['x-ms-content-md5'] = entry.http.contentMD5;
    if ((header(req, 'x-ms-range-get-content-md5') ?? '').toLowerCase() === 'true') {
      if (end - range.start + 1 > MAX_RANGE_BYTES) {
        throw new StorageError(
          400,
          'OutOfRangeInput',
          'One of the request inputs is out of range.',
        );
      }
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(end - range.start + 1);
        await handle.read(buffer, 0, buffer.length, range.start);
        headers['Content-MD5'] = createHash('md5').update(buffer).digest('base64');
      } finally {
        await handle.close();
      }
    }
    return { status: 206, headers, body: { path, start: range.start, end }, operation: 'GetFile' };
  }

  private async setHttpHeaders(req: FilesRequest): Promise<FilesResponse> {
    const { share, shareState, path } = await this.target(req);
    const st = await this.fileStat(path);
    const entry = this.entry(req);
    checkWriteLease(entry, header(req, 'x-ms-lease-id'));
    const sizeText = header(req, 'x-ms-content-length');
    if (sizeText !== undefined) {
      const size = Number(sizeText);
      if (!/^\d+$/.test(sizeText) || size > MAX_FILE_BYTES) {
        throw FilesErrors.invalidHeaderValue('x-ms-content-length', sizeText);
      }
      this.ensureRoom(req, share, shareState, size - Number(st.size));
      const handle = await open(path, 'r+');
      try {
        await handle.truncate(size);
      } finally {
        await handle.close();
      }
    }
    // Set File Properties replaces every content header: one not sent is cleared.
    entry.http = requestHttpHeaders(req);
    applySmbProperties(req, entry);
    await applyLastWriteTime(req, path);
    touchEntry(entry);
    return {
      status: 200,
      headers: {
        ...(await this.entryHeaders(req, path, entry, false)),
        'x-ms-request-server-encrypted': 'true',
      },
      operation: 'SetFileProperties',
    };
  }

  private async setFileMetadata(req: FilesRequest): Promise<FilesResponse> {
    const { path } = await this.target(req);
    await this.fileStat(path);
    const entry = this.entry(req);
    checkWriteLease(entry, header(req, 'x-ms-lease-id'));
    entry.metadata = requestMetadata(req);
    touchEntry(entry);
    const st = await statOrThrow(path);
    return {
      status: 200,
      headers: {
        ETag: entryEtag(st, entry),
        'Last-Modified': lastModified(st, entry),
        'x-ms-request-server-encrypted': 'true',
      },
      operation: 'SetFileMetadata',
    };
  }

  private async deleteFile(req: FilesRequest): Promise<FilesResponse> {
    const { share, path } = await this.target(req);
    await this.fileStat(path);
    const entry = this.state.peekEntry(req.account, share, req.segments);
    checkWriteLease(entry, header(req, 'x-ms-lease-id'));
    await rm(path);
    this.state.dropEntries(req.account, share, req.segments.join('/'));
    return { status: 202, headers: {}, operation: 'DeleteFile' };
  }

  /** Lease File: acquire (infinite only), release, change, break. */
  private async lease(req: FilesRequest): Promise<FilesResponse> {
    const { path } = await this.target(req);
    await this.fileStat(path);
    const entry = this.entry(req);
    const action = header(req, 'x-ms-lease-action');
    if (action === undefined) throw FilesErrors.missingRequiredHeader('x-ms-lease-action');
    const leaseId = header(req, 'x-ms-lease-id');
    const proposed = header(req, 'x-ms-proposed-lease-id');
    if (proposed !== undefined && !isGuid(proposed)) {
      throw FilesErrors.invalidHeaderValue('x-ms-proposed-lease-id', proposed);
    }
    if (leaseId !== undefined && !isGuid(leaseId)) {
      throw FilesErrors.invalidHeaderValue('x-ms-lease-id', leaseId);
    }
    const active = entry.lease?.state === 'leased' ? entry.lease : undefined;
    const st = await statOrThrow(path);
    const base = () => ({ ETag: entryEtag(st, entry), 'Last-Modified': lastModified(st, entry) });
    switch (action.toLowerCase()) {
      case 'acquire': {
        const duration = header(req, 'x-ms-lease-duration') ?? '-1';
        if (duration !== '-1')
          throw FilesErrors.invalidHeaderValue('x-ms-lease-duration', duration);
        if (active && (!proposed || !sameGuid(proposed, active.id))) {
          throw FilesErrors.leaseAlreadyPresent();
        }
        entry.lease = { id: active?.id ?? proposed ?? randomUUID(), state: 'leased' };
        return {
          status: 201,
          headers: { ...base(), 'x-ms-lease-id': entry.lease.id },
          operation: 'AcquireFileLease',
        };
      }
      case 'release': {
        if (leaseId === undefined) throw FilesErrors.missingRequiredHeader('x-ms-lease-id');
        if (!entry.lease) throw FilesErrors.leaseNotPresentWithLeaseOperation();
        if (!sameGuid(leaseId, entry.lease.id))
          throw FilesErrors.leaseIdMismatchWithLeaseOperation();
        delete entry.lease;
        return { status: 200, headers: base(), operation: 'ReleaseFileLease' };
      }
      case 'change': {
        if (leaseId === undefined) throw FilesErrors.missingRequiredHeader('x-ms-lease-id');
        if (proposed === undefined)
          throw FilesErrors.missingRequiredHeader('x-ms-proposed-lease-id');
        if (!active) throw FilesErrors.leaseNotPresentWithLeaseOperation();
        if (!sameGuid(leaseId, active.id) && !sameGuid(proposed, active.id)) {
          throw FilesErrors.leaseIdMismatchWithLeaseOperation();
        }
        active.id = proposed;
        return {
          status: 200,
          headers: { ...base(), 'x-ms-lease-id': active.id },
          operation: 'ChangeFileLease',
        };
      }
      case 'break': {
        if (!active) throw FilesErrors.leaseNotPresentWithLeaseOperation();
        if (leaseId !== undefined && !sameGuid(leaseId, active.id)) {
          throw FilesErrors.leaseIdMismatchWithLeaseOperation();
        }
        // A file's lease is infinite: breaking it ends it at once.
        active.state = 'broken';
        return {
          status: 202,
          headers: { ...base(), 'x-ms-lease-id': active.id, 'x-ms-lease-time': '0' },
          operation: 'BreakFileLease',
        };
      }
      default:
        throw FilesErrors.invalidHeaderValue('x-ms-lease-action', action);
    }
  }

  /**
   * Rename File / Rename Directory: the request names the destination, `x-ms-file-rename-source`
   * the source (a URL of the same share). `x-ms-file-rename-replace-if-exists: true` replaces a
   * destination file (atomically: one rename(2)); a leased source or destination needs its lease
   * id in `x-ms-source-lease-id` / `x-ms-destination-lease-id`.
   */
  private async rename(req: FilesRequest, directory: boolean): Promise<FilesResponse> {
    const { share, path: destPath } = await this.target(req);
    if (req.segments.length === 0) throw FilesErrors.invalidUri();
    const sourceText = header(req, 'x-ms-file-rename-source');
    if (sourceText === undefined)
      throw FilesErrors.missingRequiredHeader('x-ms-file-rename-source');
    const sourceSegments = this.sourceSegments(req, sourceText, share);
    const sourcePath = await this.state.resolve(req.account.name, share, sourceSegments);
    const sourceStat = await statOf(sourcePath);
    if (!sourceStat || sourceStat.isDirectory() !== directory) throw FilesErrors.resourceNotFound();
    const sourceEntry = this.state.peekEntry(req.account, share, sourceSegments);
    checkWriteLease(sourceEntry, header(req, 'x-ms-source-lease-id'));
    const destStat = await statOf(destPath);
    const destLease = header(req, 'x-ms-destination-lease-id');
    const same = sourcePath === destPath;
    if (destStat && !same) {
      const replace =
        (header(req, 'x-ms-file-rename-replace-if-exists') ?? '').toLowerCase() === 'true';
      if (directory || destStat.isDirectory()) {
        throw destStat.isDirectory() === directory
          ? FilesErrors.resourceAlreadyExists()
          : FilesErrors.resourceTypeMismatch();
      }
      if (!replace) throw FilesErrors.resourceAlreadyExists();
      checkWriteLease(this.state.peekEntry(req.account, share, req.segments), destLease);
    } else if (destLease !== undefined && !same) {
      throw FilesErrors.leaseNotPresentWithFileOperation();
    }
    if (!(await statOf(dirname(destPath)))?.isDirectory()) throw FilesErrors.parentNotFound();
    if (directory && destPath.startsWith(`${sourcePath}/`)) {
      throw new StorageError(400, 'InvalidInput', 'One of the request inputs is not valid.');
    }
    if (!same) {
      await rename(sourcePath, destPath);
      this.state.moveEntries(req.account, share, sourceSegments.join('/'), req.segments.join('/'));
    }
    const entry = this.entry(req);
    const metadata = requestMetadata(req);
    if (Object.keys(metadata).length > 0) entry.metadata = metadata;
    const contentType = header(req, 'x-ms-content-type');
    if (contentType !== undefined && !directory) entry.http.contentType = contentType;
    applySmbProperties(req, entry);
    touchEntry(entry);
    return {
      status: 200,
      headers: {
        ...(await this.entryHeaders(req, destPath, entry, directory)),
        'x-ms-request-server-encrypted': 'true',
      },
      operation: directory ? 'RenameDirectory' : 'RenameFile',
    };
  }

  // --- helpers ---

  /** The share (which must exist) and the absolute path the request names in it. */
  private async target(
    req: FilesRequest,
  ): Promise<{ share: string; shareState: ShareState; path: string }> {
    const share = req.share ?? '';
    const shareState = this.state.requireShare(req.account, share);
    const path = await this.state.resolve(req.account.name, share, req.segments);
    return { share, shareState, path };
  }

  private entry(req: FilesRequest): EntryState {
    return this.state.entry(req.account, req.share ?? '', req.segments);
  }

  private async fileStat(path: string): Promise<BigIntStats> {
    const st = await statOf(path);
    if (!st?.isFile()) throw FilesErrors.resourceNotFound();
    return st;
  }

  /** Path segments of a rename source URL, which must lie in the same share. */
  private sourceSegments(req: FilesRequest, source: string, share: string): string[] {
    let pathname: string;
    try {
      pathname = new URL(source, req.origin).pathname;
    } catch {
      throw FilesErrors.invalidHeaderValue('x-ms-file-rename-source', source);
    }
    let segments: string[];
    try {
      segments = pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
    } catch {
      throw FilesErrors.invalidHeaderValue('x-ms-file-rename-source', source);
    }
    // Path-style (`/<account>/<share>/…`), or without the account as the SDK sometimes builds it.
    if (segments[0] === req.account.name && segments[1] === share) segments = segments.slice(1);
    if (segments[0] !== share || segments.length < 2) {
      throw new StorageError(
        400,
        'InvalidInput',
        'One of the request inputs is not valid: the rename source must be a file or directory of the same share.',
      );
    }
    return segments.slice(1);
  }

  private ensureRoom(req: FilesRequest, share: string, state: ShareState, delta: number): void {
    if (delta <= 0) return;
    const used = this.state.usageBytes(req.account.name, share);
    if (used + delta > state.quota * GIB) throw FilesErrors.shareSizeLimitReached();
  }

  private async entryHeaders(
    req: FilesRequest,
    path: string,
    entry: EntryState,
    directory: boolean,
    known?: BigIntStats,
  ): Promise<Record<string, string>> {
    const st = known ?? (await statOrThrow(path));
    const parent = req.segments.length > 0 ? await statOf(dirname(path)) : undefined;
    const headers: Record<string, string> = {
      ETag: entryEtag(st, entry),
      'Last-Modified': lastModified(st, entry),
      'x-ms-file-attributes': attributes(entry, directory),
      'x-ms-file-creation-time': creationTime(st, entry),
      'x-ms-file-last-write-time': fileTime(st.mtimeNs),
      'x-ms-file-change-time': fileTime(st.ctimeNs),
      'x-ms-file-permission-key': PERMISSION_KEY,
      'x-ms-file-id': String(st.ino),
    };
    if (parent) headers['x-ms-file-parent-id'] = String(parent.ino);
    return headers;
  }
}

// --- request parsing ---

function param(req: FilesRequest, name: string): string | undefined {
  return req.query.get(name) ?? undefined;
}

function header(req: FilesRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function maxResults(req: FilesRequest): number {
  const text = param(req, 'maxresults');
  if (text === undefined) return MAX_RESULTS;
  const n = Number(text);
  if (!/^\d+$/.test(text)) throw FilesErrors.invalidQueryParameterValue('maxresults', text);
  if (n < 1 || n > MAX_RESULTS) throw FilesErrors.outOfRangeQueryParameterValue('maxresults', text);
  return n;
}

function parseQuota(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_SHARE_QUOTA_GIB) {
    throw FilesErrors.invalidHeaderValue('x-ms-share-quota', text);
  }
  return n;
}

function parseTier(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const tier = ACCESS_TIERS.find((t) => t.toLowerCase() === text.toLowerCase());
  if (!tier) throw FilesErrors.invalidHeaderValue('x-ms-access-tier', text);
  return tier;
}

/** `bytes=<start>-[<end>]` */
function parseRange(text: string, headerName: string): { start: number; end?: number } {
  const match = /^bytes=(\d+)-(\d*)$/.exec(text.trim());
  if (!match) throw FilesErrors.invalidHeaderValue(headerName, text);
  const start = Number(match[1]);
  const end = match[2] === '' ? undefined : Number(match[2]);
  if (end !== undefined && end < start) throw FilesErrors.invalidHeaderValue(headerName, text);
  return { start, end };
}

/** `x-ms-meta-<name>` request headers, names as sent. */
function requestMetadata(req: FilesRequest): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    if (name.toLowerCase().startsWith('x-ms-meta-') && name.length > 'x-ms-meta-'.length) {
      metadata[name.slice('x-ms-meta-'.length)] = req.rawHeaders[i + 1];
    }
  }
  return metadata;
}

function requestHttpHeaders(req: FilesRequest): FileHttpHeaders {
  const http: FileHttpHeaders = {};
  const set = (key: keyof FileHttpHeaders, name: string) => {
    const v = header(req, name);
    if (v !== undefined && v !== '') http[key] = v;
  };
  set('contentType', 'x-ms-content-type');
  set('contentEncoding', 'x-ms-content-encoding');
  set('contentLanguage', 'x-ms-content-language');
  set('cacheControl', 'x-ms-cache-control');
  set('contentDisposition', 'x-ms-content-disposition');
  set('contentMD5', 'x-ms-content-md5');
  return http;
}

/** x-ms-file-attributes and x-ms-file-creation-time (`now`, `preserve` or a time). */
function applySmbProperties(req: FilesRequest, entry: EntryState): void {
  const attrs = header(req, 'x-ms-file-attributes');
  if (attrs !== undefined && attrs.toLowerCase() !== 'preserve') entry.attributes = attrs;
  const created = header(req, 'x-ms-file-creation-time');
  if (created !== undefined && created.toLowerCase() === 'now') {
    entry.creationTime = dateFileTime(new Date());
  } else if (created !== undefined && created.toLowerCase() !== 'preserve') {
    if (Number.isNaN(Date.parse(created))) {
      throw FilesErrors.invalidHeaderValue('x-ms-file-creation-time', created);
    }
    entry.creationTime = created;
  }
}

/** x-ms-file-last-write-time set to a time: the file's mtime on disk. */
async function applyLastWriteTime(req: FilesRequest, path: string): Promise<void> {
  const value = header(req, 'x-ms-file-last-write-time');
  if (value === undefined || ['now', 'preserve'].includes(value.toLowerCase())) return;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw FilesErrors.invalidHeaderValue('x-ms-file-last-write-time', value);
  await utimes(path, new Date(), new Date(time));
}

function checkWriteLease(entry: EntryState | undefined, leaseId: string | undefined): void {
  const active = entry?.lease?.state === 'leased' ? entry.lease : undefined;
  if (active) {
    if (leaseId === undefined) throw FilesErrors.leaseIdMissing();
    if (!sameGuid(leaseId, active.id)) throw FilesErrors.leaseIdMismatchWithFileOperation();
  } else if (leaseId !== undefined) {
    throw FilesErrors.leaseNotPresentWithFileOperation();
  }
}

/** Reads need no lease id; one that is sent must match. */
function checkReadLease(entry: EntryState | undefined, leaseId: string | undefined): void {
  if (leaseId !== undefined) checkWriteLease(entry, leaseId);
}

function isGuid(text: string): boolean {
  return /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(text);
}

function sameGuid(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/[{}-]/g, '').toLowerCase();
  return norm(a) === norm(b);
}

// --- response pieces ---

function xmlResponse(status: number, xml: string, operation: string): FilesResponse {
  return { status, headers: { 'Content-Type': 'application/xml' }, body: xml, operation };
}

function shareHeaders(share: ShareState, name: string): Record<string, string> {
  return { ETag: shareEtag(share, name), 'Last-Modified': share.lastModified.toUTCString() };
}

function metadataHeaders(metadata: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) headers[`x-ms-meta-${k}`] = v;
  return headers;
}

function metadataXml(metadata: Record<string, string>): string {
  const items = Object.entries(metadata)
    .map(([k, v]) => element(k, v))
    .join('');
  return `<Metadata>${items}</Metadata>`;
}

function contentHeaders(http: FileHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': http.contentType ?? 'application/octet-stream',
  };
  if (http.contentEncoding) headers['Content-Encoding'] = http.contentEncoding;
  if (http.contentLanguage) headers['Content-Language'] = http.contentLanguage;
  if (http.cacheControl) headers['Cache-Control'] = http.cacheControl;
  if (http.contentDisposition) headers['Content-Disposition'] = http.contentDisposition;
  return headers;
}

function leaseHeaders(entry: EntryState): Record<string, string> {
  if (entry.lease?.state === 'leased') {
    return {
      'x-ms-lease-status': 'locked',
      'x-ms-lease-state': 'leased',
      'x-ms-lease-duration': 'infinite',
    };
  }
  return {
    'x-ms-lease-status': 'unlocked',
    'x-ms-lease-state': entry.lease?.state === 'broken' ? 'broken' : 'available',
  };
}

function attributes(entry: EntryState | undefined, directory: boolean): string {
  const attrs = entry?.attributes;
  if (directory) {
    return attrs && attrs.toLowerCase() !== 'none' && !/directory/i.test(attrs)
      ? `Directory | ${attrs}`
      : 'Directory';
  }
  return attrs && attrs.toLowerCase() !== 'none' ? attrs : 'Archive';
}

function creationTime(st: BigIntStats, entry: EntryState | undefined): string {
  if (entry?.creationTime) return entry.creationTime;
  return fileTime(st.birthtimeNs > 0n ? st.birthtimeNs : st.ctimeNs);
}

function lastModified(st: BigIntStats, entry: EntryState | undefined): string {
  const ms = Math.max(Number(st.mtimeNs / 1_000_000n), entry?.changed ?? 0);
  return new Date(ms).toUTCString();
}

async function statOf(path: string): Promise<BigIntStats | undefined> {
  try {
    return await stat(path, { bigint: true });
  } catch {
    return undefined;
  }
}

async function statOrThrow(path: string): Promise<BigIntStats> {
  const st = await statOf(path);
  if (!st) throw FilesErrors.resourceNotFound();
  return st;
}
