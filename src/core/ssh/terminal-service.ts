// The interactive terminals: a pty shell per terminal over an SshConnection, with batched output
// and flow control so a flood of output cannot outrun the UI.
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable } from '../../common/event';
import type { TerminalInfo } from '../../common/models';
import type { SshConnection } from './ssh-connection';

/**
 * Flow control, as in VS Code's terminal (`acknowledgeDataEvent`): the UI acknowledges the
 * characters it has rendered. Once more than HIGH_WATERMARK characters are sent but not yet
 * acknowledged, the channel is paused: ssh2 then stops granting the server SSH window for this
 * channel, so the server stops sending and the producer (e.g. `yes`) blocks on its pty. This
 * throttles only this terminal, not the connection's other channels (e.g. the Jupyter tunnel).
 * Reading resumes once the backlog drops below LOW_WATERMARK; the gap between the two avoids
 * pausing and resuming on every small acknowledgement. 100k characters is a few screens of
 * scrollback that xterm.js renders in well under a second, so typing stays responsive (Ctrl+C is
 * seen quickly) while throughput stays high.
 */
export const HIGH_WATERMARK = 100_000;
export const LOW_WATERMARK = 20_000;
/**
 * Output is coalesced for up to BATCH_DELAY_MS or BATCH_MAX_CHARS, whichever comes first: a flood
 * arriving in 32 KiB SSH packets then crosses the RPC boundary as a few large events instead of
 * thousands of small ones, and a lone keystroke echo waits at most 5 ms.
 */
export const BATCH_DELAY_MS = 5;
export const BATCH_MAX_CHARS = 64 * 1024;

export interface TerminalOwner {
  connectionId: string;
  poolId: string;
  instanceId: string;
  instanceName: string;
}

export interface TerminalExit {
  terminalId: string;
  exitCode?: number;
  signal?: string;
  reason: string;
}

interface Terminal {
  info: TerminalInfo;
  channel: ClientChannel;
  /** One decoder per stream: a UTF-8 character can be split between two chunks of either. */
  stdoutDecoder: StringDecoder;
  stderrDecoder: StringDecoder;
  pending: string;
  timer: NodeJS.Timeout | undefined;
  /** Characters sent in onData and not yet acknowledged. */
  unacked: number;
  paused: boolean;
  exit: { exitCode?: number; signal?: string };
  subscriptions: Disposable[];
}

export class TerminalService implements Disposable {
  private nextId = 1;
  private readonly terminals = new Map<string, Terminal>();
  private readonly dataEmitter = new Emitter<{ terminalId: string; data: string }>();
  private readonly exitEmitter = new Emitter<TerminalExit>();
  private readonly resizeEmitter = new Emitter<{
    terminalId: string;
    cols: number;
    rows: number;
  }>();
  /** Output; acknowledge it with `ack` once rendered. */
  readonly onData = this.dataEmitter.event;
  /** The shell ended, the terminal was closed, or its connection dropped; fires once per terminal. */
  readonly onDidExit = this.exitEmitter.event;
  readonly onDidResize = this.resizeEmitter.event;

  async open(
    connection: SshConnection,
    owner: TerminalOwner,
    size: { cols: number; rows: number },
  ): Promise<TerminalInfo> {
    const channel = await connection.shell(size);
    if (connection.closed) {
      // It dropped while the shell was opening; don't hand out a terminal that is already gone.
      channel.close();
      throw new RpcError(
        ErrorCode.Closed,
        `The connection to ${connection.where} closed while the terminal was opening. Connect again.`,
      );
    }
    const info: TerminalInfo = { id: `term-${this.nextId++}`, ...owner, ...size };
    const term: Terminal = {
      info,
      channel,
      stdoutDecoder: new StringDecoder('utf8'),
      stderrDecoder: new StringDecoder('utf8'),
      pending: '',
      timer: undefined,
      unacked: 0,
      paused: false,
      exit: {},
      subscriptions: [],
    };
    this.terminals.set(info.id, term);

    channel.on('data', (chunk: Buffer) => this.push(term, term.stdoutDecoder.write(chunk)));
    // A pty merges stderr into its output already; whatever still comes on stderr is shown inline.
    channel.stderr.on('data', (chunk: Buffer) => this.push(term, term.stderrDecoder.write(chunk)));
    channel.on('exit', (code: number | null, signal?: string) => {
      term.exit = typeof code === 'number' ? { exitCode: code } : signal ? { signal } : {};
    });
    channel.on('close', () => this.finish(term, exitReason(term.exit)));
    // The connection can die without the server closing the channel first (keepalive timeout,
    // Wi-Fi gone); then the connection's reason is the useful one.
    term.subscriptions.push(
      connection.onDidClose(({ reason }) => this.closeAllFor(owner.connectionId, reason)),
    );
    return { ...info };
  }

