// `watch`: the agent's long-running part (its own systemd service). Every minute it decides busy
// or idle, keeps the instance's scale-in protection in line, runs idle stop; every 15 s it polls
// Azure's scheduled events. Flips and warnings go to the events log and a heartbeat at once.
import type {
  ActivityEvent,
  ActivityPolicy,
  AgentActivity,
  AgentConfig,
  ProtectionState,
} from '../common/agent-protocol';
import type { AgentSystem, PasswdEntry } from './agent-system';
import { activityEventsPath } from '../common/agent-protocol';
import { appendActivityEvents } from './activity-events';
import { loadActivityPolicy } from './activity-policy';
import type { ActivityState } from './activity-state';
import { loadActivityState, saveActivityState } from './activity-state';
import type { ImdsEvent, InstanceIds } from './azure-instance';
import { decideBusy, reasonsLine } from './busy';
import {
  keepObservations,
  kernelObservations,
  terminalInputByUid,
  terminalObservations,
} from './busy-signals';
import { messageOf } from './errors';
import { jupyterKernels } from './jupyter';
import { notifyEveryone } from './notify';
import type { ProtectionApi } from './protection';
import { protectionState, reconcileProtection } from './protection';
import { handleScheduledEvents } from './scheduled-events';
import {
  listProcesses,
  mergeSessions,
  sshSessionsFromProcesses,
  sshSessionsFromUtmp,
} from './sessions';
import { emptyState, loadState } from './state';
import { collectStatus, writeHeartbeat } from './status';
import { lookupUsers } from './user-db';

/** The Azure side the watch needs (AzureInstanceClient, or a stand-in). */
export interface AzureApi extends ProtectionApi {
  instance(): Promise<InstanceIds | undefined>;
  scheduledEvents(): Promise<ImdsEvent[]>;
  approve(eventId: string): Promise<void>;
  deallocate(): Promise<void>;
}

/** Between the idle-stop warning and the deallocation. */
export const IDLE_STOP_GRACE_MS = 5 * 60_000;
export const CYCLE_MS = 60_000;
export const EVENTS_POLL_MS = 15_000;
/** The jitter before a flip's ARM call. */
export const JITTER_MAX_MS = 30_000;

export interface WatchOptions {
  system: AgentSystem;
  config: AgentConfig;
  computerName: string;
  /** undefined: no IMDS here (protection null, no idle stop, no scheduled events). */
  azure: AzureApi | undefined;
  /** Waits before a flip's ARM call; by default 0–30 s at random. */
  jitter?: () => Promise<void>;
  budgetPerHour?: number;
  /**
   * Test knob (DSVM_POOL_AGENT_TEST_IDLE_MINUTE_MS): how long one minute of the idle window lasts,
   * so a test sees a 5-minute window pass in seconds. Default 60 000; the words stay in minutes.
   */
  idleMinuteMs?: number;
}

export class ActivityWatch {
  private state: ActivityState | undefined;
  private policyNote: string | undefined = '';
  private readonly startedAt: number;
  private instance: InstanceIds | undefined;
  /** ms: no IMDS probe before this (it did not answer). */
  private nextProbe = 0;
  private idleStopNoted = false;
  /** The members' passwd entries as the last cycle found them (for warnings). */
  private present: PasswdEntry[] = [];
  private lastSessions = 0;
  private busy = false;
  /** Whether a cycle decided busy or idle yet (before that, nothing is approved early). */
  private decided = false;

  constructor(private readonly options: WatchOptions) {
    this.startedAt = options.system.now().getTime();
  }

  private get idleMinuteMs(): number {
    return this.options.idleMinuteMs ?? 60_000;
  }

  private get log() {
    return this.options.system.log;
  }

  private async loaded(): Promise<ActivityState> {
    this.state ??= await loadActivityState(this.options.system);
    return this.state;
  }

  /**
   * This instance, asked of IMDS until it answers once; after no answer (not an Azure VM: an
   * SSH host), asked again only every 10 minutes, not at each 15 s poll.
   */
  private async azureInstance(): Promise<InstanceIds | undefined> {
    const now = this.options.system.now().getTime();
    if (this.instance || !this.options.azure || now < this.nextProbe) return this.instance;
    this.instance = await this.options.azure.instance();
    if (!this.instance) this.nextProbe = now + 10 * 60_000;
    return this.instance;
  }

