// The RPC layer over any message transport: requests with typed answers and coded errors,
// cancellation, and events the client subscribes to by name. Transports are separate files.
import { z } from 'zod';
import {
  isEventName,
  isMethodName,
  methods,
  type EventName,
  type Events,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  type MethodParams,
} from './contract';
import { ErrorCode, RpcError, type RpcErrorData } from './errors';
import { DisposableStore, Emitter, toDisposable, type Disposable } from './event';
import { plainIssueWords } from './issue-words';
import { pathWords } from './user-text';

export type RpcMessage =
  | { type: 'request'; id: number; method: string; input: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'response'; id: number; result?: unknown; error?: RpcErrorData }
  | { type: 'subscribe'; event: string }
  | { type: 'unsubscribe'; event: string }
  | { type: 'event'; event: string; data: unknown };

/** A bidirectional pipe of JSON-compatible messages. */
export interface Transport {
  send(message: RpcMessage): void;
  onMessage(listener: (message: unknown) => void): Disposable;
  onClose(listener: () => void): Disposable;
  close(): void;
}

const messageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('request'),
    id: z.number(),
    method: z.string(),
    input: z.unknown().optional(),
  }),
  z.object({ type: z.literal('cancel'), id: z.number() }),
  z.object({
    type: z.literal('response'),
    id: z.number(),
    result: z.unknown().optional(),
    error: z
      .object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
      .optional(),
  }),
  z.object({ type: z.literal('subscribe'), event: z.string() }),
  z.object({ type: z.literal('unsubscribe'), event: z.string() }),
  z.object({ type: z.literal('event'), event: z.string(), data: z.unknown() }),
]);

function parseMessage(raw: unknown): RpcMessage | undefined {
  const parsed = messageSchema.safeParse(raw);
  return parsed.success ? (parsed.data as RpcMessage) : undefined;
}

/** How many problems the sentence names, and how many `{path, message}` details travel. */
const MAX_ISSUES_SAID = 8;
const MAX_ISSUE_DETAILS = 50;

/**
 * Turns zod issues into one sentence naming each wrong field in words ("remote host: must be a
 * host name…"), never by its key: the UI may show it as it is. `method` is for the log only.
 */
export function describeIssues(_method: string, error: z.ZodError): string {
  // A list of 10,000 bad items is 10,000 issues: the sentence names the first few.
  const shown = error.issues.slice(0, MAX_ISSUES_SAID);
  const parts = shown.map((issue) =>
    issue.path.length
      ? `${pathWords(issue.path)}: ${issue.message}`
      : /^(must|is|holds|does) /.test(issue.message)
        ? `the request ${issue.message}`
        : issue.message,
  );
  const more = error.issues.length - shown.length;
  if (more > 0) parts.push(`and ${more} more ${more === 1 ? 'problem' : 'problems'}`);
  return `Some of what was given needs changes — ${parts.join('; ')}.`;
}

// ---------------------------------------------------------------------------------------------
// Client

export interface CallOptions {
  signal?: AbortSignal;
}

