// A terminal's backlog (what a reloaded UI shows first) keeps the newest lines, as many as the
// scrollback setting and a screen, whatever their length, and starts at a line start, so it never
// begins in the middle of an escape sequence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BACKLOG_CHARS_PER_LINE,
  backlogText,
  clearBacklog,
  emptyBacklog,
  keepInBacklog,
} from '../../../../src/core/ssh/terminal-backlog';

/** Sends `text` the way TerminalService does: in chunks of up to `size` characters. */
function sendInChunks(text: string, size: number, maxLines: number) {
  const backlog = emptyBacklog();
  for (let at = 0; at < text.length; at += size) {
    keepInBacklog(backlog, text.slice(at, at + size), maxLines);
  }
  return backlog;
}

describe('terminal backlog', () => {
  it('keeps short output whole', () => {
    const backlog = sendInChunks('$ ls\r\nnotebooks\r\n$ ', 4, 100);
    assert.equal(backlogText(backlog, 100), '$ ls\r\nnotebooks\r\n$ ');
  });

  it('keeps the newest lines of a flood, counted in lines, not characters', () => {
    // `seq 1 50000`: short lines, far more than the limit, in 64 KiB chunks as sent.
    const lines = Array.from({ length: 50_000 }, (_, i) => `${i + 1}\r\n`).join('');
    const maxLines = 10_000 + 30;
    const backlog = sendInChunks(`${lines}$ `, 64 * 1024, maxLines);
    const text = backlogText(backlog, maxLines);
    const kept = text.split('\r\n');
    assert.equal(kept.length, maxLines + 1, 'the limit in lines, and the prompt');
    assert.equal(kept[0], String(50_000 - maxLines + 1), 'starts at a whole line');
    assert.equal(kept.at(-2), '50000');
    assert.equal(kept.at(-1), '$ ');
    // Memory follows the lines kept, not the flood: at most one chunk more than the text shown.
    assert.ok(backlog.chars <= text.length + 64 * 1024, `${backlog.chars} characters held`);
  });

  it('keeps as many long lines as short ones', () => {
    const line = `\x1b[32m${'x'.repeat(300)}\x1b[0m\r\n`;
    const backlog = sendInChunks(line.repeat(500), 1000, 100);
    const text = backlogText(backlog, 100);
    assert.equal(text.split('\n').length, 101);
    assert.ok(text.startsWith('\x1b[32m'), 'begins at a line start');
  });

  it('bounds output without line breaks by characters, cut near a line start', () => {
    const maxLines = 10;
    const huge = 'y'.repeat(maxLines * BACKLOG_CHARS_PER_LINE * 3);
    const backlog = sendInChunks(`${huge}\nend`, 1000, maxLines);
    const text = backlogText(backlog, maxLines);
    assert.ok(text.length <= maxLines * BACKLOG_CHARS_PER_LINE);
    assert.ok(text.endsWith('\nend'));
    assert.ok(backlog.chars <= maxLines * BACKLOG_CHARS_PER_LINE + 1000);
  });

  it('starts over after a reset', () => {
    const backlog = sendInChunks('old\r\n'.repeat(10), 5, 100);
    clearBacklog(backlog);
    keepInBacklog(backlog, '\x1bcnew\r\n', 100);
    assert.equal(backlogText(backlog, 100), '\x1bcnew\r\n');
  });
});
