// The autoscale engine: Azure Monitor autoscale acting on the emulator's autoscale settings. On
// each evaluation (a timer in real time, or `evaluateNow()` on a test's clock) every enabled
// setting picks its profile in force, reads its rules' metrics, and scales its scale set through
// the compute provider's own PATCH path (scale-in by scaleInPolicy, protected instances kept),
// recording Activity Log events. See README.md ("Autoscale engine") for every rule and its source.
import { randomUUID } from 'node:crypto';
import { autoscaleEvent, type ActivityLog } from './activity-log';
import { systemClock, type AutoscaleClock } from './autoscale-clock';
import {
  MetricStore,
  readTrigger,
  type MetricSeries,
  type MetricTarget,
} from './autoscale-metrics';
import { activeProfile } from './autoscale-profiles';
import { capacityOf, decide, type Decision } from './autoscale-rules';
import type { ComputeProvider } from './compute-provider';
import type { EmulatorContext } from './emulator-context';
import type { StoredResource } from './resource-store';

type Json = Record<string, unknown>;

export interface AutoscaleEngineOptions {
  /** Whose time it is: the system clock (default) or a test's `ManualClock`. */
  clock?: AutoscaleClock;
  /** How often `start()` evaluates, in real milliseconds (default 30 s; Azure runs every 30–60 s). */
  evaluationPeriodMs?: number;
}

/** What one evaluation did with one setting. */
export interface AutoscaleEvaluation {
  /** The autoscale setting's id. */
  settingId: string;
  /** The scale set it targets. */
  targetId: string;
  /** Why nothing was evaluated (disabled, no target, an action still running). */
  skipped?: string;
  /** The profile in force and how it was chosen. */
  profile?: { name: string; kind: 'fixedDate' | 'recurrence' | 'default' };
  decision?: Decision;
  /** The scale action's outcome, when there was one. */
  outcome?: 'Succeeded' | 'Failed';
  error?: string;
}

