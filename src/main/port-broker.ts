// Hands each trusted page a fresh MessagePort served by the core's RPC server.
import type { Disposable } from '../common/event';
import type { Transport } from '../common/rpc';
import type { ElectronApi, IpcEventLike } from './electron-api';
import { HELLO_CHANNEL, PORT_CHANNEL } from './ipc-channels';
import { MessagePortMainTransport } from './message-port-main-transport';
import { isTrustedSender, type TrustedSenderPolicy } from './security/trusted-sender';

export interface PortBrokerOptions extends TrustedSenderPolicy {
  /** Starts serving the contract on a transport (`core.rpc.connect`). */
  connect(transport: Transport): void;
  log(line: string): void;
}

/**
 * The preload says hello on every page load; a trusted sender gets one end of a new
 * MessageChannelMain, the other end is served by the core. A reload says hello again and gets
 * a new port; the previous one is closed so the core drops that peer and its subscriptions.
 */
export class PortBroker implements Disposable {
  /** By webContents id (unique for the app's lifetime). */
  private readonly transports = new Map<number, Transport>();
  private readonly watched = new Set<number>();
  private readonly listener = (event: IpcEventLike) => this.handleHello(event);
  private disposed = false;

  constructor(
    private readonly electron: Pick<ElectronApi, 'ipcMain' | 'MessageChannelMain'>,
    private readonly options: PortBrokerOptions,
  ) {
    electron.ipcMain.on(HELLO_CHANNEL, this.listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.electron.ipcMain.removeListener(HELLO_CHANNEL, this.listener);
    for (const transport of [...this.transports.values()]) transport.close();
    this.transports.clear();
  }

  private handleHello(event: IpcEventLike): void {
    if (this.disposed) return;
    if (!isTrustedSender(event, this.options)) {
      this.options.log(`security: ignored "${HELLO_CHANNEL}" from an untrusted sender`);
      return;
    }
    const contents = event.sender;
    const id = contents.id;
    this.transports.get(id)?.close();

    const { port1, port2 } = new this.electron.MessageChannelMain();
    const transport = new MessagePortMainTransport(port1);
    this.transports.set(id, transport);
    transport.onClose(() => {
      if (this.transports.get(id) === transport) this.transports.delete(id);
    });
    if (!this.watched.has(id)) {
      this.watched.add(id);
      contents.once('destroyed', () => {
        this.watched.delete(id);
        this.transports.get(id)?.close();
      });
    }

    this.options.connect(transport);
    contents.postMessage(PORT_CHANNEL, null, [port2]);
  }
}