  /** One decision cycle; returns the heartbeat's activity. */
  async cycle(): Promise<AgentActivity> {
    const { system, config } = this.options;
    const state = await this.loaded();
    const now = () => system.now().getTime();
    const time = () => new Date(now()).toISOString();
    const { policy, note } = await loadActivityPolicy(system, config);
    if (note !== this.policyNote) {
      if (note) this.log.warn(note);
      else
        this.log.info(
          `activity policy: idle after ${policy.idleMinutes} min, idle stop ${policy.idleStop ? 'on' : 'off'}`,
        );
      this.policyNote = note;
    }

    // What everyone is doing.
    const processes = await listProcesses(system);
    const [utmp, kernels, inputByUid, agentState] = await Promise.all([
      sshSessionsFromUtmp(system),
      jupyterKernels(system, processes),
      terminalInputByUid(system),
      loadState(system).catch(() => emptyState()),
    ]);
    const sessions = mergeSessions(sshSessionsFromProcesses(processes), utmp);
    const names = [
      ...Object.keys(agentState.managedUsers),
      config.adminUser,
      ...Object.keys(sessions),
    ];
    const users = await lookupUsers(system, [...names, ...inputByUid.keys()]).catch(
      (error: unknown) => {
        this.log.warn(`could not look users up: ${messageOf(error)}`);
        return { byName: new Map<string, PasswdEntry>(), byUid: new Map<number, PasswdEntry>() };
      },
    );
    const members = [...users.byName.values()].filter((u) => u.uid !== 0);
    const { keeps, problems } = await keepObservations(system, members, now());
    for (const problem of problems) this.log.warn(problem);
    const decision = decideBusy({
      now: now(),
      idleMinutes: (policy.idleMinutes * this.idleMinuteMs) / 60_000,
      terminals: terminalObservations(inputByUid, sessions, users.byUid),
      kernels: kernelObservations(kernels),
      keeps,
      busySince: new Map(Object.entries(state.busySince)),
    });
    state.busySince = Object.fromEntries(decision.busySince);
    if (decision.lastActivity !== undefined) {
      state.lastActivity = Math.max(state.lastActivity ?? 0, decision.lastActivity);
    }
    this.present = members.filter(
      (u) => (sessions[u.name] ?? 0) > 0 || inputByUid.has(u.uid) || kernels.has(u.name),
    );

    const events: ActivityEvent[] = [];
    let urgent = false;
    if (decision.busy !== state.busy) {
      urgent = true;
      if (decision.busy) {
        events.push({ time: time(), kind: 'busy', reasons: decision.reasons });
        delete state.idleSince;
      } else {
        events.push({ time: time(), kind: 'idle' });
        state.idleSince = now();
      }
      this.log.info(decision.busy ? `busy: ${reasonsLine(decision.reasons)}` : 'idle');
      state.busy = decision.busy;
    }
    const total = Object.values(sessions).reduce((a, b) => a + b, 0);
    if (total !== state.sessions) {
      events.push({ time: time(), kind: 'sessions', sessions: total });
      state.sessions = total;
    }
    this.lastSessions = total;
    this.busy = decision.busy;
    this.decided = true;

    const instance = await this.azureInstance();
    const azure = instance ? this.options.azure : undefined;
    let protection: ProtectionState | null = null;
    if (azure) {
      const before = JSON.stringify(protectionState(state));
      const result = await reconcileProtection({
        busy: decision.busy,
        reasons: reasonsLine(decision.reasons),
        idleMinutes: policy.idleMinutes,
        now,
        state,
        api: azure,
        log: this.log,
        jitter: this.options.jitter ?? randomJitter,
        ...(this.options.budgetPerHour !== undefined
          ? { budgetPerHour: this.options.budgetPerHour }
          : {}),
      });
      protection = result.protection;
      events.push(...result.events);
      if (JSON.stringify(protection) !== before) urgent = true;
    }

    urgent = (await this.idleStop(state, policy, decision.busy, events, azure)) || urgent;

    const activity: AgentActivity = {
      busy: decision.busy,
      reasons: decision.reasons,
      idleSince: decision.busy
        ? null
        : new Date(state.idleSince ?? state.lastActivity ?? this.startedAt).toISOString(),
      idleMinutes: policy.idleMinutes,
      protection,
      idleStopAt: state.idleStopAt === null ? null : new Date(state.idleStopAt).toISOString(),
      scheduledEvents: instance ? state.scheduledEvents : [],
    };
    await this.commit(activity, events, urgent);
    return activity;
  }

