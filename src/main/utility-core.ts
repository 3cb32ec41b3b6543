// Main's side of the core in Electron's utility process (src/utility/core-process.ts): starts it,
// hands it each page's port, keeps the tray's state from its messages, answers its calls for
// safeStorage and the updater, and starts it again should it stop unexpectedly.
import {
  CallTable,
  replyTo,
  type CallMessage,
  type CoreCalls,
  type CoreSnapshot,
  type CoreStartOptions,
  type FromCoreMessage,
  type MainCalls,
  type ToCoreMessage,
} from '../common/core-process-protocol';
import { Emitter } from '../common/event';
import type { AzureSignInStatus, ConnectionInfo, PoolInfo } from '../common/models';
import type { AppNotification, AppTarget } from '../common/notification-models';
import type { MessagePortLike } from '../common/transports/message-port-main';
import type { UpdateStatus } from '../common/update-models';
import type { AppCore } from '../core/app-core';
import type { TokenCacheProtector } from '../core/azure/identity/index';
import type { UpdateEngine } from '../core/updates/update-engine';
import type { RestartInfo, ShellCore } from './shell-core';

/** Electron's UtilityProcess, as far as the shell uses it. */
export interface UtilityProcessLike {
  postMessage(message: unknown, transfer?: MessagePortLike[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number | null) => void): unknown;
  kill(): boolean;
}

export interface UtilityCoreOptions {
  /** Starts a new process running out/main/core.js (`utilityProcess.fork`). */
  fork(): UtilityProcessLike;
  start: Omit<CoreStartOptions, 'tokenProtector' | 'updates'>;
  /** safeStorage, when the OS has a keyring (src/main/safe-storage-protector.ts). */
  tokenProtector?: TokenCacheProtector;
  updateEngine?: UpdateEngine;
  /** Where the core's lines go (main's logger: main.log). */
  logger: { info(line: string): void; warn(line: string): void; error(line: string): void };
  /** Waits before each restart after an unexpected exit (default 0.5 s, 2 s, 5 s). */
  restartDelaysMs?: readonly number[];
  /** Unexpected exits within this window count together (default 60 s). */
  crashWindowMs?: number;
  /** How long dispose waits for the process to end after the core shut down (default 2 s). */
  exitTimeoutMs?: number;
}

const EMPTY_SNAPSHOT: CoreSnapshot = {
  pools: [],
  connections: [],
  connectedCount: 0,
  troubled: { reconnecting: 0, lost: 0 },
  azure: { signedIn: false, persistentCache: false },
};

/**
 * The core behind a process boundary, as the shell sees it. Unexpected exits are answered by a
 * new process (after a short wait, at most three within a minute); the tray keeps its last pools
 * meanwhile and shows no connections, since they ended with the process.
 */
export class UtilityCore implements ShellCore {
  private child: UtilityProcessLike | undefined;
  private snapshot: CoreSnapshot = EMPTY_SNAPSHOT;
  private calls = new CallTable();
  /** Messages for a process that is not there yet (between a crash and the restart). */
  private readonly queued: { message: ToCoreMessage; transfer: MessagePortLike[] }[] = [];
  private readonly pools = new Emitter<PoolInfo[]>();
  private readonly connections = new Emitter<void>();
  private readonly azure = new Emitter<AzureSignInStatus>();
  private readonly notify = new Emitter<AppNotification>();
  private readonly restarted = new Emitter<RestartInfo>();
  private readonly failed = new Emitter<string>();
  private readonly crashes: number[] = [];
  private nextPeer = 1;
  private disposing: Promise<void> | undefined;
  private exited: (() => void) | undefined;
  private ready: ((snapshot: CoreSnapshot) => void) | undefined;
  private startFailed: ((err: Error) => void) | undefined;
  private everReady = false;
  /** Set once the core is not started again: what every call then answers. */
  private gaveUp: string | undefined;

  readonly onDidChangePools = this.pools.event;
  readonly onDidChangeConnections = this.connections.event;
  readonly onDidChangeAzureSignIn = this.azure.event;
  readonly onDidNotify = this.notify.event;
  readonly onDidRestart = this.restarted.event;
  /** The core stopped and will not be started again (it kept stopping); the sentence says so. */
  readonly onDidGiveUp = this.failed.event;
  readonly demo: AppCore['demo'];

