// An in-memory transport pair for tests: messages cross as JSON, asynchronously, like a real pipe.
import { Emitter } from '../event';
import type { RpcMessage, Transport } from '../rpc';

class MemoryTransport implements Transport {
  other?: MemoryTransport;
  private readonly messages = new Emitter<unknown>();
  private readonly closes = new Emitter<void>();
  private closed = false;

  readonly onMessage = this.messages.event;
  readonly onClose = this.closes.event;

  send(message: RpcMessage): void {
    if (this.closed) throw new Error('transport closed');
    // A JSON round trip so tests catch anything a real wire would not carry.
    const wire = JSON.stringify(message);
    const peer = this.other;
    queueMicrotask(() => peer?.deliver(JSON.parse(wire)));
  }

  deliver(message: unknown): void {
    if (!this.closed) this.messages.fire(message);
  }

  close(): void {
    if (this.closed) return;
    this.shut();
    const peer = this.other;
    queueMicrotask(() => peer?.shut());
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
  }
}

export function createMemoryTransportPair(): [Transport, Transport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.other = b;
  b.other = a;
  return [a, b];
}
