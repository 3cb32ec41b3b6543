// The Include line in ~/.ssh/config: added at the top only when asked, taken out again, and the
// user's own bytes (line endings, no final newline, mode, a symlink) left exactly as they were.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import {
  addInclude,
  includeLine,
  includeState,
  removeInclude,
} from '../../../../src/core/openssh/user-include';

describe('Include in ~/.ssh/config', () => {
  let dir: string;
  let userConfig: string;
  const ours = '/home/ana/.config/dsvm pool/ssh/config';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'user-include-'));
    userConfig = join(dir, '.ssh', 'config');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('adds one quoted line first and takes exactly it out again, byte for byte', async () => {
    await mkdir(join(dir, '.ssh'));
    // CRLF endings, a tab, trailing spaces and no final newline: all the user's, all kept.
    const original = '# mine\r\nHost work\r\n\tUser ana  \r\n  Port 2222';
    await writeFile(userConfig, original, { mode: 0o640 });
    await chmod(userConfig, 0o640);
    assert.deepEqual(await includeState(userConfig, ours), { included: false, scoped: false });

    await addInclude(userConfig, ours);
    const added = await readFile(userConfig, 'utf8');
    assert.equal(added, `Include "${ours}"\r\n${original}`);
    assert.equal((await stat(userConfig)).mode & 0o777, 0o640, 'the mode is kept');
    assert.equal(await readFile(`${userConfig}.dsvm-pool.bak`, 'utf8'), original);
    assert.deepEqual(await includeState(userConfig, ours), { included: true, scoped: false });

    await addInclude(userConfig, ours);
    assert.equal(await readFile(userConfig, 'utf8'), added, 'adding twice adds once');

    await removeInclude(userConfig, ours);
    assert.equal(await readFile(userConfig, 'utf8'), original);
    assert.equal((await stat(userConfig)).mode & 0o777, 0o640);
    assert.equal(await readFile(`${userConfig}.dsvm-pool.bak`, 'utf8'), added);
  });

  it('leaves other Include lines alone and tells when ours sits inside a Host block', async () => {
    await mkdir(join(dir, '.ssh'));
    const text = `Include other.conf\nHost *\n  ServerAliveInterval 30\nInclude "${ours}"\n`;
    await writeFile(userConfig, text);
    assert.deepEqual(await includeState(userConfig, ours), { included: true, scoped: true });
    await removeInclude(userConfig, ours);
    assert.equal(
      await readFile(userConfig, 'utf8'),
      'Include other.conf\nHost *\n  ServerAliveInterval 30\n',
    );
  });

  it('creates ~/.ssh/config (0600 in a 0700 folder) when there is none', async () => {
    await addInclude(userConfig, ours);
    assert.equal(await readFile(userConfig, 'utf8'), `Include "${ours}"\n`);
    assert.equal((await stat(userConfig)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, '.ssh'))).mode & 0o777, 0o700);
    await removeInclude(userConfig, ours);
    assert.equal(await readFile(userConfig, 'utf8'), '');
    // Nothing to remove from a file that is not there.
    await removeInclude(join(dir, 'nope'), ours);
  });

  it('changes a symlinked config where it points, keeping the link', async () => {
    await mkdir(join(dir, '.ssh'));
    const real = join(dir, 'dotfiles-ssh-config');
    await writeFile(real, 'Host a\n', { mode: 0o600 });
    await symlink(real, userConfig);
    await addInclude(userConfig, ours);
    assert.equal(await readFile(real, 'utf8'), `Include "${ours}"\nHost a\n`);
    assert.ok((await import('node:fs/promises').then((f) => f.lstat(userConfig))).isSymbolicLink());
  });

  it('refuses a path an Include line cannot hold safely, naming what to use instead', () => {
    assert.equal(includeLine('/a b/config'), 'Include "/a b/config"');
    for (const bad of ['/a*/config', '/100%/config', '/$HOME/config', '/a"b/config']) {
      assert.throws(
        () => includeLine(bad),
        (err) => isRpcError(err, ErrorCode.BadInput) && /Copy ssh command/.test(err.message),
      );
    }
  });
});