export class AutoscaleEngine {
  /** The metric series tests set (per resource, or per scale set instance). */
  readonly metrics = new MetricStore();
  readonly clock: AutoscaleClock;
  private readonly periodMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<AutoscaleEvaluation[]>;
  private readonly lastScaleAt = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly compute: ComputeProvider,
    private readonly activityLog: ActivityLog,
    options: AutoscaleEngineOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.periodMs = options.evaluationPeriodMs ?? 30_000;
  }

  /** Evaluates every `periodMs` real milliseconds until `stop()` (an evaluation at a time). */
  start(periodMs = this.periodMs): void {
    this.stop();
    this.timer = setInterval(() => {
      if (!this.running)
        void this.evaluateNow().catch((err) => this.ctx.log(`autoscale: ${String(err)}`));
    }, periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get started(): boolean {
    return this.timer !== undefined;
  }

  /** Sets what a metric reports from now on (replacing what it reported before). */
  setMetric(target: MetricTarget, series: MetricSeries): void {
    this.metrics.set(target, series);
  }

  /** The autoscale events recorded so far, oldest first (the Activity Log API serves them too). */
  events() {
    return this.activityLog.all().filter((e) => e.category.value === 'Autoscale');
  }

  /**
   * One evaluation of every setting, now (on the engine's clock); resolves once the scale
   * actions it started have ended and their events are recorded.
   */
  async evaluateNow(): Promise<AutoscaleEvaluation[]> {
    if (this.running) await this.running.catch(() => {});
    const run = this.evaluateAll();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  /** Stops the timer; actions under way end on their own. */
  dispose(): void {
    this.stop();
  }

  private async evaluateAll(): Promise<AutoscaleEvaluation[]> {
    const settings: StoredResource[] = [];
    for (const sub of this.ctx.store.subscriptions.values()) {
      settings.push(
        ...this.ctx.store.list(
          sub.subscriptionId,
          undefined,
          'Microsoft.Insights/autoscaleSettings',
        ),
      );
    }
    const results = settings.map((s) => this.evaluate(s));
    await Promise.all([...this.inFlight.values()]);
    return results;
  }

  private evaluate(setting: StoredResource): AutoscaleEvaluation {
    const props = obj(setting.body.properties);
    const targetId = String(props.targetResourceUri ?? '');
    const result: AutoscaleEvaluation = { settingId: setting.id, targetId };
    const handle = this.compute.handle(targetId);
    if (props.enabled !== true) return { ...result, skipped: 'the setting is disabled' };
    if (!handle) return { ...result, skipped: 'its target is not a scale set the emulator has' };
    if (this.inFlight.has(setting.id)) {
      return { ...result, skipped: 'its last scale action is still in progress' };
    }
    const now = this.clock.now();
    const active = activeProfile(Array.isArray(props.profiles) ? props.profiles : [], now);
    if (!active) return { ...result, skipped: 'no profile applies' };
    result.profile = { name: String(active.profile.name ?? ''), kind: active.kind };
    const live = handle.set.live();
    const current = live.length;
    const instances = live.map((vm) => ({
      instanceId: vm.instanceId,
      running: vm.powerState === 'running',
    }));
    const decision = decide({
      profile: active.profile,
      current,
      now,
      lastScaleAt: this.lastScaleAt.get(setting.id.toLowerCase()),
      read: (trigger) => {
        const own =
          String(trigger.metricResourceUri ?? targetId)
            .replace(/\/+$/, '')
            .toLowerCase() === handle.resource.id.toLowerCase();
        return readTrigger(
          this.metrics,
          { ...trigger, metricResourceUri: trigger.metricResourceUri ?? targetId },
          now,
          own ? { instances } : undefined,
          current,
        );
      },
    });
    result.decision = decision;
    if (decision.kind === 'scale')
      this.act(setting, handle.resource, active.profile, decision, now, result);
    return result;
  }

  /** Scales through the compute provider's PATCH, with Started then Succeeded/Failed events. */
  private act(
    setting: StoredResource,
    scaleSet: StoredResource,
    profile: Json,
    decision: Extract<Decision, { kind: 'scale' }>,
    now: number,
    result: AutoscaleEvaluation,
  ): void {
    const operationId = randomUUID();
    const direction = decision.target > decision.current ? 'Increase' : 'Decrease';
    this.lastScaleAt.set(setting.id.toLowerCase(), now);
    const base = {
      subscriptionId: setting.subscriptionId,
      tenantId: this.ctx.store.subscriptions.get(setting.subscriptionId.toLowerCase())?.tenantId,
      resourceGroup: setting.resourceGroup,
      settingId: setting.id,
      operationId,
      direction,
      description: `The autoscale engine attempting to scale resource '${scaleSet.id}' from ${decision.current} instances count to ${decision.target} instances count.`,
    } as const;
    const properties = (extra: Record<string, string> = {}): Record<string, string> => ({
      Description: base.description,
      ResourceName: scaleSet.id,
      OldInstancesCount: String(decision.current),
      NewInstancesCount: String(decision.target),
      ActiveAutoscaleProfile: JSON.stringify(profileForEvent(profile)),
      LastScaleActionTime: new Date(now).toUTCString(),
      // The emulator's own additions (Azure's events do not carry them): why it scaled.
      ScaleReason: decision.reason,
      ScaleReasonText: decision.why,
      ...(decision.rules.length ? { FiredRules: JSON.stringify(decision.rules) } : {}),
      ...extra,
    });
    this.activityLog.add(
      autoscaleEvent({ ...base, status: 'Started', at: now, properties: properties() }),
    );
    const fault = this.ctx.faults.takeOperationFault('PATCH', scaleSet.id);
    const done = (async () => {
      try {
        await this.compute.patch(scaleSet, { sku: { capacity: decision.target } }, fault).done;
        result.outcome = 'Succeeded';
        this.record(base, 'Succeeded', properties());
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const code = (err as { code?: string }).code;
        result.outcome = 'Failed';
        result.error = message;
        this.record(base, 'Failed', properties({ Error: code ? `${code}: ${message}` : message }));
      } finally {
        this.inFlight.delete(setting.id);
      }
    })();
    this.inFlight.set(setting.id, done);
  }

  private record(
    base: Omit<Parameters<typeof autoscaleEvent>[0], 'status' | 'at' | 'properties'>,
    status: 'Succeeded' | 'Failed',
    properties: Record<string, string>,
  ): void {
    if (this.ctx.scheduler.isClosed) return; // the emulator closed meanwhile
    this.activityLog.add(autoscaleEvent({ ...base, status, at: this.clock.now(), properties }));
  }
}

/** The profile as Azure's events name it (`ActiveAutoscaleProfile`: PascalCase keys). */
function profileForEvent(profile: Json): Json {
  const cap = capacityOf(profile);
  const rules = (Array.isArray(profile.rules) ? profile.rules : []).map((r) => {
    const t = obj(obj(r).metricTrigger);
    const a = obj(obj(r).scaleAction);
    return {
      MetricTrigger: {
        Name: t.metricName,
        Namespace: t.metricNamespace ?? '',
        Resource: t.metricResourceUri,
        TimeGrain: t.timeGrain,
        Statistic: t.statistic,
        TimeWindow: t.timeWindow,
        TimeAggregation: t.timeAggregation,
        Operator: t.operator,
        Threshold: t.threshold,
        Dimensions: t.dimensions ?? [],
        DividePerInstance: t.dividePerInstance ?? false,
      },
      ScaleAction: { Direction: a.direction, Type: a.type, Value: a.value, Cooldown: a.cooldown },
    };
  });
  return {
    Name: profile.name,
    Capacity: {
      Minimum: String(cap.minimum),
      Maximum: String(cap.maximum),
      Default: String(cap.default),
    },
    Rules: rules,
  };
}

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
