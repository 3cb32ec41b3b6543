// TerminalService's tmux side: whether an instance's tmux can be used, a control client's setup
// and snapshots (the pane's history and screen, read back after a reattach or a %pause), and
// ending a terminal's session whatever the moment of the close.
import { RpcError } from '../../common/errors';
import type { LinkSource } from './link-source';
import type { SshConnection } from './ssh-connection';
import {
  CATCH_UP_ANSWER_MS,
  KILL_TIMEOUT_MS,
  closeQuietly,
  paneIdOf,
  withTimeout,
  type Terminal,
} from './terminal-model';
import {
  SNAPSHOT_FORMAT,
  TMUX,
  TMUX_PAUSE_AFTER_SECONDS,
  tmuxTarget,
  tmuxVersionUsable,
} from './tmux';
import type { TmuxControl } from './tmux-control';

/** Redraws a terminal from a snapshot: the state line (SNAPSHOT_FORMAT) and the captured lines. */
/** How long a new control client may take to answer its first commands. */
const START_TIMEOUT_MS = 20_000;

export type ShowSnapshot = (term: Terminal, state: string, captured: string[]) => void;
/** tmux left a control client's catch-up unanswered: the terminal needs a new client. */
export type Wedged = (term: Terminal, control: TmuxControl) => void;

export class TmuxTerminals {
  private readonly checks = new WeakMap<SshConnection, Promise<boolean>>();
  /** Sessions of closed tabs still being ended, so a connection's close can wait for them. */
  private readonly kills = new Set<{ connectionId: string; done: Promise<void> }>();

  constructor(
    private readonly options: {
      links: LinkSource | undefined;
      scrollback: () => number;
      log: (line: string) => void;
    },
  ) {}

  /** Whether the instance has a tmux we can use (3.2 or newer); asked once per link. */
  usable(connection: SshConnection): Promise<boolean> {
    let check = this.checks.get(connection);
    if (!check) {
      check = connection
        .exec('command -v tmux >/dev/null && tmux -V', { signal: AbortSignal.timeout(10_000) })
        .then(
          (result) => {
            const version = result.stdout.trim();
            if (result.code !== 0 || !version) return false;
            if (tmuxVersionUsable(version)) return true;
            this.options.log(
              `${connection.where} has ${version}; terminals need tmux 3.2 or newer`,
            );
            return false;
          },
          () => false,
        );
      this.checks.set(connection, check);
    }
    return check;
  }

  /**
   * Sets up a new control client (pause-after, the pane's size) and, with `snapshot`, redraws the
   * terminal from the pane: its history (as much as the scrollback setting) and its screen. A
   * reattached session printed while we were away; a new one has nothing to lose.
   */
  start(
    term: Terminal,
    control: TmuxControl,
    snapshot: boolean,
    show: ShowSnapshot,
  ): Promise<void> {
    const { cols, rows } = term.info;
    const commands = [
      `refresh-client -f pause-after=${TMUX_PAUSE_AFTER_SECONDS}`,
      `refresh-client -C ${cols}x${rows}`,
      ...this.snapshotCommands(term),
    ];
    const started = new Promise<void>((resolve, reject) => {
      const done = (result: string[][] | Error) => {
        if (result instanceof Error) return reject(result);
        const [state, captured] = result.slice(-2) as [string[], string[]];
        term.paneId = paneIdOf(state[0] ?? '');
        if (snapshot) show(term, state[0] ?? '', captured);
        resolve();
      };
      if (snapshot) control.snapshot(commands, done);
      else control.run(commands, done);
    });
    return withTimeout(started, START_TIMEOUT_MS);
  }

