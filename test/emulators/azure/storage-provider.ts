// Microsoft.Storage: storage accounts (PUT as ARM's Location-polled LRO, listKeys,
// regenerateKey, checkNameAvailability) and their Azure Files shares
// (`storageAccounts/{a}/fileServices/default/shares/{s}`), backed by the Azure Files data plane
// emulator: an account made here exists there with the same keys, a share made on either side
// is the same real folder, and `primaryEndpoints.file` is the data plane's path-style URL.
import { createHash, randomBytes } from 'node:crypto';
import type { AzureFilesEmulator, FilesShareInfo } from '../azure-files/azure-files-emulator';
import { isValidAccountName, isValidShareName } from '../azure-files/files-state';
import { ArmError, type ArmErrorBody } from './arm-error';
import type { ArmRequest, ArmResponse, ArmRouter } from './arm-router';
import { queryParam } from './arm-router';
import { clone } from './compute-views';
import type { EmulatorContext, PutRequest, PutResult } from './emulator-context';
import { GenericProvider } from './generic-provider';
import { acceptOperation, providerScope } from './lro';
import { buildResourceId, idKey, normalizeLocation, parseResourceId } from './resource-ids';
import type { StoredResource } from './resource-store';

type Json = Record<string, unknown>;

const NAMESPACE = 'Microsoft.Storage';
export const STORAGE_ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';
export const FILE_SERVICE_TYPE = 'Microsoft.Storage/storageAccounts/fileServices';
export const FILE_SHARE_TYPE = 'Microsoft.Storage/storageAccounts/fileServices/shares';
const SUB = '/subscriptions/{subscriptionId}';
const ACCOUNT = `${SUB}/resourceGroups/{resourceGroupName}/providers/${STORAGE_ACCOUNT_TYPE}/{accountName}`;
const FILE_SERVICE = `${ACCOUNT}/fileServices/{fileServicesName}`;
const SHARE = `${FILE_SERVICE}/shares/{shareName}`;
const ACCESS_TIERS = ['TransactionOptimized', 'Hot', 'Cool', 'Premium'];
const MAX_QUOTA_GIB = 102400;

interface AccountKeys {
  key1: string;
  key2: string;
  key1Created: string;
  key2Created: string;
}

export class StorageProvider extends GenericProvider {
  override readonly types = [STORAGE_ACCOUNT_TYPE, FILE_SERVICE_TYPE, FILE_SHARE_TYPE].map((t) =>
    t.toLowerCase(),
  );
  /** Account DELETE/PATCH and every share operation answer at once (the account PUT does not). */
  override readonly longRunning = false;
  private readonly keys = new Map<string, AccountKeys>();

  constructor(
    ctx: EmulatorContext,
    readonly files: AzureFilesEmulator,
  ) {
    super(ctx);
  }

  registerRoutes(router: ArmRouter): void {
    router.add('POST', `${SUB}/providers/${NAMESPACE}/checkNameAvailability`, (req) => {
      this.ctx.store.subscription(req.params.subscriptionId);
      return { status: 200, body: this.checkName(String(obj(req.body).name ?? '')) };
    });
    router.add('PUT', ACCOUNT, (req) => this.putAccountRoute(req));
    router.add('POST', `${ACCOUNT}/listKeys`, (req) => ({
      status: 200,
      body: this.keysBody(this.account(req)),
    }));
    router.add('POST', `${ACCOUNT}/regenerateKey`, (req) => this.regenerateKey(req));
    router.add('GET', `${ACCOUNT}/fileServices`, (req) => ({
      status: 200,
      body: { value: [this.fileServiceView(this.account(req))] },
    }));
    router.add(['GET', 'PUT', 'PATCH'], FILE_SERVICE, (req) => this.fileServiceRoute(req));
    router.add('GET', `${FILE_SERVICE}/shares`, (req) => {
      const account = this.account(req);
      this.fileServiceName(req);
      return {
        status: 200,
        body: {
          value: this.syncShares(account).map((s) => this.shareView(s, req.query)),
        },
      };
    });
    router.add(['GET', 'PUT', 'PATCH', 'DELETE'], SHARE, (req) => this.shareRoute(req));
  }

  // --- ResourceProvider ---

