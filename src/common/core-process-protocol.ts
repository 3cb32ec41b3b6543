// What Electron's main process and the utility process that runs the core say to each other
// (src/main/utility-core.ts ↔ src/utility/core-process.ts). The page never sees these: it talks to
// the core over the contract, on a MessagePort that main hands straight to the utility process.
import type { AzureSignInStatus, ConnectionInfo, DemoInfo, PoolInfo } from './models';
import type { AppNotification, AppTarget } from './notification-models';
import type { UpdateEngineUnavailable, UpdateOffer, UpdateProgress } from './update-models';

/** What the tray reads synchronously; the core sends it again whenever any of it changes. */
export interface CoreSnapshot {
  pools: PoolInfo[];
  connections: ConnectionInfo[];
  connectedCount: number;
  troubled: { reconnecting: number; lost: number };
  azure: AzureSignInStatus;
}

/** How main wants the core built (the rest of AppCoreOptions is the core's own default). */
export interface CoreStartOptions {
  dataDir: string;
  version: string;
  /** Where the agent bundle, the template and the icons are (src/core/resource-paths.ts). */
  resources: Record<string, string | boolean>;
  demo?: DemoInfo;
  /** The log file main writes the core's lines to (Diagnostics names it). */
  logFile?: string;
  /** Main encrypts the Azure token cache with safeStorage; the core asks it over this channel. */
  tokenProtector: boolean;
  /**
   * Main has an updater: the core drives it over this channel. `unavailable` is the engine's
   * answer at start (why this copy cannot update itself), asked once by main.
   */
  updates?: { unavailable?: UpdateEngineUnavailable };
}

/** Calls main makes of the core. */
export interface CoreCalls {
  requestConnect: [poolId: string];
  requestOpen: [target: AppTarget];
  'updates.check': [options: { manual: boolean }];
  'openssh.sshCommand': [connectionId: string];
  'openssh.vsCodeLink': [connectionId: string];
  dispose: [];
}

/** Calls the core makes of main (the Electron-only services: safeStorage, electron-updater). */
export interface MainCalls {
  'protector.encrypt': [plain: string];
  'protector.decrypt': [data: Uint8Array];
  'updater.check': [];
  /** Progress comes as `progress` messages with this call's id. */
  'updater.download': [];
  'updater.restart': [];
}

export type CallMessage<Calls> = {
  [M in keyof Calls]: { kind: 'call'; id: number; method: M; args: Calls[M] };
}[keyof Calls];

export type ReplyMessage =
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; message: string };

/** main → core. `serve` carries the page's port in the message's ports. */
export type ToCoreMessage =
  | { kind: 'start'; options: CoreStartOptions }
  | { kind: 'serve'; peer: number }
  | { kind: 'unserve'; peer: number }
  | { kind: 'progress'; id: number; progress: UpdateProgress }
  | CallMessage<CoreCalls>
  | ReplyMessage;

/** core → main. */
export type FromCoreMessage =
  | { kind: 'ready'; snapshot: CoreSnapshot }
  | { kind: 'failed'; message: string }
  | {
      kind: 'state';
      snapshot: CoreSnapshot;
      changed: readonly ('pools' | 'connections' | 'azure')[];
    }
  | { kind: 'notify'; notification: AppNotification }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; line: string }
  | CallMessage<MainCalls>
  | ReplyMessage;

/** What the updater's check answers, as it crosses the channel. */
export interface UpdaterCheckAnswer {
  available: boolean;
  latest: UpdateOffer;
}

/**
 * Both ends' calls: an id per call, its answer matched back; an Error's message crosses (the
 * sentences are written for the user), its stack does not. Pending calls fail when the other
 * end goes away.
 */
export class CallTable {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(value: unknown): void; reject(err: Error): void; onProgress?(p: unknown): void }
  >();

  /** Registers a call; returns its id and the answer to await. */
  open<T>(onProgress?: (progress: unknown) => void): { id: number; answer: Promise<T> } {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (value) => resolve(value as T),
        reject,
        ...(onProgress ? { onProgress } : {}),
      });
    });
    return { id, answer };
  }

  settle(reply: ReplyMessage): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.pending.delete(reply.id);
    if (reply.ok) call.resolve(reply.value);
    else call.reject(new Error(reply.message));
  }

  progress(id: number, progress: unknown): void {
    this.pending.get(id)?.onProgress?.(progress);
  }

  /** The other end is gone: every call still waiting fails with this. */
  failAll(message: string): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(new Error(message));
  }
}

/** Runs a handler and turns its outcome into the reply for `id`. */
export async function replyTo(id: number, run: () => unknown): Promise<ReplyMessage> {
  try {
    return { kind: 'reply', id, ok: true, value: await run() };
  } catch (err) {
    return {
      kind: 'reply',
      id,
      ok: false,
      message: err instanceof Error ? err.message : String(err),
    };
  }
}
