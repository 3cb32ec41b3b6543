// The interactive terminals: a pty shell per terminal over an SshConnection, with batched output
// and flow control so a flood of output cannot outrun the UI, kept in tmux when the instance has
// it so the shell survives a dropped link and is reattached on the next one.
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable } from '../../common/event';
import type { TerminalAttachment, TerminalInfo } from '../../common/models';
import type { LinkSource } from './link-source';
import type { SshCloseEvent, SshConnection } from './ssh-connection';
import { keepInBacklog, trimBacklog, type TerminalBacklog } from './terminal-backlog';
import { TMUX, tmuxCommand } from './tmux';

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

export interface TerminalServiceOptions {
  /**
   * Where a terminal finds its connection's next link after a drop. Without it a dropped link
   * ends the terminal (and tmux is not used: nothing would ever reattach the session).
   */
  links?: LinkSource;
  /** Run shells in tmux when the instance has it (default true; needs `links`). */
  tmux?: boolean;
  log?: (line: string) => void;
}

export interface TerminalOwner {
  connectionId: string;
  poolId: string;
  /** The pool's name, kept with the terminal (default: its id). */
  poolName?: string;
  instanceId: string;
  instanceName: string;
}

export interface TerminalExit {
  terminalId: string;
  exitCode?: number;
  signal?: string;
  reason: string;
}

export interface TerminalStateChange {
  terminalId: string;
  state: 'live' | 'reconnecting';
  /** The shell is a new one: the old one ended with the link (or with the instance). */
  replaced?: boolean;
  detail?: string;
}

interface Terminal {
  info: TerminalInfo;
  /** The link and channel now; both are replaced when the terminal is reattached. */
  connection: SshConnection;
  channel: ClientChannel;
  /** The tmux session the shell lives in (persistence `tmux`). */
  session?: string;
  live: boolean;
  /** One decoder per stream: a UTF-8 character can be split between two chunks of either. */
  stdoutDecoder: StringDecoder;
  stderrDecoder: StringDecoder;
  pending: string;
  /** The last output sent, as sent: at least BACKLOG_CHARS of it (joined and trimmed when shown). */
  backlog: TerminalBacklog;
  timer: NodeJS.Timeout | undefined;
  /** Characters sent in onData and not yet acknowledged. */
  unacked: number;
  paused: boolean;
  exit: { exitCode?: number; signal?: string };
  /** Set when we end the terminal's shell ourselves, so the channel's close reports this. */
  endReason?: string;
  linkSubscription?: Disposable;
  /** Stops waiting for a link when the terminal ends. */
  ended: AbortController;
}

const NEW_SHELL = 'The old shell ended with the connection; this is a new one.';
const NEW_SESSION =
  'The tmux session was gone (the instance may have restarted), and the old shell with it; ' +
  'this is a new one.';

export class TerminalService implements Disposable {
  private nextId = 1;
  /** Session names carry it, so two app instances (or a restart) never attach each other's. */
  private readonly runId = randomBytes(3).toString('hex');
  private readonly terminals = new Map<string, Terminal>();
  private readonly tmuxChecks = new WeakMap<SshConnection, Promise<boolean>>();
  private readonly dataEmitter = new Emitter<{ terminalId: string; data: string }>();
  private readonly exitEmitter = new Emitter<TerminalExit>();
  private readonly resizeEmitter = new Emitter<{
    terminalId: string;
    cols: number;
    rows: number;
  }>();
  private readonly stateEmitter = new Emitter<TerminalStateChange>();
  private readonly participant: Disposable | undefined;
  private readonly links: LinkSource | undefined;
  private readonly useTmux: boolean;
  private readonly log: (line: string) => void;
  /** Output; acknowledge it with `ack` once rendered. */
  readonly onData = this.dataEmitter.event;
  /** The shell ended, the terminal was closed, or its connection ended; fires once per terminal. */
  readonly onDidExit = this.exitEmitter.event;
  readonly onDidResize = this.resizeEmitter.event;
  /** The terminal's link dropped (`reconnecting`) or it is usable again (`live`). */
  readonly onDidChangeState = this.stateEmitter.event;

  constructor(options: TerminalServiceOptions = {}) {
    this.links = options.links;
    this.useTmux = (options.tmux ?? true) && this.links !== undefined;
    this.log = options.log ?? (() => {});
    // A user closing a connection ends its tabs: end their tmux sessions too, or every closed
    // connection would leave shells running on the VM.
    this.participant = this.links?.onWillClose?.((connectionId, connection) =>
      this.endSessionsOn(connectionId, connection),
    );
  }