  override put(request: PutRequest): PutResult {
    switch (request.parts.type.toLowerCase()) {
      case STORAGE_ACCOUNT_TYPE.toLowerCase():
        return this.putAccount(request);
      case FILE_SERVICE_TYPE.toLowerCase():
        return this.putFileService(request);
      case FILE_SHARE_TYPE.toLowerCase():
        return this.putShare(request);
      default:
        return super.put(request);
    }
  }

  override patch(resource: StoredResource, body: Json, fault?: ArmErrorBody): PutResult {
    if (fault) throw new ArmError(500, fault.code, fault.message);
    switch (resource.type.toLowerCase()) {
      case STORAGE_ACCOUNT_TYPE.toLowerCase(): {
        for (const key of ['tags', 'sku', 'kind', 'identity']) {
          if (body[key] !== undefined) resource.body[key] = clone(body[key]);
        }
        resource.body.properties = {
          ...obj(resource.body.properties),
          ...obj(clone(body.properties)),
        };
        this.ctx.store.touch(resource);
        break;
      }
      case FILE_SHARE_TYPE.toLowerCase():
        this.updateShare(resource, body, false);
        break;
      default:
        return super.patch(resource, body, fault);
    }
    return {
      created: false,
      view: this.view(resource, new URLSearchParams()),
      done: Promise.resolve(),
    };
  }

  override view(resource: StoredResource, query: URLSearchParams): unknown {
    switch (resource.type.toLowerCase()) {
      case STORAGE_ACCOUNT_TYPE.toLowerCase():
        return this.accountView(resource);
      case FILE_SERVICE_TYPE.toLowerCase(): {
        const account = this.ctx.store.get(resource.id.split('/fileServices/')[0]);
        return account ? this.fileServiceView(account) : super.view(resource, query);
      }
      case FILE_SHARE_TYPE.toLowerCase():
        return this.shareView(resource, query);
      default:
        return super.view(resource, query);
    }
  }

  override async delete(resource: StoredResource, fault?: ArmErrorBody): Promise<void> {
    if (fault) throw new ArmError(500, fault.code, fault.message);
    switch (resource.type.toLowerCase()) {
      case STORAGE_ACCOUNT_TYPE.toLowerCase(): {
        const prefix = `${idKey(resource.id)}/`;
        for (const child of this.ctx.store.all()) {
          if (idKey(child.id).startsWith(prefix)) this.ctx.store.remove(child.id);
        }
        this.ctx.store.remove(resource.id);
        this.keys.delete(idKey(resource.id));
        // Deleting an account deletes its data, as in Azure.
        if (this.files.hasAccount(resource.name)) this.files.removeAccount(resource.name);
        return;
      }
      case FILE_SERVICE_TYPE.toLowerCase():
        throw new ArmError(
          405,
          'MethodNotAllowed',
          'The file service of a storage account cannot be deleted.',
        );
      case FILE_SHARE_TYPE.toLowerCase(): {
        const { account, share } = this.shareNames(resource);
        if (this.files.share(account, share)) this.files.deleteShare(account, share);
        this.ctx.store.remove(resource.id);
        return;
      }
      default:
        return super.delete(resource, fault);
    }
  }

  // --- storage accounts ---

  /** PUT of a new account: 202 + Location (+ Retry-After), then 200 with the account. */
  private putAccountRoute(req: ArmRequest): ArmResponse {
    const parts = parseResourceId(req.path);
    if (!parts)
      throw ArmError.badRequest('InvalidResourceId', `'${req.path}' is not a valid resource id.`);
    const existing = this.ctx.store.get(req.path);
    const fault = this.ctx.faults.takeOperationFault(req.method, req.path);
    const result = this.putAccount({
      id: req.path,
      parts,
      body: obj(req.body),
      apiVersion: queryParam(req.query, 'api-version') ?? '',
      fault,
    });
    // An existing account is updated at once (200 with the account), as ARM does.
    if (existing && existing.provisioningState !== 'Creating') {
      return { status: 200, body: result.view };
    }
    const stored = this.ctx.store.get(req.path);
    return acceptOperation(
      this.ctx,
      req,
      providerScope(parts.subscriptionId, NAMESPACE, stored?.location),
      result.done,
      {
        status: 202,
        location: true,
        asyncOperation: false,
        result: () => {
          const account = this.ctx.store.get(req.path);
          return account ? this.accountView(account) : undefined;
        },
      },
    ).response;
  }

