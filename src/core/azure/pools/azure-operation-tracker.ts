// Long Azure operations (deploy, scale, start…) as observable records: the UI can show their
// progress and `az` equivalent, leave them running, and see how they ended.
import { randomUUID } from 'node:crypto';
import { ErrorCode, RpcError } from '../../../common/errors';
import { Emitter, type Disposable, type Event } from '../../../common/event';
import type { AzCommand } from '../az/index';

export type OperationStatus = 'running' | 'succeeded' | 'failed';

/** Which pool an operation acts on. */
export interface OperationPoolRef {
  subscriptionId: string;
  resourceGroup: string;
  poolName: string;
}

/** One resource of a template deployment, as its deployment operation reports it. */
export interface DeploymentResourceProgress {
  /** e.g. `Microsoft.Network/loadBalancers`. */
  type: string;
  name: string;
  /** ARM's provisioningState of the deployment operation: Running, Succeeded, Failed, … */
  provisioningState: string;
  /** ARM's error code and message when it failed. */
  error?: { code?: string; message?: string };
}

export interface OperationProgressLine {
  at: number;
  text: string;
}

export interface OperationInfo {
  id: string;
  /** e.g. "Scale team to 3 instances". */
  title: string;
  status: OperationStatus;
  startedAt: number;
  endedAt?: number;
  /** The latest lines (at most 200), oldest first. */
  progress: OperationProgressLine[];
  /** The `az` commands that do the same, in order. */
  az: AzCommand[];
  pool?: OperationPoolRef;
  /** A template deployment's resources and their states (create pool). */
  resources?: DeploymentResourceProgress[];
  /** Overall deployment status as ARM reports it (Running, Succeeded, Failed, …). */
  deploymentStatus?: string;
  error?: { code: ErrorCode; message: string };
}

export interface OperationHandle {
  readonly id: string;
  progress(text: string): void;
  setResources(resources: DeploymentResourceProgress[], deploymentStatus?: string): void;
  setAz(az: AzCommand[]): void;
}

/** An operation started: its record now, and its outcome later. */
export interface TrackedOperation<T> {
  /** A snapshot taken when it started (status `running`). */
  readonly operation: OperationInfo;
  /**
   * Settles when it ends; rejects with an RpcError. Callers that only show the operation may
   * ignore it: a rejection nobody awaits is not reported as unhandled.
   */
  readonly result: Promise<T>;
}

const MAX_LINES = 200;
const MAX_FINISHED = 50;

export class OperationTracker implements Disposable {
  private readonly operations = new Map<string, OperationInfo>();
  private readonly changed = new Emitter<OperationInfo>();
  /** Fires with a snapshot on every change: start, progress line, resources, end. */
  readonly onDidChange: Event<OperationInfo> = this.changed.event;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Runs `work` as an operation. Whatever it throws becomes the operation's error (it should
   * throw RpcErrors with messages a person can act on; anything else is wrapped).
   */
  run<T>(
    init: { title: string; az: AzCommand[]; pool?: OperationPoolRef },
    work: (op: OperationHandle) => Promise<T>,
  ): TrackedOperation<T> {
    const info: OperationInfo = {
      id: randomUUID(),
      title: init.title,
      status: 'running',
      startedAt: this.now(),
      progress: [],
      az: [...init.az],
    };
    if (init.pool) info.pool = { ...init.pool };
    this.operations.set(info.id, info);
    this.trim();
    const handle: OperationHandle = {
      id: info.id,
      progress: (text) => {
        if (info.status !== 'running') return;
        info.progress.push({ at: this.now(), text });
        if (info.progress.length > MAX_LINES)
          info.progress.splice(0, info.progress.length - MAX_LINES);
        this.fire(info);
      },
      setResources: (resources, deploymentStatus) => {
        info.resources = resources.map((r) => ({ ...r }));
        if (deploymentStatus !== undefined) info.deploymentStatus = deploymentStatus;
        this.fire(info);
      },
      setAz: (az) => {
        info.az = [...az];
        this.fire(info);
      },
    };
    const snapshot = copy(info);
    this.fire(info);
    const result = (async () => {
      try {
        const value = await work(handle);
        info.status = 'succeeded';
        return value;
      } catch (err) {
        const error = RpcError.from(err);
        info.status = 'failed';
        info.error = { code: error.code, message: error.message };
        throw error;
      } finally {
        info.endedAt = this.now();
        this.fire(info);
      }
    })();
    // The UI may leave an operation running and never await it.
    result.catch(() => {});
    return { operation: snapshot, result };
  }

  /** Every operation still known, newest first. */
  list(): OperationInfo[] {
    return [...this.operations.values()].reverse().map(copy);
  }

  get(id: string): OperationInfo {
    const info = this.operations.get(id);
    if (!info) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No operation ${id}: it ended long ago or never existed.`,
      );
    }
    return copy(info);
  }

  /** Forgets a finished operation (the UI closed it); a running one stays. */
  dismiss(id: string): void {
    const info = this.operations.get(id);
    if (info && info.status !== 'running') this.operations.delete(id);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private fire(info: OperationInfo): void {
    this.changed.fire(copy(info));
  }

  /** Keeps every running operation and the latest finished ones. */
  private trim(): void {
    const finished = [...this.operations.values()].filter((o) => o.status !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED))) {
      this.operations.delete(old.id);
    }
  }
}

function copy(info: OperationInfo): OperationInfo {
  return structuredClone(info);
}