  readonly updates = {
    check: (options?: { manual?: boolean }): Promise<UpdateStatus> =>
      this.call('updates.check', [{ manual: options?.manual ?? false }]),
  };

  readonly openssh: AppCore['openssh'] = {
    sshCommand: (connectionId) => this.call('openssh.sshCommand', [connectionId]),
    vsCodeLink: (connectionId) => this.call('openssh.vsCodeLink', [connectionId]),
  };

  private constructor(private readonly options: UtilityCoreOptions) {
    this.demo = options.start.demo;
  }

  /** Starts the process and resolves once its core is ready (rejects with its reason if not). */
  static async start(options: UtilityCoreOptions): Promise<UtilityCore> {
    const core = new UtilityCore(options);
    await core.launch();
    return core;
  }

  listPools(): PoolInfo[] {
    return this.snapshot.pools;
  }
  listConnections(): ConnectionInfo[] {
    return this.snapshot.connections;
  }
  connectedCount(): number {
    return this.snapshot.connectedCount;
  }
  troubledCount(): { reconnecting: number; lost: number } {
    return this.snapshot.troubled;
  }
  azureSignIn(): AzureSignInStatus {
    return this.snapshot.azure;
  }

  requestConnect(poolId: string): void {
    void this.call('requestConnect', [poolId]).catch((err: unknown) => this.warn(err));
  }
  requestOpen(target: AppTarget): void {
    void this.call('requestOpen', [target]).catch((err: unknown) => this.warn(err));
  }

  serve(port: MessagePortLike): { close(): void } {
    if (this.gaveUp !== undefined) {
      port.close();
      return { close() {} };
    }
    const peer = this.nextPeer++;
    this.send({ kind: 'serve', peer }, [port]);
    return { close: () => this.send({ kind: 'unserve', peer }) };
  }

