// One load balancer frontend port on 127.0.0.1 forwarding TCP to an emulated VM's SSH server, as
// an inbound NAT rule forwards frontend port → backend port 22.
import net from 'node:net';

export class NatForwarder {
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly port: number,
    private readonly server: net.Server,
  ) {}

  /**
   * Listens on `port` exactly (the port ARM reported for the instance); each connection is piped
   * to the port `target` resolves to, which may start the VM's SSH server on first use.
   */
  static open(
    port: number,
    target: () => Promise<number>,
    log: (line: string) => void,
  ): Promise<NatForwarder> {
    const server = net.createServer();
    const forwarder = new NatForwarder(port, server);
    server.on('connection', (socket) => forwarder.forward(socket, target, log));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (err) => log(`NAT port ${port}: ${err.message}`));
        resolve(forwarder);
      });
    });
  }

  /** Stops answering and cuts the connections through it, as a VM going down does. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }

  private forward(socket: net.Socket, target: () => Promise<number>, log: (line: string) => void) {
    this.track(socket);
    socket.pause();
    socket.setNoDelay(true);
    target().then(
      (port) => {
        if (socket.destroyed) return;
        const upstream = net.connect({ host: '127.0.0.1', port });
        this.track(upstream);
        upstream.setNoDelay(true);
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
        upstream.on('close', () => socket.destroy());
        socket.on('close', () => upstream.destroy());
        upstream.once('connect', () => {
          socket.pipe(upstream);
          upstream.pipe(socket);
          socket.resume();
        });
      },
      (err: unknown) => {
        log(
          `NAT port ${this.port}: no backend (${err instanceof Error ? err.message : String(err)})`,
        );
        socket.destroy();
      },
    );
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
