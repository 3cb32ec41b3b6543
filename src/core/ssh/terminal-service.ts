// The interactive terminals: a shell per terminal over an SshConnection, with batched output and
// flow control so a flood of output cannot outrun the UI, kept in tmux when the instance has it
// so the shell survives a dropped link and is reattached on the next one.
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable } from '../../common/event';
import { SCROLLBACK_LINES } from '../../common/contract';
import type { TerminalAttachment, TerminalInfo } from '../../common/models';
import type { LinkSource } from './link-source';
import type { SshCloseEvent, SshConnection } from './ssh-connection';
import { backlogText, clearBacklog, emptyBacklog, keepInBacklog } from './terminal-backlog';
import { TMUX, snapshotText, tmuxCommand, tmuxTarget } from './tmux';
import { TmuxControl } from './tmux-control';
import { TmuxTerminals } from './tmux-terminals';

import {
  BATCH_DELAY_MS,
  BATCH_MAX_CHARS,
  CATCH_UP_AFTER_MS,
  HIGH_WATERMARK,
  LOW_WATERMARK,
  NEW_SESSION,
  NEW_SHELL,
  closeQuietly,
  exitReason,
  type Terminal,
  type TerminalExit,
  type TerminalOwner,
  type TerminalServiceOptions,
  type TerminalStateChange,
} from './terminal-model';

export {
  BATCH_DELAY_MS,
  BATCH_MAX_CHARS,
  HIGH_WATERMARK,
  LOW_WATERMARK,
  type TerminalExit,
  type TerminalOwner,
  type TerminalServiceOptions,
  type TerminalStateChange,
} from './terminal-model';

