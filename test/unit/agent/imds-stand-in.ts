// A small IMDS + ARM stand-in on loopback for the agent's unit tests: instance metadata, a
// managed-identity token, scheduled events and one scale set VM's protection/deallocate, with
// every call recorded and refusals (409/429 with Retry-After) queued by the test.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const RESOURCE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachineScaleSets/teampool/virtualMachines/3';
const TOKEN = 'stand-in-token-value';

export interface StandInCall {
  method: string;
  path: string;
  body?: unknown;
}

export class ImdsStandIn {
  readonly calls: StandInCall[] = [];
  protectFromScaleIn = false;
  deallocated = false;
  events: unknown[] = [];
  incarnation = 1;
  approvals: string[] = [];
  /** Answers for the next ARM calls, in order (then 200s again). */
  readonly refusals: Array<{ status: number; retryAfter?: string; code: string }> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** ARM calls only (not IMDS). */
  armCalls(): StandInCall[] {
    return this.calls.filter((c) => c.path.startsWith('/subscriptions/'));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    this.calls.push({ method: req.method ?? '', path: url.pathname, ...(body ? { body } : {}) });
    if (url.pathname.startsWith('/metadata/')) {
      if (req.headers.metadata !== 'true') return { status: 400, body: { error: 'Bad request' } };
      if (url.pathname === '/metadata/instance') {
        return {
          status: 200,
          body: {
            compute: { name: 'teampool_3', resourceId: RESOURCE_ID, vmScaleSetName: 'teampool' },
          },
        };
      }
      if (url.pathname === '/metadata/identity/oauth2/token') {
        return {
          status: 200,
          body: { access_token: TOKEN, expires_on: String(Math.floor(Date.now() / 1000) + 3600) },
        };
      }
      if (url.pathname === '/metadata/scheduledevents') {
        if (req.method === 'POST') {
          for (const r of (body as { StartRequests: Array<{ EventId: string }> }).StartRequests) {
            this.approvals.push(r.EventId);
          }
          return { status: 200 };
        }
        return {
          status: 200,
          body: { DocumentIncarnation: this.incarnation, Events: this.events },
        };
      }
      return { status: 404 };
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return {
        status: 401,
        body: { error: { code: 'InvalidAuthenticationToken', message: 'no' } },
      };
    }
    const refusal = this.refusals.shift();
    if (refusal) {
      return {
        status: refusal.status,
        body: { error: { code: refusal.code, message: `refused with ${refusal.status}` } },
        headers: refusal.retryAfter ? { 'Retry-After': refusal.retryAfter } : {},
      };
    }
    if (url.pathname === RESOURCE_ID) {
      if (req.method === 'PUT') {
        const policy = (
          body as { properties: { protectionPolicy: { protectFromScaleIn: boolean } } }
        ).properties.protectionPolicy;
        this.protectFromScaleIn = policy.protectFromScaleIn;
      }
      return {
        status: 200,
        body: {
          id: RESOURCE_ID,
          properties: { protectionPolicy: { protectFromScaleIn: this.protectFromScaleIn } },
        },
      };
    }
    if (url.pathname === `${RESOURCE_ID}/deallocate` && req.method === 'POST') {
      this.deallocated = true;
      return { status: 202 };
    }
    return { status: 404, body: { error: { code: 'NotFound', message: url.pathname } } };
  }
}
