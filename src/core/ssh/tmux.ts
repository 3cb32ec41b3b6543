// The tmux a terminal's shell lives in when the instance has it: our own tmux server and the
// command that attaches (or creates) a terminal's session, so a dropped link loses no shell.

/** Our own tmux server (`-L`): its options and sessions never touch the user's own tmux. */
export const TMUX = 'tmux -L dsvm-pool';

/**
 * The tmux client a terminal runs: attach the terminal's session, or create it. `-D` detaches a
 * stale client left by a dead link (it would otherwise pin the window to its old size). No
 * status bar, so the tab looks like a plain shell; the terminal-overrides keep tmux off the
 * alternate screen, so xterm.js keeps its own scrollback and mouse-wheel scrolling; a short
 * escape-time keeps Esc in editors snappy.
 */
export function tmuxCommand(session: string): string {
  return [
    `${TMUX} start-server`,
    'set -g history-limit 50000',
    'set -g status off',
    'set -g escape-time 10',
    "set -g terminal-overrides 'xterm*:smcup@:rmcup@'",
    `new-session -A -D -s ${session}`,
  ].join(' \\; ');
}
