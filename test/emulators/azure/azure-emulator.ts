// The Azure-in-a-box test harness: one HTTPS server on 127.0.0.1 that the real Azure SDK clients
// (identity, compute, network, resources, monitor) talk to unchanged. See README.md here.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { checkApiVersion } from './api-versions';
import { ArmError } from './arm-error';
import { ArmRouter, queryParam, type ArmRequest, type ArmResponse } from './arm-router';
import { registerArmRoutes } from './arm-routes';
import { ActivityLog } from './activity-log';
import { AsyncOperations } from './async-operations';
import type { AutoscaleClock } from './autoscale-clock';
import { AutoscaleEngine } from './autoscale-engine';
import { AutoscaleProvider } from './autoscale-provider';
import { ComputeProvider, type ScaleSetHandle } from './compute-provider';
import { DeploymentService } from './deployment-service';
import type { EmulatorContext, EmulatorDelays, ResourceProvider } from './emulator-context';
import { loadEmulatorCertificate, type EmulatorCertificate } from './emulator-certificate';
import {
  FaultInjector,
  type OperationFault,
  type RequestMatch,
  type ThrottleOptions,
  type FailOptions,
  type ResetOptions,
  type SlowOptions,
} from './fault-injector';
import { GenericProvider } from './generic-provider';
import { registerIdentityRoutes } from './identity-routes';
import { NatDataPlane, type NatPortMapping, type VmBackendFactory } from './nat-data-plane';
import { NetworkProvider } from './network-provider';
import { buildResourceId, normalizeLocation, parseResourceId } from './resource-ids';
import { ResourceStore } from './resource-store';
import type { PowerState, VmInstance } from './scale-set';
import { Scheduler } from './scheduler';
import { StorageProvider } from './storage-provider';
import {
  startAzureFilesEmulator,
  type AzureFilesEmulator,
} from '../azure-files/azure-files-emulator';
import { TokenIssuer } from './token-issuer';
import { ImdsService } from './imds-server';
import { authorizeManagedIdentity } from './role-authorization';
import { ScheduledEvents, type InjectedEvent } from './scheduled-events';
import { UserFlows, type EmulatorUser } from './identity-user-flows';

export type {
  VmAzureAccess,
  VmBackend,
  VmBackendContext,
  VmBackendFactory,
} from './nat-data-plane';

export interface AzureEmulatorOptions {
  /** Default `00000000-0000-0000-0000-0000000000e1`. */
  subscriptionId?: string;
  subscriptionName?: string;
  /** Default `00000000-0000-0000-0000-0000000000a1`. */
  tenantId?: string;
  /** Milliseconds each VM/resource transition takes; small defaults (50–150 ms). */
  delays?: Partial<EmulatorDelays>;
  /**
   * Retry-After (seconds) on 201/202 answers and while polling. Default 1: the SDK's poller
   * ignores 0 (then waits its own 2 s default), so 1 is the fastest it honours.
   */
  retryAfterSeconds?: number;
  /** VMs per page of a `virtualMachines` list (default 100); larger sets get a nextLink. */
  listPageSize?: number;
  /** Instances with a live SSH endpoint at once (default 8); see README. */
  maxSshServers?: number;
  /** When set, only these client id → secret pairs get tokens. */
  clientSecrets?: Record<string, string>;
  /** The person the browser and device code sign-ins sign in (default: Ada Lovelace). */
  user?: EmulatorUser;
  /** Seconds between device code polls (default 5, as Entra answers). */
  deviceCodeIntervalSeconds?: number;
  /** templateLink URIs the emulator can "download" (it reaches no other server). */
  templateLinks?: Record<string, Record<string, unknown>>;
  /** Default: the cached certificate of loadEmulatorCertificate(). */
  certificate?: EmulatorCertificate;
  /** Diagnostic lines (request errors, SSH, NAT). */
  log?: (line: string) => void;
  /**
   * The Azure Files data plane behind Microsoft.Storage accounts. Default: one started with the
   * emulator (same certificate) and closed with it; a given one is left open.
   */
  files?: AzureFilesEmulator;
  /**
   * What answers behind a running VM's NAT port. Default: the ssh2 sandbox (`VmSshServer`).
   * `namespaceVmBackend(...)` from `../vm/namespace-vm-backend` gives real sshd + agent VMs.
   */
  vmBackend?: VmBackendFactory;
  /** How long a CustomScript extension may run before provisioning times out (default 90 min). */
  extensionTimeoutMs?: number;
  /** Contents VMs can download as extension fileUris, besides Azure Files URLs with a SAS. */
  fileUris?: Record<string, string | Buffer>;
  /**
   * The autoscale engine (`emulator.autoscale`, see README): its clock (default: the system's),
   * and a real-time evaluation period; `start: true` starts evaluating at once (else tests call
   * `emulator.autoscale.evaluateNow()`, or `start()` it).
   */
  autoscale?: { clock?: AutoscaleClock; evaluationPeriodMs?: number; start?: boolean };
}

