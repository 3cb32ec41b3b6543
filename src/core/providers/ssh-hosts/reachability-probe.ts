// A cheap "is anything listening?" check for an SSH host: a TCP connect with a short timeout, no
// SSH handshake, so it costs the host nothing and shows no login attempt in its logs.
import * as net from 'node:net';
import { socketProblem } from '../../net/socket-problem';

/** Resolves undefined when `host:port` accepts a TCP connection, else the reason in words. */
export function probeTcp(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let settled = false;
    const done = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(`no answer within ${formatMs(timeoutMs)}`), timeoutMs);
    timer.unref();
    socket.unref();
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(socketProblem(err, host)));
  });
}

function formatMs(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
