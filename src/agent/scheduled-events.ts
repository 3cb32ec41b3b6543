// Azure's scheduled events for this VM (IMDS, polled every 15 s): each new one is told once to
// everyone logged in and logged; a Terminate is approved early only when nobody is busy or on.
import type { ActivityEvent, ScheduledEvent } from '../common/agent-protocol';
import type { Logger } from './agent-system';
import type { ActivityState } from './activity-state';
import type { ImdsEvent } from './azure-instance';
import { minutesWords } from './busy';
import { messageOf } from './errors';

const WHAT: Record<ScheduledEvent['eventType'], string> = {
  Terminate: 'will delete this VM',
  Preempt: 'will evict this Spot VM',
  Reboot: 'will restart this VM',
  Redeploy: 'will move this VM to another host (it restarts; its local disk is lost)',
  Freeze: 'will pause this VM for a few seconds',
};

/** The warning everyone logged in reads (wall, tmux). */
export function scheduledEventMessage(event: ScheduledEvent, vm: string, now: number): string {
  const at = event.notBefore ? Date.parse(event.notBefore) : undefined;
  const when =
    at === undefined
      ? 'now'
      : `not before ${event.notBefore!.slice(11, 16)} UTC (in ${minutesWords(at - now)})`;
  const keep =
    event.eventType === 'Freeze'
      ? ''
      : ' Save your work; notebooks on the share (~/notebooks/remote) continue on another VM of the pool.';
  return `dsvm-pool: Azure ${WHAT[event.eventType]} (${vm}) ${when}.${keep}`;
}

export interface ScheduledEventsInput {
  events: readonly ImdsEvent[];
  state: ActivityState;
  vm: string;
  busy: boolean;
  /** SSH sessions on the VM now (all members). */
  sessions: number;
  now: number;
  notify: (text: string) => Promise<void>;
  approve: (eventId: string) => Promise<void>;
  log: Logger;
}

/**
 * Tells each new event once, keeps the list for the heartbeat, and approves a Terminate early
 * only when the VM is idle and nobody is connected (it was going anyway; approving just lets the
 * scale-in finish sooner). Never while busy; other kinds are left to their NotBefore.
 * Returns whether the heartbeat should be written now, and the events to log.
 */
export async function handleScheduledEvents(
  input: ScheduledEventsInput,
): Promise<{ changed: boolean; log: ActivityEvent[] }> {
  const { state } = input;
  const time = new Date(input.now).toISOString();
  const current: ScheduledEvent[] = input.events.map(
    ({ resources: _resources, ...event }) => event,
  );
  const changed = JSON.stringify(current) !== JSON.stringify(state.scheduledEvents);
  state.scheduledEvents = current;
  const log: ActivityEvent[] = [];
  for (const event of current) {
    if (state.announced.includes(event.eventId)) continue;
    state.announced.push(event.eventId);
    log.push({ time, kind: 'scheduled-event', event });
    const text = scheduledEventMessage(event, input.vm, input.now);
    input.log.warn(text);
    await input.notify(text).catch((error: unknown) => {
      input.log.warn(`could not tell everyone about ${event.eventType}: ${messageOf(error)}`);
    });
  }
  for (const event of current) {
    if (event.eventType !== 'Terminate' || event.eventStatus !== 'Scheduled') continue;
    if (input.busy || input.sessions > 0 || state.approved.includes(event.eventId)) continue;
    try {
      await input.approve(event.eventId);
      state.approved.push(event.eventId);
      input.log.info(
        `approved ${event.eventType} ${event.eventId} early: nobody is busy or connected`,
      );
    } catch (error) {
      input.log.warn(`could not approve ${event.eventId}: ${messageOf(error)}`);
    }
  }
  // Remember only events still listed (and a few), so the state stays small.
  const listed = new Set(current.map((e) => e.eventId));
  state.announced = state.announced.filter((id) => listed.has(id)).slice(-50);
  state.approved = state.approved.filter((id) => listed.has(id)).slice(-50);
  return { changed: changed || log.length > 0, log };
}