  /** Shuts the core down (its connections end their tmux sessions), then the process. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      const child = this.child;
      if (!child) return;
      const gone = new Promise<void>((resolve) => (this.exited = resolve));
      try {
        await this.call('dispose', []);
      } catch (err) {
        // Gone before its answer arrived is a shutdown too; anything else is worth a line.
        if (this.child) this.warn(err);
      }
      const timer = setTimeout(() => child.kill(), this.options.exitTimeoutMs ?? 2000);
      await gone;
      clearTimeout(timer);
    })();
    return this.disposing;
  }

  private launch(): Promise<void> {
    const child = this.options.fork();
    this.child = child;
    const started = new Promise<void>((resolve, reject) => {
      this.ready = (snapshot) => {
        this.apply(snapshot, ['pools', 'connections', 'azure']);
        resolve();
      };
      this.startFailed = reject;
    });
    child.on('message', (message) => this.receive(child, message as FromCoreMessage));
    child.on('exit', (code) => this.onExit(child, code));
    const { tokenProtector, updateEngine } = this.options;
    child.postMessage({
      kind: 'start',
      options: {
        ...this.options.start,
        tokenProtector: tokenProtector !== undefined,
        ...(updateEngine ? { updates: unavailableOf(updateEngine) } : {}),
      },
    } satisfies ToCoreMessage);
    for (const { message, transfer } of this.queued.splice(0)) child.postMessage(message, transfer);
    return started;
  }

  private receive(from: UtilityProcessLike, message: FromCoreMessage): void {
    if (from !== this.child) return;
    switch (message.kind) {
      case 'ready':
        this.everReady = true;
        this.startFailed = undefined;
        this.ready?.(message.snapshot);
        this.ready = undefined;
        return;
      case 'failed': {
        // The process ends next; a restart's failure counts as a crash there.
        const reject = this.startFailed;
        this.startFailed = undefined;
        this.ready = undefined;
        reject?.(new Error(message.message));
        return;
      }
      case 'state':
        this.apply(message.snapshot, message.changed);
        return;
      case 'notify':
        this.notify.fire(message.notification);
        return;
      case 'log':
        this.options.logger[message.level](message.line);
        return;
      case 'reply':
        this.calls.settle(message);
        return;
      case 'call':
        void this.answer(from, message);
        return;
    }
  }

  private async answer(from: UtilityProcessLike, message: CallMessage<MainCalls>): Promise<void> {
    const reply = await replyTo(message.id, () => this.run(from, message));
    if (from === this.child) from.postMessage(reply satisfies ToCoreMessage);
  }

  private run(from: UtilityProcessLike, message: CallMessage<MainCalls>): unknown {
    const { tokenProtector, updateEngine } = this.options;
    switch (message.method) {
      case 'protector.encrypt':
        return needed(tokenProtector, 'safeStorage').encrypt(...message.args);
      case 'protector.decrypt':
        return needed(tokenProtector, 'safeStorage').decrypt(Buffer.from(message.args[0]));
      case 'updater.check':
        return needed(updateEngine, 'the updater').check();
      case 'updater.download':
        return needed(updateEngine, 'the updater').download((progress) => {
          if (from === this.child) {
            from.postMessage({
              kind: 'progress',
              id: message.id,
              progress,
            } satisfies ToCoreMessage);
          }
        });
      case 'updater.restart':
        return needed(updateEngine, 'the updater').restart();
    }
  }

  private apply(snapshot: CoreSnapshot, changed: readonly string[]): void {
    this.snapshot = snapshot;
    if (changed.includes('pools')) this.pools.fire(snapshot.pools);
    if (changed.includes('connections')) this.connections.fire();
    if (changed.includes('azure')) this.azure.fire(snapshot.azure);
  }

  private onExit(child: UtilityProcessLike, code: number | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.calls.failAll("The app's core stopped before it answered.");
    this.calls = new CallTable();
    if (this.disposing) {
      this.exited?.();
      return;
    }
    const reject = this.startFailed;
    this.startFailed = undefined;
    this.ready = undefined;
    reject?.(new Error(`The app's core stopped while starting (exit code ${code}).`));
    // The first start failed: start() rejected, and the shell says why; nothing to restart.
    if (!this.everReady) return;
    // Its connections ended with it; the pools stay listed until the new core says otherwise.
    this.apply(
      { ...this.snapshot, connections: [], connectedCount: 0, troubled: EMPTY_SNAPSHOT.troubled },
      ['connections'],
    );
    const now = Date.now();
    const window = this.options.crashWindowMs ?? 60_000;
    while (this.crashes.length > 0 && now - this.crashes[0]! > window) this.crashes.shift();
    this.crashes.push(now);
    const delays = this.options.restartDelaysMs ?? [500, 2000, 5000];
    const delay = delays[this.crashes.length - 1];
    if (delay === undefined) {
      const sentence =
        `The app's core stopped ${this.crashes.length} times within ${Math.round(window / 1000)} s ` +
        `(last exit code ${code}) and is not started again. Restart dsvm-pool from its tray ` +
        'menu (or quit it and start it again); Open logs there shows what happened.';
      this.options.logger.error(`core: ${sentence}`);
      this.gaveUp = sentence;
      this.failed.fire(sentence);
      return;
    }
    this.options.logger.error(
      `core: the core process stopped unexpectedly (exit code ${code}); starting it again in ${delay} ms`,
    );
    setTimeout(() => {
      if (this.disposing) return;
      this.launch().then(
        () => {
          this.options.logger.info('core: started again');
          this.restarted.fire({ code });
        },
        (err: unknown) => this.warn(err),
      );
    }, delay);
  }

  private call<M extends keyof CoreCalls, T>(method: M, args: CoreCalls[M]): Promise<T> {
    if (this.gaveUp !== undefined) return Promise.reject(new Error(this.gaveUp));
    const { id, answer } = this.calls.open<T>();
    this.send({ kind: 'call', id, method, args } as CallMessage<CoreCalls>);
    return answer;
  }

  private send(message: ToCoreMessage, transfer: MessagePortLike[] = []): void {
    if (this.child) this.child.postMessage(message, transfer);
    else this.queued.push({ message, transfer });
  }

  private warn(err: unknown): void {
    this.options.logger.warn(`core: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function unavailableOf(engine: UpdateEngine): NonNullable<CoreStartOptions['updates']> {
  const unavailable = engine.unavailable();
  return unavailable ? { unavailable } : {};
}

function needed<T>(service: T | undefined, name: string): T {
  if (service === undefined) throw new Error(`The app has no ${name} here.`);
  return service;
}
