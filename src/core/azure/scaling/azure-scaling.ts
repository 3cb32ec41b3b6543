// Reads what "why did / didn't the pool scale" needs from Azure and the pool's share — the
// autoscale setting, its Activity Log events of the window, the agents' `.pool/events/*.jsonl` —
// and puts the timeline and the "now" line together (scaling-timeline.ts, scaling-now.ts).
// A part that cannot be read becomes a problem in words; the rest is still shown.
import {
  ActivityEventSchema,
  SHARE_LAYOUT,
  type ActivityEvent,
} from '../../../common/agent-protocol';
import { RpcError } from '../../../common/errors';
import type { InstanceInfo } from '../../../common/models';
import type { ScalingHistory } from '../../../common/scaling-models';
import type { ShareFiles } from '../../storage/share-files';
import { type AzureClients, type AzurePoolRef, translateAzureError } from '../arm/index';
import { AzureAutoscale } from '../autoscale/index';
import { type ActivityLogEntry, scaleActions } from './autoscale-actions';
import { scalingAz } from './scaling-az';
import { scalingNow } from './scaling-now';
import { buildTimeline } from './scaling-timeline';

export interface ScalingReadInput {
  poolId: string;
  hours: number;
  /** The pool's instances as the app knows them (with Azure's facts and the agents' activity). */
  instances: readonly InstanceInfo[];
  /** The pool's share, or why it cannot be opened. */
  share: { files: ShareFiles; account: string; share: string } | { problem: string };
  now?: number;
  /** IANA zone for the times in sentences (default: this computer's). */
  timeZone?: string;
}

/** Lines of one VM's event log kept at most (the agent rotates the file; this bounds a read). */
const MAX_EVENT_LINES = 5_000;

export class AzureScaling {
  constructor(
    private readonly clients: AzureClients,
    private readonly pool: AzurePoolRef,
  ) {}

  async history(input: ScalingReadInput): Promise<ScalingHistory> {
    const now = input.now ?? Date.now();
    const from = now - input.hours * 3600_000;
    const problems: string[] = [];
    const formatTime = timeFormatter(now, input.timeZone);

    const stored = await new AzureAutoscale(this.clients, this.pool)
      .find()
      .catch((err: unknown) => {
        problems.push(
          translateAzureError(err, {
            action: `read the autoscale setting of pool ${this.pool.poolName}`,
            scope: `resource group ${this.pool.resourceGroup}`,
          }).message,
        );
        return undefined;
      });
    const settingId = stored?.raw.id;
    const entries: ActivityLogEntry[] = [];
    if (settingId) {
      const filter = `eventTimestamp ge '${new Date(from).toISOString()}' and eventTimestamp le '${new Date(now).toISOString()}' and resourceUri eq '${settingId}'`;
      try {
        for await (const e of this.clients.monitor.activityLogs.list(filter)) entries.push(e);
      } catch (err) {
        problems.push(
          translateAzureError(err, {
            action: `read the Activity Log of ${stored.name}`,
            scope: `subscription ${this.pool.subscriptionId}`,
          }).message,
        );
      }
    }
    const actions = scaleActions(entries);

    const agentEvents = new Map<string, ActivityEvent[]>();
    const files: string[] = [];
    if ('problem' in input.share) {
      problems.push(`The agents' activity events could not be read: ${input.share.problem}`);
    } else {
      try {
        for (const entry of await input.share.files.list(SHARE_LAYOUT.eventsDir)) {
          if (entry.isDirectory || !entry.name.endsWith('.jsonl')) continue;
          const path = `${SHARE_LAYOUT.eventsDir}/${entry.name}`;
          const text = await input.share.files.read(path);
          if (text === undefined) continue;
          files.push(path);
          agentEvents.set(entry.name.slice(0, -'.jsonl'.length), parseEventLines(text));
        }
      } catch (err) {
        problems.push(
          `The agents' activity events on ${input.share.files.label} could not be read: ${RpcError.from(err).message}`,
        );
      }
    }

    const capacity = input.instances.length;
    const running = input.instances.filter((i) => i.state === 'running');
    const sessionsNow = running.reduce(
      (sum, i) => sum + Object.values(i.sessions).reduce((a, b) => a + b, 0),
      0,
    );
    const { series, markers } = buildTimeline({
      from,
      to: now,
      capacity,
      sessionsNow,
      actions,
      agentEvents,
      running: new Set(running.map((i) => i.name)),
      formatTime,
    });
    const nowLine = scalingNow({
      now,
      capacity,
      setting: stored ? obj(stored.raw.properties) : undefined,
      instances: input.instances,
      actions,
      formatTime,
    });
    return {
      poolId: input.poolId,
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      series,
      markers,
      now: nowLine,
      az: scalingAz({
        pool: this.pool,
        hours: input.hours,
        ...(stored && settingId
          ? { setting: { id: settingId, resourceGroup: stored.resourceGroup, name: stored.name } }
          : {}),
        ...('problem' in input.share
          ? {}
          : { share: { account: input.share.account, share: input.share.share, files } }),
      }),
      problems,
    };
  }
}

/** The lines of a `.jsonl` event log that parse; a torn or unknown line is skipped. */
export function parseEventLines(text: string): ActivityEvent[] {
  const events: ActivityEvent[] = [];
  for (const line of text.split('\n').slice(-MAX_EVENT_LINES)) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = ActivityEventSchema.safeParse(json);
    if (parsed.success) events.push(parsed.data);
  }
  return events;
}

/** "10:42" today, "Tue 10:42" another day, in the given zone (default: this computer's). */
export function timeFormatter(now: number, timeZone?: string): (ms: number) => string {
  const zone = timeZone ? { timeZone } : {};
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', ...zone });
  const day = new Intl.DateTimeFormat('en-GB', { weekday: 'short', ...zone });
  const date = new Intl.DateTimeFormat('en-CA', { ...zone });
  const today = date.format(now);
  return (ms) =>
    date.format(ms) === today ? time.format(ms) : `${day.format(ms)} ${time.format(ms)}`;
}

function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
