// One xterm.js terminal bound to one remote terminal: input, output with flow control, fit, search.
import '@xterm/xterm/css/xterm.css';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon, type ISearchOptions } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import { ErrorCode, RpcError } from '../../../../common/errors';
import { DisposableStore, Emitter, toDisposable } from '../../../../common/event';
import type { RpcClient } from '../../../../common/rpc';
import type { TerminalAttachment, TerminalInfo } from '../../../../common/models';
import { AckBatcher } from './ack-batcher';
import { appCommand } from './app-shortcuts';
import type { TerminalExit, TerminalLinkChange, TerminalRouter } from './terminal-router';
import { terminalTheme } from './terminal-theme';
import { ignoreQueries } from './tmux-queries';

/** Wait this long after the last size change before telling the pty, so a drag sends one resize. */
const RESIZE_DEBOUNCE_MS = 50;
/** Largest piece handed to xterm at once; see `receive`. */
const PARSE_SLICE = 1_024;
/** Under the contract's 1,000,000-character limit per `terminals.write`. */
const WRITE_CHUNK = 500_000;
/** The smallest size the contract (and sshd) accept. */
const MIN_COLS = 2;
const MIN_ROWS = 1;

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface TerminalSessionOptions {
  rpc: RpcClient;
  dark: boolean;
  /** Lines of scrollback (the user's setting; `setScrollback` changes it later). */
  scrollback: number;
}

const searchDecorations = (dark: boolean): ISearchOptions['decorations'] => ({
  matchBackground: dark ? '#515c6a' : '#f5e4a8',
  matchBorder: dark ? '#8a96a6' : '#c9a227',
  matchOverviewRuler: '#d18616',
  activeMatchBackground: dark ? '#8a5a00' : '#f2b705',
  activeMatchBorder: dark ? '#ffb000' : '#8a6100',
  activeMatchColorOverviewRuler: '#ffb000',
});

/** The next frame, or a short wait where frames are paused (a hidden window, e.g. tray Connect). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, 100);
    const frame = requestAnimationFrame(done);
    function done() {
      clearTimeout(timer);
      cancelAnimationFrame(frame);
      resolve();
    }
  });
}

/**
 * Written before the note about a replaced shell: the old program may have left the alternate
 * screen, mouse reporting, bracketed paste or a hidden cursor on, and the new shell must not
 * inherit them. Leave the alternate screen, turn mouse modes off, then DECSTR (soft reset).
 */
const RESET_MODES = '\x1b[?1049l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[!p';

/** Control characters in text from the app must not drive the terminal. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, ' ');
}

/**
 * Owns its own element (kept out of React's tree) so the terminal and its scrollback survive tab
 * switches and re-renders; React only decides where the element is and whether it is visible.
 */
export class TerminalSession {
  readonly element: HTMLDivElement;
  private readonly term: Terminal;
  private readonly fitAddon = new FitAddon();
  private readonly searchAddon = new SearchAddon();
  private readonly store = new DisposableStore();
  private readonly acks: AckBatcher;
  private terminalId: string | undefined;
  private dark: boolean;
  private ended = false;
  private disposed = false;
  /** The terminal's own link, from `terminals.onDidChangeState`. */
  private link: TerminalLinkChange['state'] = 'live';
  /** A backlog is being parsed (see `adopt`). */
  private replaying = false;
  /** Its connection is not usable (reconnecting, lost, closed): typing would go nowhere. */
  private connectionDown = false;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private fitFrame: number | undefined;
  private lastSent: TerminalSize | undefined;

  private readonly resizeEmitter = new Emitter<TerminalSize>();
  private readonly endEmitter = new Emitter<string>();
  private readonly searchEmitter = new Emitter<void>();
  private readonly errorEmitter = new Emitter<string>();
  private readonly resultsEmitter = new Emitter<{ index: number; count: number }>();
  private readonly switchEmitter = new Emitter<1 | -1>();
  private readonly linkEmitter = new Emitter<TerminalLinkChange>();
  /** xterm's size changed (fit); `data-cols`/`data-rows` already show it. */
  readonly onDidResize = this.resizeEmitter.event;
  /** The remote shell ended; carries the reason. */
  readonly onDidEnd = this.endEmitter.event;
  /** The user pressed Ctrl+Shift+F in the terminal. */
  readonly onDidRequestSearch = this.searchEmitter.event;
  /** Typing or resizing failed on the app side; carries the app's message. */
  readonly onDidError = this.errorEmitter.event;
  /** Ctrl+PageDown (1) or Ctrl+PageUp (-1): the terminal keeps Tab, so this is how to move on. */
  readonly onDidRequestSwitch = this.switchEmitter.event;
  /** The link dropped (`reconnecting`) or came back (`live`, maybe with a `replaced` shell). */
  readonly onDidChangeLink = this.linkEmitter.event;
  /** Search matches changed: `index` is -1 when there are too many to number. */
  readonly onDidChangeSearchResults = this.resultsEmitter.event;

