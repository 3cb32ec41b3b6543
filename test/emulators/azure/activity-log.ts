// The subscription's Activity Log (what `MonitorClient.activityLogs.list` reads): events the
// emulator records (the autoscale engine's scale actions), served as EventData pages under the
// restricted `$filter` grammar of the REST reference, newest first.
import { randomUUID } from 'node:crypto';
import { ArmError } from './arm-error';
import type { ArmRequest, ArmResponse, ArmRouter } from './arm-router';
import { queryParam } from './arm-router';

type Json = Record<string, unknown>;

/** One event as ActivityLogs_List returns it (EventData of the 2015-04-01 REST spec). */
export interface ActivityEvent {
  caller?: string;
  channels?: string;
  claims?: Record<string, string>;
  correlationId: string;
  description: string;
  eventDataId: string;
  eventName: { value: string; localizedValue: string };
  category: { value: string; localizedValue: string };
  id: string;
  level: 'Critical' | 'Error' | 'Warning' | 'Informational' | 'Verbose';
  resourceGroupName: string;
  resourceProviderName: { value: string; localizedValue: string };
  resourceId: string;
  resourceType: { value: string; localizedValue: string };
  operationId: string;
  operationName: { value: string; localizedValue: string };
  /** Dictionary<string, string>: every value a string. */
  properties: Record<string, string>;
  status: { value: string; localizedValue: string };
  subStatus: { value: string | null; localizedValue?: string };
  eventTimestamp: string;
  submissionTimestamp: string;
  subscriptionId: string;
  tenantId?: string;
}

/** The parsed `$filter`: a time range and at most one of the documented scopes. */
export interface ActivityFilter {
  from: number;
  to?: number;
  resourceGroupName?: string;
  resourceUri?: string;
  resourceProvider?: string;
  correlationId?: string;
}

const SCOPES = ['resourceGroupName', 'resourceUri', 'resourceProvider', 'correlationId'] as const;

function badFilter(detail: string): ArmError {
  return ArmError.badRequest(
    'BadRequest',
    `The $filter is not valid: ${detail}. Use eventTimestamp ge '<start>' [and eventTimestamp le '<end>'] [and one of resourceGroupName, resourceUri, resourceProvider or correlationId eq '<value>'].`,
    '$filter',
  );
}

/**
 * Parses the only patterns the REST reference allows: `eventTimestamp ge '…'` (required), an
 * optional `eventTimestamp le '…'`, and at most one `resourceGroupName | resourceUri |
 * resourceProvider | correlationId eq '…'`, joined by `and`. Anything else is a 400.
 */
export function parseActivityFilter(text: string | undefined): ActivityFilter {
  if (!text || !text.trim()) throw badFilter('it is required and needs at least the start time');
  const clauses = text.split(/\s+and\s+/i);
  const filter: Partial<ActivityFilter> = {};
  let scopes = 0;
  for (const clause of clauses) {
    const m = /^\s*(\w+)\s+(ge|le|eq)\s+'([^']*)'\s*$/i.exec(clause);
    if (!m) throw badFilter(`"${clause.trim()}" is not a supported condition`);
    const [, field, op, value] = m;
    const name = field.toLowerCase();
    const opLower = op.toLowerCase();
    if (name === 'eventtimestamp' && opLower !== 'eq') {
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) throw badFilter(`'${value}' is not a date and time`);
      const key = opLower === 'ge' ? 'from' : 'to';
      if (filter[key] !== undefined) throw badFilter(`eventTimestamp ${opLower} is given twice`);
      filter[key] = ms;
      continue;
    }
    const scope = SCOPES.find((s) => s.toLowerCase() === name);
    if (!scope || opLower !== 'eq') throw badFilter(`"${field} ${op}" is not supported`);
    if (++scopes > 1)
      throw badFilter(
        'only one of resourceGroupName, resourceUri, resourceProvider or correlationId may be given',
      );
    filter[scope] = value;
  }
  if (filter.from === undefined) throw badFilter("it needs eventTimestamp ge '<start>'");
  return filter as ActivityFilter;
}

function matches(event: ActivityEvent, f: ActivityFilter): boolean {
  const at = Date.parse(event.eventTimestamp);
  const same = (a: string, b: string) =>
    a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
  if (at < f.from || (f.to !== undefined && at > f.to)) return false;
  if (f.resourceGroupName !== undefined && !same(event.resourceGroupName, f.resourceGroupName))
    return false;
  if (f.resourceUri !== undefined && !same(event.resourceId, f.resourceUri)) return false;
  if (
    f.resourceProvider !== undefined &&
    !same(event.resourceProviderName.value, f.resourceProvider)
  )
    return false;
  if (f.correlationId !== undefined && !same(event.correlationId, f.correlationId)) return false;
  return true;
}

/** Every event of the emulator's subscriptions, as recorded. */
export class ActivityLog {
  private readonly events: ActivityEvent[] = [];

