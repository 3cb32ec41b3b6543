// Hands each trusted page a fresh MessagePort served by the core's RPC server.
import type { Disposable } from '../common/event';
import type { ElectronApi, IpcEventLike, MessagePortLike } from './electron-api';
import { HELLO_CHANNEL, PORT_CHANNEL } from './ipc-channels';
import { isTrustedSender, type TrustedSenderPolicy } from './security/trusted-sender';

export interface PortBrokerOptions extends TrustedSenderPolicy {
  /**
   * Serves the contract on main's end of a page's channel (the core, in the utility process or
   * here); `close` drops that page.
   */
  serve(port: MessagePortLike): { close(): void };
  log(line: string): void;
}

/**
 * The preload says hello on every page load; a trusted sender gets one end of a new
 * MessageChannelMain, the other end is served by the core (handed to its process, so the page
 * talks to the core directly). A reload says hello again and gets a new port; the previous one
 * is closed so the core drops that peer and its subscriptions.
 */
export class PortBroker implements Disposable {
  /** By webContents id (unique for the app's lifetime). */
  private readonly served = new Map<number, { close(): void }>();
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
    for (const page of [...this.served.values()]) page.close();
    this.served.clear();
  }

  private handleHello(event: IpcEventLike): void {
    if (this.disposed) return;
    if (!isTrustedSender(event, this.options)) {
      this.options.log(`security: ignored "${HELLO_CHANNEL}" from an untrusted sender`);
      return;
    }
    const contents = event.sender;
    const id = contents.id;
    this.served.get(id)?.close();

    const { port1, port2 } = new this.electron.MessageChannelMain();
    this.served.set(id, this.options.serve(port1));
    if (!this.watched.has(id)) {
      this.watched.add(id);
      contents.once('destroyed', () => {
        this.watched.delete(id);
        this.served.get(id)?.close();
        this.served.delete(id);
      });
    }

    contents.postMessage(PORT_CHANNEL, null, [port2]);
  }
}
