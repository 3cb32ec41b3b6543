// The agent's own Azure instance, through IMDS (instance metadata, the scale set's managed
// identity token, scheduled events) and ARM (its protection, its deallocation). The token never
// leaves this module: not in logs, not in argv, not in a file.
import type { ScheduledEvent } from '../common/agent-protocol';
import { SCHEDULED_EVENT_TYPES } from '../common/agent-protocol';
import {
  ARM_ENDPOINT_DEFAULT,
  ARM_ENDPOINT_ENV,
  IMDS_API_VERSIONS,
  IMDS_ENDPOINT_DEFAULT,
  IMDS_ENDPOINT_ENV,
} from '../common/agent-protocol/activity';

/** learn.microsoft.com: Virtual Machine Scale Set VMs - Update (protectionPolicy), Deallocate. */
export const COMPUTE_API_VERSION = '2024-11-01';
const IMDS_INSTANCE_API = IMDS_API_VERSIONS.instance;
const IMDS_TOKEN_API = IMDS_API_VERSIONS.identity;
const IMDS_EVENTS_API = IMDS_API_VERSIONS.scheduledEvents;
const ARM_RESOURCE = 'https://management.azure.com/';

export interface AzureEndpoints {
  imds: string;
  arm: string;
}

/**
 * From the environment (DSVM_POOL_IMDS_ENDPOINT, DSVM_POOL_ARM_ENDPOINT), then the first line of
 * /etc/dsvm-pool/imds-endpoint and arm-endpoint (the emulator's VMs have them), then Azure's.
 */
export function azureEndpoints(
  env: Readonly<Record<string, string | undefined>>,
  files: { imds?: string; arm?: string } = {},
): AzureEndpoints {
  const pick = (name: string, file: string | undefined, fallback: string) =>
    (env[name]?.trim() || file?.split('\n')[0]?.trim() || fallback).replace(/\/+$/, '');
  return {
    imds: pick(IMDS_ENDPOINT_ENV, files.imds, IMDS_ENDPOINT_DEFAULT),
    arm: pick(ARM_ENDPOINT_ENV, files.arm, ARM_ENDPOINT_DEFAULT),
  };
}

/** Which instance this is, from IMDS's instance metadata. */
export interface InstanceIds {
  /** `/subscriptions/…/virtualMachineScaleSets/{vmss}/virtualMachines/{instanceId}` */
  resourceId: string;
  name: string;
  vmScaleSetName: string;
  instanceId: string;
}

/** An ARM or IMDS answer that was not a success, with Retry-After when Azure sent one. */
export class AzureCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AzureCallError';
  }
}

/** The Retry-After header (seconds or an HTTP date) in ms; undefined when absent or bad. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** An IMDS scheduled event as the agent keeps it, with the VMs it affects. */
export interface ImdsEvent extends ScheduledEvent {
  resources: string[];
}

/** `GET /metadata/scheduledevents` → the events the agent understands (others are skipped). */
export function parseScheduledEvents(body: unknown): ImdsEvent[] {
  const events = (body as { Events?: unknown })?.Events;
  if (!Array.isArray(events)) return [];
  const out: ImdsEvent[] = [];
  for (const raw of events as Array<Record<string, unknown>>) {
    const type = raw.EventType as (typeof SCHEDULED_EVENT_TYPES)[number];
    if (typeof raw.EventId !== 'string' || !SCHEDULED_EVENT_TYPES.includes(type)) continue;
    const status = raw.EventStatus === 'Started' ? 'Started' : 'Scheduled';
    const notBefore =
      typeof raw.NotBefore === 'string' && raw.NotBefore ? Date.parse(raw.NotBefore) : NaN;
    out.push({
      eventId: raw.EventId,
      eventType: type,
      eventStatus: status,
      ...(Number.isFinite(notBefore) ? { notBefore: new Date(notBefore).toISOString() } : {}),
      ...(typeof raw.Description === 'string' ? { description: raw.Description } : {}),
      ...(typeof raw.EventSource === 'string' ? { eventSource: raw.EventSource } : {}),
      resources: Array.isArray(raw.Resources) ? raw.Resources.map(String) : [],
    });
  }
  return out;
}

export interface AzureInstanceOptions {
  endpoints: AzureEndpoints;
  now?: () => number;
  /** Per call; IMDS answers in milliseconds, ARM in a few seconds. */
  timeoutMs?: number;
}