  private putAccount(request: PutRequest): PutResult {
    const { parts } = request;
    const group = this.ctx.store.group(parts.subscriptionId, parts.resourceGroup);
    const name = parts.name;
    if (!isValidAccountName(name)) {
      throw ArmError.badRequest('AccountNameInvalid', invalidNameMessage(name), 'name');
    }
    const id = buildResourceId(group.subscriptionId, group.name, STORAGE_ACCOUNT_TYPE, [name]);
    const existing = this.ctx.store.get(id);
    if (this.nameTaken(name, id)) {
      throw new ArmError(
        409,
        'StorageAccountAlreadyTaken',
        `The storage account named ${name} is already taken.`,
      );
    }
    const body = clone(request.body);
    delete body.id;
    delete body.name;
    delete body.type;
    if (!existing && (typeof body.location !== 'string' || body.location === '')) {
      throw ArmError.badRequest(
        'LocationRequired',
        'The location property is required for this definition.',
      );
    }
    const location =
      typeof body.location === 'string' ? normalizeLocation(body.location) : existing?.location;
    if (existing && location !== existing.location) {
      throw new ArmError(
        409,
        'InvalidResourceLocation',
        `The resource '${name}' already exists in location '${existing.location}' in resource group '${group.name}'. A resource with the same name cannot be created in location '${location}'.`,
      );
    }
    if (existing && request.fault)
      throw new ArmError(500, request.fault.code, request.fault.message);
    body.location = location;
    if (existing) {
      body.properties = { ...obj(existing.body.properties), ...obj(body.properties) };
      for (const key of ['tags', 'sku', 'kind', 'identity']) {
        if (body[key] === undefined && existing.body[key] !== undefined)
          body[key] = existing.body[key];
      }
    }
    const stored = this.ctx.store.put({
      id,
      name,
      type: STORAGE_ACCOUNT_TYPE,
      subscriptionId: group.subscriptionId,
      resourceGroup: group.name,
      location,
      body,
      provisioningState: existing?.provisioningState ?? 'Creating',
    });
    let done = Promise.resolve();
    if (!existing) {
      // The keys a template's listKeys() gives for this resource (deployment-service.ts).
      const derive = (n: number) =>
        createHash('sha512').update(`${stored.resourceGuid}/${n}`).digest('base64');
      const now = fileTime(new Date());
      const keys = { key1: derive(1), key2: derive(2), key1Created: now, key2Created: now };
      this.keys.set(idKey(id), keys);
      this.files.addAccount(name, [keys.key1, keys.key2]);
      this.ctx.store.put({
        id: `${id}/fileServices/default`,
        name: 'default',
        type: FILE_SERVICE_TYPE,
        subscriptionId: group.subscriptionId,
        resourceGroup: group.name,
        body: { properties: {} },
        provisioningState: 'Succeeded',
      });
      done = this.provisionAccount(id, request.fault);
    }
    return { created: !existing, view: this.accountView(stored), done };
  }

  private async provisionAccount(id: string, fault: ArmErrorBody | undefined): Promise<void> {
    await this.ctx.scheduler.delay(this.ctx.delays.resource);
    const account = this.ctx.store.get(id);
    if (!account) return;
    account.provisioningState = fault ? 'Failed' : 'Succeeded';
    this.ctx.store.touch(account);
    if (fault) throw new ArmError(500, fault.code, fault.message);
  }

  private accountView(resource: StoredResource): Json {
    const body = resource.body;
    const sku = obj(body.sku);
    const skuName = typeof sku.name === 'string' ? sku.name : 'Standard_LRS';
    const kind = typeof body.kind === 'string' ? body.kind : 'StorageV2';
    const keys = this.keys.get(idKey(resource.id));
    const view: Json = {
      id: resource.id,
      name: resource.name,
      type: STORAGE_ACCOUNT_TYPE,
      location: resource.location,
      tags: clone(body.tags ?? {}),
      sku: { name: skuName, tier: skuName.startsWith('Premium') ? 'Premium' : 'Standard' },
      kind,
    };
    if (body.identity !== undefined) view.identity = clone(body.identity);
    const defaults: Json = {
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
      supportsHttpsTrafficOnly: true,
      networkAcls: {
        bypass: 'AzureServices',
        virtualNetworkRules: [],
        ipRules: [],
        defaultAction: 'Allow',
      },
      encryption: {
        services: {
          file: { keyType: 'Account', enabled: true },
          blob: { keyType: 'Account', enabled: true },
        },
        keySource: 'Microsoft.Storage',
      },
    };
    if (kind === 'StorageV2' || kind === 'BlobStorage') defaults.accessTier = 'Hot';
    view.properties = {
      ...defaults,
      ...clone(obj(body.properties)),
      provisioningState: resource.provisioningState,
      creationTime: fileTime(new Date(resource.createdTime)),
      // Only the file service is emulated: the other endpoints are left out on purpose.
      primaryEndpoints: { file: this.files.accountUrl(resource.name) },
      primaryLocation: resource.location,
      statusOfPrimary: 'available',
      ...(keys ? { keyCreationTime: { key1: keys.key1Created, key2: keys.key2Created } } : {}),
    };
    return view;
  }

