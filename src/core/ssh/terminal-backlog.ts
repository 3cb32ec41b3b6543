// A terminal's backlog: each terminal keeps its most recent output, so a UI that reloads (a browser
// refresh of the headless host, Ctrl+R in the window) shows the screen it had before taking the
// terminal over.

/** How much of its output a terminal keeps, at least. */
export const BACKLOG_CHARS = 256 * 1024;

/** The last output sent, as the chunks sent: at least BACKLOG_CHARS of it. */
export interface TerminalBacklog {
  chunks: string[];
  chars: number;
}

/** Adds what was just sent. */
export function keepInBacklog(backlog: TerminalBacklog, data: string): void {
  // Kept as the chunks sent (no copying during a flood); the oldest go once the rest suffice.
  backlog.chunks.push(data);
  backlog.chars += data.length;
  while (backlog.chars - backlog.chunks[0]!.length >= BACKLOG_CHARS) {
    backlog.chars -= backlog.chunks.shift()!.length;
  }
}

/**
 * The last BACKLOG_CHARS of `text`, starting at a line start when one is near the cut: a cut in
 * the middle of an escape sequence would show its tail as text.
 */
export function trimBacklog(text: string): string {
  if (text.length <= BACKLOG_CHARS) return text;
  const cut = text.length - BACKLOG_CHARS;
  const newline = text.indexOf('\n', cut);
  return text.slice(newline >= 0 && newline - cut < 4096 ? newline + 1 : cut);
}
