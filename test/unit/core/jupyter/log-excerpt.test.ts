// logExcerpt: the end of a Jupyter log, safe to show: tokens blanked, bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logExcerpt } from '../../../../src/core/jupyter/log-excerpt';

describe('logExcerpt', () => {
  it('blanks tokens in URLs, settings and the known secrets', () => {
    const log = [
      '[I NotebookApp] http://127.0.0.1:8888/?token=c02cce19428bbba9cd77fda6979106af',
      '[I NotebookApp]  or http://host:8888/lab?foo=1&token=deadbeef&x=2',
      'JUPYTER_TOKEN=s3cret-value',
      "c.NotebookApp.token = 'abc'",
      'the app secret: hunter2hunter2',
    ].join('\r\n');
    const out = logExcerpt(log, ['hunter2hunter2']);
    for (const secret of ['c02cce19', 'deadbeef', 's3cret-value', "'abc'", 'hunter2']) {
      assert.ok(!out.includes(secret), `${secret} is blanked in:\n${out}`);
    }
    assert.match(out, /\?token=…/);
    assert.match(out, /&token=…&x=2/);
    assert.ok(!out.includes('\r'));
  });

  it('keeps the last non-empty lines, bounded in count and length', () => {
    const log = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n\n\n');
    assert.equal(logExcerpt(log, [], 3), 'line 27\nline 28\nline 29');
    const long = logExcerpt('x'.repeat(5000), [], 12, 100);
    assert.equal(long.length, 101);
    assert.ok(long.startsWith('…'));
    assert.equal(logExcerpt('\n \n'), '');
  });
});
