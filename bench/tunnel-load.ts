// The load process of bench/tunnel.ts: the target servers (bulk bytes, a small HTTP answer) and the
// clients that time them, in a process of their own so the app's tunnel, which runs in the bench's
// main process as in the app's core, does not share an event loop with the traffic's source and sink.
import * as http from 'node:http';
import * as net from 'node:net';

export type LoadRequest =
  | { cmd: 'download'; port: number; bytes: number }
  | { cmd: 'gets'; port: number; count: number; keepAlive: boolean }
  | { cmd: 'delay'; port: number; rttMs: number };

export async function loadRole(): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  const bulk = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.once('data', (line: Buffer) => {
      let left = Number(line.toString('latin1').trim());
      const pump = () => {
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= piece.length;
          if (!socket.write(piece)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
  });
  const web = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end('ok\n');
  });
  await Promise.all(
    [bulk, web].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))),
  );
  const port = (s: net.Server) => (s.address() as net.AddressInfo).port;
  process.send!({ bulkPort: port(bulk), webPort: port(web) });

  process.on('message', (req: LoadRequest) => {
    const reply = (result: unknown) => process.send!(result);
    if (req.cmd === 'download') void download(req.port, req.bytes).then(reply);
    else if (req.cmd === 'gets') void gets(req.port, req.count, req.keepAlive).then(reply);
    else void delayProxy(req.port, req.rttMs).then(reply);
  });
  process.on('disconnect', () => process.exit(0));
}

/**
 * A relay to `port` that holds every byte for half the round trip each way and buffers without
 * limit: a long fat link where only the SSH channel windows limit what is in flight.
 */
async function delayProxy(port: number, rttMs: number): Promise<{ port: number }> {
  const relay = (from: net.Socket, to: net.Socket) => {
    const queue: { at: number; data: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const now = performance.now();
      while (queue.length && queue[0]!.at <= now) to.write(queue.shift()!.data);
      if (queue.length) timer = setTimeout(flush, queue[0]!.at - now);
    };
    from.on('data', (data: Buffer) => {
      queue.push({ at: performance.now() + rttMs / 2, data });
      timer ??= setTimeout(flush, rttMs / 2);
    });
    from.on('close', () => setTimeout(() => to.destroy(), rttMs));
    from.on('error', () => {});
  };
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: '127.0.0.1', port }, () => upstream.setNoDelay(true));
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port };
}

function download(port: number, bytes: number): Promise<{ ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(`${bytes}\n`));
    let received = 0;
    socket.on('data', (data: Buffer) => (received += data.length));
    socket.on('error', reject);
    socket.on('close', () => {
      if (received !== bytes) reject(new Error(`received ${received} of ${bytes} bytes`));
      else resolve({ ms: performance.now() - started });
    });
  });
}

async function gets(port: number, count: number, keepAlive: boolean): Promise<{ ms: number[] }> {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: `/${i}`, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
    ms.push(performance.now() - started);
  }
  if (agent) agent.destroy();
  return { ms };
}

loadRole().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
