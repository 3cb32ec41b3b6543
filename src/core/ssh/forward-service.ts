// Local port forwards over connections' SSH links: add, remove, list, and follow each connection
// through reconnects (waiting while it is down, gone when it ends).
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable, type Event } from '../../common/event';
import type { ForwardInfo } from '../../common/models';
import { Forward, type ForwardSpec } from './forward';
import type { LinkSource } from './link-source';

export interface ForwardServiceOptions {
  links: LinkSource;
  log?: (line: string) => void;
  /** How long a socket accepted during a reconnect waits for the link (default 30 s). */
  waitForLinkMs?: number;
  /** Sockets allowed to wait per forward (default 128). */
  maxWaitingSockets?: number;
  /** Socket-count changes are coalesced into one onDidChange per this interval (default 100 ms). */
  coalesceMs?: number;
}

export class ForwardService implements Disposable {
  private nextId = 1;
  private readonly forwards = new Map<string, Forward>();
  private readonly changed = new Emitter<ForwardInfo[]>();
  private readonly subscription: Disposable;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;
  /** The whole list, whenever a forward is added, removed, changes state or socket count. */
  readonly onDidChange: Event<ForwardInfo[]> = this.changed.event;

  constructor(private readonly options: ForwardServiceOptions) {
    this.log = options.log ?? (() => {});
    this.subscription = options.links.onDidChange((info) => {
      const mine = [...this.forwards.values()].filter((f) => f.spec.connectionId === info.id);
      if (mine.length === 0) return;
      if (info.state === 'closed' || info.state === 'lost' || info.state === 'failed') {
        // Nothing will carry these ports again: free them.
        this.removeAllFor(info.id);
      } else if (info.state === 'reconnecting' || info.state === 'connected') {
        for (const forward of mine)
          forward.setLinkState(info.state === 'connected' ? 'active' : 'waiting');
      }
    });
  }

  /** Starts listening on 127.0.0.1 (see ForwardSpec.localPort for the port choice). */
  async add(spec: ForwardSpec): Promise<ForwardInfo> {
    const { links } = this.options;
    this.checkConnection(spec.connectionId);
    const forward = await Forward.listen(`fwd-${this.nextId++}`, spec, {
      links,
      waitForLinkMs: this.options.waitForLinkMs ?? 30_000,
      maxWaitingSockets: this.options.maxWaitingSockets ?? 128,
      onDidChange: (urgent) => this.notify(urgent),
      log: this.log,
    });
    try {
      // The connection may have ended while the port was being bound.
      this.checkConnection(spec.connectionId);
    } catch (err) {
      forward.dispose();
      throw err;
    }
    forward.setLinkState(links.current(spec.connectionId) ? 'active' : 'waiting');
    this.forwards.set(forward.id, forward);
    this.log(`forwarding ${forward.toString()}`);
    this.notify(true);
    return forward.info();
  }

  /** Closes the forward's port and every socket it owns. */
  remove(forwardId: string): void {
    const forward = this.forwards.get(forwardId);
    if (!forward) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No port forward "${forwardId}"; it may have ended with its connection.`,
      );
    }
    this.forwards.delete(forwardId);
    forward.dispose();
    this.log(`stopped forwarding ${forward.toString()}`);
    this.notify(true);
  }

  removeAllFor(connectionId: string): void {
    for (const forward of [...this.forwards.values()]) {
      if (forward.spec.connectionId === connectionId) this.remove(forward.id);
    }
  }

  list(): ForwardInfo[] {
    return [...this.forwards.values()].map((f) => f.info());
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    for (const forward of this.forwards.values()) forward.dispose();
    this.forwards.clear();
    this.changed.dispose();
  }

  private checkConnection(connectionId: string): void {
    const state = this.options.links.state(connectionId);
    if (state === 'connected' || state === 'reconnecting') return;
    if (state === 'lost') {
      throw new RpcError(
        ErrorCode.Closed,
        `The connection "${connectionId}" was lost. Connect again, then add the forward.`,
      );
    }
    throw new RpcError(
      ErrorCode.NotFound,
      `No open connection "${connectionId}" to forward over. Connect first, then add the forward.`,
    );
  }

  /** Socket counts change per request: a page load would otherwise be dozens of UI events. */
  private notify(urgent: boolean): void {
    if (urgent) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.changed.fire(this.list());
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.changed.fire(this.list());
    }, this.options.coalesceMs ?? 100);
  }
}
