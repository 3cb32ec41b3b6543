// The Scrollback field of Terminal settings: digits in range are a number of lines; anything else
// gets the rule, in the field's words.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SCROLLBACK_RULE } from '../../../../../src/common/contract';
import { parseScrollback } from '../../../../../src/renderer/user/terminals/scrollback-input';

describe('parseScrollback', () => {
  test('takes digits (with separators) in range, else says the rule', () => {
    assert.deepEqual(parseScrollback(' 20,000 '), { lines: 20_000 });
    assert.deepEqual(parseScrollback('50000'), { lines: 50_000 });
    for (const text of ['', '500', '50001', '1e4', '10000.5', '-2000', 'lots']) {
      assert.deepEqual(parseScrollback(text), { problem: SCROLLBACK_RULE }, text);
    }
    assert.equal(
      SCROLLBACK_RULE,
      'Scrollback must be a whole number of lines from 1,000 to 50,000.',
    );
  });
});