export class RpcClient implements Disposable {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void; cleanup: () => void }
  >();
  private readonly emitters = new Map<string, Emitter<unknown>>();
  private readonly store = new DisposableStore();
  private closed = false;
  private readonly closeEmitter = new Emitter<void>();
  /** Fires once when the transport closes; pending calls fail with E_CLOSED. */
  readonly onDidClose = this.closeEmitter.event;

  constructor(private readonly transport: Transport) {
    this.store.add(transport.onMessage((raw) => this.handle(raw)));
    this.store.add(transport.onClose(() => this.handleClose()));
  }

  call<M extends MethodName>(
    method: M,
    input: MethodInput<M>,
    options: CallOptions = {},
  ): Promise<MethodOutput<M>> {
    if (this.closed) {
      return Promise.reject(new RpcError(ErrorCode.Closed, 'The connection to the app is closed.'));
    }
    const { signal } = options;
    if (signal?.aborted) {
      return Promise.reject(new RpcError(ErrorCode.Cancelled, `${method} was cancelled.`));
    }
    const id = this.nextId++;
    return new Promise<MethodOutput<M>>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        this.trySend({ type: 'cancel', id });
        reject(new RpcError(ErrorCode.Cancelled, `${method} was cancelled.`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      this.trySend({ type: 'request', id, method, input });
    });
  }

  /** Listens to an event; the first listener subscribes on the server, the last unsubscribes. */
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): Disposable {
    let emitter = this.emitters.get(event);
    if (!emitter) {
      emitter = new Emitter<unknown>();
      this.emitters.set(event, emitter);
    }
    const first = !emitter.hasListeners;
    const sub = emitter.event(listener as (data: unknown) => void);
    if (first) this.trySend({ type: 'subscribe', event });
    return toDisposable(() => {
      sub.dispose();
      if (!emitter.hasListeners) {
        this.emitters.delete(event);
        this.trySend({ type: 'unsubscribe', event });
      }
    });
  }

  dispose(): void {
    this.handleClose();
    this.transport.close();
  }

  private trySend(message: RpcMessage): void {
    if (this.closed) return;
    try {
      this.transport.send(message);
    } catch {
      this.handleClose();
    }
  }

  private handle(raw: unknown): void {
    const message = parseMessage(raw);
    if (!message) return;
    if (message.type === 'response') {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      entry.cleanup();
      if (message.error) entry.reject(RpcError.fromData(message.error));
      else entry.resolve(message.result);
    } else if (message.type === 'event') {
      this.emitters.get(message.event)?.fire(message.data);
    }
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    const error = new RpcError(ErrorCode.Closed, 'The connection to the app closed.');
    for (const entry of this.pending.values()) {
      entry.cleanup();
      entry.reject(error);
    }
    this.pending.clear();
    this.store.dispose();
    this.closeEmitter.fire();
    this.closeEmitter.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Server

export interface CallContext {
  /** Aborted when the caller cancels or disconnects. */
  signal: AbortSignal;
  /** The peer that made the call. */
  peer: RpcPeer;
}

export type Handlers = {
  [M in MethodName]: (
    input: MethodParams<M>,
    context: CallContext,
  ) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export interface RpcServerOptions {
  /** Where unexpected handler failures are reported (never the input: it may hold secrets). */
  log?: (message: string) => void;
}

/** Serves the contract to any number of peers, one per transport. */
export class RpcServer implements Disposable {
  private readonly peers = new Set<RpcPeer>();
  private readonly peersChanged = new Emitter<number>();
  /** Fires with the number of connected peers whenever one comes or goes. */
  readonly onDidChangePeerCount = this.peersChanged.event;

  constructor(
    private readonly handlers: Handlers,
    private readonly options: RpcServerOptions = {},
  ) {}

  /** Starts serving a transport; the peer ends when the transport closes. */
  connect(transport: Transport): RpcPeer {
    const peer = new RpcPeer(transport, this.handlers, this.options, () => {
      this.peers.delete(peer);
      this.peersChanged.fire(this.peers.size);
    });
    this.peers.add(peer);
    this.peersChanged.fire(this.peers.size);
    return peer;
  }

  /** Sends an event to every peer that subscribed to it. */
  emit<E extends EventName>(event: E, data: Events[E]): void {
    for (const peer of this.peers) peer.emit(event, data);
  }

  /** Whether a peer listens to `event` now (a page that has not loaded that far does not). */
  hasSubscribers(event: EventName): boolean {
    return [...this.peers].some((peer) => peer.isSubscribed(event));
  }

  get peerCount(): number {
    return this.peers.size;
  }

  dispose(): void {
    for (const peer of [...this.peers]) peer.dispose();
    this.peersChanged.dispose();
  }
}

export class RpcPeer implements Disposable {
  private readonly subscriptions = new Set<string>();
  private readonly inflight = new Map<number, AbortController>();
  private readonly store = new DisposableStore();
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly handlers: Handlers,
    private readonly options: RpcServerOptions,
    private readonly onGone: () => void,
  ) {
    this.store.add(transport.onMessage((raw) => this.handle(raw)));
    this.store.add(transport.onClose(() => this.close()));
  }

  emit<E extends EventName>(event: E, data: Events[E]): void {
    if (this.subscriptions.has(event)) this.send({ type: 'event', event, data });
  }

  isSubscribed(event: EventName): boolean {
    return this.subscriptions.has(event);
  }

  dispose(): void {
    this.close();
    this.transport.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.inflight.values()) controller.abort();
    this.inflight.clear();
    this.subscriptions.clear();
    this.store.dispose();
    this.onGone();
  }

  private send(message: RpcMessage): void {
    if (this.closed) return;
    try {
      this.transport.send(message);
    } catch (err) {
      this.options.log?.(`rpc: could not send to a peer: ${RpcError.from(err).message}`);
      this.dispose();
    }
  }

  private handle(raw: unknown): void {
    const message = parseMessage(raw);
    if (!message) {
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number') {
        this.send({
          type: 'response',
          id,
          error: { code: ErrorCode.BadMessage, message: 'That message is not an RPC message.' },
        });
      }
      return;
    }
    switch (message.type) {
      case 'request':
        void this.serve(message.id, message.method, message.input);
        break;
      case 'cancel':
        this.inflight.get(message.id)?.abort();
        break;
      case 'subscribe':
        if (isEventName(message.event)) this.subscriptions.add(message.event);
        break;
      case 'unsubscribe':
        this.subscriptions.delete(message.event);
        break;
      default:
        break;
    }
  }

  private async serve(id: number, name: string, input: unknown): Promise<void> {
    if (!isMethodName(name)) {
      this.send({
        type: 'response',
        id,
        error: {
          code: ErrorCode.NoMethod,
          message: `No method named "${name}". See src/common/contract/ for the list.`,
        },
      });
      return;
    }
    // zod's own wording ("Invalid input: expected number, received undefined", unknown keys
    // quoted as sent) becomes plain words; messages the schemas set themselves still win.
    const parsed = methods[name].input.safeParse(input, { error: plainIssueWords });
    if (!parsed.success) {
      this.send({
        type: 'response',
        id,
        error: {
          code: ErrorCode.BadInput,
          message: describeIssues(name, parsed.error),
          details: parsed.error.issues.slice(0, MAX_ISSUE_DETAILS).map((i) => ({
            path: i.path.map(String),
            message: i.message,
          })),
        },
      });
      return;
    }
    const controller = new AbortController();
    this.inflight.set(id, controller);
    try {
      const handler = this.handlers[name] as (i: unknown, c: CallContext) => unknown;
      const result = await handler(parsed.data, { signal: controller.signal, peer: this });
      if (controller.signal.aborted) return;
      this.send({ type: 'response', id, result });
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof RpcError)) return;
      const error = RpcError.from(err);
      if (error.code === ErrorCode.Internal) {
        this.options.log?.(`rpc: ${name} failed: ${error.message}`);
      }
      this.send({ type: 'response', id, error: error.toData() });
    } finally {
      this.inflight.delete(id);
    }
  }
}
