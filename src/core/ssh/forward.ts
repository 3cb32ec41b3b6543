// One local port forward: a server on 127.0.0.1 whose sockets ride the current SSH link of a
// connection, and keep their port bound (and new sockets waiting) while that link is rebuilt.
import * as net from 'node:net';
import type { ClientChannel } from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';
import type { Disposable } from '../../common/event';
import type { ForwardInfo } from '../../common/models';
import type { LinkSource } from './link-source';
import type { SshConnection } from './ssh-connection';

/** Forwards listen on loopback only: a port on another interface would open the VM to the LAN. */
export const FORWARD_HOST = '127.0.0.1';

export interface ForwardSpec {
  connectionId: string;
  poolId: string;
  instanceName: string;
  remoteHost: string;
  remotePort: number;
  /** Omit for the remote port's number when free, else the next free one. */
  localPort?: number;
  label: string;
  kind: 'jupyter' | 'custom';
}

export interface ForwardOptions {
  links: LinkSource;
  /** How long a socket accepted while the link is down waits for it to come back. */
  waitForLinkMs: number;
  /** Sockets allowed to wait at once; more are closed (a browser retrying must not pile up). */
  maxWaitingSockets: number;
  /** Socket counts or state changed; `urgent` for state changes, else it may be coalesced. */
  onDidChange: (urgent: boolean) => void;
  log: (line: string) => void;
}

/** With the port omitted, how many numbers after the remote port to try before any free one. */
const NEARBY_PORTS = 100;

export class Forward implements Disposable {
  private readonly sockets = new Set<net.Socket>();
  /** Sockets not yet given a tunnel (waiting for the link, or for the channel to open). */
  private readonly pending = new Set<net.Socket>();
  private waiting = 0;
  private state: ForwardInfo['state'] = 'active';
  /** Aborts every wait for a link when the forward closes. */
  private readonly closing = new AbortController();

  private constructor(
    readonly id: string,
    readonly spec: ForwardSpec,
    private readonly server: net.Server,
    readonly localPort: number,
    private readonly options: ForwardOptions,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    // After listening succeeded, an error here is the OS failing an accept; keep serving.
    server.on('error', (err) => options.log(`${this.toString()}: ${err.message}`));
  }

  /** Binds the local port (see ForwardSpec.localPort) and starts accepting. */
  static async listen(id: string, spec: ForwardSpec, options: ForwardOptions): Promise<Forward> {
    const server = await bindPort(spec);
    const { port } = server.address() as net.AddressInfo;
    return new Forward(id, spec, server, port, options);
  }

  /** `waiting` while the connection is reconnecting; the port stays bound either way. */
  setLinkState(state: 'active' | 'waiting'): void {
    if (this.state === 'closed' || this.state === state) return;
    this.state = state;
    this.options.onDidChange(true);
  }

  info(): ForwardInfo {
    const { spec } = this;
    return {
      id: this.id,
      connectionId: spec.connectionId,
      poolId: spec.poolId,
      instanceName: spec.instanceName,
      label: spec.label,
      kind: spec.kind,
      localHost: FORWARD_HOST,
      localPort: this.localPort,
      remoteHost: spec.remoteHost,
      remotePort: spec.remotePort,
      state: this.state,
      sockets: this.sockets.size,
      description: this.toString(),
    };
  }

  /** e.g. "127.0.0.1:8888 → local-0 127.0.0.1:8888 (Jupyter)". */
  toString(): string {
    const { spec } = this;
    return (
      `${FORWARD_HOST}:${this.localPort} → ${spec.instanceName} ` +
      `${spec.remoteHost}:${spec.remotePort} (${spec.label})`
    );
  }