  write(terminalId: string, data: string): void {
    this.get(terminalId).channel.write(data);
  }

  resize(terminalId: string, cols: number, rows: number): void {
    const term = this.get(terminalId);
    // ssh2 takes rows before cols; pixel sizes are optional and unknown here.
    term.channel.setWindow(rows, cols, 0, 0);
    term.info = { ...term.info, cols, rows };
    this.resizeEmitter.fire({ terminalId, cols, rows });
  }

  /** The UI rendered `chars` more characters of this terminal's onData. */
  ack(terminalId: string, chars: number): void {
    // An ack racing the shell's exit is normal, not an error worth showing the user.
    const term = this.terminals.get(terminalId);
    if (!term) return;
    term.unacked = Math.max(0, term.unacked - chars);
    if (term.paused && term.unacked < LOW_WATERMARK) {
      term.paused = false;
      term.channel.resume();
      term.channel.stderr.resume();
    }
  }

  /** Ends the shell (the server hangs up its pty) and forgets the terminal. */
  close(terminalId: string): void {
    this.finish(this.get(terminalId), { reason: 'The terminal was closed.' });
  }

  closeAllFor(connectionId: string, reason: string): void {
    for (const term of [...this.terminals.values()]) {
      if (term.info.connectionId === connectionId) this.finish(term, { reason });
    }
  }

  list(): TerminalInfo[] {
    return [...this.terminals.values()].map((term) => ({ ...term.info }));
  }

  dispose(): void {
    for (const term of [...this.terminals.values()]) {
      this.finish(term, { reason: 'The app is shutting down.' });
    }
    this.dataEmitter.dispose();
    this.exitEmitter.dispose();
    this.resizeEmitter.dispose();
  }

  private get(terminalId: string): Terminal {
    const term = this.terminals.get(terminalId);
    if (!term) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No open terminal "${terminalId}"; its shell may have ended. Open a new terminal.`,
      );
    }
    return term;
  }

  private push(term: Terminal, text: string): void {
    if (!text || !this.terminals.has(term.info.id)) return;
    term.pending += text;
    if (term.pending.length >= BATCH_MAX_CHARS) this.flush(term);
    else term.timer ??= setTimeout(() => this.flush(term), BATCH_DELAY_MS);
  }

  private flush(term: Terminal): void {
    clearTimeout(term.timer);
    term.timer = undefined;
    if (!term.pending) return;
    const data = term.pending;
    term.pending = '';
    term.unacked += data.length;
    if (!term.paused && term.unacked > HIGH_WATERMARK) {
      term.paused = true;
      term.channel.pause();
      term.channel.stderr.pause();
    }
    this.dataEmitter.fire({ terminalId: term.info.id, data });
  }

  private finish(term: Terminal, exit: Omit<TerminalExit, 'terminalId'>): void {
    if (!this.terminals.delete(term.info.id)) return;
    // Deliver what the shell printed last (e.g. an error before it exited) before the exit.
    term.pending += term.stdoutDecoder.end() + term.stderrDecoder.end();
    this.flush(term);
    for (const subscription of term.subscriptions) subscription.dispose();
    const { channel } = term;
    channel.removeAllListeners('data');
    channel.stderr.removeAllListeners('data');
    // A paused channel never reaches 'end', so it would never finish closing; let it drain.
    channel.resume();
    channel.stderr.resume();
    try {
      channel.close();
    } catch {
      // The connection is already gone, and the channel with it.
    }
    this.exitEmitter.fire({ terminalId: term.info.id, ...exit });
  }
}

function exitReason(exit: {
  exitCode?: number;
  signal?: string;
}): Omit<TerminalExit, 'terminalId'> {
  if (exit.exitCode !== undefined) {
    return {
      ...exit,
      reason:
        exit.exitCode === 0 ? 'The shell exited.' : `The shell exited with code ${exit.exitCode}.`,
    };
  }
  if (exit.signal) return { ...exit, reason: `The shell was ended by ${exit.signal}.` };
  return { reason: 'The shell ended.' };
}
