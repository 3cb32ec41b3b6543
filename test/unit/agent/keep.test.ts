// `dsvm-pool-agent keep`: durations, the file a member writes, and how the root agent reads it
// (only theirs, never through a link, never a FIFO, never past a size cap).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEEP_FILE, parseKeepDuration, readKeep, runKeep } from '../../../src/agent/keep';
import { isRoot } from './fake-system';

const NOW = new Date('2026-12-07T10:00:00Z');

describe('keep', () => {
  let home: string;
  const uid = process.getuid?.() ?? 0;
  const me = () => ({ name: 'alice', uid, home: '/home/alice' });
  let out: string;
  const write = (text: string) => {
    out += text;
  };

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'dsvm-keep-'));
    out = '';
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  it('durations: minutes and hours, at most 24h, clear errors otherwise', () => {
    assert.equal(parseKeepDuration('30m'), 30 * 60_000);
    assert.equal(parseKeepDuration('4h'), 4 * 3_600_000);
    assert.equal(parseKeepDuration('1h30m'), 90 * 60_000);
    assert.equal(parseKeepDuration('90'), 90 * 60_000);
    assert.equal(parseKeepDuration('24h'), 24 * 3_600_000);
    assert.throws(() => parseKeepDuration('25h'), /at most 24h/);
    assert.throws(() => parseKeepDuration('0m'), /at least 1 minute/);
    assert.throws(
      () => parseKeepDuration('soon'),
      /"soon" is not a duration; write minutes or hours, e\.g\. 30m, 4h/,
    );
    assert.throws(() => parseKeepDuration('4d'), /not a duration/);
  });

  it('writes the member’s keep file; the agent reads it back; --cancel removes it', async () => {
    assert.equal(
      await runKeep({
        duration: '4h',
        reason: 'training\nrun 7',
        cancel: false,
        now: NOW,
        write,
        home,
        uid,
      }),
      0,
    );
    assert.match(out, /kept until 2026-12-07T14:00:00\.000Z \(4 h\)/);
    const text = await readFile(join(home, KEEP_FILE), 'utf8');
    assert.deepEqual(JSON.parse(text), {
      version: 1,
      until: '2026-12-07T14:00:00.000Z',
      setAt: '2026-12-07T10:00:00.000Z',
      reason: 'training run 7',
    });
    assert.deepEqual(await readKeep(me(), home, NOW.getTime()), {
      keep: { user: 'alice', until: Date.parse('2026-12-07T14:00:00Z'), reason: 'training run 7' },
    });
    // Ended keeps are nothing.
    assert.deepEqual(await readKeep(me(), home, Date.parse('2026-12-07T14:00:00Z')), {});
    out = '';
    assert.equal(await runKeep({ cancel: true, now: NOW, write, home, uid }), 0);
    assert.match(out, /keep cancelled/);
    assert.deepEqual(await readKeep(me(), home, NOW.getTime()), {});
    out = '';
    await runKeep({ cancel: true, now: NOW, write, home, uid });
    assert.match(out, /no keep to cancel/);
  });

  it('refuses root, no duration, and a duration with --cancel', async () => {
    await assert.rejects(
      runKeep({ duration: '1h', cancel: false, now: NOW, write, uid: 0 }),
      /run keep as yourself, not as root/,
    );
    await assert.rejects(
      runKeep({ cancel: false, now: NOW, write, home, uid }),
      /keep needs a duration/,
    );
    await assert.rejects(
      runKeep({ duration: '1h', cancel: true, now: NOW, write, home, uid }),
      /takes no duration/,
    );
  });

  it('a keep past 24h from when it was set is cut at 24h', async () => {
    await mkdir(join(home, '.local/state/dsvm-pool'), { recursive: true });
    await writeFile(
      join(home, KEEP_FILE),
      JSON.stringify({ version: 1, until: '2027-01-01T00:00:00Z', setAt: NOW.toISOString() }),
    );
    const read = await readKeep(me(), home, NOW.getTime());
    assert.equal(read.keep?.until, NOW.getTime() + 24 * 3_600_000);
  });

  it('bad files are ignored with a reason: not JSON, a symlink, a FIFO, too big', async () => {
    const dir = join(home, '.local/state/dsvm-pool');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'keep.json'), 'not json');
    assert.match((await readKeep(me(), home, NOW.getTime())).problem ?? '', /not a keep; ignored/);
    await rm(join(dir, 'keep.json'));
    await writeFile(join(home, 'elsewhere.json'), '{}');
    await symlink(join(home, 'elsewhere.json'), join(dir, 'keep.json'));
    assert.match((await readKeep(me(), home, NOW.getTime())).problem ?? '', /symbolic link/);
    await rm(join(dir, 'keep.json'));
    execFileSync('mkfifo', [join(dir, 'keep.json')]);
    assert.match((await readKeep(me(), home, NOW.getTime())).problem ?? '', /not a regular file/);
    await rm(join(dir, 'keep.json'));
    await writeFile(join(dir, 'keep.json'), 'x'.repeat(5000));
    assert.match((await readKeep(me(), home, NOW.getTime())).problem ?? '', /larger than/);
  });

  it('a keep file owned by someone else does not count for the member (as root)', async () => {
    assert.ok(isRoot, 'the agent unit tests run as root (chown)');
    await runKeep({ duration: '1h', cancel: false, now: NOW, write, home, uid });
    await chown(join(home, KEEP_FILE), 4321, 4321);
    assert.equal((await stat(join(home, KEEP_FILE))).uid, 4321);
    assert.deepEqual(await readKeep(me(), home, NOW.getTime()), {
      problem: "alice's keep file is not owned by them; ignored",
    });
  });
});