/** One request as the emulator saw it. */
export interface EmulatorRequest {
  method: string;
  /** Decoded path, case as sent. */
  path: string;
  /** The api-version query parameter, if any. */
  apiVersion?: string;
  query: string;
  /** The status answered (0 until answered). */
  status: number;
  at: Date;
}

/** What a test can ask about one VM without going through the SDK. */
export interface EmulatorVm {
  instanceId: string;
  name: string;
  computerName: string;
  provisioningState: string;
  powerState?: PowerState;
  /** The frontend port of its NAT rule with backend port 22, if any. */
  sshPort?: number;
}

const DEFAULT_DELAYS: EmulatorDelays = {
  vmCreate: 150,
  vmStart: 100,
  vmStop: 60,
  vmDeallocate: 100,
  vmRestart: 100,
  vmDelete: 60,
  resource: 50,
};

export async function startAzureEmulator(
  options: AzureEmulatorOptions = {},
): Promise<AzureEmulator> {
  const certificate = options.certificate ?? (await loadEmulatorCertificate());
  const dataDir = await mkdtemp(join(os.tmpdir(), 'azure-emulator-'));
  const files = options.files ?? (await startAzureFilesEmulator({ certificate, log: options.log }));
  const emulator = new AzureEmulator({ ...options, files }, certificate, dataDir);
  if (!options.files) emulator.onClose(() => files.close());
  await emulator.listen();
  return emulator;
}

export class AzureEmulator {
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly certificate: EmulatorCertificate;
  /** Every request served, in order. */
  readonly requests: EmulatorRequest[] = [];
  /** Queue throttling, failures, failed operations and slow answers (see fault-injector.ts). */
  readonly faults = new FaultInjector();
  readonly store = new ResourceStore();
  /** The Azure Files data plane of Microsoft.Storage accounts (see storage-provider.ts). */
  readonly files: AzureFilesEmulator;
  /** The subscription's Activity Log (`MonitorClient.activityLogs.list`). */
  readonly activityLog = new ActivityLog();
  /** Azure Monitor autoscale acting on the autoscale settings (see README, "Autoscale engine"). */
  readonly autoscale: AutoscaleEngine;
  /** Every VM's IMDS Scheduled Events (on the autoscale engine's clock; see README, "IMDS"). */
  readonly scheduledEvents: ScheduledEvents;
  /** Every VM's IMDS listener (instance metadata, managed-identity token, scheduled events). */
  readonly imds: ImdsService;

  private readonly server: https.Server;
  private readonly scheduler = new Scheduler();
  private readonly operations = new AsyncOperations();
  private readonly tokens = new TokenIssuer();
  /** A person's sign-in: device code, browser (authorization code + PKCE), refresh tokens. */
  readonly users: UserFlows;
  private readonly identityRouter = new ArmRouter();
  private readonly armRouter = new ArmRouter();
  private readonly compute: ComputeProvider;
  private readonly nat: NatDataPlane;
  private readonly deployments: DeploymentService;
  private readonly providers: ResourceProvider[];
  private readonly generic: GenericProvider;
  private readonly log: (line: string) => void;
  private readonly ctx: EmulatorContext;
  private readonly closers: (() => Promise<void>)[] = [];
  private readonly fileUris = new Map<string, Buffer>();
  private origin = '';

