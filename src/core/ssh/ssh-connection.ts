// One authenticated SSH connection to an instance (an ssh2 Client), with failures a user can act on.
import * as net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable, type Event } from '../../common/event';
import type { ConnectTarget } from '../providers/pool-provider';
import { socketProblem } from '../net/socket-problem';
import { describeCipher, preferredCiphers, type Negotiated } from './ssh-algorithms';

export interface SshConnectionOptions {
  target: ConnectTarget;
  /** Resolves to accept the server's host key (raw blob); throws (an RpcError) to refuse it. */
  verifyHostKey: (key: Buffer) => Promise<void>;
  /**
   * How often to ping the server when the line is idle (default 30 s). Azure's load balancer
   * silently drops flows idle for 4 minutes; pings keep ours alive and notice dead peers.
   */
  keepaliveIntervalMs?: number;
  /** Unanswered pings before the connection counts as lost (default 3). */
  keepaliveCountMax?: number;
  /** Budget for TCP connect + handshake + login, not counting time spent asking the user about the host key (default 20 s). */
  readyTimeoutMs?: number;
  /** Aborts connecting; has no effect once `open` resolved (dispose the connection instead). */
  signal?: AbortSignal;
  /** Pins ssh2's algorithm lists (e.g. one cipher for a benchmark); `preferredCiphers()` otherwise. */
  algorithms?: ConnectConfig['algorithms'];
  /**
   * Reads the socket into one buffer per connection (default) or, with false, into a new one
   * per read as a plain socket does: only for `bench/read-buffer.ts`, which compares the two.
   */
  reuseReadBuffer?: boolean;
}

/** Why a connection ended: `lost` is true unless the app itself closed it (`dispose`). */
export interface SshCloseEvent {
  reason: string;
  lost: boolean;
}

export interface ExecResult {
  /** Exit status, or null when the command was killed by a signal or gave none. */
  code: number | null;
  /** e.g. `SIGTERM` when the command was killed by a signal. */
  signal?: string;
  stdout: string;
  stderr: string;
}

/** What ssh2 attaches to the errors it emits. */
type SshError = Error & { level?: string; code?: string | number };

const ALL_AUTH_FAILED = 'All configured authentication methods failed';

/**
 * One read buffer per connection: a whole 256 KiB tunnel packet usually arrives in one read
 * (alternating runs measured 64 KiB and 1 MiB too; 256 KiB was as good as 1 MiB).
 */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * `transientReads`: our ssh2 patch's option (patches/ssh2+1.17.0.patch; docs/ARCHITECTURE.md,
 * "The ssh2 patch").
 */
type PatchedConnectConfig = ConnectConfig & { transientReads?: boolean };

export class SshConnection implements Disposable {
  private readonly closeEmitter = new Emitter<SshCloseEvent>();
  /**
   * Fires once, with a sentence a user can read, when the connection ends for any reason;
   * `lost` tells a dropped link (worth reconnecting) from our own `dispose`.
   */
  readonly onDidClose: Event<SshCloseEvent> = this.closeEmitter.event;
  private isClosed = false;
  private lastError: SshError | undefined;
  /** `host:port`, for messages. */
  readonly where: string;
  /** The cipher and crypto backend in use, for logs (e.g. "aes128-gcm@openssh.com, Node crypto"). */
  readonly cipher: string;

