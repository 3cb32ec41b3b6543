// Transport over a web MessagePort: the page's end of the Electron channel (main ↔ preload ↔ page).
import { Emitter } from '../event';
import type { RpcMessage, Transport } from '../rpc';

/** The part of the DOM MessagePort this transport uses. */
export interface WebMessagePort {
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export class MessagePortTransport implements Transport {
  private readonly messages = new Emitter<unknown>();
  private readonly closes = new Emitter<void>();
  private closed = false;
  readonly onMessage = this.messages.event;
  readonly onClose = this.closes.event;

  private readonly listener = (event: { data: unknown }) => this.messages.fire(event.data);

  constructor(private readonly port: WebMessagePort) {
    port.addEventListener('message', this.listener);
    port.start();
  }

  send(message: RpcMessage): void {
    if (this.closed) throw new Error('transport closed');
    this.port.postMessage(message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.removeEventListener('message', this.listener);
    this.port.close();
    this.closes.fire();
  }
}