  constructor(
    options: AzureEmulatorOptions,
    certificate: EmulatorCertificate,
    private readonly dataDir: string,
  ) {
    this.subscriptionId = options.subscriptionId ?? '00000000-0000-0000-0000-0000000000e1';
    this.tenantId = options.tenantId ?? '00000000-0000-0000-0000-0000000000a1';
    this.certificate = certificate;
    this.log = options.log ?? (() => {});
    this.store.addSubscription({
      subscriptionId: this.subscriptionId,
      displayName: options.subscriptionName ?? 'Azure emulator subscription',
      tenantId: this.tenantId,
    });
    const providersByType = new Map<string, ResourceProvider>();
    this.ctx = {
      store: this.store,
      operations: this.operations,
      faults: this.faults,
      delays: { ...DEFAULT_DELAYS, ...options.delays },
      retryAfterSeconds: options.retryAfterSeconds ?? 1,
      scheduler: this.scheduler,
      log: this.log,
      provider: (type) => providersByType.get(type.toLowerCase()) ?? this.generic,
    };
    this.generic = new GenericProvider(this.ctx);
    for (const [uri, content] of Object.entries(options.fileUris ?? {})) {
      this.registerFileUri(uri, content);
    }
    this.scheduledEvents = new ScheduledEvents(() => this.autoscale.clock, this.scheduler);
    this.imds = new ImdsService({
      tenantId: this.tenantId,
      tokens: this.tokens,
      events: this.scheduledEvents,
      lookup: (scaleSetId, instanceId) => {
        const handle = this.compute.handle(scaleSetId);
        const vm = handle?.set.get(instanceId);
        return handle && vm ? { handle, vm } : undefined;
      },
      log: this.log,
    });
    this.compute = new ComputeProvider(
      this.ctx,
      {
        terminateNotice: (id, vm, ms) =>
          this.scheduledEvents.terminate(id, vm.instanceId, vm.name, ms),
        vmDeleted: (id, vm) => {
          this.scheduledEvents.forget(id, vm.instanceId);
          void this.imds.forget(id, vm.instanceId);
        },
        instancesChanged: () => this.nat.sync(),
        extensionRunner: (id, vm) => this.nat.extensionRunner(id, vm),
        fetchFile: (uri) => this.fetchFileUri(uri),
        extensionTimeoutMs: options.extensionTimeoutMs,
      },
      options.listPageSize ?? 100,
    );
    this.nat = new NatDataPlane(this.store, this.compute, {
      dataDir,
      maxSshServers: options.maxSshServers ?? 8,
      log: this.log,
      vmBackend: options.vmBackend,
      files: options.files,
      azureAccess: async (scaleSetId, instanceId) => ({
        imdsEndpoint: await this.imds.endpoint(scaleSetId, instanceId),
        armEndpoint: this.origin,
        armCaPem: this.certificate.cert,
      }),
    });
    const network = new NetworkProvider(this.ctx, this.compute, this.nat);
    if (!options.files)
      throw new Error('AzureEmulator needs options.files: use startAzureEmulator()');
    this.files = options.files;
    const storage = new StorageProvider(this.ctx, this.files);
    this.providers = [this.compute, network, new AutoscaleProvider(this.ctx), storage];
    for (const provider of this.providers) {
      for (const type of provider.types) providersByType.set(type, provider);
    }
    this.autoscale = new AutoscaleEngine(
      this.ctx,
      this.compute,
      this.activityLog,
      options.autoscale,
    );
    if (options.autoscale?.start) this.autoscale.start();
    this.deployments = new DeploymentService(this.ctx);
    for (const [uri, template] of Object.entries(options.templateLinks ?? {})) {
      this.deployments.registerTemplateLink(uri, template);
    }

    this.users = new UserFlows(this.tokens, {
      user: options.user,
      deviceCodeIntervalSeconds: options.deviceCodeIntervalSeconds,
    });
    registerIdentityRoutes(this.identityRouter, this.tokens, {
      clientSecrets: options.clientSecrets,
      users: this.users,
    });
    // Specific routes first: the generic resource route would take them otherwise.
    this.compute.registerRoutes(this.armRouter);
    network.registerRoutes(this.armRouter);
    storage.registerRoutes(this.armRouter);
    this.activityLog.registerRoutes(this.armRouter);
    this.deployments.registerRoutes(this.armRouter);
    registerArmRoutes(this.armRouter, this.ctx, this.deployments);

    this.server = https.createServer(
      { cert: certificate.cert, key: certificate.key, keepAlive: true },
      (req, res) => void this.handle(req, res),
    );
  }

