// The network half of connection diagnostics on real sockets: name lookup, a TCP connect, the SSH
// identification line, and the server's host key from a key exchange that never signs in.
import { promises as dns } from 'node:dns';
import * as net from 'node:net';
import { Client } from 'ssh2';
import { socketProblem } from '../net/socket-problem';
import { ProbeFailure, type ProbeFailureKind } from './diagnostic-probes';

export interface NetworkProbeTimings {
  /** Per lookup, connect, and greeting (default 5 s). */
  timeoutMs?: number;
  /** The key exchange for the host key (default 10 s). */
  keyExchangeTimeoutMs?: number;
}

export class NetworkProbes {
  private readonly timeoutMs: number;
  private readonly keyExchangeTimeoutMs: number;

  constructor(timings: NetworkProbeTimings = {}) {
    this.timeoutMs = timings.timeoutMs ?? 5_000;
    this.keyExchangeTimeoutMs = timings.keyExchangeTimeoutMs ?? 10_000;
  }

  async resolve(name: string, signal?: AbortSignal): Promise<string[]> {
    const lookup = dns
      .lookup(name, { all: true, verbatim: true })
      .catch((err: NodeJS.ErrnoException) => {
        throw new ProbeFailure(
          kindOf(err),
          err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
            ? `${name} could not be resolved (${err.code})`
            : `looking up ${name} failed (${err.code ?? err.message})`,
        );
      });
    const answers = await withTimeout(lookup, this.timeoutMs, `no DNS answer for ${name}`, signal);
    return [...new Set(answers.map((a) => a.address))];
  }

  connectTcp(host: string, port: number, signal?: AbortSignal): Promise<void> {
    return this.withSocket(host, port, signal, (socket, done) => {
      socket.once('connect', () => done());
    });
  }

  /**
   * The identification line (RFC 4253 §4.2: a server may send other lines first; the one that
   * starts with `SSH-` counts). Anything else within 4 KiB means the port is no SSH server.
   */
  readBanner(host: string, port: number, signal?: AbortSignal): Promise<string> {
    return this.withSocket(
      host,
      port,
      signal,
      (socket, done, fail) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
          const lines = text.split(/\r?\n/);
          const complete = lines.slice(0, -1);
          const ssh = complete.find((l) => l.startsWith('SSH-'));
          if (ssh) return done(ssh.trim());
          if (text.length > 4096 || (complete.length > 0 && !/^[\x20-\x7e]*$/.test(complete[0]!))) {
            fail(
              'not-ssh',
              `port ${port} answered "${printable(text)}", which is not an SSH greeting`,
            );
          }
        });
        socket.once('end', () =>
          fail(
            text ? 'not-ssh' : 'closed',
            text
              ? `port ${port} answered "${printable(text)}" and closed, which is not an SSH greeting`
              : `${host}:${port} closed the connection without a greeting`,
          ),
        );
      },
      `${host}:${port} accepted the connection but sent no SSH greeting within ${this.timeoutMs / 1000} s`,
    );
  }

  /** The host key blob offered in the key exchange; the client then declines it and leaves. */
  fetchHostKey(host: string, port: number, signal?: AbortSignal): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const client = new Client();
      let key: Buffer | undefined;
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        client.on('error', () => {});
        client.end();
        client.destroy();
        if (key) resolve(key);
        else reject(err ?? new ProbeFailure('other', `${host}:${port} offered no host key`));
      };
      const onAbort = () => finish(new ProbeFailure('other', 'cancelled'));
      const timer = setTimeout(
        () =>
          finish(
            new ProbeFailure(
              'timeout',
              `no key exchange with ${host}:${port} within ${this.keyExchangeTimeoutMs / 1000} s`,
            ),
          ),
        this.keyExchangeTimeoutMs,
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      client.on('error', (err: Error & { code?: string }) =>
        finish(
          new ProbeFailure(
            kindOf(err),
            `key exchange with ${host}:${port} failed (${socketProblem(err, host)})`,
          ),
        ),
      );
      client.on('close', () => finish());
      client.connect({
        host,
        port,
        username: 'dsvm-pool-diagnostics',
        readyTimeout: this.keyExchangeTimeoutMs,
        // Declining the key ends the handshake before any authentication is attempted.
        hostVerifier: (blob: Buffer) => {
          key = Buffer.from(blob);
          setImmediate(() => finish());
          return false;
        },
      });
    });
  }

  /** A socket to host:port whose outcome `watch` decides; connect errors and timeouts fail it. */
  private withSocket<T>(
    host: string,
    port: number,
    signal: AbortSignal | undefined,
    watch: (
      socket: net.Socket,
      done: (value: T) => void,
      fail: (kind: ProbeFailureKind, message: string) => void,
    ) => void,
    timeoutMessage = `no answer from ${host}:${port} within ${this.timeoutMs / 1000} s`,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const socket = net.connect({ host, port });
      let settled = false;
      const settle = (err: Error | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        if (err) reject(err);
        else resolve(value as T);
      };
      const onAbort = () => settle(new ProbeFailure('other', 'cancelled'));
      const timer = setTimeout(
        () => settle(new ProbeFailure('timeout', timeoutMessage)),
        this.timeoutMs,
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (err: NodeJS.ErrnoException) =>
        settle(new ProbeFailure(kindOf(err), `${host}:${port}: ${socketProblem(err, host)}`)),
      );
      watch(
        socket,
        (value) => settle(undefined, value),
        (kind, message) => settle(new ProbeFailure(kind, message)),
      );
    });
  }
}

function kindOf(err: { code?: string | number }): ProbeFailureKind {
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'not-found';
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    default:
      return 'other';
  }
}

function printable(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? '';
  return line.replace(/[^\x20-\x7e]/g, '?').slice(0, 60);
}

function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  message: string,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ProbeFailure('timeout', `${message} within ${ms / 1000} s`)),
      ms,
    );
    const onAbort = () => reject(new ProbeFailure('other', 'cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}
