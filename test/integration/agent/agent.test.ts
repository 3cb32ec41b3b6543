// The bundled agent as root on a throwaway "VM" (a private mount namespace with overlay /etc,
// /var, /usr/local and a temp /home): install, real mount, real useradd/usermod, real privilege
// drop for home changes, reboots, a removed member — and proof that the machine is untouched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AgentHeartbeatSchema } from '../../../src/common/agent-protocol';
import { RSA_2048_LINE, ed25519Line } from '../../helpers/ssh-keys';
import type { TestVm } from './namespace';
import { makeTestVm } from './namespace';

const run = promisify(execFile);
const repo = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');
const bundle = join(repo, 'out/agent/dsvm-pool-agent.js');
const REAL_FILES = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/fstab'];

const hashes = async () =>
  Object.fromEntries(
    await Promise.all(
      REAL_FILES.map(async (file) => [
        file,
        createHash('sha256')
          .update(await readFile(file))
          .digest('hex'),
      ]),
    ),
  );

describe('dsvm-pool-agent on a throwaway VM (root, mount namespace)', () => {
  let vm: TestVm;
  let realBefore: Record<string, string>;
  // An agent really installed on this machine would be left alone; normally there is none.
  const hadBundle = existsSync('/usr/local/lib/dsvm-pool/dsvm-pool-agent.js');
  const hadConfig = existsSync('/etc/dsvm-pool/agent.json');
  let share: string;
  let mountPoint: string;
  const aliceKey = ed25519Line('italice@laptop');
  const bobKey = RSA_2048_LINE;
  const registry = (members: Array<{ name: string; sshKeys: string[] }>) =>
    writeFile(join(share, '.pool/users.json'), JSON.stringify({ version: 1, members }, null, 2));
  const passwdOf = async (name: string) => {
    const line = (await vm.read('/etc/passwd')).split('\n').find((l) => l.startsWith(`${name}:`));
    assert.ok(line, `${name} in the VM's /etc/passwd`);
    const f = line.split(':');
    return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
  };
  const ok = (result: { code: number; stdout: string; stderr: string }, what: string) =>
    assert.equal(result.code, 0, `${what}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);

  before(async () => {
    await run(process.execPath, [join(repo, 'scripts/build-agent.mjs')], { cwd: repo });
    realBefore = await hashes();
    vm = await makeTestVm();
    share = join(vm.dir, 'share');
    mountPoint = join(vm.dir, 'mnt/pool');
    await mkdir(join(share, '.pool'), { recursive: true });
    await writeFile(
      join(vm.dir, 'agent.json'),
      JSON.stringify({
        version: 1,
        share: { protocol: 'bind', source: share, mountPoint },
        shareName: 'pool',
        adminUser: 'itadmin',
        computerName: 'it-vm-1',
      }),
    );
    await registry([
      { name: 'italice', sshKeys: [aliceKey] },
      { name: 'itbob', sshKeys: [bobKey] },
    ]);
  });

  after(async () => {
    await vm?.cleanup();
    assert.deepEqual(await hashes(), realBefore, "the machine's own users and fstab are untouched");
  });

  it('installs itself (bundle, wrapper, config, units enabled offline)', async () => {
    const result = await vm.run(
      `useradd --create-home --shell /bin/bash itadmin && node ${bundle} install --config ${vm.dir}/agent.json`,
    );
    ok(result, 'install');
    assert.match(result.stderr, /systemd is not running here/);
    assert.ok((await stat(join(vm.usrLocal, 'lib/dsvm-pool/dsvm-pool-agent.js'))).isFile());
    assert.match(
      await readFile(join(vm.usrLocal, 'bin/dsvm-pool-agent'), 'utf8'),
      /exec "\$NODE" \/usr\/local\/lib/,
    );
    assert.equal(
      await readlink(join(vm.etc, 'systemd/system/timers.target.wants/dsvm-pool-agent.timer')),
      '/etc/systemd/system/dsvm-pool-agent.timer',
    );
    assert.ok(
      (
        await lstat(join(vm.etc, 'systemd/system/multi-user.target.wants/dsvm-pool-agent.service'))
      ).isSymbolicLink(),
    );
    assert.equal(
      existsSync('/usr/local/lib/dsvm-pool/dsvm-pool-agent.js'),
      hadBundle,
      'not on the real machine',
    );
  });

  it('apply mounts the share, creates members with keys, folders, links and right owners', async () => {
    const result = await vm.run(
      `dsvm-pool-agent apply && findmnt -n -o SOURCE,TARGET ${mountPoint} && dsvm-pool-agent status --json`,
    );
    ok(result, 'apply');
    assert.match(result.stdout, new RegExp(`${mountPoint}`), 'mounted inside the VM');
    const status = AgentHeartbeatSchema.parse(
      JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))),
    );
    assert.equal(status.mount?.mounted, true);
    assert.equal(status.lastApply?.ok, true);
    assert.deepEqual(status.users.applied, ['italice', 'itbob']);
    // Outside the VM the mount point is an empty folder: the writes went through a real mount.
    assert.deepEqual(await readdir(mountPoint), []);

    for (const [name, key] of [
      ['italice', aliceKey],
      ['itbob', bobKey],
    ] as const) {
      const user = await passwdOf(name);
      assert.ok(user.uid >= 20000 && user.uid < 60000, `${name} uid ${user.uid}`);
      assert.equal(user.home, `/home/${name}`);
      const home = join(vm.home, name);
      const homeInfo = await stat(home);
      assert.equal(homeInfo.uid, user.uid);
      assert.equal(homeInfo.mode & 0o777, 0o750);
      const ssh = await lstat(join(home, '.ssh'));
      assert.ok(ssh.isDirectory());
      assert.deepEqual([ssh.uid, ssh.gid, ssh.mode & 0o777], [user.uid, user.gid, 0o700]);
      const keys = join(home, '.ssh/authorized_keys');
      const keysInfo = await stat(keys);
      assert.deepEqual(
        [keysInfo.uid, keysInfo.gid, keysInfo.mode & 0o777],
        [user.uid, user.gid, 0o600],
      );
      assert.ok((await readFile(keys, 'utf8')).includes(key));
      const link = join(home, 'notebooks/remote');
      assert.equal(await readlink(link), `${mountPoint}/notebooks/${name}`);
      assert.equal((await lstat(link)).uid, user.uid, 'link made by the user, not root');
      const folder = await stat(join(share, 'notebooks', name));
      assert.deepEqual([folder.uid, folder.gid, folder.mode & 0o777], [user.uid, user.gid, 0o700]);
    }
    const admin = await passwdOf('itadmin');
    assert.equal(await readlink(join(vm.home, 'itadmin/pool')), mountPoint);
    assert.equal((await stat(join(share, 'notebooks/itadmin'))).uid, admin.uid);
    const shadow = await vm.read('/etc/shadow');
    assert.match(shadow, /^italice:!:/m, 'no password');
    const fstab = await vm.read('/etc/fstab');
    assert.equal(
      fstab.split(`${share} ${mountPoint} none bind,nofail 0 0`).length,
      2,
      'one fstab line',
    );
    const beat = AgentHeartbeatSchema.parse(
      JSON.parse(await readFile(join(share, '.pool/status/it-vm-1.json'), 'utf8')),
    );
    assert.equal(beat.computerName, 'it-vm-1');
    assert.equal(beat.mount?.healthy, true);
  });

  it('reboot: a fresh namespace has no mount; apply mounts again; umount + apply too; fstab works', async () => {
    const result = await vm.run(
      [
        `findmnt -n ${mountPoint} && exit 10`,
        'dsvm-pool-agent apply || exit 11',
        `findmnt -n ${mountPoint} >/dev/null || exit 12`,
        `umount ${mountPoint} || exit 13`,
        'dsvm-pool-agent apply || exit 14',
        `findmnt -n ${mountPoint} >/dev/null || exit 15`,
        `umount ${mountPoint} || exit 16`,
        // What systemd would do at boot with the fstab line.
        `mount ${mountPoint} || exit 17`,
        `test -f ${mountPoint}/.pool/users.json || exit 18`,
      ].join('\n'),
    );
    ok(result, 'reboots');
    assert.equal(
      (await vm.read('/etc/fstab')).split('BEGIN dsvm-pool-agent').length,
      2,
      'not duplicated',
    );
    assert.deepEqual(
      await readdir(join(vm.home, 'italice/notebooks')),
      ['remote'],
      'no nested links',
    );
    assert.deepEqual(await readdir(join(share, 'notebooks/italice')), []);
  });

  it('a ~/.ssh symlink planted by the user leads nowhere: the home work runs as the user', async () => {
    const result = await vm.run(
      [
        'mkdir -p /etc/dsvm-victim && chmod 755 /etc/dsvm-victim',
        'rm -rf /home/italice/.ssh',
        'ln -s /etc/dsvm-victim /home/italice/.ssh && chown -h italice:italice /home/italice/.ssh',
        'dsvm-pool-agent apply',
      ].join('\n'),
    );
    ok(result, 'apply with a planted link');
    assert.deepEqual(await readdir(join(vm.etc, 'dsvm-victim')), []);
    const ssh = await lstat(join(vm.home, 'italice/.ssh'));
    assert.ok(ssh.isDirectory() && !ssh.isSymbolicLink());
    assert.ok(
      (await readFile(join(vm.home, 'italice/.ssh/authorized_keys'), 'utf8')).includes(aliceKey),
    );
    assert.ok((await readdir(join(vm.home, 'italice'))).some((n) => n.startsWith('.ssh.moved-')));
  });

  it('two applies at once: both succeed, one after the other', async () => {
    const result = await vm.run(
      'dsvm-pool-agent apply & a=$!; dsvm-pool-agent apply & b=$!; wait $a; ra=$?; wait $b; rb=$?; echo "rc $ra $rb"',
    );
    assert.match(result.stdout, /rc 0 0/, result.stderr);
    assert.equal((await vm.read('/etc/passwd')).split('\nitalice:').length, 2);
  });

  it('a removed member is locked, keys removed, home and share data kept', async () => {
    await writeFile(join(share, 'notebooks/itbob/analysis.ipynb'), '{"cells": []}');
    await registry([{ name: 'italice', sshKeys: [aliceKey] }]);
    const result = await vm.run('dsvm-pool-agent apply && dsvm-pool-agent status');
    ok(result, 'apply after removal');
    assert.match(result.stdout, /locked: itbob/);
    const shadow =
      (await vm.read('/etc/shadow')).split('\n').find((l) => l.startsWith('itbob:')) ?? '';
    const fields = shadow.split(':');
    assert.ok(fields[1].startsWith('!'), 'password locked');
    assert.equal(fields[7], '1', 'account expired (no SSH)');
    assert.ok(!existsSync(join(vm.home, 'itbob/.ssh/authorized_keys')));
    assert.ok((await stat(join(vm.home, 'itbob'))).isDirectory(), 'home kept');
    assert.equal(
      await readFile(join(share, 'notebooks/itbob/analysis.ipynb'), 'utf8'),
      '{"cells": []}',
    );
    // The admin (not created by the agent) is never locked.
    assert.ok(
      !/^itadmin:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:1:/m.test(await vm.read('/etc/shadow')),
    );
  });

  it('the real machine has none of it', async () => {
    const { stdout } = await run('getent', ['passwd', 'italice', 'itbob', 'itadmin']).catch(
      (e: { stdout: string }) => e,
    );
    assert.equal(stdout, '');
    assert.ok(!existsSync('/etc/dsvm-victim'));
    assert.equal(existsSync('/etc/dsvm-pool/agent.json'), hadConfig);
    assert.equal(existsSync('/usr/local/lib/dsvm-pool/dsvm-pool-agent.js'), hadBundle);
    assert.deepEqual(await hashes(), realBefore);
  });
});
