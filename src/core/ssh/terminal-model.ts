// What TerminalService is built from: its flow-control numbers, its public event shapes, and the
// state it keeps per terminal.
import type { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import type { Disposable } from '../../common/event';
import type { TerminalInfo } from '../../common/models';
import type { LinkSource } from './link-source';
import type { SshConnection } from './ssh-connection';
import type { TerminalBacklog } from './terminal-backlog';
import type { TmuxControl } from './tmux-control';

/**
 * Flow control, as in VS Code's terminal (`acknowledgeDataEvent`): the UI acknowledges the
 * characters it has rendered. Once more than HIGH_WATERMARK characters are sent but not yet
 * acknowledged, the channel is paused: ssh2 then stops granting the server SSH window for this
 * channel, so the server stops sending and the producer (e.g. `yes`) blocks on its pty. In tmux
 * the producer's pty is tmux's, which keeps reading it: tmux buffers up to a second of output for
 * us, then pauses sending and keeps the lines in the pane's history. After a pause longer than
 * CATCH_UP_AFTER_MS we do not show what tmux buffered: we redraw from the pane's history instead
 * (see tmux-terminals.ts), so a stalled page never has to chew through a second of flood. This
 * throttles only this terminal, not the connection's other channels (e.g. the Jupyter tunnel).
 * Reading resumes once the backlog drops below LOW_WATERMARK; the gap between the two avoids
 * pausing and resuming on every small acknowledgement. 100k characters is a few screens of
 * scrollback that xterm.js renders in well under a second, so typing stays responsive (Ctrl+C is
 * seen quickly) while throughput stays high.
 */
export const HIGH_WATERMARK = 100_000;
export const LOW_WATERMARK = 20_000;
/**
 * A UI that renders as it should frees the channel again in a few milliseconds (80k characters);
 * a pause this long means it stalled (a reload, a hidden window, a slow machine).
 */
export const CATCH_UP_AFTER_MS = 500;
/**
 * How long a catch-up's commands may go unanswered while our channel flows. tmux 3.3a sometimes
 * never answers a control client it paused (neither the replies nor any output came in 10 s,
 * while it served other clients); then a new control client replaces the wedged one.
 */
export const CATCH_UP_ANSWER_MS = 3_000;
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
  /** Names this run's tmux sessions (`dsvm-pool-<runId>-<n>`); random by default. */
  runId?: string;
  /** Lines of scrollback the UI keeps (the user's setting, read when needed). */
  scrollback?: () => number;
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

export interface Terminal {
  info: TerminalInfo;
  /** The link and channel now; both are replaced when the terminal is reattached. */
  connection: SshConnection;
  channel: ClientChannel;
  /** The tmux session the shell lives in (persistence `tmux`). */
  session?: string;
  /** The tmux control client on `channel`, for a terminal in tmux; its pane's id (`%3`). */
  control?: TmuxControl;
  paneId?: string;
  /** A snapshot after `%pause` is under way. */
  catchingUp?: boolean;
  /** A new control client is being attached in place of a wedged one (see CATCH_UP_ANSWER_MS). */
  replacingControl?: boolean;
  live: boolean;
  /** One decoder per stream: a UTF-8 character can be split between two chunks of either. */
  stdoutDecoder: StringDecoder;
  stderrDecoder: StringDecoder;
  pending: string;
  /** The last output sent, as sent: the scrollback's lines and a screen (see terminal-backlog). */
  backlog: TerminalBacklog;
  timer: NodeJS.Timeout | undefined;
  /** Characters sent in onData and not yet acknowledged. */
  unacked: number;
  paused: boolean;
  /** When the channel was last paused (epoch ms): a long pause means tmux went on without us. */
  pausedAt?: number;
  exit: { exitCode?: number; signal?: string };
  /** Set when we end the terminal's shell ourselves, so the channel's close reports this. */
  endReason?: string;
  linkSubscription?: Disposable;
  /** Stops waiting for a link when the terminal ends. */
  ended: AbortController;
}

export const NEW_SHELL = 'The old shell ended with the connection; this is a new one.';
export const NEW_SESSION =
  'The tmux session was gone (the instance may have restarted), and the old shell with it; ' +
  'this is a new one.';
/** How long ending a tmux session may take on a live link before we give up on it. */
export const KILL_TIMEOUT_MS = 10_000;

export function exitReason(exit: {
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

/** `%3` from a snapshot's state line, whose last field is `#{pane_id}`. */
export function paneIdOf(state: string): string | undefined {
  const last = state.trim().split(' ').at(-1);
  return last && /^%\d+$/.test(last) ? last : undefined;
}

export function closeQuietly(channel: ClientChannel): void {
  try {
    channel.close();
  } catch {
    // The connection is already gone, and the channel with it.
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
