// Transport over a browser WebSocket: the page's end of the headless host's connection.
import { Emitter } from '../event';
import type { RpcMessage, Transport } from '../rpc';

/** The part of the DOM WebSocket this transport uses. */
export interface BrowserSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
}

const OPEN = 1;

export class WebSocketTransport implements Transport {
  private readonly messages = new Emitter<unknown>();
  private readonly closes = new Emitter<void>();
  private closed = false;
  readonly onMessage = this.messages.event;
  readonly onClose = this.closes.event;

  /** The socket must already be open. */
  constructor(private readonly socket: BrowserSocket) {
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.messages.fire(message);
    });
    socket.addEventListener('close', () => this.shut());
  }

  send(message: RpcMessage): void {
    if (this.closed || this.socket.readyState !== OPEN) throw new Error('transport closed');
    this.socket.send(JSON.stringify(message));
  }

  close(): void {
    this.socket.close(1000, 'closed');
    this.shut();
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
  }
}