  private constructor(
    private readonly client: Client,
    readonly target: ConnectTarget,
    /** The algorithms the handshake settled on (ssh2's `handshake` event). */
    readonly negotiated: Negotiated | undefined,
  ) {
    this.where = `${target.host}:${target.port}`;
    this.cipher = describeCipher(negotiated);
    client.on('error', (err: SshError) => {
      this.lastError = err;
    });
    client.on('close', () => this.markClosed(this.lostReason(), true));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  static open(options: SshConnectionOptions): Promise<SshConnection> {
    const { target, signal } = options;
    const where = `${target.host}:${target.port}`;
    const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;

    return new Promise<SshConnection>((resolve, reject) => {
      if (signal?.aborted) {
        reject(cancelled(where));
        return;
      }
      const client = new Client();
      // Our own socket so we can turn Nagle off: with it on, each keystroke echo waits for the
      // previous segment's ACK and typing over a long-RTT link stalls visibly.
      const reuse = options.reuseReadBuffer ?? true;
      const sock = net.connect({
        host: target.host,
        port: target.port,
        // Every read lands in this connection's one buffer instead of a new 64 KiB one: a
        // tunnel's bulk download no longer allocates a GiB of read buffers per GiB (half the
        // scavenges, 16–19 % less CPU per GiB; docs/ARCHITECTURE.md, "Reads into one buffer").
        // ssh2 parses each chunk before the next read (`transientReads`) and copies what it
        // keeps.
        ...(reuse && {
          onread: {
            buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
            callback: (length: number, buffer: Uint8Array) => {
              sock.emit('data', Buffer.from(buffer.buffer, buffer.byteOffset, length));
              // Keep reading; ssh2's pause() still stops the socket as without `onread`.
              return true;
            },
          },
        }),
      });
      sock.setNoDelay(true);

      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let negotiated: Negotiated | undefined;
      client.once('handshake', (algorithms: Negotiated) => (negotiated = algorithms));
      // Failures ssh2 reports but then moves past (it tries the next auth method); kept so the
      // final "all methods failed" can say why.
      const authProblems: string[] = [];

      const armTimer = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () =>
            fail(
              new RpcError(
                ErrorCode.Unreachable,
                `Could not reach ${where} (no answer within ${formatDuration(readyTimeoutMs)}). ` +
                  'Is the instance running, and is its SSH port open to you?',
              ),
            ),
          readyTimeoutMs,
        );
      };
      const onAbort = () => fail(cancelled(where));
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        client.off('error', onError);
        client.off('close', onClose);
        client.off('ready', onReady);
      };
      const fail = (err: RpcError) => {
        if (settled) return;
        settled = true;
        cleanup();
        // ssh2 may still report the teardown below; nobody waits for it any more.
        client.on('error', () => {});
        sock.destroy();
        reject(err);
      };

      const onReady = () => {
        if (settled) return;
        settled = true;
        // Attach the connection's own listeners before dropping ours, so an 'error' always has
        // a listener (an unheard one would crash the process).
        const connection = new SshConnection(client, target, negotiated);
        cleanup();
        resolve(connection);
      };
      const onError = (err: SshError) => {
        if (
          err.level === 'agent' ||
          (err.level === 'client-authentication' && err.message !== ALL_AUTH_FAILED)
        ) {
          authProblems.push(
            err.level === 'agent' ? `the ssh-agent failed: ${err.message}` : err.message,
          );
          return;
        }
        if (err.level === 'client-authentication') {
          fail(authFailed(target, where, authProblems));
          return;
        }
        if (err.level === 'client-socket') {
          fail(unreachable(where, target.host, err));
          return;
        }
        fail(
          new RpcError(
            ErrorCode.Unreachable,
            `Could not set up an SSH session with ${where} (${err.message}). ` +
              'Check that the address and port point to the instance’s SSH server.',
          ),
        );
      };
      const onClose = () =>
        fail(
          new RpcError(
            ErrorCode.Unreachable,
            `The server at ${where} closed the connection before login completed. ` +
              'The instance may be starting or shutting down; try again in a minute.',
          ),
        );

      // The async form of ssh2's hostVerifier: ssh2 waits for `verify`, so the user can take
      // their time with the question (the ready timer is paused meanwhile).
      const hostVerifier = (key: Buffer, verify: (valid: boolean) => void): void => {
        clearTimeout(timer);
        options.verifyHostKey(key).then(
          () => {
            if (!settled) armTimer();
            verify(true);
          },
          (err: unknown) => {
            // Reject with the verifier's explanation, not ssh2's generic "Host denied".
            fail(RpcError.from(err));
            verify(false);
          },
        );
      };

      const config: PatchedConnectConfig = {
        sock,
        transientReads: reuse,
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: target.privateKey,
        passphrase: target.passphrase,
        agent: target.agent,
        hostVerifier,
        keepaliveInterval: options.keepaliveIntervalMs ?? 30_000,
        keepaliveCountMax: options.keepaliveCountMax ?? 3,
        algorithms: options.algorithms ?? { cipher: preferredCiphers() },
        // Our own timer replaces ssh2's, which would also count the time a user spends reading
        // the host key question.
        readyTimeout: 0,
      };
      client.on('ready', onReady);
      client.on('error', onError);
      client.on('close', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
      armTimer();
      try {
        client.connect(config);
      } catch (err) {
        // ssh2 parses the private key synchronously here.
        fail(badKey(target, where, err));
      }
    });
  }

  /**
   * An interactive login shell in a pty on the instance, or `command` in that pty (e.g. a tmux
   * client that attaches the shell's session).
   */
  shell(options: {
    cols: number;
    rows: number;
    term?: string;
    command?: string;
  }): Promise<ClientChannel> {
    const { cols, rows, term = 'xterm-256color', command } = options;
    const pty = { cols, rows, term, width: 0, height: 0 };
    return command === undefined
      ? this.openChannel('open a shell', (cb) => this.client.shell(pty, cb))
      : this.openChannel('open a terminal', (cb) => this.client.exec(command, { pty }, cb));
  }

  /**
   * `command` on a channel without a pty, left to the caller to read, write and close (e.g. a
   * tmux control-mode client, which speaks a line protocol on its stdin and stdout).
   */
  channel(command: string): Promise<ClientChannel> {
    return this.openChannel('open a terminal', (cb) => this.client.exec(command, {}, cb));
  }

  /**
   * Runs a command to completion and collects its output (UTF-8). `input` is written to the
   * command's stdin, then EOF: the way to hand a command a secret, which a command line would
   * show to every user of the instance (`ps`). Without `input`, stdin stays open as before.
   */
  async exec(
    command: string,
    options: { signal?: AbortSignal; pty?: boolean; input?: string | Buffer } = {},
  ): Promise<ExecResult> {
    const { signal, pty, input } = options;
    if (signal?.aborted) throw cancelled(this.where);
    const channel = await this.openChannel('run a command', (cb) =>
      this.client.exec(command, pty ? { pty: true } : {}, cb),
    );
    // The channel buffers what the window does not take yet; end() sends EOF after it.
    if (input !== undefined) channel.end(input);
    return new Promise<ExecResult>((resolve, reject) => {
      const out = new StringDecoder('utf8');
      const err = new StringDecoder('utf8');
      let stdout = '';
      let stderr = '';
      const onAbort = () => {
        // Closing the channel makes sshd hang up the command.
        channel.close();
        reject(cancelled(this.where));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      channel.on('data', (chunk: Buffer) => (stdout += out.write(chunk)));
      channel.stderr.on('data', (chunk: Buffer) => (stderr += err.write(chunk)));
      channel.on('close', (code: unknown, exitSignal: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return;
        // ssh2 also "closes" channels when the connection drops; that is no exit status.
        if (this.isClosed && typeof code !== 'number' && typeof exitSignal !== 'string') {
          reject(this.closedError());
          return;
        }
        stdout += out.end();
        stderr += err.end();
        resolve({
          code: typeof code === 'number' ? code : null,
          ...(typeof exitSignal === 'string' ? { signal: exitSignal } : {}),
          stdout,
          stderr,
        });
      });
    });
  }

  /**
   * An SFTP session (the server's `sftp` subsystem), e.g. to upload files; `end()` it when done.
   * A server without the subsystem is refused with a sentence saying what to enable.
   */
  sftp(): Promise<SFTPWrapper> {
    if (this.isClosed) return Promise.reject(this.closedError());
    return new Promise<SFTPWrapper>((resolve, reject) => {
      const done = (err: Error | undefined, sftp: SFTPWrapper) => {
        if (!err) resolve(sftp);
        else if (this.isClosed) reject(this.closedError());
        else
          reject(
            new RpcError(
              ErrorCode.Internal,
              `The SSH server at ${this.where} offers no SFTP (${err.message}). Enable its sftp ` +
                'subsystem (sshd_config: "Subsystem sftp internal-sftp" or the sftp-server path), then try again.',
            ),
          );
      };
      try {
        this.client.sftp(done);
      } catch (err) {
        done(err as Error, undefined as unknown as SFTPWrapper);
      }
    });
  }

  /** A channel to `dstHost:dstPort` as seen from the instance (for port forwards). */
  forwardOut(
    srcHost: string,
    srcPort: number,
    dstHost: string,
    dstPort: number,
  ): Promise<ClientChannel> {
    return this.openChannel(`open a tunnel to ${dstHost}:${dstPort}`, (cb) =>
      this.client.forwardOut(srcHost, srcPort, dstHost, dstPort, cb),
    );
  }

  dispose(): void {
    if (this.isClosed) return;
    this.markClosed(`The connection to ${this.where} was closed.`, false);
    this.client.end();
    // `end` waits for the server to close its side; a dead server never does.
    setTimeout(() => this.client.destroy(), 2_000).unref();
  }

  private openChannel(
    what: string,
    start: (cb: (err: Error | undefined, channel: ClientChannel) => void) => void,
  ): Promise<ClientChannel> {
    if (this.isClosed) return Promise.reject(this.closedError());
    return new Promise<ClientChannel>((resolve, reject) => {
      const done = (err: Error | undefined, channel: ClientChannel) => {
        if (!err) resolve(channel);
        else if (this.isClosed) reject(this.closedError());
        else
          reject(
            new RpcError(
              ErrorCode.Internal,
              `The instance at ${this.where} refused to ${what} (${err.message}).`,
            ),
          );
      };
      try {
        start(done);
      } catch (err) {
        // ssh2 throws "Not connected" synchronously when the socket just went away.
        done(err as Error, undefined as unknown as ClientChannel);
      }
    });
  }

  private closedError(): RpcError {
    return new RpcError(
      ErrorCode.Closed,
      `The connection to ${this.where} is closed. Connect again to continue.`,
    );
  }

  private lostReason(): string {
    const err = this.lastError;
    if (!err) return `The server at ${this.where} closed the connection.`;
    if (err.level === 'client-timeout') {
      return `The connection to ${this.where} was lost (keepalive timeout).`;
    }
    if (err.level === 'client-socket') {
      return `The connection to ${this.where} was lost (${socketProblem(err, this.target.host)}).`;
    }
    // A numeric code is an SSH disconnect reason sent by the server.
    if (typeof err.code === 'number') {
      return `The server at ${this.where} ended the connection (${err.message}).`;
    }
    return `The connection to ${this.where} was lost (${err.message}).`;
  }

  private markClosed(reason: string, lost: boolean): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeEmitter.fire({ reason, lost });
    this.closeEmitter.dispose();
  }
}

