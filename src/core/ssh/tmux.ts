// The tmux a terminal's shell lives in when the instance has it: our own tmux server and the
// control-mode client that attaches (or creates) a terminal's session, so a dropped link loses no
// shell and no output.

/** Our own tmux server (`-L`): its options and sessions never touch the user's own tmux. */
export const TMUX = 'tmux -L dsvm-pool';

/**
 * The most scrollback a terminal can be set to keep; tmux keeps as much history per pane, so a
 * reattached terminal can be given back all of it.
 */
export const TMUX_HISTORY_LINES = 50_000;

/**
 * How far tmux may fall behind (seconds) before it pauses sending a pane's output to us
 * (`pause-after`). Without it tmux would buffer a flood for us without limit while the UI holds
 * our channel paused, and drop the client after five minutes; with it tmux stops sending, keeps
 * the lines in the pane's history, and says `%pause`, after which we read them back.
 */
export const TMUX_PAUSE_AFTER_SECONDS = 1;

/** A session name or target as tmux's `-t` takes it: `=` for an exact match, `:` for its pane. */
export function tmuxTarget(session: string): string {
  return `=${session}:`;
}

/**
 * The control-mode client a terminal runs (`-C`, on a channel without a pty): attach the
 * terminal's session, or create it at the terminal's size. `-D` detaches a stale client left by a
 * dead link; `-u` because the channel carries no locale and the pane's text is UTF-8.
 */
export function tmuxCommand(session: string, size: { cols: number; rows: number }): string {
  return [
    `${TMUX} -u -C start-server`,
    `set -g history-limit ${TMUX_HISTORY_LINES}`,
    `new-session -A -D -s ${session} -x ${size.cols} -y ${size.rows}`,
  ].join(' \\; ');
}

/** Control mode as used here (`pause-after`, `%extended-output`, `refresh-client -C WxH`). */
const MIN_VERSION = [3, 2] as const;

/** Whether `tmux -V` (e.g. "tmux 3.3a", "tmux next-3.5") names a tmux new enough for us. */
export function tmuxVersionUsable(versionLine: string): boolean {
  const match = /(\d+)\.(\d+)/.exec(versionLine);
  // A build from git says "tmux master": newer than any release.
  if (!match) return /^tmux\b/.test(versionLine.trim());
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1]);
}

/** What a snapshot needs to know besides the text: the cursor and the modes the pane set. */
export const SNAPSHOT_FORMAT =
  "'#{cursor_x} #{cursor_y} #{cursor_flag} #{keypad_cursor_flag} #{keypad_flag} " +
  "#{mouse_standard_flag} #{mouse_button_flag} #{mouse_any_flag} #{mouse_sgr_flag} #{pane_id}'";

/** Full reset (RIS): clears the screen and the scrollback before a snapshot redraws both. */
export const RESET = '\x1bc';

/**
 * The terminal as a snapshot shows it: a reset, then the pane's history and screen as
 * `capture-pane -p -e -J` printed them (history lines scroll into xterm's scrollback, the last
 * screenful stays on screen), then the cursor and the modes back where the pane had them. A pane
 * on its alternate screen (vim) is drawn on the normal one, where it stays in the scrollback.
 */
export function snapshotText(state: string, captured: string[]): string {
  const fields = state.trim().split(' ');
  const on = (index: number) => fields[index] === '1';
  const [x, y] = [Number(fields[0]) || 0, Number(fields[1]) || 0];
  const modes = [
    fields[2] === '0' ? '\x1b[?25l' : '',
    on(3) ? '\x1b[?1h' : '',
    on(4) ? '\x1b=' : '',
    on(5) ? '\x1b[?1000h' : '',
    on(6) ? '\x1b[?1002h' : '',
    on(7) ? '\x1b[?1003h' : '',
    on(8) ? '\x1b[?1006h' : '',
  ].join('');
  return `${RESET}${captured.join('\r\n')}\x1b[${y + 1};${x + 1}H${modes}`;
}