  private keysBody(account: StoredResource): Json {
    const keys = this.accountKeys(account);
    return {
      keys: [
        { keyName: 'key1', value: keys.key1, permissions: 'FULL', creationTime: keys.key1Created },
        { keyName: 'key2', value: keys.key2, permissions: 'FULL', creationTime: keys.key2Created },
      ],
    };
  }

  private regenerateKey(req: ArmRequest): ArmResponse {
    const account = this.account(req);
    const keyName = String(obj(req.body).keyName ?? '');
    if (keyName !== 'key1' && keyName !== 'key2') {
      throw ArmError.badRequest(
        'InvalidValuesForRequestParameters',
        `Values for request parameters are invalid: keyName '${keyName}' (key1 or key2).`,
      );
    }
    const keys = this.accountKeys(account);
    keys[keyName] = randomBytes(64).toString('base64');
    keys[`${keyName}Created`] = fileTime(new Date());
    if (this.files.hasAccount(account.name))
      this.files.addAccount(account.name, [keys.key1, keys.key2]);
    return { status: 200, body: this.keysBody(account) };
  }

  private accountKeys(account: StoredResource): AccountKeys {
    let keys = this.keys.get(idKey(account.id));
    if (!keys) {
      const [key1, key2] = this.files.accountKeys(account.name) ?? [];
      const now = fileTime(new Date(account.createdTime));
      keys = {
        key1: key1 ?? randomBytes(64).toString('base64'),
        key2: key2 ?? randomBytes(64).toString('base64'),
        key1Created: now,
        key2Created: now,
      };
      this.keys.set(idKey(account.id), keys);
    }
    return keys;
  }

  private checkName(name: string): Json {
    if (!isValidAccountName(name)) {
      return {
        nameAvailable: false,
        reason: 'AccountNameInvalid',
        message: invalidNameMessage(name),
      };
    }
    if (this.nameTaken(name)) {
      return {
        nameAvailable: false,
        reason: 'AlreadyExists',
        message: `The storage account named ${name} is already taken.`,
      };
    }
    return { nameAvailable: true };
  }

  /**
   * Account names are global: taken by another ARM account (any group or subscription), or by
   * an account the data plane has that ARM did not make (someone else's, as far as ARM knows).
   */
  private nameTaken(name: string, exceptId?: string): boolean {
    const owner = this.findAccount(name);
    if (owner) return exceptId === undefined || idKey(owner.id) !== idKey(exceptId);
    return this.files.hasAccount(name);
  }

  private findAccount(name: string): StoredResource | undefined {
    return this.ctx.store
      .all()
      .find(
        (r) =>
          r.type.toLowerCase() === STORAGE_ACCOUNT_TYPE.toLowerCase() &&
          r.name.toLowerCase() === name.toLowerCase(),
      );
  }

  /** The account a request names, or ARM's 404. */
  private account(req: ArmRequest): StoredResource {
    this.ctx.store.group(req.params.subscriptionId, req.params.resourceGroupName);
    const id = buildResourceId(
      req.params.subscriptionId,
      req.params.resourceGroupName,
      STORAGE_ACCOUNT_TYPE,
      [req.params.accountName],
    );
    const account = this.ctx.store.get(id);
    if (!account) {
      throw ArmError.notFound(
        STORAGE_ACCOUNT_TYPE,
        req.params.accountName,
        req.params.resourceGroupName,
      );
    }
    return account;
  }

  // --- file services ---

  private fileServiceName(req: ArmRequest): void {
    if (req.params.fileServicesName.toLowerCase() !== 'default') {
      throw ArmError.badRequest(
        'InvalidResourceName',
        `The file service name '${req.params.fileServicesName}' is invalid: it must be 'default'.`,
      );
    }
  }