function formatDuration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 1_000)} s`;
}

function cancelled(where: string): RpcError {
  return new RpcError(ErrorCode.Cancelled, `Connecting to ${where} was cancelled.`);
}

function unreachable(where: string, host: string, err: SshError): RpcError {
  const hint =
    err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
      ? 'Check the address and your network connection.'
      : err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH'
        ? 'Check your network (or VPN) and that the instance is running.'
        : 'Is the instance running?';
  return new RpcError(
    ErrorCode.Unreachable,
    `Could not reach ${where} (${socketProblem(err, host)}). ${hint}`,
    { code: err.code },
  );
}

function authFailed(target: ConnectTarget, where: string, problems: string[]): RpcError {
  const tried = [target.privateKey && 'private key', target.agent && 'ssh-agent'].filter(Boolean);
  const why = problems.length ? ` Also: ${problems.join('; ')}.` : '';
  if (tried.length === 0) {
    return new RpcError(
      ErrorCode.AuthFailed,
      `Cannot sign in to ${where} as "${target.username}": no SSH key or ssh-agent is set up for this pool. Add an SSH key, then connect again.`,
    );
  }
  return new RpcError(
    ErrorCode.AuthFailed,
    `The server at ${where} did not accept the ${tried.join(' or ')} of user "${target.username}".${why} ` +
      `Check the user name, and that your public key is in ~/.ssh/authorized_keys of "${target.username}" ` +
      'on the instance (the pool admin can add you to the team).',
  );
}

function badKey(target: ConnectTarget, where: string, err: unknown): RpcError {
  // ssh2's parser messages name the problem, never the key material, so they are safe to show.
  const message =
    err instanceof Error ? err.message.replace(/^Cannot parse privateKey: /, '') : String(err);
  const problem = /passphrase/i.test(message)
    ? target.passphrase
      ? 'the passphrase is wrong'
      : 'it is encrypted and no passphrase was given'
    : `it could not be read: ${message}`;
  return new RpcError(
    ErrorCode.AuthFailed,
    `The private key for "${target.username}" on ${where} cannot be used (${problem}). ` +
      'Enter the key’s passphrase, or choose another key.',
  );
}
