// A loopback TCP proxy for fault injection: tests put it between a client and a server, then cut
// every connection (a network drop) or black-hole them (a flow silently dropped, e.g. by Azure's
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

export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let paused = false;

  const server = net.createServer((client) => {
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
  });
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