  /** `https://127.0.0.1:<port>`: the ARM endpoint and the authority host alike. */
  get url(): string {
    return this.origin;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** @internal */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.origin = `https://127.0.0.1:${this.port}`;
  }

  // --- fault injection (shortcuts for emulator.faults) ---

  /** The next `count` ARM requests get 429 with Retry-After (default 1 s). */
  throttleNext(count: number, options?: ThrottleOptions): void {
    this.faults.throttleNext(count, options);
  }

  /** The next request matching `match` fails with `status` (default 500). */
  failNext(match: RequestMatch, status = 500, options?: FailOptions): void {
    this.faults.failNext(match, status, options);
  }

  /** The next long-running operation started by a matching request ends Failed with this error. */
  failOperation(match: RequestMatch, fault: OperationFault): void {
    this.faults.failOperation(match, fault);
  }

  /** Matching requests are answered `ms` later. */
  slow(match: RequestMatch, ms: number, options?: SlowOptions): void {
    this.faults.slow(match, ms, options);
  }

  /** The next matching request is carried out, then its connection reset mid-answer. */
  resetNext(match: RequestMatch, options?: ResetOptions): void {
    this.faults.resetNext(match, options);
  }

  // --- state helpers for tests and benchmarks ---

  /** A bearer token for raw requests (the SDK gets its own from the token endpoint). */
  issueToken(clientId = 'emulator-test'): string {
    return this.tokens.issue(this.tenantId, clientId, `${this.origin}/.default`).token;
  }

  /** Makes a templateLink URI deployable. */
  registerTemplateLink(uri: string, template: Record<string, unknown>): void {
    this.deployments.registerTemplateLink(uri, template);
  }

  /** Makes a URI downloadable by VMs (an extension's fileUris) with this content. */
  registerFileUri(uri: string, content: string | Buffer): void {
    this.fileUris.set(uri, Buffer.from(content));
  }