  /** Idle stop (policy idleStop): warn, wait the grace, deallocate; activity or a keep cancels. */
  private async idleStop(
    state: ActivityState,
    policy: ActivityPolicy,
    busy: boolean,
    events: ActivityEvent[],
    azure: AzureApi | undefined,
  ): Promise<boolean> {
    const now = this.options.system.now().getTime();
    if (!policy.idleStop || busy) {
      if (state.idleStopAt !== null) {
        this.log.info(busy ? 'idle stop cancelled: the VM is busy again' : 'idle stop is off');
        state.idleStopAt = null;
        return true;
      }
      return false;
    }
    if (!azure) {
      if (!this.idleStopNoted) {
        this.log.warn(
          'idle stop is on, but this machine is not an Azure scale set instance; it stays on',
        );
        this.idleStopNoted = true;
      }
      return false;
    }
    const quietSince = Math.max(state.lastActivity ?? 0, this.startedAt);
    if (state.idleStopAt === null) {
      if (now - quietSince < policy.idleMinutes * this.idleMinuteMs) return false;
      state.idleStopAt = now + IDLE_STOP_GRACE_MS;
      const at = new Date(state.idleStopAt).toISOString();
      events.push({ time: new Date(now).toISOString(), kind: 'idle-stop', at });
      await this.tell(
        `dsvm-pool: this VM has been idle for ${policy.idleMinutes} min and stops (deallocates) at ${at.slice(11, 16)} UTC. ` +
          'Type anything, or run `dsvm-pool-agent keep 1h`, to keep it.',
      );
      return true;
    }
    if (now < state.idleStopAt) return false;
    this.log.info('idle stop: deallocating this VM');
    // One call per grace at most, whatever happens: Azure takes a while to stop the VM, and a
    // refused call is tried again later without warning everyone again.
    state.idleStopAt = now + IDLE_STOP_GRACE_MS;
    state.armCalls.push(now);
    try {
      await azure.deallocate();
    } catch (error) {
      this.log.error(`idle stop: could not deallocate: ${messageOf(error)}`);
    }
    return false;
  }

  /** Polls IMDS scheduled events once; a new event is told and written to the heartbeat now. */
  async pollScheduledEvents(): Promise<void> {
    const instance = await this.azureInstance();
    const azure = this.options.azure;
    if (!instance || !azure) return;
    const state = await this.loaded();
    let listed: ImdsEvent[];
    try {
      listed = await azure.scheduledEvents();
    } catch (error) {
      this.log.warn(`scheduled events: ${messageOf(error)}`);
      return;
    }
    const result = await handleScheduledEvents({
      events: listed,
      state,
      vm: this.options.computerName,
      // Until a cycle has looked, assume someone is busy: never approve early blind.
      busy: this.busy || !this.decided,
      sessions: this.lastSessions,
      now: this.options.system.now().getTime(),
      notify: (text) => this.tell(text, false),
      approve: (id) => azure.approve(id),
      log: this.log,
    });
    if (!result.changed) return;
    // No cycle yet in this state: make one, so the heartbeat written now is whole.
    const base = state.activity ?? (await this.cycle());
    await this.commit({ ...base, scheduledEvents: state.scheduledEvents }, result.log, true);
  }

  /** The heartbeat's activity as last saved (a cycle's, with the latest scheduled events). */
  async current(): Promise<AgentActivity | undefined> {
    return (await this.loaded()).activity;
  }

  private async tell(text: string, log = true): Promise<void> {
    if (log) this.log.warn(text);
    await notifyEveryone(this.options.system, text, this.present);
  }

  /** Saves the state, logs the events, and writes the heartbeat now when something flipped. */
  private async commit(
    activity: AgentActivity,
    events: ActivityEvent[],
    urgent: boolean,
  ): Promise<void> {
    const { system, config, computerName } = this.options;
    const state = await this.loaded();
    state.activity = activity;
    state.updatedAt = system.now().getTime();
    await saveActivityState(system, state);
    try {
      await appendActivityEvents(system, config, computerName, events);
    } catch (error) {
      this.log.warn(`could not log to ${activityEventsPath(computerName)}: ${messageOf(error)}`);
    }
    if (!urgent) return;
    try {
      const heartbeat = await collectStatus(system, {
        config,
        state: await loadState(system).catch(() => emptyState()),
        computerName,
      });
      await writeHeartbeat(system, config, heartbeat);
    } catch (error) {
      this.log.warn(`could not write the heartbeat: ${messageOf(error)}`);
    }
  }
}

function randomJitter(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * JITTER_MAX_MS));
}