  constructor(private readonly options: TerminalSessionOptions) {
    this.dark = options.dark;
    this.element = document.createElement('div');
    this.element.className = 'terminal-host';
    this.term = new Terminal({
      // Search highlights use decorations, which xterm still marks as proposed API.
      allowProposedApi: true,
      cursorBlink: true,
      fontFamily:
        '"Cascadia Mono", "Cascadia Code", Consolas, "SF Mono", Menlo, "DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 13,
      scrollback: options.scrollback,
      theme: terminalTheme(this.dark),
    });
    this.acks = new AckBatcher((chars) => {
      if (!this.terminalId || this.disposed) return;
      this.options.rpc.call('terminals.ack', { terminalId: this.terminalId, chars }).catch(() => {
        // The terminal or the app connection is gone; the exit or the banner says so.
      });
    });
    this.term.loadAddon(this.fitAddon);
    this.term.loadAddon(this.searchAddon);
    this.term.loadAddon(
      new WebLinksAddon((_event, uri) => {
        // noopener: the opened page must not be able to script this window through `opener`.
        window.open(uri, '_blank', 'noopener');
      }),
    );
    this.store.add(
      this.searchAddon.onDidChangeResults(({ resultIndex, resultCount }) =>
        this.resultsEmitter.fire({ index: resultIndex, count: resultCount }),
      ),
    );
    this.term.attachCustomKeyEventHandler((event) => this.handleKey(event));
    // While a backlog replays, xterm's answers to the queries in it (device attributes, cursor
    // position) would reach the live shell as typed text: they are not sent.
    this.store.add(this.term.onData((data) => this.replaying || this.send(data)));
    // Mouse reports in some modes arrive as binary (latin1) strings; they go to the pty as is.
    this.store.add(this.term.onBinary((data) => this.replaying || this.send(data)));
    this.store.add(this.term.onResize((size) => this.handleResize(size)));
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  get id(): string | undefined {
    return this.terminalId;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  /**
   * Puts the terminal into `parent` and fits it, so its size is known before the remote pty is
   * opened with that size. Call once; `parent` must be laid out (hidden is fine, not display:none).
   */
  async mount(parent: HTMLElement): Promise<void> {
    parent.appendChild(this.element);
    this.term.open(this.element);
    this.showSize();
    this.fit();
    // xterm refines its cell width on its first render (seen: 113 columns at open, 114 a frame
    // later), so fit again after it, or the pty would start one column short.
    await nextFrame();
    this.fit();
    const observer = new ResizeObserver(() => this.scheduleFit());
    observer.observe(this.element);
    this.store.add(toDisposable(() => observer.disconnect()));
  }

  /**
   * Connects the terminal to remote terminal `terminalId`: output, exit, input and resizes.
   * `ptySize`: the remote pty's size when it is not the one we opened it with (a takeover).
   */
  attach(
    terminalId: string,
    router: TerminalRouter,
    persistence: TerminalInfo['persistence'],
    ptySize?: TerminalSize,
  ): void {
    this.terminalId = terminalId;
    // In tmux the programs' queries are answered by tmux; a second answer would be typed text.
    if (persistence === 'tmux') {
      for (const handler of ignoreQueries(this.term)) this.store.add(handler);
    }
    this.element.dataset.testid = `terminal-${terminalId}`;
    // The pty was opened with the size we had; only later changes need a resize call.
    this.lastSent = ptySize ?? { cols: this.term.cols, rows: this.term.rows };
    this.store.add(
      router.attach(terminalId, {
        data: (data) => this.receive(data),
        exit: (event) => this.end(event),
        state: (event) => this.changeLink(event),
      }),
    );
    // The area may have changed size while `terminals.open` was in flight.
    this.scheduleResizeCall();
  }

  /**
   * Takes over a terminal after the page reloaded: shows its recent output, then follows it like
   * one opened here (the pty is resized to this view if it differs).
   */
  adopt(attachment: TerminalAttachment, router: TerminalRouter): void {
    // Not acknowledged: `terminals.attach` started the terminal's flow control afresh.
    if (attachment.backlog) {
      this.replaying = true;
      this.term.write(attachment.backlog, () => (this.replaying = false));
    }
    this.link = attachment.link;
    this.updateInput();
    const { id, cols, rows, persistence } = attachment.terminal;
    this.attach(id, router, persistence, { cols, rows });
  }

  /**
   * Whether the connection can carry input. While it is down, keys are not sent rather than
   * queued: replayed later they could land in a new shell that never saw what came before.
   */
  setConnectionDown(down: boolean): void {
    if (down === this.connectionDown) return;
    this.connectionDown = down;
    this.updateInput();
  }

  setVisible(visible: boolean): void {
    this.element.classList.toggle('terminal-host--hidden', !visible);
    this.element.setAttribute('aria-hidden', String(!visible));
  }

  focus(): void {
    this.term.focus();
  }

  /** Lines kept to scroll back and search; fewer drops the oldest at once. */
  setScrollback(lines: number): void {
    if (lines !== this.term.options.scrollback) this.term.options.scrollback = lines;
  }

  setDark(dark: boolean): void {
    if (dark === this.dark) return;
    this.dark = dark;
    this.term.options.theme = terminalTheme(dark);
  }

  findNext(text: string, incremental = false): boolean {
    return this.searchAddon.findNext(text, {
      incremental,
      decorations: searchDecorations(this.dark),
    });
  }

  findPrevious(text: string): boolean {
    return this.searchAddon.findPrevious(text, { decorations: searchDecorations(this.dark) });
  }

  clearSearch(): void {
    this.searchAddon.clearDecorations();
    this.term.clearSelection();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.resizeTimer !== undefined) clearTimeout(this.resizeTimer);
    if (this.fitFrame !== undefined) cancelAnimationFrame(this.fitFrame);
    this.acks.dispose();
    this.store.dispose();
    for (const emitter of [
      this.resizeEmitter,
      this.endEmitter,
      this.searchEmitter,
      this.errorEmitter,
      this.resultsEmitter,
      this.switchEmitter,
      this.linkEmitter,
    ]) {
      emitter.dispose();
    }
    this.term.dispose();
    this.element.remove();
  }

  private receive(data: string): void {
    if (this.disposed) return;
    // xterm yields to the page only between write() calls, and a 64 KB chunk of `yes` output is
    // 32,000 line feeds (over half a second of parsing): feed it in slices so input, resizes
    // and other tabs stay responsive during a flood.
    for (let at = 0; at < data.length; at += PARSE_SLICE) {
      const slice = data.slice(at, at + PARSE_SLICE);
      // Acknowledge only once xterm has parsed it: that is what keeps a flood from piling up
      // in xterm's write buffer and freezing the page.
      this.term.write(slice, () => this.acks.rendered(slice.length));
    }
  }

  private changeLink(event: TerminalLinkChange): void {
    if (this.ended || this.disposed) return;
    this.link = event.state;
    if (event.state === 'live') {
      if (event.replaced) {
        const detail = event.detail ? ` ${printable(event.detail)}` : '';
        this.term.write(
          `${RESET_MODES}\r\n\x1b[2m[The connection dropped and the old shell ended with it ` +
            `(programs running in it stopped). This is a new shell.${detail}]\x1b[0m\r\n`,
        );
      }
      // The pty on the other side may be new or may have missed a resize while the link was
      // down: tell it the size again.
      this.lastSent = undefined;
      this.scheduleResizeCall();
    }
    this.updateInput();
    this.linkEmitter.fire(event);
  }

  private updateInput(): void {
    if (this.ended || this.disposed) return;
    const blocked = this.connectionDown || this.link === 'reconnecting';
    this.term.options.disableStdin = blocked;
    this.term.options.cursorBlink = !blocked;
  }

  private end(event: TerminalExit): void {
    if (this.ended || this.disposed) return;
    this.ended = true;
    this.acks.flush();
    const reason = printable(event.reason);
    // Reset attributes first: the shell may have left colours on. Dim, then hide the cursor.
    this.term.write(`\x1b[0m\r\n\x1b[2m[session ended: ${reason}]\x1b[0m\r\n\x1b[?25l`);
    this.term.options.disableStdin = true;
    this.term.options.cursorBlink = false;
    this.endEmitter.fire(event.reason);
  }

  private send(data: string): void {
    const terminalId = this.terminalId;
    if (!terminalId || this.ended || this.disposed) return;
    for (let at = 0; at < data.length; at += WRITE_CHUNK) {
      const part = data.slice(at, at + WRITE_CHUNK);
      this.options.rpc.call('terminals.write', { terminalId, data: part }).catch((err: unknown) => {
        this.report(err);
      });
    }
  }

  private handleKey(event: KeyboardEvent): boolean {
    if (event.type !== 'keydown') return true;
    // The app's own shortcuts (e.g. Open Jupyter) are not typed; the window handles them.
    if (appCommand(event)) return false;
    const key = event.key.toLowerCase();
    if (event.ctrlKey && event.shiftKey && !event.altKey && key === 'f') {
      event.preventDefault();
      this.searchEmitter.fire();
      return false;
    }
    if (
      event.ctrlKey &&
      !event.shiftKey &&
      !event.altKey &&
      (key === 'pageup' || key === 'pagedown')
    ) {
      event.preventDefault();
      this.switchEmitter.fire(key === 'pagedown' ? 1 : -1);
      return false;
    }
    // Ctrl+C stays the shell's interrupt; Ctrl+Shift+C copies, like most Linux terminals.
    if (event.ctrlKey && event.shiftKey && !event.altKey && key === 'c') {
      event.preventDefault();
      const selection = this.term.getSelection();
      if (selection) navigator.clipboard?.writeText(selection).catch(() => {});
      return false;
    }
    return true;
  }

  private scheduleFit(): void {
    if (this.fitFrame !== undefined || this.disposed) return;
    // Fitting inside the ResizeObserver callback would resize observed content in the same
    // frame and trigger "ResizeObserver loop" errors; the next frame is soon enough.
    this.fitFrame = requestAnimationFrame(() => {
      this.fitFrame = undefined;
      this.fit();
    });
  }

  private fit(): void {
    if (this.disposed) return;
    const proposed = this.fitAddon.proposeDimensions();
    // Undefined or NaN while the element has no size (e.g. the window is minimised).
    if (!proposed || !Number.isFinite(proposed.cols) || !Number.isFinite(proposed.rows)) return;
    const cols = Math.max(MIN_COLS, proposed.cols);
    const rows = Math.max(MIN_ROWS, proposed.rows);
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
  }

  private handleResize(size: TerminalSize): void {
    this.showSize();
    this.resizeEmitter.fire(size);
    this.scheduleResizeCall();
  }

  private showSize(): void {
    this.element.dataset.cols = String(this.term.cols);
    this.element.dataset.rows = String(this.term.rows);
  }

  private scheduleResizeCall(): void {
    if (this.resizeTimer !== undefined) clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => {
      this.resizeTimer = undefined;
      const terminalId = this.terminalId;
      if (!terminalId || this.ended || this.disposed) return;
      const size = { cols: this.term.cols, rows: this.term.rows };
      if (this.lastSent && this.lastSent.cols === size.cols && this.lastSent.rows === size.rows) {
        return;
      }
      this.lastSent = size;
      this.options.rpc.call('terminals.resize', { terminalId, ...size }).catch((err: unknown) => {
        this.lastSent = undefined;
        this.report(err);
      });
    }, RESIZE_DEBOUNCE_MS);
  }

  private report(err: unknown): void {
    // After the end (or a closed app connection, which the banner explains) failures are expected,
    // and so are they while the link is down (the reconnect bar explains that).
    if (this.ended || this.disposed || this.connectionDown || this.link === 'reconnecting') return;
    const error = RpcError.from(err);
    if (error.code === ErrorCode.Closed) return;
    this.errorEmitter.fire(error.message);
  }
}
