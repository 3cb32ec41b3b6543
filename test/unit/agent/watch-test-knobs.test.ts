// The watch's test-only knobs: read from the environment, a malformed one ignored and said so (the
// product value holds), and the test clock file read as ms or ISO.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  TEST_CLOCK_FILE_ENV,
  TEST_CYCLE_ENV,
  TEST_EVENTS_POLL_ENV,
  TEST_IDLE_MINUTE_ENV,
  TEST_JITTER_ENV,
  readTestClock,
  testKnobs,
} from '../../../src/agent/watch-test-knobs';

describe('watch test knobs', () => {
  it('none set: nothing changes and nothing is said', () => {
    const said: string[] = [];
    assert.deepEqual(
      testKnobs({}, (line) => said.push(line)),
      {},
    );
    assert.deepEqual(said, []);
  });

  it('reads each knob and says it is not for production', () => {
    const said: string[] = [];
    const knobs = testKnobs(
      {
        [TEST_CYCLE_ENV]: '1000',
        [TEST_EVENTS_POLL_ENV]: '500',
        [TEST_JITTER_ENV]: '0',
        [TEST_IDLE_MINUTE_ENV]: '8000',
        [TEST_CLOCK_FILE_ENV]: '/tmp/clock',
      },
      (line) => said.push(line),
    );
    assert.deepEqual(knobs, {
      cycleMs: 1000,
      eventsPollMs: 500,
      jitterMaxMs: 0,
      idleMinuteMs: 8000,
      clockFile: '/tmp/clock',
    });
    assert.equal(said.length, 5);
    assert.ok(said.every((line) => /not for production/.test(line)));
  });

  it('ignores a malformed knob, saying which and why', () => {
    const said: string[] = [];
    const knobs = testKnobs(
      { [TEST_CYCLE_ENV]: '1e3x', [TEST_IDLE_MINUTE_ENV]: '5', [TEST_CLOCK_FILE_ENV]: 'clock' },
      (line) => said.push(line),
    );
    assert.deepEqual(knobs, {});
    assert.match(said[0]!, /^DSVM_POOL_AGENT_TEST_CYCLE_MS must be a whole number of ms from 100/);
    assert.match(said[1]!, /^DSVM_POOL_AGENT_TEST_IDLE_MINUTE_MS must be/);
    assert.match(said[2]!, /must be an absolute path, not "clock"; ignored$/);
  });

  it('reads the test clock as ms or ISO; missing or bad is the real clock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dsvm-knobs-'));
    try {
      const file = join(dir, 'now');
      assert.equal(await readTestClock(file), undefined);
      await writeFile(file, '1765000000000\n');
      assert.equal(await readTestClock(file), 1765000000000);
      await writeFile(file, '2026-12-07T07:00:00.000Z\n');
      assert.equal(await readTestClock(file), Date.parse('2026-12-07T07:00:00.000Z'));
      await writeFile(file, 'soon');
      assert.equal(await readTestClock(file), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