  private fileServiceRoute(req: ArmRequest): ArmResponse {
    const account = this.account(req);
    this.fileServiceName(req);
    if (req.method !== 'GET') {
      const parts = parseResourceId(`${account.id}/fileServices/default`);
      if (!parts) throw ArmError.badRequest('InvalidResourceId', req.path);
      this.putFileService({
        id: `${account.id}/fileServices/default`,
        parts,
        body: obj(req.body),
        apiVersion: queryParam(req.query, 'api-version') ?? '',
      });
    }
    return { status: 200, body: this.fileServiceView(account) };
  }

  private putFileService(request: PutRequest): PutResult {
    const account = this.parentAccount(request.parts);
    if (request.parts.name.toLowerCase() !== 'default') {
      throw ArmError.badRequest(
        'InvalidResourceName',
        `The file service name '${request.parts.name}' is invalid: it must be 'default'.`,
      );
    }
    if (request.fault) throw new ArmError(500, request.fault.code, request.fault.message);
    const id = `${account.id}/fileServices/default`;
    const existing = this.ctx.store.get(id);
    const properties = {
      ...obj(existing?.body.properties),
      ...obj(clone(request.body.properties)),
    };
    this.ctx.store.put({
      id,
      name: 'default',
      type: FILE_SERVICE_TYPE,
      subscriptionId: account.subscriptionId,
      resourceGroup: account.resourceGroup,
      body: { properties },
      provisioningState: 'Succeeded',
    });
    return { created: false, view: this.fileServiceView(account), done: Promise.resolve() };
  }

  private fileServiceView(account: StoredResource): Json {
    const stored = this.ctx.store.get(`${account.id}/fileServices/default`);
    const sku = obj(this.accountView(account).sku);
    return {
      id: `${account.id}/fileServices/default`,
      name: 'default',
      type: FILE_SERVICE_TYPE,
      sku,
      properties: {
        cors: { corsRules: [] },
        shareDeleteRetentionPolicy: { enabled: false },
        protocolSettings: { smb: {} },
        ...clone(obj(stored?.body.properties)),
      },
    };
  }

  // --- shares ---

  private shareRoute(req: ArmRequest): ArmResponse {
    const account = this.account(req);
    this.fileServiceName(req);
    const id = `${account.id}/fileServices/default/shares/${req.params.shareName}`;
    this.syncShares(account);
    const existing = this.ctx.store.get(id);
    switch (req.method) {
      case 'GET':
        if (!existing)
          throw ArmError.notFound(
            FILE_SHARE_TYPE,
            `${account.name}/default/${req.params.shareName}`,
            account.resourceGroup,
          );
        return { status: 200, body: this.shareView(existing, req.query) };
      case 'PATCH':
        if (!existing)
          throw ArmError.notFound(
            FILE_SHARE_TYPE,
            `${account.name}/default/${req.params.shareName}`,
            account.resourceGroup,
          );
        this.updateShare(existing, obj(req.body), false);
        return { status: 200, body: this.shareView(existing, req.query) };
      case 'DELETE': {
        if (!existing) return { status: 204 };
        const fault = this.ctx.faults.takeOperationFault(req.method, req.path);
        if (fault) throw new ArmError(500, fault.code, fault.message);
        const { share } = this.shareNames(existing);
        if (this.files.share(account.name, share)) this.files.deleteShare(account.name, share);
        this.ctx.store.remove(existing.id);
        return { status: 200 };
      }
      default: {
        const parts = parseResourceId(id);
        if (!parts) throw ArmError.badRequest('InvalidResourceId', req.path);
        const result = this.putShare({
          id,
          parts,
          body: obj(req.body),
          apiVersion: queryParam(req.query, 'api-version') ?? '',
          fault: this.ctx.faults.takeOperationFault(req.method, req.path),
        });
        return { status: result.created ? 201 : 200, body: result.view };
      }
    }
  }

