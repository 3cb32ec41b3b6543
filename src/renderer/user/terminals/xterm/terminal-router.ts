// Routes id-keyed terminal events to the one session that shows each terminal.
import type { Events } from '../../../../common/contract';
import { DisposableStore, toDisposable, type Disposable } from '../../../../common/event';
import type { RpcClient } from '../../../../common/rpc';

export type TerminalExit = Events['terminals.onDidExit'];
export type TerminalLinkChange = Events['terminals.onDidChangeState'];

export interface TerminalSink {
  data(data: string): void;
  exit(event: TerminalExit): void;
  state(event: TerminalLinkChange): void;
}

/** What is kept for a terminal whose session is not attached yet. */
interface EarlyOutput {
  chunks: string[];
  chars: number;
  exit?: TerminalExit;
  /** Only the latest link state matters. */
  state?: TerminalLinkChange;
  timer: ReturnType<typeof setTimeout>;
}

/** The most output kept for a terminal nobody shows yet; a prompt is a few hundred bytes. */
const EARLY_MAX_CHARS = 1_000_000;
/** How long such output waits for its session before it is dropped. */
const EARLY_MAX_MS = 30_000;

/**
 * One subscription for all terminals instead of one per tab. It also bridges a race: the shell
 * may print its prompt before the `terminals.open` answer (which carries the id) reaches us, so
 * output for an unknown id is held briefly and replayed when its session attaches.
 */
export class TerminalRouter implements Disposable {
  private readonly sinks = new Map<string, TerminalSink>();
  private readonly early = new Map<string, EarlyOutput>();
  private readonly store = new DisposableStore();

  constructor(private readonly rpc: RpcClient) {
    this.store.add(
      rpc.on('terminals.onData', ({ terminalId, data }) => {
        const sink = this.sinks.get(terminalId);
        if (sink) sink.data(data);
        else this.hold(terminalId, data);
      }),
    );
    this.store.add(
      rpc.on('terminals.onDidExit', (event) => {
        const sink = this.sinks.get(event.terminalId);
        if (sink) sink.exit(event);
        else this.holdEntry(event.terminalId).exit = event;
      }),
    );
    this.store.add(
      rpc.on('terminals.onDidChangeState', (event) => {
        const sink = this.sinks.get(event.terminalId);
        if (sink) sink.state(event);
        else this.holdEntry(event.terminalId).state = event;
      }),
    );
  }

  attach(terminalId: string, sink: TerminalSink): Disposable {
    this.sinks.set(terminalId, sink);
    const held = this.early.get(terminalId);
    if (held) {
      this.early.delete(terminalId);
      clearTimeout(held.timer);
      for (const chunk of held.chunks) sink.data(chunk);
      if (held.state) sink.state(held.state);
      if (held.exit) sink.exit(held.exit);
    }
    return toDisposable(() => {
      if (this.sinks.get(terminalId) === sink) this.sinks.delete(terminalId);
    });
  }

  /**
   * Drops what is held for a terminal: call it the moment `terminals.attach` answers, whose
   * backlog already holds that output (and whose reset already counted it as acknowledged).
   */
  forgetHeld(terminalId: string): void {
    const held = this.early.get(terminalId);
    if (!held) return;
    clearTimeout(held.timer);
    this.early.delete(terminalId);
  }

  dispose(): void {
    for (const held of this.early.values()) clearTimeout(held.timer);
    this.early.clear();
    this.sinks.clear();
    this.store.dispose();
  }

  private holdEntry(terminalId: string): EarlyOutput {
    let held = this.early.get(terminalId);
    if (!held) {
      held = {
        chunks: [],
        chars: 0,
        timer: setTimeout(() => this.early.delete(terminalId), EARLY_MAX_MS),
      };
      this.early.set(terminalId, held);
    }
    return held;
  }

  private hold(terminalId: string, data: string): void {
    const held = this.holdEntry(terminalId);
    if (held.chars + data.length <= EARLY_MAX_CHARS) {
      held.chunks.push(data);
      held.chars += data.length;
      return;
    }
    // Dropped output still counts as consumed: unacknowledged, it would stall the shell forever.
    this.rpc.call('terminals.ack', { terminalId, chars: data.length }).catch(() => {});
  }
}
