// Azure's Instance Metadata Service (IMDS) for each emulated VM: one plain-HTTP listener per
// instance on 127.0.0.1 (the VM's 169.254.169.254), which is how a request says which VM asks.
// Serves instance metadata, the scale set's managed-identity token and Scheduled Events.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScaleSetHandle } from './compute-provider';
import { idKey } from './resource-ids';
import type { VmInstance } from './scale-set';
import type { ScheduledEvents } from './scheduled-events';
import type { TokenIssuer } from './token-issuer';

type Json = Record<string, unknown>;

/** The api-versions each category answers (IMDS lists them in its 400 answer). */
const VERSIONS = {
  instance: ['2019-06-01', '2020-06-01', '2020-09-01', '2021-01-01', '2021-02-01', '2021-12-13'],
  identity: ['2018-02-01', '2019-08-01'],
  scheduledevents: ['2019-01-01', '2019-08-01', '2020-07-01'],
} as const;

export interface ImdsDeps {
  tenantId: string;
  tokens: TokenIssuer;
  events: ScheduledEvents;
  /** The scale set and the VM behind a listener, while both exist. */
  lookup(
    scaleSetId: string,
    instanceId: string,
  ): { handle: ScaleSetHandle; vm: VmInstance } | undefined;
  log(line: string): void;
}

interface Answer {
  status: number;
  body: unknown;
}

export class ImdsService {
  private readonly listeners = new Map<string, Promise<http.Server>>();
  /** A managed identity's client (application) id, per principal: stable for its life. */
  private readonly clientIds = new Map<string, string>();

  constructor(private readonly deps: ImdsDeps) {}

  /** `http://127.0.0.1:<port>`: the VM's IMDS (started on first use, kept until it is deleted). */
  async endpoint(scaleSetId: string, instanceId: string): Promise<string> {
    const key = `${idKey(scaleSetId)}|${instanceId}`;
    let listening = this.listeners.get(key);
    if (!listening) {
      listening = this.listen(scaleSetId, instanceId);
      this.listeners.set(key, listening);
    }
    const server = await listening;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** The VM was deleted: its listener closes. */
  async forget(scaleSetId: string, instanceId: string): Promise<void> {
    const key = `${idKey(scaleSetId)}|${instanceId}`;
    const listening = this.listeners.get(key);
    this.listeners.delete(key);
    if (listening) await close(await listening);
  }

  async close(): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map(async (l) => close(await l)));
  }

  private listen(scaleSetId: string, instanceId: string): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let answer: Answer;
        try {
          answer = this.answer(scaleSetId, instanceId, req, Buffer.concat(chunks).toString('utf8'));
        } catch (err) {
          this.deps.log(`imds: ${err instanceof Error ? err.message : String(err)}`);
          answer = { status: 500, body: { error: 'Internal server error' } };
        }
        const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
        res.writeHead(answer.status, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(text),
        });
        res.end(text);
      });
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  }

  private answer(
    scaleSetId: string,
    instanceId: string,
    req: http.IncomingMessage,
    raw: string,
  ): Answer {
    const url = new URL(req.url ?? '/', 'http://169.254.169.254');
    const path = url.pathname.replace(/\/+$/, '').toLowerCase();
    const identity = path === '/metadata/identity/oauth2/token';
    const category = identity
      ? 'identity'
      : path === '/metadata/instance'
        ? 'instance'
        : path === '/metadata/scheduledevents'
          ? 'scheduledevents'
          : undefined;
    // IMDS refuses what a proxy forwarded and what lacks the Metadata header (SSRF protection).
    if (req.headers['x-forwarded-for'] !== undefined) {
      return bad(identity, 'Bad request. Requests with the X-Forwarded-For header are refused.');
    }
    if (String(req.headers.metadata ?? '').toLowerCase() !== 'true') {
      return bad(identity, 'Bad request. Required metadata header not specified');
    }
    if (!category) return { status: 404, body: { error: 'Not found' } };
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && !(category === 'scheduledevents' && method === 'POST')) {
      return { status: 405, body: { error: 'Method not allowed' } };
    }
    const version = url.searchParams.get('api-version');
    const versions: readonly string[] = VERSIONS[category];
    if (!version || !versions.includes(version)) {
      return {
        status: 400,
        body: {
          error: version
            ? 'Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds'
            : 'Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds',
          'newest-versions': [...versions].reverse().slice(0, 3),
        },
      };
    }
    const found = this.deps.lookup(scaleSetId, instanceId);
    if (!found) return { status: 404, body: { error: 'Not found' } };
    if (category === 'instance')
      return { status: 200, body: instanceMetadata(found.handle, found.vm) };
    if (category === 'identity') return this.token(found.handle, url.searchParams);
    if (method === 'GET') {
      return { status: 200, body: this.deps.events.document(scaleSetId, instanceId) };
    }
    return this.approve(scaleSetId, instanceId, raw);
  }

  /** A token of the scale set's system-assigned identity for `resource`. */
  private token(handle: ScaleSetHandle, query: URLSearchParams): Answer {
    const resource = query.get('resource');
    if (!resource) {
      return {
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: "Required query variable 'resource' is missing",
        },
      };
    }
    const identity = obj(handle.resource.body.identity);
    const principalId = typeof identity.principalId === 'string' ? identity.principalId : undefined;
    if (!principalId || !String(identity.type ?? '').includes('SystemAssigned')) {
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: 'Identity not found' },
      };
    }
    let clientId = this.clientIds.get(principalId);
    if (!clientId) {
      clientId = randomUUID();
      this.clientIds.set(principalId, clientId);
    }
    const issued = this.deps.tokens.issue(this.deps.tenantId, clientId, resource, {
      oid: principalId,
      idtyp: 'app',
      xms_mirid: handle.resource.id,
    });
    return {
      status: 200,
      body: {
        access_token: issued.token,
        client_id: clientId,
        expires_in: String(issued.expiresIn),
        expires_on: String(issued.expiresOn),
        ext_expires_in: String(issued.expiresIn),
        not_before: String(issued.notBefore),
        resource,
        token_type: 'Bearer',
      },
    };
  }

  private approve(scaleSetId: string, instanceId: string, raw: string): Answer {
    let ids: string[];
    try {
      const body = JSON.parse(raw) as { StartRequests?: { EventId?: unknown }[] };
      if (!Array.isArray(body.StartRequests)) throw new Error('no StartRequests');
      ids = body.StartRequests.map((r) => {
        if (typeof r?.EventId !== 'string') throw new Error('no EventId');
        return r.EventId;
      });
    } catch {
      return { status: 400, body: { error: 'Bad request. The request body is not valid.' } };
    }
    const unknown = this.deps.events.approve(scaleSetId, instanceId, ids);
    if (unknown.length > 0) {
      return {
        status: 400,
        body: { error: `Bad request. Unknown or invalid EventId: ${unknown.join(', ')}` },
      };
    }
    return { status: 200, body: undefined };
  }
}