  /**
   * What a VM gets for an extension's fileUri: a registered URI's content, or a file of the Azure
   * Files data plane by its URL with a service SAS (checked as the service does). The error
   * never repeats the URL's query (the SAS): extension statuses are visible to any Reader.
   */
  async fetchFileUri(uri: string): Promise<Buffer> {
    const registered = this.fileUris.get(uri);
    if (registered) return registered;
    const url = new URL(uri);
    const shown = `${url.origin}${url.pathname}`;
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new Error(`unsupported URL scheme in ${shown}`);
    }
    if (/\.file\.core\.windows\.net$/i.test(url.hostname) || url.origin === this.files.url) {
      try {
        return this.files.readFileBySasUrl(uri);
      } catch (err) {
        const status = (err as { status?: number }).status;
        const code = (err as { code?: string }).code;
        if (status === undefined) throw err;
        throw new Error(
          `unexpected status code: actual=${status} expected=200 (${code}) for ${shown}`,
          {
            cause: err,
          },
        );
      }
    }
    throw new Error(
      `Get "${shown}": the Azure emulator downloads only Azure Files URLs and registered file URIs`,
    );
  }

  /** Creates a resource group directly (no HTTP). */
  createResourceGroup(name: string, location = 'westeurope'): string {
    return this.store.putGroup(this.subscriptionId, name, location).group.id;
  }

  /**
   * A scale set whose `capacity` instances exist at once in `state` (default running), for
   * benchmarks: `seedScaleSet({ resourceGroup: 'bench', name: 'pool', capacity: 1000 })`. Only
   * `maxSshServers` of them get a live SSH endpoint (`enableSsh` adds one on demand).
   */
  async seedScaleSet(options: {
    resourceGroup: string;
    name: string;
    capacity: number;
    location?: string;
    state?: PowerState;
    body?: Record<string, unknown>;
  }): Promise<string> {
    const location = options.location ?? 'westeurope';
    if (!this.store.findGroup(this.subscriptionId, options.resourceGroup)) {
      this.createResourceGroup(options.resourceGroup, location);
    }
    const id = buildResourceId(
      this.subscriptionId,
      options.resourceGroup,
      'Microsoft.Compute/virtualMachineScaleSets',
      [options.name],
    );
    const body = options.body ?? {
      location,
      sku: { name: 'Standard_D4s_v5', tier: 'Standard', capacity: options.capacity },
      properties: {
        upgradePolicy: { mode: 'Manual' },
        overprovision: false,
        // Over 100 instances need more than one placement group, as in Azure.
        singlePlacementGroup: options.capacity <= 100,
        virtualMachineProfile: {
          osProfile: { computerNamePrefix: options.name.slice(0, 9), adminUsername: 'azureuser' },
          storageProfile: {
            imageReference: {
              publisher: 'microsoft-dsvm',
              offer: 'ubuntu-2204',
              sku: '2204-gen2',
              version: 'latest',
            },
          },
        },
      },
    };
    await this.compute.seed(
      id,
      { ...body, sku: { ...(body.sku as object), capacity: options.capacity } },
      options.state,
    );
    return id;
  }

  /** The VMs of a scale set as the emulator holds them. */
  vms(resourceGroup: string, scaleSet: string): EmulatorVm[] {
    const handle = this.scaleSet(resourceGroup, scaleSet);
    const ports = this.sshPorts(handle);
    return [...handle.set.instances.values()]
      .sort((a, b) => Number(a.instanceId) - Number(b.instanceId))
      .map((vm: VmInstance) => ({
        instanceId: vm.instanceId,
        name: vm.name,
        computerName: vm.computerName,
        provisioningState: vm.provisioningState,
        powerState: vm.powerState,
        sshPort: ports.get(vm.instanceId),
      }));
  }

  /** NAT rule v2 port mappings of a load balancer. */
  natMappings(resourceGroup: string, loadBalancer: string): NatPortMapping[] {
    const lb = this.store.get(
      buildResourceId(this.subscriptionId, resourceGroup, 'Microsoft.Network/loadBalancers', [
        loadBalancer,
      ]),
    );
    if (!lb) throw new Error(`no load balancer ${resourceGroup}/${loadBalancer}`);
    return this.nat.mappings(lb);
  }

  /** Gives an instance a live SSH endpoint even beyond maxSshServers. */
  enableSsh(resourceGroup: string, scaleSet: string, instanceId: string): Promise<void> {
    return this.nat.enableSsh(this.scaleSet(resourceGroup, scaleSet).resource.id, instanceId);
  }

  /**
   * The IMDS endpoint of a VM (`http://127.0.0.1:<port>`, its 169.254.169.254): what its agent
   * reaches through `DSVM_POOL_IMDS_ENDPOINT`. Started on first use.
   */
  imdsEndpoint(resourceGroup: string, scaleSet: string, instanceId: string): Promise<string> {
    return this.imds.endpoint(this.scaleSet(resourceGroup, scaleSet).resource.id, instanceId);
  }

  /**
   * Test-only: puts a Reboot, Redeploy, Freeze, Preempt (or Terminate) event in a VM's scheduled
   * events with no operation behind it; returns its EventId. `clearScheduledEvent` removes it.
   */
  injectScheduledEvent(
    resourceGroup: string,
    scaleSet: string,
    instanceId: string,
    event: InjectedEvent,
  ): string {
    const handle = this.scaleSet(resourceGroup, scaleSet);
    const vm = handle.set.get(instanceId);
    if (!vm) throw new Error(`no instance ${instanceId} in ${resourceGroup}/${scaleSet}`);
    return this.scheduledEvents.inject(handle.resource.id, instanceId, vm.name, event);
  }

  /** Test-only: removes an injected event (or all of a VM's events). */
  clearScheduledEvent(
    resourceGroup: string,
    scaleSet: string,
    instanceId: string,
    eventId?: string,
  ): void {
    const handle = this.scaleSet(resourceGroup, scaleSet);
    this.scheduledEvents.clear(handle.resource.id, instanceId, eventId);
  }

  /** Requests whose `"<METHOD> <path>"` contains `match` (case-insensitive). */
  requestsMatching(match: string): EmulatorRequest[] {
    const needle = match.toLowerCase();
    return this.requests.filter((r) => `${r.method} ${r.path}`.toLowerCase().includes(needle));
  }

  /** @internal Runs when the emulator closes (the Azure Files emulator it started). */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  /** Stops the server, every SSH server and forwarder, and every timer. */
  async close(): Promise<void> {
    this.autoscale.dispose();
    this.scheduler.close();
    await this.imds.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.nat.close();
    for (const close of this.closers.splice(0)) await close();
    await rm(this.dataDir, { recursive: true, force: true }).catch(() => {});
  }

  private scaleSet(resourceGroup: string, name: string): ScaleSetHandle {
    const handle = this.compute.handle(
      buildResourceId(
        this.subscriptionId,
        resourceGroup,
        'Microsoft.Compute/virtualMachineScaleSets',
        [name],
      ),
    );
    if (!handle) throw new Error(`no scale set ${resourceGroup}/${name}`);
    return handle;
  }

  private sshPorts(handle: ScaleSetHandle): Map<string, number> {
    const ports = new Map<string, number>();
    for (const lb of this.store.list(
      handle.resource.subscriptionId,
      undefined,
      'Microsoft.Network/loadBalancers',
    )) {
      for (const m of this.nat.mappings(lb)) {
        if (
          m.backendPort === 22 &&
          m.instanceId !== undefined &&
          m.scaleSetId?.toLowerCase() === handle.resource.id.toLowerCase()
        ) {
          ports.set(m.instanceId, m.frontendPort);
        }
      }
    }
    return ports;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const method = (req.method ?? 'GET').toUpperCase();
    let path = url.pathname;
    try {
      path = decodeURI(url.pathname);
    } catch {
      // keep it encoded
    }
    const record: EmulatorRequest = {
      method,
      path,
      apiVersion: queryParam(url.searchParams, 'api-version'),
      query: url.search,
      status: 0,
      at: new Date(),
    };
    this.requests.push(record);
    let response: ArmResponse;
    try {
      const raw = await readBody(req);
      response = await this.respond(method, path, url, req, raw);
    } catch (err) {
      if (err instanceof ArmError) {
        response = { status: err.status, body: err.toBody() };
      } else {
        const message = err instanceof Error ? err.message : String(err);
        this.log(
          `azure emulator: ${method} ${path} failed: ${err instanceof Error ? (err.stack ?? message) : message}`,
        );
        response = { status: 500, body: { error: { code: 'InternalServerError', message } } };
      }
    }
    record.status = response.status;
    const requestId = randomUUID();
    res.statusCode = response.status;
    res.setHeader('x-ms-request-id', requestId);
    res.setHeader(
      'x-ms-correlation-request-id',
      String(req.headers['x-ms-correlation-request-id'] ?? requestId),
    );
    res.setHeader('x-ms-routing-request-id', `EMULATOR:${requestId}`);
    for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
    const cut = this.faults.takeReset(method, path);
    if (cut) return cutAnswer(res, cut === 'mid-answer' ? response.body : undefined);
    if (response.body === undefined || method === 'HEAD') {
      res.setHeader('Content-Length', '0');
      res.end();
      return;
    }
    const text = JSON.stringify(response.body);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  }

  private async respond(
    method: string,
    path: string,
    url: URL,
    req: IncomingMessage,
    raw: string,
  ): Promise<ArmResponse> {
    const identity = this.identityRouter.match(method, path);
    const isIdentity = identity.kind === 'found';
    const delay = this.faults.takeDelay(method, path);
    if (delay > 0) await this.scheduler.delay(delay);

    if (!isIdentity) {
      const denied = this.authenticate(req, method, path);
      if (denied) return denied;
    }
    const fault = this.faults.takeRequestFault(method, path, isIdentity);
    if (fault?.kind === 'throttle') {
      return {
        status: 429,
        headers: { 'Retry-After': String(fault.retryAfterSeconds) },
        body: {
          error: {
            code: 'TooManyRequests',
            message:
              'The request is being throttled as the limit has been reached (injected by the Azure emulator).',
          },
        },
      };
    }
    if (fault?.kind === 'fail') {
      return {
        status: fault.status,
        body: { error: { code: fault.code, message: fault.message } },
      };
    }

    if (identity.kind === 'found') {
      return identity.handler({
        method,
        path,
        query: url.searchParams,
        headers: req.headers,
        body: raw,
        params: identity.params,
        origin: this.origin,
      });
    }
    if (!queryParam(url.searchParams, 'api-version')) {
      throw ArmError.badRequest(
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const match = this.armRouter.match(method, path);
    if (match.kind === 'not-found') {
      throw new ArmError(
        404,
        'InvalidResourceType',
        `The Azure emulator does not serve ${method} ${path}.`,
      );
    }
    if (match.kind === 'method-not-allowed') {
      throw new ArmError(
        405,
        'MethodNotAllowed',
        `The Azure emulator does not allow ${method} on ${path}.`,
      );
    }
    let body: unknown;
    // The api-version must be one the addressed type serves (api-versions.ts).
    checkApiVersion(path, queryParam(url.searchParams, 'api-version') ?? '', () =>
      this.locationOf(path, raw),
    );
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        throw ArmError.badRequest(
          'InvalidRequestContent',
          'The request content was invalid and could not be deserialized.',
        );
      }
    }
    const request: ArmRequest = {
      method,
      path,
      query: url.searchParams,
      headers: req.headers,
      body,
      params: match.params,
      origin: this.origin,
    };
    return match.handler(request);
  }

  /** The region a request concerns: its body's, else the stored resource's, else its group's. */
  private locationOf(path: string, raw: string): string | undefined {
    try {
      const location = (JSON.parse(raw) as { location?: unknown }).location;
      if (typeof location === 'string') return normalizeLocation(location);
    } catch {
      // no JSON body
    }
    const parts = parseResourceId(path);
    if (parts) {
      const top = buildResourceId(
        parts.subscriptionId,
        parts.resourceGroup,
        `${parts.namespace}/${parts.types[0]}`,
        [parts.names[0]],
      );
      const stored = this.store.get(top);
      if (stored?.location) return stored.location;
    }
    const group = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)/i.exec(path);
    return group ? this.store.findGroup(group[1], group[2])?.location : undefined;
  }

  /**
   * ARM refuses a request without a valid bearer token: 401 with a WWW-Authenticate challenge.
   * A managed identity's token must also be allowed by its role assignments (403 otherwise).
   */
  private authenticate(
    req: IncomingMessage,
    method: string,
    path: string,
  ): ArmResponse | undefined {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    const verdict = token
      ? this.tokens.verify(token)
      : { error: 'The request does not carry an access token.' };
    if ('claims' in verdict) {
      if (verdict.claims.xms_mirid) {
        authorizeManagedIdentity(this.store, verdict.claims, method, path);
      }
      return undefined;
    }
    return {
      status: 401,
      headers: {
        'WWW-Authenticate': `Bearer authorization_uri="${this.origin}/${this.tenantId}", error="invalid_token", error_description="${verdict.error}"`,
      },
      body: {
        error: {
          code: token ? 'InvalidAuthenticationToken' : 'AuthenticationFailed',
          message: verdict.error,
        },
      },
    };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A connection reset (a load balancer or proxy dropping the flow) after the request was carried
 * out: with a body, its headers and half of it go out first; without, nothing does. What the
 * request did in Azure stays done.
 */
function cutAnswer(res: ServerResponse, body: unknown): void {
  const reset = () => {
    const socket = res.socket;
    if (!socket || socket.destroyed) return;
    // A TLS socket may refuse a reset of its own; destroy() (a FIN) is the fallback.
    try {
      socket.resetAndDestroy();
    } catch {
      socket.destroy();
    }
  };
  if (body === undefined) return reset();
  const text = JSON.stringify(body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.write(text.slice(0, Math.floor(text.length / 2)), reset);
}
