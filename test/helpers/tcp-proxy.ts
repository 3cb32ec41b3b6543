// A loopback TCP proxy for fault injection: tests put it between a client and a server, then cut
// every connection (a network drop, as a close or as a TCP reset), black-hole them for a while (a
// route that drops packets, then heals) or for good (a flow silently dropped, e.g. by Azure's
// load balancer after idling, which only keepalive can notice).
import * as net from 'node:net';

export interface TcpProxy {
  /** Where clients connect (127.0.0.1). */
  port: number;
  /** Connections open through the proxy now. */
  readonly connections: number;
  /** Destroys every current connection, both sides (new ones are still accepted). */
  cut(): void;
  /**
   * Resets every current connection, both sides: each peer gets a TCP RST (ECONNRESET), as when a
   * middlebox or a rebooted router forgets the flow. New ones are still accepted.
   */
  reset(): void;
  /**
   * A route that drops every packet for `ms`, then heals: nothing moves either way (reads stop,
   * so the senders' windows fill, as with unacknowledged segments), new connections are accepted
   * but reach the server only after; then everything held is delivered in order, nothing lost
   * (TCP retransmits what a real route dropped). A peer that gave up meanwhile has closed its side.
   */
  blackHoleFor(ms: number): Promise<void>;
  /**
   * Black hole: every current connection, and every one accepted until `resume`, stays open but
   * carries nothing, ever (bytes are dropped, not queued, as on a dead route).
   */
  pause(): void;
  /** New connections are carried again (black-holed ones stay dead, as a dropped flow does). */
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
  dead: boolean;
}

/** Both sides get a TCP RST (SO_LINGER 0) rather than a FIN. */
function resetSocket(socket: net.Socket | undefined): void {
  if (!socket || socket.destroyed) return;
  // resetAndDestroy throws on a socket that is still connecting; destroy is all it can get.
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let paused = false;
  /** While a timed black hole lasts: the held connections' starts, run when it ends. */
  let held: (() => void)[] | undefined;

  const server = net.createServer((client) => {
    if (held) {
      // Held, not refused: its SYN "gets through" once the route heals.
      client.pause();
      client.on('error', () => {});
      held.push(() => carry(client));
      return;
    }
    carry(client);
  });

  const carry = (client: net.Socket) => {
    if (client.destroyed) return;
    const pair: Pair = { client, dead: paused };
    pairs.add(pair);
    client.on('error', () => {});
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (pair.dead) {
      // Accept and swallow: the peer sees a connection that never answers.
      client.resume();
      return;
    }
    const upstream = net.connect({ host: targetHost, port: targetPort });
    pair.upstream = upstream;
    upstream.on('error', () => {});
    upstream.on('close', () => client.destroy());
    client.on('data', (data: Buffer) => {
      if (!pair.dead) upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      if (!pair.dead) client.write(data);
    });
    client.on('end', () => pair.dead || upstream.end());
    upstream.on('end', () => pair.dead || client.end());
    client.resume();
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return pairs.size;
    },
    cut() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
    },
    reset() {
      for (const pair of pairs) {
        resetSocket(pair.client);
        resetSocket(pair.upstream);
      }
    },
    async blackHoleFor(ms: number) {
      if (held) throw new Error('a black hole is already open');
      held = [];
      const stalled = [...pairs];
      for (const pair of stalled) {
        pair.client.pause();
        pair.upstream?.pause();
      }
      await new Promise((resolve) => setTimeout(resolve, ms));
      for (const pair of stalled) {
        pair.client.resume();
        pair.upstream?.resume();
      }
      const waiting = held;
      held = undefined;
      for (const start of waiting) start();
    },
    pause() {
      paused = true;
      for (const pair of pairs) pair.dead = true;
    },
    resume() {
      paused = false;
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream?.destroy();
        }
        server.close(() => resolve());
      });
    },
  };
}