  private putShare(request: PutRequest): PutResult {
    const account = this.parentAccount(request.parts);
    const [, fileService, shareName] = request.parts.names;
    if (fileService.toLowerCase() !== 'default') {
      throw ArmError.badRequest(
        'InvalidResourceName',
        `The file service name '${fileService}' is invalid: it must be 'default'.`,
      );
    }
    if (!isValidShareName(shareName)) {
      throw ArmError.badRequest(
        'InvalidResourceName',
        `The share name '${shareName}' is invalid: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.`,
        'shareName',
      );
    }
    if (request.fault) throw new ArmError(500, request.fault.code, request.fault.message);
    this.syncShares(account);
    const id = `${account.id}/fileServices/default/shares/${shareName}`;
    const existing = this.ctx.store.get(id);
    const props = obj(request.body.properties);
    if (existing) {
      this.updateShare(existing, request.body, true);
      return {
        created: false,
        view: this.shareView(existing, new URLSearchParams()),
        done: Promise.resolve(),
      };
    }
    const init = shareInit(props);
    this.files.createShare(account.name, shareName, init);
    const stored = this.ctx.store.put({
      id,
      name: shareName,
      type: FILE_SHARE_TYPE,
      subscriptionId: account.subscriptionId,
      resourceGroup: account.resourceGroup,
      body: { properties: extraShareProperties(props) },
      provisioningState: 'Succeeded',
    });
    return {
      created: true,
      view: this.shareView(stored, new URLSearchParams()),
      done: Promise.resolve(),
    };
  }

  /** PUT on an existing share and PATCH: quota, access tier, metadata; protocols are fixed. */
  private updateShare(resource: StoredResource, body: Json, put: boolean): void {
    const { account, share } = this.shareNames(resource);
    const current = this.files.share(account, share);
    if (!current) throw ArmError.notFound(FILE_SHARE_TYPE, resource.name, resource.resourceGroup);
    const props = obj(body.properties);
    const init = shareInit(props);
    if (init.enabledProtocols !== undefined && init.enabledProtocols !== current.enabledProtocols) {
      // (The code is the emulator's: ARM refuses to change a share's protocol.)
      throw ArmError.badRequest(
        'InvalidRequestPropertyValue',
        `The enabledProtocols of share '${share}' is ${current.enabledProtocols} and cannot be changed.`,
        'enabledProtocols',
      );
    }
    this.files.updateShare(account, share, {
      quota: init.quota,
      accessTier: init.accessTier,
      metadata: init.metadata,
      rootSquash: init.rootSquash,
    });
    resource.body.properties = put
      ? extraShareProperties(props)
      : { ...obj(resource.body.properties), ...extraShareProperties(props) };
    this.ctx.store.touch(resource);
  }

  private shareView(resource: StoredResource, query: URLSearchParams): Json {
    const { account, share } = this.shareNames(resource);
    const info: FilesShareInfo | undefined = this.files.share(account, share);
    const properties: Json = { ...clone(obj(resource.body.properties)) };
    if (info) {
      properties.lastModifiedTime = info.lastModified.toISOString().replace(/\.\d+Z$/, 'Z');
      properties.shareQuota = info.quota;
      properties.enabledProtocols = info.enabledProtocols;
      properties.accessTier = info.accessTier;
      properties.accessTierChangeTime = info.accessTierChangeTime
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
      if (Object.keys(info.metadata).length > 0) properties.metadata = info.metadata;
      if (info.rootSquash) properties.rootSquash = info.rootSquash;
      properties.leaseStatus = 'unlocked';
      properties.leaseState = 'available';
      const expand = (queryParam(query, '$expand') ?? '').toLowerCase().split(',');
      if (expand.includes('stats'))
        properties.shareUsageBytes = this.files.shareUsageBytes(account, share);
    }
    return {
      id: resource.id,
      name: resource.name,
      type: FILE_SHARE_TYPE,
      etag:
        info?.etag ?? `"0x8D${resource.resourceGuid.replace(/-/g, '').slice(0, 13).toUpperCase()}"`,
      properties,
    };
  }

