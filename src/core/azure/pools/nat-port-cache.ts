// Each scale set instance's SSH NAT port as Azure's port query answers it: cached for the
// instance's life, at most a few queries in flight, asked only for instances someone looks at
// (the rows on screen) or connects to — never for a whole 1,000-instance pool at each refresh.
import { Emitter, type Disposable, type Event } from '../../../common/event';

/** One pool member whose port is asked for. */
export interface PortTarget {
  /**
   * What the answer is cached under: the VM (its vmId, else its instance id) and the NAT rule (its
   * backend pool, name and port range). A new VM, or a rule changed, is a new key, so an answer
   * never outlives its facts.
   */
  key: string;
  instanceId: string;
  /** What the query names: the member's NIC IP configuration id. */
  ipConfigurationId: string;
}

/** Asks Azure for one member's port: the port, or undefined when Azure maps none to it. */
export type PortQuery = (target: PortTarget, signal: AbortSignal) => Promise<number | undefined>;

export interface NatPortCacheOptions {
  query: PortQuery;
  /** Queries in flight at most (default 4): ARM's read budget is per subscription and hour. */
  concurrency?: number;
  /** How long "Azure maps no port to it" is believed before a wish asks again (default 60 s). */
  noPortTtlMs?: number;
  now?: () => number;
  /** A query wished for (not awaited by anyone) failed; the next wish asks again. */
  onError?: (target: PortTarget, err: unknown) => void;
}

type Answer = { port: number } | { none: true; at: number };

interface Job {
  target: PortTarget;
  /** Connect waits for it: it goes before every wish. */
  urgent: boolean;
  waiters: Array<{ resolve: (port: number | undefined) => void; reject: (err: unknown) => void }>;
  /** Settles when the query ended (answered or failed) or the wish was dropped. */
  settled: Promise<void>;
  settle: () => void;
}

function job(target: PortTarget, urgent: boolean, waiters: Job['waiters'] = []): Job {
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  return { target, urgent, waiters, settled, settle };
}

export const DEFAULT_PORT_QUERIES_IN_FLIGHT = 4;

export class NatPortCache implements Disposable {
  private readonly answers = new Map<string, Answer>();
  /** Not started yet: urgent ones first, then wishes in the order they were made. */
  private waiting: Job[] = [];
  private readonly running = new Map<string, Job>();
  private readonly controller = new AbortController();
  private readonly concurrency: number;
  private readonly noPortTtlMs: number;
  private readonly now: () => number;
  private readonly resolved = new Emitter<PortTarget>();
  /** An answer came (a port or "none"): whoever shows ports can update. */
  readonly onDidResolve: Event<PortTarget> = this.resolved.event;
  private disposed = false;

  constructor(private readonly options: NatPortCacheOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_PORT_QUERIES_IN_FLIGHT);
    this.noPortTtlMs = options.noPortTtlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The cached port (undefined: not asked yet, or Azure maps none). */
  port(key: string): number | undefined {
    const answer = this.answers.get(key);
    return answer && 'port' in answer ? answer.port : undefined;
  }

  /** Azure answered "no port" lately (within the TTL). */
  hasNoPort(key: string): boolean {
    const answer = this.answers.get(key);
    return answer !== undefined && 'none' in answer && this.now() - answer.at < this.noPortTtlMs;
  }

  /**
   * These members are on screen: ask for each whose port is not known, in this order. Replaces
   * the earlier wishes that have not started (rows no longer shown are not asked for); queries
   * already running finish and are cached.
   */
  want(targets: readonly PortTarget[]): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const seen = new Set<string>();
    const pending: Promise<void>[] = [];
    const wishes: Job[] = [];
    for (const target of targets) {
      if (seen.has(target.key) || this.known(target.key)) continue;
      seen.add(target.key);
      const running = this.running.get(target.key);
      if (running) pending.push(running.settled);
      else wishes.push(job(target, false));
    }
    const urgent = this.waiting.filter((j) => j.urgent || j.waiters.length > 0);
    const kept = new Map(urgent.map((j) => [j.target.key, j]));
    for (const dropped of this.waiting) if (!kept.has(dropped.target.key)) dropped.settle();
    for (const wish of wishes) pending.push((kept.get(wish.target.key) ?? wish).settled);
    this.waiting = [...urgent, ...wishes.filter((j) => !kept.has(j.target.key))];
    this.pump();
    return Promise.all(pending).then(() => undefined);
  }

  /**
   * The port now, for Connect: the cached one, else one query ahead of every wish (sharing a
   * query already running). A cached "no port" is asked again: Connect deserves a fresh answer.
   * Resolves undefined when Azure maps no port to it; rejects when the query fails.
   */
  resolve(target: PortTarget): Promise<number | undefined> {
    const port = this.port(target.key);
    if (port !== undefined) return Promise.resolve(port);
    if (this.disposed) return Promise.reject(new Error('The pool was removed.'));
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      const existing =
        this.running.get(target.key) ?? this.waiting.find((j) => j.target.key === target.key);
      if (existing) {
        existing.waiters.push(waiter);
        if (!this.running.has(target.key) && !existing.urgent) {
          existing.urgent = true;
          this.waiting = [existing, ...this.waiting.filter((j) => j !== existing)];
        }
      } else {
        this.waiting.unshift(job(target, true, [waiter]));
      }
      this.pump();
    });
  }

  /** Forgets every member not in `keys` (instances that are gone) and drops their wishes. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of [...this.answers.keys()]) if (!keys.has(key)) this.answers.delete(key);
    this.waiting = this.waiting.filter((j) => {
      const keep = keys.has(j.target.key) || j.waiters.length > 0;
      if (!keep) j.settle();
      return keep;
    });
  }

  /** What is going on: for tests, the benchmark and "nothing stays pending". */
  get stats(): { inFlight: number; waiting: number; cached: number } {
    return { inFlight: this.running.size, waiting: this.waiting.length, cached: this.answers.size };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.controller.abort();
    const orphans = [...this.waiting, ...this.running.values()];
    this.waiting = [];
    for (const orphan of orphans) {
      for (const w of orphan.waiters) w.reject(new Error('The pool was removed.'));
      orphan.settle();
    }
    this.resolved.dispose();
  }

  private known(key: string): boolean {
    return this.port(key) !== undefined || this.hasNoPort(key);
  }

  private pump(): void {
    while (!this.disposed && this.running.size < this.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      const running = this.running.get(next.target.key);
      if (running) {
        // Started meanwhile by another job for the same member: share its answer.
        running.waiters.push(...next.waiters);
        void running.settled.then(next.settle);
        continue;
      }
      this.start(next);
    }
  }

  private start(started: Job): void {
    const { target } = started;
    this.running.set(target.key, started);
    this.options.query(target, this.controller.signal).then(
      (port) => {
        this.answers.set(
          target.key,
          port === undefined ? { none: true, at: this.now() } : { port },
        );
        this.finish(started);
        for (const w of started.waiters) w.resolve(port);
        if (!this.disposed) this.resolved.fire(target);
      },
      (err: unknown) => {
        this.finish(started);
        if (started.waiters.length === 0 && !this.disposed) this.options.onError?.(target, err);
        for (const w of started.waiters) w.reject(err);
      },
    );
  }

  private finish(ended: Job): void {
    this.running.delete(ended.target.key);
    ended.settle();
    this.pump();
  }
}
