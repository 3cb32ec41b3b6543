// Asks a web server on the instance for one status code through an SSH tunnel, so the check needs
// no curl or python on the VM and takes the very path the user's browser will take.
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import type { ClientChannel } from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';
import type { SshConnection } from '../ssh/ssh-connection';

export interface ProbeRequest {
  /** As seen from the instance, e.g. 127.0.0.1. */
  host: string;
  port: number;
  scheme: 'http' | 'https';
  /** Absolute path, e.g. `/api/status`. */
  path: string;
  /** Sent as `Authorization: token …`, never in the URL (Jupyter logs URLs). */
  token?: string;
}

export interface ProbeAnswer {
  status: number;
  /** https only: SHA-256 of the server's certificate (`AB:CD:…`), to pin a self-signed one. */
  fingerprint256?: string;
}

/**
 * Sends one GET and resolves with the status line's code. Rejects when nothing listens (the
 * instance refuses the tunnel), the TLS handshake fails, or no status line comes in time.
 */
export function probeHttp(
  connection: Pick<SshConnection, 'forwardOut'>,
  request: ProbeRequest,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProbeAnswer> {
  const { timeoutMs = 5_000, signal } = options;
  return new Promise<ProbeAnswer>((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let stream: Duplex | undefined;
    let settled = false;
    const finish = (err: Error | undefined, answer?: ProbeAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      stream?.destroy();
      channel?.close();
      if (err) reject(err);
      else resolve(answer!);
    };
    const timer = setTimeout(
      () => finish(new Error(`no HTTP answer within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    const onAbort = () => finish(new RpcError(ErrorCode.Cancelled, 'The check was cancelled.'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    connection.forwardOut('127.0.0.1', 0, request.host, request.port).then(
      (opened) => {
        if (settled) return void opened.close();
        channel = opened;
        opened.on('error', (err: Error) => finish(err));
        if (request.scheme === 'https') {
          // The tunnel is already authenticated by the SSH host key, and a VM's Jupyter or Hub
          // certificate is self-signed: the fingerprint is handed on for pinning instead.
          const socket = tls.connect({ socket: opened, rejectUnauthorized: false });
          stream = socket;
          socket.on('error', (err: Error) => finish(err));
          socket.once('secureConnect', () =>
            send(socket, socket.getPeerCertificate().fingerprint256),
          );
        } else {
          stream = opened;
          send(opened, undefined);
        }
      },
      (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
    );

    function send(to: Duplex, fingerprint256: string | undefined) {
      let head = '';
      to.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n');
        if (end < 0 && head.length < 1024) return;
        const match = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head.slice(0, end < 0 ? undefined : end));
        if (!match) return finish(new Error('the answer is not HTTP'));
        finish(undefined, {
          status: Number(match[1]),
          ...(fingerprint256 ? { fingerprint256 } : {}),
        });
      });
      to.on('error', (err: Error) => finish(err));
      to.on('close', () => finish(new Error('the server closed the connection without answering')));
      const host = request.host.includes(':') ? `[${request.host}]` : request.host;
      to.write(
        `GET ${request.path} HTTP/1.1\r\nHost: ${host}:${request.port}\r\n` +
          (request.token ? `Authorization: token ${request.token}\r\n` : '') +
          'Connection: close\r\n\r\n',
      );
    }
  });
}