  /** Stops listening and closes every socket it owns (their tunnels close with them). */
  dispose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closing.abort();
    this.server.close();
    for (const socket of this.sockets) {
      // A socket still waiting has sent bytes nobody read: destroying it would reset (RST) it,
      // so it is drained and ended; a tunnelled one is cut at once.
      if (this.pending.has(socket)) endSocket(socket);
      else socket.destroy();
    }
  }

  private accept(socket: net.Socket): void {
    if (this.state === 'closed') {
      socket.destroy();
      return;
    }
    // Interactive traffic (Jupyter's websocket, small HTTP requests) must not wait for ACKs.
    socket.setNoDelay(true);
    // A browser resetting a socket it no longer needs is routine, not worth a crash or a log line.
    socket.on('error', () => {});
    this.sockets.add(socket);
    this.pending.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.pending.delete(socket);
      this.options.onDidChange(false);
    });
    this.options.onDidChange(false);
    void this.carry(socket);
  }

  /** Opens a tunnel for the socket on the current link, waiting (bounded) for one if needed. */
  private async carry(socket: net.Socket): Promise<void> {
    const { links, waitForLinkMs, maxWaitingSockets } = this.options;
    const { connectionId, remoteHost, remotePort } = this.spec;
    const deadline = Date.now() + waitForLinkMs;
    // `destroyed` rather than an AbortSignal per socket: aborting one builds a DOMException with
    // a stack, ~20 us for every short-lived connection (a browser opens many).
    const stopped = () => socket.destroyed || this.closing.signal.aborted;
    for (;;) {
      let link: SshConnection | undefined = links.current(connectionId);
      if (!link) {
        if (this.waiting >= maxWaitingSockets) return endSocket(socket);
        this.waiting++;
        // Only a socket that waits for the link needs a signal for its going away.
        const gone = new AbortController();
        const onClose = () => gone.abort();
        socket.once('close', onClose);
        try {
          if (socket.destroyed) throw new Error('gone');
          link = await links.waitForLink(
            connectionId,
            AbortSignal.any([
              gone.signal,
              this.closing.signal,
              AbortSignal.timeout(Math.max(0, deadline - Date.now())),
            ]),
          );
        } catch {
          // Lost, closed, or not back in time: the client sees its connection end.
          return endSocket(socket);
        } finally {
          socket.off('close', onClose);
          this.waiting--;
        }
      }
      let channel: ClientChannel;
      try {
        // The socket is paused (pauseOnConnect), so nothing it sends is lost meanwhile.
        channel = await link.forwardOut(
          FORWARD_HOST,
          socket.remotePort ?? 0,
          remoteHost,
          remotePort,
        );
      } catch (err) {
        if (stopped()) return;
        // The link died under the request (a dead link is noticed only by keepalive): the next
        // link will carry it.
        if (link.closed && Date.now() < deadline) continue;
        this.options.log(`${this.toString()}: ${RpcError.from(err).message}`);
        return endSocket(socket);
      }
      if (stopped()) {
        closeChannel(channel);
        return;
      }
      this.pending.delete(socket);
      bridge(socket, channel, link);
      return;
    }
  }
}

/** Pipes both ways; either side ending or closing ends the other. */
function bridge(socket: net.Socket, channel: ClientChannel, link: SshConnection): void {
  // A dropped link shows up as the channel closing; its error adds nothing.
  channel.on('error', () => {});
  socket.pipe(channel);
  channel.pipe(socket, { end: false });
  // ssh2 ends every channel of a dead link as if the far side had finished (EOF). Passed on as a
  // FIN, a download cut by a network drop would look complete to the client; a reset says it
  // broke. ssh2 marks the link closed before it ends the channels, so `closed` tells them apart.
  channel.once('end', () => {
    if (socket.destroyed) return;
    if (link.closed) socket.resetAndDestroy();
    else socket.end();
  });
  // destroySoon: deliver what is buffered, send FIN, then free the socket, even if the client
  // keeps its half open (the tunnel behind it is gone).
  channel.once('close', () => socket.destroySoon());
  socket.once('close', () => closeChannel(channel));
}

function closeChannel(channel: ClientChannel): void {
  try {
    channel.close();
  } catch {
    // The link is already gone, and the channel with it.
  }
}

/** Ends a socket that will get no tunnel: FIN first, and no lingering if the peer stays. */
function endSocket(socket: net.Socket): void {
  // Read and drop what it sent (closing with unread bytes makes the kernel reset the socket).
  socket.resume();
  socket.end();
  setTimeout(() => socket.destroy(), 1_000).unref();
}

async function bindPort(spec: ForwardSpec): Promise<net.Server> {
  if (spec.localPort !== undefined) {
    try {
      return await listenOn(spec.localPort);
    } catch (err) {
      throw portError(spec.localPort, err);
    }
  }
  const last = Math.min(65535, spec.remotePort + NEARBY_PORTS);
  for (let port = spec.remotePort; port <= last; port++) {
    try {
      return await listenOn(port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw portError(port, err);
    }
  }
  // Every nearby number is taken: any free port still gives a working forward.
  return listenOn(0);
}

function listenOn(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: a client that sends its request and shuts its side (`nc -N`, some HTTP
    // clients) must still get the answer. pauseOnConnect: hold its bytes until a tunnel exists.
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    server.once('error', reject);
    server.listen({ host: FORWARD_HOST, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function portError(port: number, err: unknown): RpcError {
  const code = (err as NodeJS.ErrnoException).code;
  const message =
    code === 'EADDRINUSE'
      ? `Local port ${port} is already in use on this computer (by another program or forward). ` +
        'Choose another local port, or leave it empty to use a free one.'
      : code === 'EACCES'
        ? `Local port ${port} needs administrator rights on this computer. Choose a port of 1024 ` +
          'or above, or leave it empty to use a free one.'
        : `Cannot listen on local port ${port} (${(err as Error).message}). Choose another ` +
          'local port, or leave it empty to use a free one.';
  // The shape of a schema error, so the UI shows it at the port field.
  return new RpcError(ErrorCode.BadInput, message, [{ path: ['localPort'], message }]);
}
