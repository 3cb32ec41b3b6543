// The real @azure/storage-file-share SDK (StorageSharedKeyCredential, path-style endpoint) against
// the Azure Files emulator: shares and quota, directories, uploads over several ranges, ranged
// downloads, paged listings, atomic replace by rename, leases; then the emulator's real folders
// (what the SDK writes is on disk, what is made on disk shows through the SDK), SharedKey checks,
// path safety, fault injection and wire format.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ShareClient, ShareServiceClient as ShareService } from '@azure/storage-file-share';
import type { AzureFilesEmulator } from '../../emulators/azure-files/azure-files-emulator';
import { trustEmulatorCertificate } from '../../emulators/azure/emulator-trust';

// Node reads NODE_EXTRA_CA_CERTS only at start: this re-runs the file with it set if needed. The
// SDK and the emulator load after it, so a process that only re-runs itself does not load them.
await trustEmulatorCertificate();
const { ShareServiceClient, StorageSharedKeyCredential } =
  await import('@azure/storage-file-share');
const { FILES_API_VERSION, startAzureFilesEmulator } =
  await import('../../emulators/azure-files/azure-files-emulator');
const { stringToSign } = await import('../../emulators/azure-files/shared-key');

const ACCOUNT = 'teamfiles';
const DISK_ACCOUNT = 'pooldata';
const MiB = 1024 * 1024;

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The SDK's error code (`x-ms-error-code`) and HTTP status of a failed call. */
async function failure(call: Promise<unknown>): Promise<{ status?: number; code?: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as { statusCode?: number; code?: string; details?: { errorCode?: string } };
    return { status: e.statusCode, code: e.details?.errorCode ?? e.code };
  }
  assert.fail('expected the call to fail');
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

