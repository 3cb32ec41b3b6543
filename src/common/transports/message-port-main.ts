// Transport over Electron's MessagePortMain: the Node-side end of a channel to the page (in main,
// or in the utility process that runs the core).
import { Emitter } from '../event';
import type { RpcMessage, Transport } from '../rpc';

/** One end of an Electron MessageChannelMain (MessagePortMain), as far as the app uses it. */
export interface MessagePortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/**
 * Adapts a MessagePortMain (Node-style `on('message')`, `on('close')`) to the RPC Transport.
 * Messages cross by structured clone, so no JSON step is needed.
 */
export class MessagePortMainTransport implements Transport {
  private readonly messages = new Emitter<unknown>();
  private readonly closes = new Emitter<void>();
  private closed = false;
  readonly onMessage = this.messages.event;
  readonly onClose = this.closes.event;

  constructor(private readonly port: MessagePortLike) {
    port.on('message', (event) => {
      if (!this.closed) this.messages.fire(event.data);
    });
    // Emitted when the other end goes away: the page reloaded, navigated or its window closed.
    port.on('close', () => this.shut());
    // MessagePortMain queues messages until started.
    port.start();
  }

  send(message: RpcMessage): void {
    if (this.closed) throw new Error('transport closed');
    this.port.postMessage(message);
  }

  close(): void {
    if (this.closed) return;
    this.port.close();
    this.shut();
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
    this.closes.dispose();
    this.messages.dispose();
  }
}