/** `GET /metadata/instance`: compute and network of the VM (the fields the agent reads, and more). */
function instanceMetadata(handle: ScaleSetHandle, vm: VmInstance): Json {
  const set = handle.resource;
  const profile = obj(obj(set.body.properties).virtualMachineProfile);
  const os = obj(profile.osProfile);
  const image = obj(obj(profile.storageProfile).imageReference);
  const tags = Object.entries(obj(set.body.tags)).map(([name, value]) => ({
    name,
    value: String(value),
  }));
  return {
    compute: {
      azEnvironment: 'AzurePublicCloud',
      location: set.location ?? '',
      name: vm.name,
      offer: String(image.offer ?? ''),
      osProfile: {
        adminUsername: String(os.adminUsername ?? ''),
        computerName: vm.computerName,
        disablePasswordAuthentication: 'true',
      },
      osType: 'Linux',
      provider: 'Microsoft.Compute',
      publisher: String(image.publisher ?? ''),
      resourceGroupName: set.resourceGroup,
      resourceId: `${set.id}/virtualMachines/${vm.instanceId}`,
      sku: String(image.sku ?? ''),
      subscriptionId: set.subscriptionId,
      tags: tags.map((t) => `${t.name}:${t.value}`).join(';'),
      tagsList: tags,
      version: String(image.version ?? ''),
      vmId: vm.vmId,
      vmScaleSetName: set.name,
      vmSize: String(obj(set.body.sku).name ?? ''),
      zone: '',
    },
    network: {
      interface: [
        {
          ipv4: {
            ipAddress: [{ privateIpAddress: vm.privateIpAddress, publicIpAddress: '' }],
            subnet: [{ address: vm.privateIpAddress.replace(/\.\d+$/, '.0'), prefix: '24' }],
          },
          ipv6: { ipAddress: [] },
          macAddress: macOf(vm.vmId),
        },
      ],
    },
  };
}

function bad(identity: boolean, message: string): Answer {
  return identity
    ? { status: 400, body: { error: 'invalid_request', error_description: message } }
    : { status: 400, body: { error: message } };
}

/** A stable MAC address per VM (`000D3A` is Azure's prefix). */
function macOf(vmId: string): string {
  return `000D3A${vmId.replace(/-/g, '').slice(0, 6).toUpperCase()}`;
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