  constructor(private readonly pageSize = 100) {}

  add(event: ActivityEvent): void {
    this.events.push(event);
  }

  /** The events, oldest first (for tests). */
  all(): readonly ActivityEvent[] {
    return this.events;
  }

  /** What the REST API answers: matching events of the subscription, newest first. */
  list(subscriptionId: string, filter: ActivityFilter): ActivityEvent[] {
    // Newest first; of two at the same instant, the one recorded later comes first.
    return this.events
      .map((e, i) => ({ e, i, at: Date.parse(e.eventTimestamp) }))
      .filter(({ e }) => e.subscriptionId.toLowerCase() === subscriptionId.toLowerCase())
      .filter(({ e }) => matches(e, filter))
      .sort((a, b) => b.at - a.at || b.i - a.i)
      .map(({ e }) => e);
  }

  registerRoutes(router: ArmRouter): void {
    router.add(
      'GET',
      '/subscriptions/{subscriptionId}/providers/Microsoft.Insights/eventtypes/management/values',
      (req) => this.answer(req),
    );
  }

  private answer(req: ArmRequest): ArmResponse {
    const filter = parseActivityFilter(queryParam(req.query, '$filter'));
    const events = this.list(req.params.subscriptionId, filter);
    const skip = Number(queryParam(req.query, '$skiptoken') ?? 0) || 0;
    const select = (queryParam(req.query, '$select') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const page = events.slice(skip, skip + this.pageSize).map((e) => selected(e, select));
    const body: Json = { value: page };
    if (skip + this.pageSize < events.length) {
      const next = new URLSearchParams(req.query);
      for (const k of [...next.keys()]) if (k.toLowerCase() === '$skiptoken') next.delete(k);
      next.set('$skiptoken', String(skip + this.pageSize));
      body.nextLink = `${req.origin}${req.path}?${next.toString()}`;
    }
    return { status: 200, body };
  }
}

/** `$select`: only the named properties (case-insensitive), as the REST reference describes. */
function selected(event: ActivityEvent, select: string[]): Json {
  if (select.length === 0) return { ...event };
  const wanted = new Set(select.map((s) => s.toLowerCase()));
  return Object.fromEntries(Object.entries(event).filter(([k]) => wanted.has(k.toLowerCase())));
}

/** .NET ticks of an instant: the `ticks` segment of an event id. */
function ticks(ms: number): string {
  return (BigInt(ms) * 10_000n + 621_355_968_000_000_000n).toString();
}

function localizable(value: string): { value: string; localizedValue: string } {
  return { value, localizedValue: value };
}

export interface AutoscaleEventInput {
  subscriptionId: string;
  tenantId?: string;
  resourceGroup: string;
  /** The autoscale setting's id. */
  settingId: string;
  operationId: string;
  direction: 'Increase' | 'Decrease';
  status: 'Started' | 'Succeeded' | 'Failed';
  at: number;
  description: string;
  properties: Record<string, string>;
}

/**
 * An autoscale action event as the Activity Log schema's "Autoscale category" sample shows it:
 * caller and claims of the autoscale engine, operation Microsoft.Insights/AutoscaleSettings/
 * Scaleup|Scaledown/Action, the setting as the resource, Started then Succeeded or Failed.
 */
export function autoscaleEvent(input: AutoscaleEventInput): ActivityEvent {
  const eventDataId = randomUUID();
  const settingId = input.settingId.replace(
    /\/providers\/Microsoft\.Insights\/autoscaleSettings\//i,
    '/providers/microsoft.insights/autoscalesettings/',
  );
  const when = new Date(input.at).toISOString();
  const action = input.direction === 'Increase' ? 'Scaleup' : 'Scaledown';
  return {
    caller: 'Microsoft.Insights/autoscaleSettings',
    channels: 'Admin, Operation',
    claims: {
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/spn':
        'Microsoft.Insights/autoscaleSettings',
    },
    correlationId: input.operationId,
    description: input.description,
    eventDataId,
    eventName: localizable('AutoscaleAction'),
    category: localizable('Autoscale'),
    id: `${settingId}/events/${eventDataId}/ticks/${ticks(input.at)}`,
    level: input.status === 'Failed' ? 'Error' : 'Informational',
    resourceGroupName: input.resourceGroup,
    resourceProviderName: localizable('microsoft.insights'),
    resourceId: settingId,
    resourceType: localizable('microsoft.insights/autoscalesettings'),
    operationId: input.operationId,
    operationName: localizable(`Microsoft.Insights/AutoscaleSettings/${action}/Action`),
    properties: input.properties,
    status: localizable(input.status),
    subStatus: { value: null },
    eventTimestamp: when,
    submissionTimestamp: when,
    subscriptionId: input.subscriptionId,
    ...(input.tenantId ? { tenantId: input.tenantId } : {}),
  };
}
