// For a terminal in tmux: xterm.js must not answer the programs' terminal queries, tmux does.
import type { IDisposable, Terminal } from '@xterm/xterm';

/**
 * A terminal in tmux shows the pane's output as the program wrote it (tmux control mode), but the
 * program's terminal is tmux, which answers its queries (device attributes, cursor position,
 * modes, colours) itself. Answered a second time by xterm.js, the answer would reach the program
 * as typed text (e.g. `1;2c` at a shell prompt). These handlers take the queries before xterm.js
 * does and do nothing; everything else (focus and mouse reports, pasting) still goes through.
 */
export function ignoreQueries(term: Terminal): IDisposable[] {
  const swallow = () => true;
  const { parser } = term;
  return [
    // Device attributes: primary, secondary, tertiary.
    parser.registerCsiHandler({ final: 'c' }, swallow),
    parser.registerCsiHandler({ prefix: '>', final: 'c' }, swallow),
    parser.registerCsiHandler({ prefix: '=', final: 'c' }, swallow),
    // Status and cursor position reports (DSR, DECXCPR).
    parser.registerCsiHandler({ final: 'n' }, swallow),
    parser.registerCsiHandler({ prefix: '?', final: 'n' }, swallow),
    // Mode reports (DECRQM) and the terminal's name and version (XTVERSION).
    parser.registerCsiHandler({ intermediates: '$', final: 'p' }, swallow),
    parser.registerCsiHandler({ prefix: '?', intermediates: '$', final: 'p' }, swallow),
    parser.registerCsiHandler({ prefix: '>', final: 'q' }, swallow),
    // Settings reports (DECRQSS).
    parser.registerDcsHandler({ intermediates: '$', final: 'q' }, swallow),
    // Colour queries (`OSC 11 ; ?`); setting a colour still works.
    ...[4, 10, 11, 12].map((ident) =>
      parser.registerOscHandler(ident, (data) => data.split(';').includes('?')),
    ),
  ];
}
