// A terminal's backlog (what a reloaded UI shows first) keeps the newest output and starts at a
// line start, so it never begins in the middle of an escape sequence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKLOG_CHARS, trimBacklog } from '../../../../src/core/ssh/terminal-backlog';

describe('trimBacklog', () => {
  it('keeps short output whole', () => {
    assert.equal(trimBacklog('$ ls\r\nnotebooks\r\n'), '$ ls\r\nnotebooks\r\n');
  });

  it('keeps the newest BACKLOG_CHARS, from the next line start', () => {
    const line = '\x1b[32mgreen\x1b[0m text of a line\r\n';
    const text = line.repeat(Math.ceil((2 * BACKLOG_CHARS) / line.length)) + 'prompt$ ';
    const kept = trimBacklog(text);
    assert.ok(kept.length <= BACKLOG_CHARS);
    assert.ok(kept.length >= BACKLOG_CHARS - line.length);
    assert.ok(kept.startsWith('\x1b[32mgreen'), JSON.stringify(kept.slice(0, 20)));
    assert.ok(kept.endsWith(line + 'prompt$ '));
  });

  it('cuts exactly when no line starts near the cut (one huge line)', () => {
    const text = 'x'.repeat(BACKLOG_CHARS + 10_000) + '\nend';
    const kept = trimBacklog(text);
    assert.equal(kept.length, BACKLOG_CHARS);
    assert.ok(kept.endsWith('\nend'));
  });
});
