// scripts/preflight.mjs as `npm test` runs it: with commands missing from PATH and no Chromium it
// names each missing package and the apt command, and stops; with everything there it is silent.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const script = join(import.meta.dirname, '../../../scripts/preflight.mjs');

function preflight(env: Record<string, string>) {
  // Only the given PATH: no inherited one can supply what the test removed.
  const result = spawnSync(process.execPath, [script], { env, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('npm test preflight', () => {
  let dir: string;
  let bin: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'preflight-test-'));
    bin = join(dir, 'bin');
    await mkdir(bin);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function fakeCommands(names: string[]): Promise<void> {
    for (const name of names) {
      await writeFile(join(bin, name), '#!/bin/sh\nexit 0\n');
      await chmod(join(bin, name), 0o755);
    }
  }

  it('names each missing package with what needs it, and the apt command, then fails', async () => {
    await fakeCommands(['ssh-keygen', 'jupyter-notebook', 'sudo']);
    const { status, output } = preflight({
      PATH: bin,
      CHROMIUM_PATH: join(dir, 'no-chromium-here'),
    });
    assert.equal(status, 1);
    assert.match(output, /npm test needs system packages that this machine lacks/);
    assert.match(output, /^ {2}tmux \(tmux: /m);
    assert.match(output, /^ {2}strace \(strace: /m);
    assert.match(output, new RegExp(`^ {2}chromium \\(${dir}/no-chromium-here: `, 'm'));
    for (const present of ['openssh-client', 'jupyter-notebook', 'sudo']) {
      assert.doesNotMatch(output, new RegExp(`^ {2}${present} \\(`, 'm'), present);
    }
    const apt = /apt-get install -y --no-install-recommends (.+)$/m.exec(output);
    assert.ok(apt, output);
    const pkgs = apt[1]!.split(' ');
    for (const pkg of ['tmux', 'chromium', 'strace']) assert.ok(pkgs.includes(pkg), pkg);
    for (const pkg of ['openssh-client', 'jupyter-notebook', 'sudo']) {
      assert.ok(!pkgs.includes(pkg), pkg);
    }
  });

  it('finds commands anywhere on PATH, and says nothing when all is there', async () => {
    const chromium = join(dir, 'chromium');
    await writeFile(chromium, '#!/bin/sh\n');
    await chmod(chromium, 0o755);
    await fakeCommands([
      'ssh-keygen',
      'tmux',
      'jupyter-notebook',
      'sudo',
      'strace',
      'mkfs.ext4',
      'fsfreeze',
    ]);
    const { status, output } = preflight({
      PATH: `${join(dir, 'nothing-here')}:${bin}`,
      CHROMIUM_PATH: chromium,
    });
    // sshd and Jupyter's kernel are looked for where the tests use them (/usr/sbin/sshd, Debian's
    // kernel.json), which this machine must have like every machine that runs npm test.
    assert.equal(output, '');
    assert.equal(status, 0);
  });
});