  /**
   * Makes the stored shares of an account those of its data plane folder: a share made through
   * the File REST API (or as a folder on disk) appears here, one deleted there disappears.
   */
  private syncShares(account: StoredResource): StoredResource[] {
    const names = new Set(this.files.shares(account.name));
    const prefix = `${idKey(account.id)}/fileservices/default/shares/`;
    const stored = this.ctx.store
      .all()
      .filter(
        (r) =>
          r.type.toLowerCase() === FILE_SHARE_TYPE.toLowerCase() && idKey(r.id).startsWith(prefix),
      );
    for (const r of stored) if (!names.has(r.name)) this.ctx.store.remove(r.id);
    const known = new Set(stored.map((r) => r.name));
    for (const name of names) {
      if (known.has(name)) continue;
      this.ctx.store.put({
        id: `${account.id}/fileServices/default/shares/${name}`,
        name,
        type: FILE_SHARE_TYPE,
        subscriptionId: account.subscriptionId,
        resourceGroup: account.resourceGroup,
        body: { properties: {} },
        provisioningState: 'Succeeded',
      });
    }
    return [...names]
      .sort()
      .map((name) => this.ctx.store.get(`${account.id}/fileServices/default/shares/${name}`))
      .filter((r): r is StoredResource => r !== undefined);
  }

  private shareNames(resource: StoredResource): { account: string; share: string } {
    const parts = parseResourceId(resource.id);
    return { account: parts?.names[0] ?? '', share: parts?.names[2] ?? resource.name };
  }

  /** The account of a child resource (file service, share), which must exist. */
  private parentAccount(parts: {
    subscriptionId: string;
    resourceGroup: string;
    names: string[];
  }): StoredResource {
    const group = this.ctx.store.group(parts.subscriptionId, parts.resourceGroup);
    const id = buildResourceId(group.subscriptionId, group.name, STORAGE_ACCOUNT_TYPE, [
      parts.names[0],
    ]);
    const account = this.ctx.store.get(id);
    if (!account || !this.files.hasAccount(account.name)) {
      throw new ArmError(
        404,
        'ParentResourceNotFound',
        `Can not perform requested operation on nested resource. Parent resource '${parts.names[0]}' not found.`,
      );
    }
    return account;
  }
}

/** Share properties the data plane keeps, validated. */
function shareInit(props: Json): {
  quota?: number;
  enabledProtocols?: 'SMB' | 'NFS';
  accessTier?: string;
  metadata?: Record<string, string>;
  rootSquash?: string;
} {
  const init: ReturnType<typeof shareInit> = {};
  if (props.shareQuota !== undefined) {
    const quota = Number(props.shareQuota);
    if (!Number.isInteger(quota) || quota < 1 || quota > MAX_QUOTA_GIB) {
      throw ArmError.badRequest(
        'InvalidRequestPropertyValue',
        `The value '${String(props.shareQuota)}' of shareQuota is invalid: 1 to ${MAX_QUOTA_GIB} GiB.`,
        'shareQuota',
      );
    }
    init.quota = quota;
  }
  if (props.enabledProtocols !== undefined) {
    const protocol = String(props.enabledProtocols).toUpperCase();
    if (protocol !== 'SMB' && protocol !== 'NFS') {
      throw ArmError.badRequest(
        'InvalidRequestPropertyValue',
        `The value '${String(props.enabledProtocols)}' of enabledProtocols is invalid: SMB or NFS.`,
        'enabledProtocols',
      );
    }
    init.enabledProtocols = protocol;
  }
  if (props.accessTier !== undefined) {
    const tier = ACCESS_TIERS.find(
      (t) => t.toLowerCase() === String(props.accessTier).toLowerCase(),
    );
    if (!tier) {
      throw ArmError.badRequest(
        'InvalidRequestPropertyValue',
        `The value '${String(props.accessTier)}' of accessTier is invalid: ${ACCESS_TIERS.join(', ')}.`,
        'accessTier',
      );
    }
    init.accessTier = tier;
  }
  if (props.metadata !== undefined) {
    init.metadata = Object.fromEntries(
      Object.entries(obj(props.metadata)).map(([k, v]) => [k, String(v)]),
    );
  }
  if (typeof props.rootSquash === 'string') init.rootSquash = props.rootSquash;
  return init;
}

/** What ARM keeps of a share beyond the data plane's properties. */
function extraShareProperties(props: Json): Json {
  const extra = clone(props);
  for (const key of [
    'shareQuota',
    'enabledProtocols',
    'accessTier',
    'metadata',
    'rootSquash',
    'shareUsageBytes',
  ]) {
    delete extra[key];
  }
  return extra;
}

function invalidNameMessage(name: string): string {
  return (
    `${name} is not a valid storage account name. Storage account name must be between 3 and 24 ` +
    'characters in length and use numbers and lower-case letters only.'
  );
}

/** ARM's seven-digit UTC time. */
function fileTime(date: Date): string {
  return date.toISOString().replace('Z', '0000Z');
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