describe('Azure Files emulator with the real storage-file-share SDK', () => {
  let files: AzureFilesEmulator;
  let service: ShareService;
  let share: ShareClient;

  before(async () => {
    files = await startAzureFilesEmulator();
    const key = files.addAccount(ACCOUNT);
    service = new ShareServiceClient(
      files.accountUrl(ACCOUNT),
      new StorageSharedKeyCredential(ACCOUNT, key),
      { retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100 } },
    );
    share = service.getShareClient('team');
  });
  after(async () => {
    await files.close();
  });

  it('parses the account from the path of the IP-style endpoint', () => {
    assert.equal(service.accountName, ACCOUNT);
    assert.equal(share.url, `${files.url}/${ACCOUNT}/team`);
  });

  it('creates a share with a quota, changes the quota, lists shares by prefix', async () => {
    await share.create({ quota: 10, metadata: { owner: 'pool-admin' } });
    assert.equal((await share.getProperties()).quota, 10);
    await share.setQuota(20);
    const props = await share.getProperties();
    assert.equal(props.quota, 20);
    assert.deepEqual(props.metadata, { owner: 'pool-admin' });
    assert.equal(props.enabledProtocols, 'SMB');
    assert.deepEqual(await failure(share.create()), { status: 409, code: 'ShareAlreadyExists' });

    await service.createShare('scratch', { quota: 1 });
    const listed = await collect(service.listShares({ prefix: 'te', includeMetadata: true }));
    assert.deepEqual(
      listed.map((s) => [s.name, s.properties.quota, s.metadata]),
      [['team', 20, { owner: 'pool-admin' }]],
    );
    assert.deepEqual(
      (await collect(service.listShares())).map((s) => s.name),
      ['scratch', 'team'],
    );
    await service.deleteShare('scratch');
    assert.equal(await service.getShareClient('scratch').exists(), false);
  });

  it('creates, reads and deletes directories (only empty ones)', async () => {
    const notebooks = share.getDirectoryClient('notebooks');
    await notebooks.create({ metadata: { purpose: 'homes' } });
    await notebooks.getDirectoryClient('alice').create();
    const props = await notebooks.getProperties();
    assert.deepEqual(props.metadata, { purpose: 'homes' });
    assert.equal(props.fileAttributes, 'Directory');
    assert.deepEqual(await failure(notebooks.create()), {
      status: 409,
      code: 'ResourceAlreadyExists',
    });
    assert.deepEqual(await failure(share.getDirectoryClient('a/b').create()), {
      status: 404,
      code: 'ParentNotFound',
    });
    assert.deepEqual(await failure(notebooks.delete()), {
      status: 409,
      code: 'DirectoryNotEmpty',
    });
    await share.getDirectoryClient('empty').create();
    await share.getDirectoryClient('empty').delete();
    assert.equal(await share.getDirectoryClient('empty').exists(), false);
  });

  it('uploads over several 4 MiB ranges and the share stats count the bytes', async () => {
    const data = randomBytes(9 * MiB + 12_345);
    const before = files.requests.length;
    const file = share.getDirectoryClient('notebooks').getFileClient('data.bin');
    await file.uploadData(data, { fileHttpHeaders: { fileContentType: 'application/x-test' } });
    const ranges = files.requests.slice(before).filter((r) => r.operation === 'PutRange');
    assert.equal(ranges.length, 3, 'ranges of at most 4 MiB');
    const props = await file.getProperties();
    assert.equal(props.contentLength, data.length);
    assert.equal(props.contentType, 'application/x-test');
    assert.deepEqual(await file.downloadToBuffer(), data);
    // What the SDK wrote is the real file on disk.
    assert.deepEqual(
      await readFile(join(files.dataDir(ACCOUNT, 'team'), 'notebooks', 'data.bin')),
      data,
    );
    const stats = await share.getStatistics();
    assert.equal(stats.shareUsageBytes, data.length);
    assert.equal(stats.shareUsage, 1, 'GiB, rounded up');
  });

  it('downloads ranges (206 + Content-Range) and refuses a range past the end', async () => {
    const file = share.getDirectoryClient('notebooks').getFileClient('range.txt');
    await file.uploadData(Buffer.from('0123456789abcdef'));
    const part = await file.download(4, 6);
    assert.equal(part._response.status, 206);
    assert.equal(part.contentRange, 'bytes 4-9/16');
    assert.equal((await file.downloadToBuffer(10)).toString(), 'abcdef');
    assert.equal((await file.downloadToBuffer(2, 3)).toString(), '234');
    // A range past the end is cut at the end, as the service does.
    const tail = await file.download(14, 100);
    assert.equal(tail.contentRange, 'bytes 14-15/16');
    assert.equal(tail.contentLength, 2);
    assert.deepEqual(await failure(file.download(16, 1)), { status: 416, code: 'InvalidRange' });
    // Put Range / Clear Range into the middle.
    await file.uploadRange(Buffer.from('XYZ'), 3, 3);
    await file.clearRange(8, 2);
    assert.equal((await file.downloadToBuffer()).toString('latin1'), '012XYZ67\u0000\u0000abcdef');
    assert.deepEqual(await failure(file.uploadRange(Buffer.from('x'), 16, 1)), {
      status: 416,
      code: 'InvalidRange',
    });
  });

  it('lists directories and files page by page, with sizes', async () => {
    const dir = share.getDirectoryClient('paged');
    await dir.create();
    for (const name of ['e', 'a', 'c', 'g', 'b', 'f']) {
      await dir.getFileClient(`${name}.txt`).uploadData(Buffer.from(name.repeat(3)));
    }
    await dir.getDirectoryClient('d').create();
    const pages: { names: string[]; token?: string }[] = [];
    for await (const page of dir.listFilesAndDirectories().byPage({ maxPageSize: 3 })) {
      const segment = page.segment;
      pages.push({
        names: [
          ...segment.directoryItems.map((d) => `${d.name}/`),
          ...segment.fileItems.map((f) => f.name),
        ].sort(),
        token: page.continuationToken,
      });
    }
    assert.deepEqual(
      pages.map((p) => p.names),
      [['a.txt', 'b.txt', 'c.txt'], ['d/', 'e.txt', 'f.txt'], ['g.txt']],
    );
    assert.ok(pages[0].token && pages[1].token && !pages[2].token);
    const items = await collect(dir.listFilesAndDirectories({ prefix: 'c' }));
    assert.deepEqual(items, [
      {
        kind: 'file',
        name: 'c.txt',
        fileId: undefined,
        properties: { ...items[0].properties, contentLength: 3 },
        attributes: undefined,
        permissionKey: undefined,
      },
    ]);
    const detailed = await collect(
      dir.listFilesAndDirectories({
        prefix: 'd',
        includeTimestamps: true,
        includeEtag: true,
        includeAttributes: true,
        includeExtendedInfo: true,
      }),
    );
    assert.equal(detailed[0].kind, 'directory');
    assert.equal(detailed[0].attributes, 'Directory');
    assert.ok(detailed[0].fileId && detailed[0].properties?.etag);
    assert.ok(detailed[0].properties?.lastWriteTime instanceof Date);
  });

  it('replaces a file atomically: write a temp file, rename it over the old one', async () => {
    const dir = share.getDirectoryClient('registry');
    await dir.create();
    const registry = dir.getFileClient('members.json');
    await registry.uploadData(Buffer.from('{"members":[]}'));
    const temp = dir.getFileClient('members.json.tmp-1');
    await temp.uploadData(Buffer.from('{"members":["alice"]}'));
    // Without replace-if-exists the service refuses.
    assert.deepEqual(await failure(temp.rename('registry/members.json')), {
      status: 409,
      code: 'ResourceAlreadyExists',
    });
    const { destinationFileClient } = await temp.rename('registry/members.json', {
      replaceIfExists: true,
    });
    assert.equal((await registry.downloadToBuffer()).toString(), '{"members":["alice"]}');
    assert.equal(
      (await destinationFileClient.downloadToBuffer()).toString(),
      '{"members":["alice"]}',
    );
    assert.equal(await temp.exists(), false);
    const names = (await collect(dir.listFilesAndDirectories())).map((i) => i.name);
    assert.deepEqual(names, ['members.json']);
    // Directories rename too.
    await share.getDirectoryClient('registry').rename('registry-v2');
    assert.equal(
      (
        await share
          .getDirectoryClient('registry-v2')
          .getFileClient('members.json')
          .downloadToBuffer()
      ).toString(),
      '{"members":["alice"]}',
    );
  });

  it('guards a leased file: writes need the lease id, as the service answers', async () => {
    const file = share.getDirectoryClient('').getFileClient('locked.json');
    await file.uploadData(Buffer.from('v1'));
    const leaseClient = file.getShareLeaseClient();
    const { leaseId } = await leaseClient.acquireLease();
    assert.ok(leaseId);
    const props = await file.getProperties();
    assert.deepEqual(
      [props.leaseState, props.leaseStatus, props.leaseDuration],
      ['leased', 'locked', 'infinite'],
    );

    // No lease id: 412 LeaseIdMissing; a wrong one: 412 LeaseIdMismatchWithFileOperation.
    assert.deepEqual(await failure(file.uploadData(Buffer.from('v2'))), {
      status: 412,
      code: 'LeaseIdMissing',
    });
    const wrong = '11111111-2222-3333-4444-555555555555';
    assert.deepEqual(
      await failure(file.setMetadata({ a: 'b' }, { leaseAccessConditions: { leaseId: wrong } })),
      { status: 412, code: 'LeaseIdMismatchWithFileOperation' },
    );
    assert.deepEqual(await failure(file.delete()), { status: 412, code: 'LeaseIdMissing' });
    // Reads need none.
    assert.equal((await file.downloadToBuffer()).toString(), 'v1');
    // Lease operations with a wrong id: 409.
    assert.deepEqual(await failure(file.getShareLeaseClient(wrong).releaseLease()), {
      status: 409,
      code: 'LeaseIdMismatchWithLeaseOperation',
    });
    assert.deepEqual(await failure(file.getShareLeaseClient(wrong).acquireLease()), {
      status: 409,
      code: 'LeaseAlreadyPresent',
    });
    // With the lease: fine.
    await file.uploadData(Buffer.from('v2'), { leaseAccessConditions: { leaseId } });
    // Renaming over a leased destination needs its lease id.
    const temp = share.getDirectoryClient('').getFileClient('locked.json.tmp');
    await temp.uploadData(Buffer.from('v3'));
    assert.deepEqual(await failure(temp.rename('locked.json', { replaceIfExists: true })), {
      status: 412,
      code: 'LeaseIdMissing',
    });
    await temp.rename('locked.json', {
      replaceIfExists: true,
      destinationLeaseAccessConditions: { leaseId },
    });
    assert.equal((await file.downloadToBuffer()).toString(), 'v3');
    assert.equal(
      (await file.getProperties()).leaseState,
      'available',
      'the new file is not leased',
    );

    // change, then break: once broken anyone may write.
    const { leaseId: second } = await file.getShareLeaseClient().acquireLease();
    const proposed = '99999999-8888-7777-6666-555555555555';
    const changed = await file.getShareLeaseClient(second).changeLease(proposed);
    assert.equal(changed.leaseId, proposed);
    await file.getShareLeaseClient().breakLease();
    assert.equal((await file.getProperties()).leaseState, 'broken');
    await file.uploadData(Buffer.from('v4'));
    assert.deepEqual(
      await failure(
        file.uploadData(Buffer.from('v5'), { leaseAccessConditions: { leaseId: proposed } }),
      ),
      { status: 412, code: 'LeaseNotPresentWithFileOperation' },
    );
  });

  it('refuses a file larger than the share quota', async () => {
    const small = service.getShareClient('tiny');
    await small.create({ quota: 1 });
    const file = small.getDirectoryClient('').getFileClient('huge.bin');
    assert.deepEqual(await failure(file.create(2 * 1024 ** 3)), {
      status: 403,
      code: 'ShareSizeLimitReached',
    });
    await file.create(1024);
    assert.equal((await small.getStatistics()).shareUsageBytes, 1024);
  });
});

