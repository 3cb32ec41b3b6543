// A terminal's backlog: each terminal keeps its most recent output, as many lines as the UI's
// scrollback plus a screen, so a UI that reloads (a browser refresh of the headless host, Ctrl+R
// in the window) gets back its scrollback and screen when it takes the terminal over.

/**
 * Output with few line breaks (a progress bar redrawn with \r, `base64 -w0`) is bounded too: at
 * most this many characters a line on average (escape sequences included) are kept.
 */
export const BACKLOG_CHARS_PER_LINE = 512;

/** The last output sent, as the chunks sent, with their line breaks counted. */
export interface TerminalBacklog {
  chunks: string[];
  /** Line breaks in each chunk. */
  breaks: number[];
  chars: number;
  lines: number;
}

export function emptyBacklog(): TerminalBacklog {
  return { chunks: [], breaks: [], chars: 0, lines: 0 };
}

/**
 * Adds what was just sent and lets go of whole chunks that the newest `maxLines` lines (and at
 * most BACKLOG_CHARS_PER_LINE × maxLines characters) no longer need: kept as sent, so a flood
 * costs no copying; `backlogText` cuts the first chunk at a line start.
 */
export function keepInBacklog(backlog: TerminalBacklog, data: string, maxLines: number): void {
  const breaks = countBreaks(data);
  backlog.chunks.push(data);
  backlog.breaks.push(breaks);
  backlog.chars += data.length;
  backlog.lines += breaks;
  const maxChars = maxLines * BACKLOG_CHARS_PER_LINE;
  while (backlog.chunks.length > 1) {
    const first = backlog.chunks[0]!;
    const firstBreaks = backlog.breaks[0]!;
    // The rest alone still hold maxLines whole lines (their first line may be a partial one).
    const enoughLines = backlog.lines - firstBreaks >= maxLines + 1;
    const tooMany = backlog.chars - first.length >= maxChars;
    if (!enoughLines && !tooMany) break;
    backlog.chunks.shift();
    backlog.breaks.shift();
    backlog.chars -= first.length;
    backlog.lines -= firstBreaks;
  }
}

/** Forgets everything: what comes next starts with a reset of the terminal (see TerminalService). */
export function clearBacklog(backlog: TerminalBacklog): void {
  backlog.chunks = [];
  backlog.breaks = [];
  backlog.chars = 0;
  backlog.lines = 0;
}

/**
 * The backlog's newest `maxLines` lines (the last one may be unfinished, e.g. a prompt), starting
 * at a line start: a cut in the middle of a line could fall inside an escape sequence and show its
 * tail as text. A backlog over its character bound starts at the first line start after the cut.
 */
export function backlogText(backlog: TerminalBacklog, maxLines: number): string {
  const text = backlog.chunks.join('');
  let start = 0;
  if (backlog.lines > maxLines) {
    // Skip to just after the (lines - maxLines)th line break.
    let skip = backlog.lines - maxLines;
    let at = -1;
    while (skip-- > 0) at = text.indexOf('\n', at + 1);
    start = at + 1;
  }
  const maxChars = maxLines * BACKLOG_CHARS_PER_LINE;
  if (text.length - start > maxChars) {
    const cut = text.length - maxChars;
    const newline = text.indexOf('\n', cut);
    start = newline >= 0 && newline - cut < 4096 ? newline + 1 : cut;
  }
  return start === 0 ? text : text.slice(start);
}

function countBreaks(data: string): number {
  let n = 0;
  for (let at = data.indexOf('\n'); at >= 0; at = data.indexOf('\n', at + 1)) n++;
  return n;
}