export class AzureInstanceClient {
  private token: { value: string; expiresAt: number } | undefined;
  private ids: InstanceIds | undefined;
  /** ARM calls made (for the budget and the README's figures). */
  armCalls = 0;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(private readonly options: AzureInstanceOptions) {
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** This instance; undefined when IMDS does not answer (not an Azure VM, or not a scale set's). */
  async instance(): Promise<InstanceIds | undefined> {
    if (this.ids) return this.ids;
    let body: unknown;
    try {
      body = await this.imds(`/metadata/instance?api-version=${IMDS_INSTANCE_API}`, 3000);
    } catch {
      return undefined;
    }
    const compute = (body as { compute?: Record<string, unknown> })?.compute ?? {};
    const resourceId = typeof compute.resourceId === 'string' ? compute.resourceId : '';
    const match = /\/virtualMachineScaleSets\/([^/]+)\/virtualMachines\/([^/]+)$/i.exec(resourceId);
    if (!match) return undefined;
    this.ids = {
      resourceId,
      name: typeof compute.name === 'string' ? compute.name : `${match[1]}_${match[2]}`,
      vmScaleSetName: match[1],
      instanceId: match[2],
    };
    return this.ids;
  }

  /** The scale set's managed-identity token for ARM (cached until 5 min before it expires). */
  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - 5 * 60_000 > this.now()) return this.token.value;
    const body = (await this.imds(
      `/metadata/identity/oauth2/token?api-version=${IMDS_TOKEN_API}&resource=${encodeURIComponent(ARM_RESOURCE)}`,
    )) as { access_token?: unknown; expires_on?: unknown };
    if (typeof body?.access_token !== 'string') {
      throw new AzureCallError('IMDS gave no managed-identity token', 500);
    }
    const expiresOn = Number(body.expires_on);
    this.token = {
      value: body.access_token,
      expiresAt: Number.isFinite(expiresOn) ? expiresOn * 1000 : this.now() + 10 * 60_000,
    };
    return this.token.value;
  }

  /** This VM's scheduled events (IMDS lists the scale set's; only this VM's are kept). */
  async scheduledEvents(): Promise<ImdsEvent[]> {
    const ids = await this.instance();
    const events = parseScheduledEvents(
      await this.imds(`/metadata/scheduledevents?api-version=${IMDS_EVENTS_API}`, 5000),
    );
    return events.filter((e) => !ids || e.resources.length === 0 || e.resources.includes(ids.name));
  }

  /** Approves an event (it may start now): POST StartRequests. */
  async approve(eventId: string): Promise<void> {
    await this.imds(`/metadata/scheduledevents?api-version=${IMDS_EVENTS_API}`, 5000, {
      StartRequests: [{ EventId: eventId }],
    });
  }

  /** Azure's protectFromScaleIn for this instance (one ARM GET). */
  async protection(): Promise<boolean> {
    const vm = await this.arm('GET', '');
    return protectionOf(vm);
  }

  /** Sets protectFromScaleIn (one ARM PUT, as learn.microsoft.com's instance protection shows). */
  async setProtection(protect: boolean): Promise<boolean> {
    const vm = await this.arm('PUT', '', {
      properties: { protectionPolicy: { protectFromScaleIn: protect } },
    });
    return vm === undefined ? protect : protectionOf(vm);
  }

  /** Deallocates this instance (idle stop). */
  async deallocate(): Promise<void> {
    await this.arm('POST', '/deallocate');
  }

  private async arm(method: string, suffix: string, body?: unknown): Promise<unknown> {
    const ids = await this.instance();
    if (!ids) throw new AzureCallError('this VM is not an instance of a scale set', 400);
    const token = await this.accessToken();
    this.armCalls++;
    const url = `${this.options.endpoints.arm}${ids.resourceId}${suffix}?api-version=${COMPUTE_API_VERSION}`;
    const response = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    }).catch((error: unknown) => {
      throw new AzureCallError(`Azure did not answer (${errorWords(error)})`, 0);
    });
    const text = await response.text();
    if (!response.ok) {
      throw new AzureCallError(
        `Azure refused ${method} (${response.status}${armErrorWords(text)})`,
        response.status,
        retryAfterMs(response.headers.get('retry-after'), this.now()),
      );
    }
    return text ? safeJson(text) : undefined;
  }

  private async imds(path: string, timeoutMs = this.timeoutMs, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.options.endpoints.imds}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        Metadata: 'true',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((error: unknown) => {
      throw new AzureCallError(`IMDS did not answer (${errorWords(error)})`, 0);
    });
    const text = await response.text();
    if (!response.ok) {
      throw new AzureCallError(
        `IMDS refused (${response.status}${armErrorWords(text)})`,
        response.status,
        retryAfterMs(response.headers.get('retry-after'), this.now()),
      );
    }
    return text ? safeJson(text) : undefined;
  }
}

function protectionOf(vm: unknown): boolean {
  const policy = (vm as { properties?: { protectionPolicy?: { protectFromScaleIn?: unknown } } })
    ?.properties?.protectionPolicy;
  return policy?.protectFromScaleIn === true;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** ": Code: message" from an ARM error body (`{error:{code,message}}`), short. */
function armErrorWords(text: string): string {
  const error = (safeJson(text) as { error?: { code?: unknown; message?: unknown } })?.error;
  const code = typeof error?.code === 'string' ? error.code : '';
  const message = typeof error?.message === 'string' ? error.message.slice(0, 300) : '';
  return code || message ? `: ${[code, message].filter(Boolean).join(': ')}` : '';
}

function errorWords(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof cause === 'string' ? cause : error instanceof Error ? error.message : String(error);
}