  /**
   * We fell behind (tmux said `%pause`, or our channel was paused for long): continue the pane if
   * tmux paused it, and redraw from its history, which has every line meanwhile. What tmux had
   * queued for us still arrives, before the snapshot's replies, and is dropped unseen. (Not
   * `refresh-client -A %N:off`, which would discard that queue in tmux: tmux 3.3a crashes on it
   * now and then while the client is behind.)
   */
  catchUp(term: Terminal, control: TmuxControl, show: ShowSnapshot, wedged: Wedged): void {
    if (term.control !== control || term.catchingUp || !term.paneId) return;
    term.catchingUp = true;
    const commands = [
      `refresh-client -A '${term.paneId}:continue'`,
      ...this.snapshotCommands(term),
    ];
    // The answer cannot come while our own flow control holds the channel: count only the rest.
    const watch = (): NodeJS.Timeout =>
      setTimeout(() => {
        if (term.control !== control || !term.catchingUp) return;
        if (term.paused) timer = watch();
        else wedged(term, control);
      }, CATCH_UP_ANSWER_MS).unref();
    let timer = watch();
    control.snapshot(commands, (result) => {
      clearTimeout(timer);
      term.catchingUp = false;
      if (result instanceof Error) {
        this.options.log(`${term.info.id}: could not catch up with tmux: ${result.message}`);
        return;
      }
      const [state, captured] = result.slice(-2) as [string[], string[]];
      show(term, state[0] ?? '', captured);
    });
  }

  /** Ends a closed tab's session, remembered until done so its connection's close waits for it. */
  endClosed(term: Terminal, control: TmuxControl | undefined): void {
    const kill = {
      connectionId: term.info.connectionId,
      done: this.kill(term, control ? { control } : {}),
    };
    this.kills.add(kill);
    void kill.done.finally(() => this.kills.delete(kill));
  }

  /** Ends the sessions of a connection's open terminals, and waits for its closed tabs' ones. */
  async endAll(connectionId: string, terms: Terminal[], connection: SshConnection): Promise<void> {
    // Tabs closed just before (the last tab's close closes its connection) may still be ending
    // theirs: the link must outlive that too.
    const closing = [...this.kills].filter((kill) => kill.connectionId === connectionId);
    await Promise.all([
      ...terms.map((term) =>
        this.kill(term, {
          ...(term.live && term.control ? { control: term.control } : {}),
          connection,
        }),
      ),
      ...closing.map((kill) => kill.done),
    ]);
  }

  private snapshotCommands(term: Terminal): string[] {
    const target = tmuxTarget(term.session!);
    return [
      `display -p -t ${target} ${SNAPSHOT_FORMAT}`,
      `capture-pane -p -e -J -S -${this.options.scrollback()} -E - -t ${target}`,
    ];
  }

  /**
   * Ends the terminal's tmux session: through its own control client when it has one (then the
   * kill runs after the session's creation, whatever the timing), else with a command on the
   * link, waiting for one while reconnecting. Best effort: a session that cannot be ended now
   * stays until the instance restarts.
   */
  private async kill(
    term: Terminal,
    via: { control?: TmuxControl; connection?: SshConnection },
  ): Promise<void> {
    const kill = `kill-session -t =${term.session}`;
    if (via.control) {
      const { channel } = term;
      // A channel paused by flow control would never deliver tmux's answer.
      channel.resume();
      try {
        await withTimeout(via.control.command(kill), KILL_TIMEOUT_MS);
        return;
      } catch (err) {
        // "can't find session": it ended by itself. Anything else: try over the link.
        if (/can't find session/.test(String(err))) return;
      } finally {
        closeQuietly(channel);
      }
    }
    try {
      const link =
        via.connection ??
        (await this.options.links?.waitForLink(
          term.info.connectionId,
          AbortSignal.timeout(60_000),
        ));
      if (!link) return;
      await link.exec(`${TMUX} ${kill}`, { signal: AbortSignal.timeout(KILL_TIMEOUT_MS) });
    } catch (err) {
      this.options.log(`could not end tmux session ${term.session}: ${RpcError.from(err).message}`);
    }
  }
}