describe('Azure Files emulator: disk, authentication, faults, wire format', () => {
  let root: string;
  let files: AzureFilesEmulator;
  let key: string;
  let service: ShareService;
  let share: ShareClient;

  /** A request signed with the account key the way the SDK signs it (path-style resource). */
  function raw(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    options: { sign?: boolean; key?: string; body?: string; omit?: string[] } = {},
  ): Promise<RawResponse> {
    const all: Record<string, string> = {
      'x-ms-date': new Date().toUTCString(),
      'x-ms-version': FILES_API_VERSION,
      ...headers,
    };
    for (const name of options.omit ?? []) delete all[name];
    if (options.body !== undefined) all['content-length'] = String(Buffer.byteLength(options.body));
    if (options.sign !== false) {
      const credential = new StorageSharedKeyCredential(DISK_ACCOUNT, options.key ?? key);
      const toSign = stringToSign(method, lower(all), path, DISK_ACCOUNT);
      all.authorization = `SharedKey ${DISK_ACCOUNT}:${credential.computeHMACSHA256(toSign)}`;
    }
    return new Promise((resolve, reject) => {
      const req = https.request(`${files.url}${path}`, { method, headers: all }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      req.on('error', reject);
      req.end(options.body);
    });
  }

  before(async () => {
    root = await mkdtemp(join(os.tmpdir(), 'files-emulator-test-'));
    files = await startAzureFilesEmulator({ root });
    key = files.addAccount(DISK_ACCOUNT);
    service = new ShareServiceClient(
      files.accountUrl(DISK_ACCOUNT),
      new StorageSharedKeyCredential(DISK_ACCOUNT, key),
      { retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100, maxTries: 4 } },
    );
    share = service.getShareClient('home');
    await share.create({ quota: 5 });
  });
  after(async () => {
    await files.close();
    await rm(root, { recursive: true, force: true });
  });

  it('keeps every share in <root>/<account>/<share>, and a given root is kept', () => {
    assert.equal(files.dataDir(DISK_ACCOUNT, 'home'), join(root, DISK_ACCOUNT, 'home'));
  });

  it('shows files and folders made on disk, and writes what the SDK sends to disk', async () => {
    const dir = files.dataDir(DISK_ACCOUNT, 'home');
    await mkdir(join(dir, 'notebooks', 'bob'), { recursive: true });
    await writeFile(join(dir, 'notebooks', 'bob', 'analysis.ipynb'), '{"cells":[]}');
    const listed = await collect(
      share.getDirectoryClient('notebooks/bob').listFilesAndDirectories(),
    );
    assert.deepEqual(
      listed.map((i) => [i.kind, i.name, i.kind === 'file' ? i.properties.contentLength : null]),
      [['file', 'analysis.ipynb', 12]],
    );
    const file = share.getDirectoryClient('notebooks/bob').getFileClient('analysis.ipynb');
    assert.equal((await file.downloadToBuffer()).toString(), '{"cells":[]}');
    assert.equal((await file.getProperties()).contentType, 'application/octet-stream');
    assert.equal((await share.getStatistics()).shareUsageBytes, 12);

    // The SDK's bytes are the file's bytes.
    await share
      .getDirectoryClient('notebooks/bob')
      .getFileClient('out.txt')
      .uploadData(Buffer.from('written by the app'));
    assert.equal(
      await readFile(join(dir, 'notebooks', 'bob', 'out.txt'), 'utf8'),
      'written by the app',
    );
    // Changed on disk: the SDK sees the change (and a new ETag).
    const before = await file.getProperties();
    await writeFile(join(dir, 'notebooks', 'bob', 'analysis.ipynb'), '{"cells":[1]}');
    const afterChange = await file.getProperties();
    assert.equal(afterChange.contentLength, 13);
    assert.notEqual(afterChange.etag, before.etag);
    // Deleted on disk: gone.
    await rm(join(dir, 'notebooks', 'bob', 'analysis.ipynb'));
    assert.equal(await file.exists(), false);

    // A folder made under the account is a share with default properties.
    await mkdir(join(root, DISK_ACCOUNT, 'made-on-disk'));
    const shares = (await collect(service.listShares())).map((s) => [s.name, s.properties.quota]);
    assert.deepEqual(shares, [
      ['home', 5],
      ['made-on-disk', 5120],
    ]);
  });

  it('refuses paths that would leave the share, symbolic links made on disk included', async () => {
    const escape = await raw('PUT', `/${DISK_ACCOUNT}/home/..%2F..%2Fescaped.txt`, {
      'x-ms-type': 'file',
      'x-ms-content-length': '1',
    });
    assert.equal(escape.status, 400);
    assert.equal(escape.headers['x-ms-error-code'], 'InvalidResourceName');

    const outside = await mkdtemp(join(os.tmpdir(), 'files-emulator-outside-'));
    try {
      await symlink(outside, join(files.dataDir(DISK_ACCOUNT, 'home'), 'link'));
      const viaLink = share.getDirectoryClient('link').getFileClient('planted.txt');
      assert.deepEqual(await failure(viaLink.create(4)), {
        status: 400,
        code: 'InvalidResourceName',
      });
      const names = (await collect(share.getDirectoryClient('').listFilesAndDirectories())).map(
        (i) => i.name,
      );
      assert.ok(!names.includes('link'), 'links are not listed');
    } finally {
      await rm(join(files.dataDir(DISK_ACCOUNT, 'home'), 'link'), { force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('checks the SharedKey signature: wrong key 403, unknown account 404, none 401', async () => {
    const wrong = new ShareServiceClient(
      files.accountUrl(DISK_ACCOUNT),
      new StorageSharedKeyCredential(DISK_ACCOUNT, Buffer.alloc(64, 7).toString('base64')),
    );
    assert.deepEqual(await failure(wrong.getShareClient('home').getProperties()), {
      status: 403,
      code: 'AuthenticationFailed',
    });
    const stranger = new ShareServiceClient(
      files.accountUrl('nosuchaccount'),
      new StorageSharedKeyCredential('nosuchaccount', key),
    );
    assert.deepEqual(await failure(stranger.getShareClient('home').create()), {
      status: 404,
      code: 'ResourceNotFound',
    });
    const anonymous = await raw('GET', `/${DISK_ACCOUNT}/home?restype=share`, {}, { sign: false });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['x-ms-error-code'], 'NoAuthenticationInformation');

    // A header changed after signing breaks the signature; the detail names the string signed.
    const tampered = await raw('GET', `/${DISK_ACCOUNT}/home?restype=share`, {
      'x-ms-client-request-id': 'a',
    });
    assert.equal(tampered.status, 200);
    const credential = new StorageSharedKeyCredential(DISK_ACCOUNT, key);
    const signed = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': FILES_API_VERSION };
    const sig = credential.computeHMACSHA256(
      stringToSign('GET', signed, `/${DISK_ACCOUNT}/home?restype=share`, DISK_ACCOUNT),
    );
    const forged = await raw(
      'GET',
      `/${DISK_ACCOUNT}/home?restype=share`,
      { ...signed, 'x-ms-meta-extra': 'x', authorization: `SharedKey ${DISK_ACCOUNT}:${sig}` },
      { sign: false },
    );
    assert.equal(forged.status, 403);
    assert.match(forged.body, /<Code>AuthenticationFailed<\/Code>/);
    assert.match(
      forged.body,
      /<AuthenticationErrorDetail>The MAC signature found in the HTTP request/,
    );

    // Both account keys are accepted (key rotation).
    const second = Buffer.alloc(64, 9).toString('base64');
    files.addAccount(DISK_ACCOUNT, [key, second]);
    const withSecond = new ShareServiceClient(
      files.accountUrl(DISK_ACCOUNT),
      new StorageSharedKeyCredential(DISK_ACCOUNT, second),
    );
    assert.equal((await withSecond.getShareClient('home').getProperties()).quota, 5);
  });

  it('throttles with 503 ServerBusy + Retry-After and fails requests on demand; the SDK retries', async () => {
    const file = share.getDirectoryClient('').getFileClient('retried.txt');
    files.throttleNext(2, { retryAfterSeconds: 1 });
    await file.uploadData(Buffer.from('after two 503s'));
    assert.equal(files.faults.served.throttled, 2);
    const busy = files.requests.filter((r) => r.status === 503);
    assert.deepEqual(
      busy.map((r) => r.errorCode),
      ['ServerBusy', 'ServerBusy'],
    );

    files.failNext('comp=range', 500);
    await file.uploadData(Buffer.from('after one 500'));
    assert.equal((await file.downloadToBuffer()).toString(), 'after one 500');

    files.failNext(`GET /${DISK_ACCOUNT}/home/retried.txt`, 500, { times: 10 });
    assert.deepEqual(await failure(file.downloadToBuffer()), {
      status: 500,
      code: 'InternalError',
    });
    files.faults.clear();

    files.slow('restype=share', 150, { times: 1 });
    const started = Date.now();
    await share.getProperties();
    assert.ok(Date.now() - started >= 140, 'answered later');
  });

  it('answers like the service on the wire: headers, XML errors, no conditional headers', async () => {
    const ok = await raw('GET', `/${DISK_ACCOUNT}/home?restype=share`, {
      'x-ms-client-request-id': 'req-1',
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-ms-version'], FILES_API_VERSION);
    assert.equal(ok.headers['x-ms-client-request-id'], 'req-1');
    assert.ok(ok.headers['x-ms-request-id']);
    assert.match(String(ok.headers.etag), /^"0x8D[0-9A-F]{13}"$/);
    assert.equal(ok.headers['x-ms-share-quota'], '5');

    // The File service does not support If-Match & co: it refuses them.
    const conditional = await raw('GET', `/${DISK_ACCOUNT}/home?restype=share`, {
      'if-match': ok.headers.etag as string,
    });
    assert.equal(conditional.status, 400);
    assert.equal(conditional.headers['x-ms-error-code'], 'ConditionHeadersNotSupported');
    assert.match(
      conditional.body,
      /^<\?xml version="1\.0" encoding="utf-8"\?><Error><Code>ConditionHeadersNotSupported<\/Code><Message>Condition headers are not supported\.\nRequestId:[0-9a-f-]+\nTime:[0-9T:.-]+Z<\/Message><\/Error>$/,
    );

    const missing = await raw('HEAD', `/${DISK_ACCOUNT}/home/nothing-here.txt`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['x-ms-error-code'], 'ResourceNotFound');
    assert.equal(missing.body, '');

    const noShare = await raw('GET', `/${DISK_ACCOUNT}/absent?restype=share`);
    assert.equal(noShare.status, 404);
    assert.equal(noShare.headers['x-ms-error-code'], 'ShareNotFound');

    const stats = await raw('GET', `/${DISK_ACCOUNT}/home?restype=share&comp=stats`);
    assert.match(
      stats.body,
      /^<\?xml version="1\.0" encoding="utf-8"\?><ShareStats><ShareUsageBytes>\d+<\/ShareUsageBytes><\/ShareStats>$/,
    );

    const noVersion = await raw(
      'GET',
      `/${DISK_ACCOUNT}/home?restype=share`,
      {},
      { omit: ['x-ms-version'] },
    );
    assert.equal(noVersion.status, 400);
    assert.equal(noVersion.headers['x-ms-error-code'], 'MissingRequiredHeader');
    assert.match(noVersion.body, /<HeaderName>x-ms-version<\/HeaderName>/);
  });
});

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