  async open(
    connection: SshConnection,
    owner: TerminalOwner,
    size: { cols: number; rows: number },
  ): Promise<TerminalInfo> {
    const tmux = this.useTmux && (await this.hasTmux(connection));
    const id = `term-${this.nextId++}`;
    const session = tmux ? `dsvm-pool-${this.runId}-${id.slice('term-'.length)}` : undefined;
    const channel = await connection.shell({
      ...size,
      ...(session ? { command: tmuxCommand(session) } : {}),
    });
    if (connection.closed) {
      // It dropped while the shell was opening; don't hand out a terminal that is already gone.
      channel.close();
      throw new RpcError(
        ErrorCode.Closed,
        `The connection to ${connection.where} closed while the terminal was opening. Connect again.`,
      );
    }
    const info: TerminalInfo = {
      id,
      ...owner,
      poolName: owner.poolName ?? owner.poolId,
      ...size,
      persistence: tmux ? 'tmux' : 'plain',
    };
    const term: Terminal = {
      info,
      connection,
      channel,
      ...(session ? { session } : {}),
      live: true,
      stdoutDecoder: new StringDecoder('utf8'),
      stderrDecoder: new StringDecoder('utf8'),
      pending: '',
      backlog: { chunks: [], chars: 0 },
      timer: undefined,
      unacked: 0,
      paused: false,
      exit: {},
      ended: new AbortController(),
    };
    this.terminals.set(info.id, term);
    this.attach(term, connection, channel);
    return { ...info };
  }

  write(terminalId: string, data: string): void {
    const term = this.get(terminalId);
    // Keystrokes typed into a dead link are dropped, not queued: replaying them blindly into a
    // reattached shell (after the user saw nothing happen) could run half-typed commands.
    if (term.live) term.channel.write(data);
  }

