// The share check before Jupyter: its probe runs for real in sh against a temporary home; only the
// agent's config (a root file on a VM) is handed in.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkShare, fixShare, type CommandRunner } from '../../../src/core/storage/share-check';

function runner(home: string, config: string | undefined, sudo?: { code: number; out: string }) {
  const commands: string[] = [];
  const conn: CommandRunner = {
    exec: (command) => {
      commands.push(command);
      if (command.startsWith('cat /etc/dsvm-pool/agent.json')) {
        return Promise.resolve(
          config === undefined
            ? { code: 1, stdout: '', stderr: '' }
            : { code: 0, stdout: config, stderr: '' },
        );
      }
      if (command.startsWith('sudo -n') && sudo) {
        return Promise.resolve({ code: sudo.code, stdout: sudo.out, stderr: '' });
      }
      return new Promise((resolve) =>
        execFile(
          'sh',
          ['-c', command],
          { env: { ...process.env, HOME: home } },
          (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    },
  };
  return { conn, commands };
}

const config = (mountPoint: string, adminUser = 'azureuser') =>
  JSON.stringify({
    version: 1,
    share: { protocol: 'bind', source: '/srv/share-source', mountPoint },
    shareName: 'team',
    adminUser,
  });

describe('share check', () => {
  let home: string;
  const user = userInfo().username;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'share-check-'));
    await mkdir(join(home, 'notebooks'), { recursive: true });
  });
  after(() => rm(home, { recursive: true, force: true }));

  it('says there is no agent where there is no agent config (the local sandbox)', async () => {
    const check = await checkShare(runner(home, undefined).conn);
    assert.equal(check.state, 'no-agent');
  });

  it('finds an unmounted share and a missing link, each as a sentence', async () => {
    const check = await checkShare(runner(home, config('/mnt/dsvm-pool-test-none')).conn);
    assert.equal(check.state, 'problem');
    assert.equal(check.expected, `/mnt/dsvm-pool-test-none/notebooks/${user}`);
    assert.match(check.problems.join('\n'), /not mounted on \/mnt\/dsvm-pool-test-none/);
    assert.match(check.problems.join('\n'), /~\/notebooks\/remote does not exist/);
  });

  it('finds a link that points elsewhere', async () => {
    await symlink('/tmp/somewhere-else', join(home, 'notebooks', 'remote'));
    const check = await checkShare(runner(home, config('/mnt/dsvm-pool-test-none')).conn);
    assert.match(check.problems.join('\n'), /points at \/tmp\/somewhere-else, not at your folder/);
    await rm(join(home, 'notebooks', 'remote'));
  });

  it('is ok when the share is mounted and the link is right', async () => {
    // /dev/shm is a real mount point here; the user's folder on it stands in for the share's.
    const mountPoint = '/dev/shm';
    const folder = join(mountPoint, 'notebooks', user);
    await mkdir(folder, { recursive: true });
    await symlink(folder, join(home, 'notebooks', 'remote'));
    try {
      const check = await checkShare(runner(home, config(mountPoint)).conn);
      assert.deepEqual(check.problems, []);
      assert.equal(check.state, 'ok');
      assert.match(check.summary, /Share mounted/);
    } finally {
      await rm(join(home, 'notebooks', 'remote'));
      await rm(join(mountPoint, 'notebooks'), { recursive: true, force: true });
    }
  });

  it("checks the VM admin's own link (~/<share> → the mount), as the article gives it", async () => {
    const wrong = await checkShare(runner(home, config('/dev/shm', user)).conn);
    assert.equal(wrong.state, 'problem');
    assert.match(wrong.problems.join('\n'), /~\/team should link to the share at \/dev\/shm/);
    await symlink('/dev/shm', join(home, 'team'));
    try {
      const ok = await checkShare(runner(home, config('/dev/shm', user)).conn);
      assert.equal(ok.state, 'ok', ok.problems.join('\n'));
      assert.match(ok.summary, /the admin's link/);
    } finally {
      await rm(join(home, 'team'));
    }
  });

  it('refuses an invalid agent config with what is wrong', async () => {
    const check = await checkShare(runner(home, '{"version":1}').conn);
    assert.equal(check.state, 'problem');
    assert.match(check.problems[0]!, /not valid/);
  });

  it('fix runs exactly `sudo -n dsvm-pool-agent apply`, and explains a refused sudo', async () => {
    const ok = runner(home, config('/mnt/dsvm-pool-test-none'), { code: 0, out: '' });
    await fixShare(ok.conn);
    assert.equal(ok.commands.filter((c) => c.startsWith('sudo')).length, 1);
    assert.match(
      ok.commands.find((c) => c.startsWith('sudo'))!,
      /^sudo -n \/usr\/local\/bin\/dsvm-pool-agent apply /,
    );
    const refused = runner(home, config('/mnt/x'), {
      code: 1,
      out: 'sudo: a password is required',
    });
    await assert.rejects(fixShare(refused.conn), /sudo rule is missing/);
  });
});