export class TerminalService implements Disposable {
  private nextId = 1;
  /** Session names carry it, so two app instances (or a restart) never attach each other's. */
  private readonly runId: string;
  private readonly terminals = new Map<string, Terminal>();
  private readonly tmux: TmuxTerminals;
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
  private readonly scrollback: () => number;
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
    this.runId = options.runId ?? randomBytes(3).toString('hex');
    this.useTmux = (options.tmux ?? true) && this.links !== undefined;
    this.scrollback = options.scrollback ?? (() => SCROLLBACK_LINES.default);
    this.log = options.log ?? (() => {});
    this.tmux = new TmuxTerminals({
      links: this.links,
      scrollback: this.scrollback,
      log: this.log,
    });
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
    const tmux = this.useTmux && (await this.tmux.usable(connection));
    const id = `term-${this.nextId++}`;
    const session = tmux ? `dsvm-pool-${this.runId}-${id.slice('term-'.length)}` : undefined;
    const channel = session
      ? await connection.channel(tmuxCommand(session, size))
      : await connection.shell(size);
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
      backlog: emptyBacklog(),
      timer: undefined,
      unacked: 0,
      paused: false,
      exit: {},
      ended: new AbortController(),
    };
    this.terminals.set(info.id, term);
    this.attach(term, connection, channel);
    if (term.control) {
      // The answer waits for tmux: once it has answered, the session exists, so a close that
      // follows at once (a tab closed right after it opened) finds a session to end.
      try {
        await this.tmux.start(term, term.control, true, this.show);
      } catch (err) {
        const reason = `tmux on ${connection.where} did not start the terminal: ${RpcError.from(err).message}`;
        this.finish(term, { reason });
        this.tmux.endClosed(term, undefined);
        throw new RpcError(ErrorCode.Internal, `${reason} Open a new terminal.`);
      }
    }
    return { ...info };
  }

  write(terminalId: string, data: string): void {
    const term = this.get(terminalId);
    // Keystrokes typed into a dead link are dropped, not queued: replaying them blindly into a
    // reattached shell (after the user saw nothing happen) could run half-typed commands.
    if (!term.live) return;
    if (term.control) term.control.send(data);
    else term.channel.write(data);
  }

  resize(terminalId: string, cols: number, rows: number): void {
    const term = this.get(terminalId);
    // ssh2 takes rows before cols; pixel sizes are optional and unknown here. While
    // reconnecting, the new size is used when the channel reopens.
    if (term.live && term.control) {
      term.control.resize(cols, rows).catch((err: unknown) => {
        this.log(`${terminalId}: tmux refused the size ${cols}x${rows}: ${String(err)}`);
      });
    } else if (term.live) term.channel.setWindow(rows, cols, 0, 0);
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
      // Before reading again: the output tmux queued meanwhile is then dropped, not shown.
      const stalled = Date.now() - (term.pausedAt ?? Date.now()) >= CATCH_UP_AFTER_MS;
      if (stalled && term.live && term.control) {
        this.tmux.catchUp(term, term.control, this.show, this.replaceControl);
      }
      term.channel.resume();
      term.channel.stderr.resume();
    }
  }

  /**
   * A UI that reloaded takes the terminal over: its scrollback and screen as output, to show
   * first, and flow control from zero, since the old page will never acknowledge what it was sent.
   */
  attachView(terminalId: string): TerminalAttachment {
    const term = this.get(terminalId);
    // What is still batched goes out as onData after this answer, so it is not in the backlog.
    this.ack(terminalId, term.unacked);
    return {
      terminal: { ...term.info },
      backlog: backlogText(term.backlog, this.backlogLines(term)),
      link: term.live ? 'live' : 'reconnecting',
    };
  }

  /** Ends the shell (the server hangs up its pty, and its tmux session is ended) and forgets it. */
  close(terminalId: string): void {
    const term = this.get(terminalId);
    const control = term.live ? term.control : undefined;
    // The control client stays open until tmux has answered the kill: its commands run in
    // order, after the session's creation, so the kill cannot come too early.
    this.finish(term, { reason: 'The terminal was closed.' }, control !== undefined);
    if (term.session) this.tmux.endClosed(term, control);
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

  /** Lines a terminal's backlog keeps: the UI's scrollback and its screen. */
  private backlogLines(term: Terminal): number {
    return this.scrollback() + term.info.rows;
  }

  /** Makes `channel` on `connection` the terminal's shell (or tmux client) and listens to it. */
  private attach(term: Terminal, connection: SshConnection, channel: ClientChannel): void {
    term.connection = connection;
    term.channel = channel;
    term.live = true;
    term.exit = {};
    term.paneId = undefined;
    term.catchingUp = false;
    if (term.session) {
      const control = new TmuxControl(channel, tmuxTarget(term.session), {
        output: (bytes) => this.push(term, term.stdoutDecoder.write(bytes)),
        pause: () => this.tmux.catchUp(term, control, this.show, this.replaceControl),
        exit: (reason) => reason && this.log(`${term.info.id}: tmux client exit: ${reason}`),
      });
      term.control = control;
      channel.on('data', (chunk: Buffer) => control.feed(chunk));
      channel.on('close', () => control.close());
      channel.stderr.on('data', (chunk: Buffer) =>
        this.log(`${term.info.id}: tmux: ${chunk.toString('utf8').trim()}`),
      );
    } else {
      channel.on('data', (chunk: Buffer) => this.push(term, term.stdoutDecoder.write(chunk)));
      // A pty merges stderr into its output already; whatever still comes is shown inline.
      channel.stderr.on('data', (chunk: Buffer) =>
        this.push(term, term.stderrDecoder.write(chunk)),
      );
    }
    channel.on('exit', (code: number | null, signal?: string) => {
      term.exit = typeof code === 'number' ? { exitCode: code } : signal ? { signal } : {};
    });
    channel.on('close', () => {
      if (term.channel !== channel || term.replacingControl) return;
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

  /**
   * tmux stopped answering the terminal's control client (see CATCH_UP_ANSWER_MS): a new one
   * attaches the session (`-D` detaches the wedged one) and redraws from the pane, as after a
   * reconnect. Keys typed meanwhile still go to the old client, which tmux reads.
   */
  private readonly replaceControl = (term: Terminal, control: TmuxControl): void => {
    const { connection, session, info } = term;
    if (!session || !term.live || term.control !== control || term.replacingControl) return;
    this.log(`${info.id}: tmux left a catch-up unanswered; attaching its session anew`);
    term.replacingControl = true;
    const current = () => this.terminals.has(info.id) && term.control === control && term.live;
    void connection
      .channel(tmuxCommand(session, info))
      .then(
        (channel) => {
          if (!current() || term.connection !== connection) return closeQuietly(channel);
          this.detach(term);
          this.attach(term, connection, channel);
          return this.tmux.start(term, term.control!, true, this.show);
        },
        (err: unknown) => {
          // A link that dropped is onLinkClosed's to handle; it reattaches with a new client.
          if (!connection.closed) this.log(`${info.id}: ${RpcError.from(err).message}`);
        },
      )
      .catch((err: unknown) => {
        if (connection.closed || term.connection !== connection) return;
        this.finish(term, {
          reason: `tmux did not redraw the terminal: ${RpcError.from(err).message}`,
        });
      })
      .finally(() => (term.replacingControl = false));
  };

  /** Replaces what the terminal shows (and its backlog) with a snapshot of its pane. */
  private readonly show = (term: Terminal, state: string, captured: string[]): void => {
    if (!this.terminals.has(term.info.id)) return;
    // Output before the snapshot is in it; a character split across the cut is too.
    term.stdoutDecoder = new StringDecoder('utf8');
    term.pending = '';
    clearBacklog(term.backlog);
    this.push(term, snapshotText(state, captured));
  };

  /** Stops listening to the terminal's channel (it is dead or being replaced). */
  private detach(term: Terminal, keepControl = false): void {
    term.pending += term.stdoutDecoder.end() + term.stderrDecoder.end();
    this.flush(term);
    term.linkSubscription?.dispose();
    term.linkSubscription = undefined;
    const { channel } = term;
    // A control client kept open (see `close`) still reads tmux's replies; its output is
    // ignored, since the terminal is no longer listed.
    if (!keepControl) channel.removeAllListeners('data');
    channel.removeAllListeners('exit');
    channel.removeAllListeners('close');
    channel.stderr.removeAllListeners('data');
    // A paused channel never reaches 'end', so it would never finish closing; let it drain.
    channel.resume();
    channel.stderr.resume();
    if (keepControl) {
      // Its kill then fails at once if the channel goes, rather than at the kill's timeout.
      channel.once('close', () => term.control?.close());
      return;
    }
    term.control?.close();
    closeQuietly(channel);
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
        const channel = term.session
          ? await connection.channel(tmuxCommand(term.session, { cols, rows }))
          : await connection.shell({ cols, rows });
        if (!this.terminals.has(id)) {
          channel.close();
          return;
        }
        if (connection.closed) continue;
        this.attach(term, connection, channel);
        if (term.control) {
          // The session printed while we were away: show its history and screen as they are.
          // Not awaited: keys typed from now on are tmux commands queued after the snapshot's,
          // so they are not lost while it is read, and their echo follows it.
          this.tmux.start(term, term.control, !replaced, this.show).catch((err: unknown) => {
            // A link that dropped again is onLinkClosed's to handle; it started over already.
            if (connection.closed || term.connection !== connection) return;
            this.finish(term, {
              reason: `The terminal could not be reopened after reconnecting: ${RpcError.from(err).message}`,
            });
          });
        }
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
    await this.tmux.endAll(connectionId, mine, connection);
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
    keepInBacklog(term.backlog, data, this.backlogLines(term));
    if (!term.paused && term.unacked > HIGH_WATERMARK) {
      term.paused = true;
      term.pausedAt = Date.now();
      term.channel.pause();
      term.channel.stderr.pause();
    }
    this.dataEmitter.fire({ terminalId: term.info.id, data });
  }

  private finish(
    term: Terminal,
    exit: Omit<TerminalExit, 'terminalId'>,
    keepControl = false,
  ): void {
    if (!this.terminals.has(term.info.id)) return;
    // Deliver what the shell printed last (e.g. an error before it exited) before the exit.
    if (term.live) this.detach(term, keepControl);
    this.terminals.delete(term.info.id);
    term.linkSubscription?.dispose();
    term.ended.abort();
    this.exitEmitter.fire({ terminalId: term.info.id, ...exit });
  }
}