  resize(terminalId: string, cols: number, rows: number): void {
    const term = this.get(terminalId);
    // ssh2 takes rows before cols; pixel sizes are optional and unknown here. While
    // reconnecting, the new size is used when the channel reopens.
    if (term.live) term.channel.setWindow(rows, cols, 0, 0);
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

  /**
   * A UI that reloaded takes the terminal over: what it printed lately, to show first, and flow
   * control from zero, since the old page will never acknowledge what it was sent.
   */
  attachView(terminalId: string): TerminalAttachment {
    const term = this.get(terminalId);
    // What is still batched goes out as onData after this answer, so it is not in the backlog.
    this.ack(terminalId, term.unacked);
    return {
      terminal: { ...term.info },
      backlog: trimBacklog(term.backlog.chunks.join('')),
      link: term.live ? 'live' : 'reconnecting',
    };
  }

  /** Ends the shell (the server hangs up its pty, and its tmux session is ended) and forgets it. */
  close(terminalId: string): void {
    const term = this.get(terminalId);
    this.finish(term, { reason: 'The terminal was closed.' });
    if (term.session) void this.killSession(term);
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
    this.participant?.dispose();
    for (const term of [...this.terminals.values()]) {
      this.finish(term, { reason: 'The app is shutting down.' });
    }
    this.dataEmitter.dispose();
    this.exitEmitter.dispose();
    this.resizeEmitter.dispose();
    this.stateEmitter.dispose();
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

  /** Whether the instance has tmux; asked once per link. */
  private hasTmux(connection: SshConnection): Promise<boolean> {
    let check = this.tmuxChecks.get(connection);
    if (!check) {
      check = connection.exec('command -v tmux', { signal: AbortSignal.timeout(10_000) }).then(
        (result) => result.code === 0 && result.stdout.trim() !== '',
        () => false,
      );
      this.tmuxChecks.set(connection, check);
    }
    return check;
  }

  /** Makes `channel` on `connection` the terminal's pty and listens to both. */
  private attach(term: Terminal, connection: SshConnection, channel: ClientChannel): void {
    term.connection = connection;
    term.channel = channel;
    term.live = true;
    term.exit = {};
    channel.on('data', (chunk: Buffer) => this.push(term, term.stdoutDecoder.write(chunk)));
    // A pty merges stderr into its output already; whatever still comes on stderr is shown inline.
    channel.stderr.on('data', (chunk: Buffer) => this.push(term, term.stderrDecoder.write(chunk)));
    channel.on('exit', (code: number | null, signal?: string) => {
      term.exit = typeof code === 'number' ? { exitCode: code } : signal ? { signal } : {};
    });
    channel.on('close', () => {
      if (term.channel !== channel) return;
      this.finish(term, term.endReason ? { reason: term.endReason } : exitReason(term.exit));
    });
    // Flow control carries over a reattach: the UI still owes acks for what it was sent.
    if (term.paused) {
      channel.pause();
      channel.stderr.pause();
    }
    // The connection can die without the server closing the channel first (keepalive timeout,
    // Wi-Fi gone); then the connection's reason is the useful one. ssh2 announces the link's
    // close before it closes the link's channels, so this runs first.
    term.linkSubscription?.dispose();
    term.linkSubscription = connection.onDidClose((event) =>
      this.onLinkClosed(term, connection, event),
    );
  }

  /** Stops listening to the terminal's channel (it is dead or being replaced). */
  private detach(term: Terminal): void {
    term.pending += term.stdoutDecoder.end() + term.stderrDecoder.end();
    this.flush(term);
    term.linkSubscription?.dispose();
    term.linkSubscription = undefined;
    const { channel } = term;
    channel.removeAllListeners('data');
    channel.removeAllListeners('exit');
    channel.removeAllListeners('close');
    channel.stderr.removeAllListeners('data');
    // A paused channel never reaches 'end', so it would never finish closing; let it drain.
    channel.resume();
    channel.stderr.resume();
    try {
      channel.close();
    } catch {
      // The connection is already gone, and the channel with it.
    }
  }

  private onLinkClosed(term: Terminal, connection: SshConnection, event: SshCloseEvent): void {
    if (term.connection !== connection || !this.terminals.has(term.info.id)) return;
    if (!event.lost || !this.links) {
      this.finish(term, { reason: event.reason });
      return;
    }
    this.detach(term);
    term.live = false;
    this.stateEmitter.fire({ terminalId: term.info.id, state: 'reconnecting' });
    void this.reattach(term);
  }

  /** Waits for the connection's next link and reopens the terminal there. */
  private async reattach(term: Terminal): Promise<void> {
    const links = this.links!;
    const { id, connectionId } = term.info;
    for (;;) {
      let connection: SshConnection;
      try {
        connection = await links.waitForLink(connectionId, term.ended.signal);
      } catch (err) {
        // Lost or closed for good: the terminal ends with the connection's explanation.
        this.finish(term, { reason: RpcError.from(err).message });
        return;
      }
      if (!this.terminals.has(id)) return;
      try {
        let replaced = !term.session;
        let detail = replaced ? NEW_SHELL : undefined;
        if (term.session) {
          // `new-session -A` would quietly start a fresh shell if the session is gone (the VM
          // restarted): check first, so the user is told rather than surprised.
          const probe = await connection.exec(`${TMUX} has-session -t =${term.session}`);
          if (probe.code !== 0) {
            replaced = true;
            detail = NEW_SESSION;
          }
        }
        const { cols, rows } = term.info;
        const channel = await connection.shell({
          cols,
          rows,
          ...(term.session ? { command: tmuxCommand(term.session) } : {}),
        });
        if (!this.terminals.has(id)) {
          channel.close();
          return;
        }
        if (connection.closed) continue;
        this.attach(term, connection, channel);
        this.log(`${id} reattached on ${connection.where}${replaced ? ' (new shell)' : ''}`);
        this.stateEmitter.fire({
          terminalId: id,
          state: 'live',
          ...(replaced ? { replaced, detail } : {}),
        });
        return;
      } catch (err) {
        if (!this.terminals.has(id)) return;
        // The new link dropped too: wait for the one after it.
        if (connection.closed) continue;
        this.finish(term, {
          reason: `The terminal could not be reopened after reconnecting: ${RpcError.from(err).message}`,
        });
        return;
      }
    }
  }

  /** Ends the tmux sessions of a connection's terminals before the user's close ends the link. */
  private async endSessionsOn(connectionId: string, connection: SshConnection): Promise<void> {
    const mine = [...this.terminals.values()].filter(
      (term) => term.info.connectionId === connectionId && term.session,
    );
    // The words the link's own close would use, whichever of the two reaches the tab first.
    for (const term of mine) term.endReason = `The connection to ${connection.where} was closed.`;
    await Promise.all(mine.map((term) => this.killSession(term, connection)));
  }

  /** Best effort: a session that cannot be ended now stays until the instance restarts. */
  private async killSession(term: Terminal, connection?: SshConnection): Promise<void> {
    const { connectionId } = term.info;
    try {
      const link =
        connection ?? (await this.links?.waitForLink(connectionId, AbortSignal.timeout(60_000)));
      if (!link) return;
      await link.exec(`${TMUX} kill-session -t =${term.session}`, {
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      this.log(`could not end tmux session ${term.session}: ${RpcError.from(err).message}`);
    }
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
    keepInBacklog(term.backlog, data);
    if (!term.paused && term.unacked > HIGH_WATERMARK) {
      term.paused = true;
      term.channel.pause();
      term.channel.stderr.pause();
    }
    this.dataEmitter.fire({ terminalId: term.info.id, data });
  }

  private finish(term: Terminal, exit: Omit<TerminalExit, 'terminalId'>): void {
    if (!this.terminals.has(term.info.id)) return;
    // Deliver what the shell printed last (e.g. an error before it exited) before the exit.
    if (term.live) this.detach(term);
    this.terminals.delete(term.info.id);
    term.linkSubscription?.dispose();
    term.ended.abort();
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
