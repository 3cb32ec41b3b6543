// The host's end of a WebSocket as an RPC Transport (the page's end is src/common/transports/websocket.ts).
import type { WebSocket } from 'ws';
import { Emitter } from '../common/event';
import type { RpcMessage, Transport } from '../common/rpc';

export class WsTransport implements Transport {
  private readonly messages = new Emitter<unknown>();
  private readonly closes = new Emitter<void>();
  private closed = false;
  readonly onMessage = this.messages.event;
  readonly onClose = this.closes.event;

  constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return; // Not JSON: not ours to answer; the RPC layer only sees well-formed messages.
      }
      this.messages.fire(message);
    });
    socket.on('close', () => this.shut());
    socket.on('error', () => this.shut());
  }

  send(message: RpcMessage): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN)
      throw new Error('transport closed');
    this.socket.send(JSON.stringify(message));
  }

  close(): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(1000, 'closed');
    this.shut();
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
  }
}
