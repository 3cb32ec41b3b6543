// Every step of `apply` against a temporary root with a fake machine: mount + fstab + probe,
// members (accounts, keys, folders, links), former members, the registry's last good copy, the
// heartbeat, idempotency and the lock.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  stat,
  symlink,
  writeFile,
  appendFile,
  chmod,
  rm,
} from 'node:fs/promises';
import { join } from 'node:path';
import { AgentHeartbeatSchema } from '../../../src/common/agent-protocol';
import { runApply } from '../../../src/agent/apply';
import { mkdirUnlessPresent } from '../../../src/agent/safe-fs';
import { FSTAB_BEGIN } from '../../../src/agent/fstab';
import { AgentStateSchema } from '../../../src/agent/state';
import type { TestMachine } from './fake-system';
import { ADMIN_UID, isRoot, makeMachine, writeRegistry } from './fake-system';
import { RSA_2048_LINE, ed25519Line } from '../../helpers/ssh-keys';

const aliceKey = ed25519Line('alice@laptop');
const bobKey = RSA_2048_LINE;

const team = (extra: Array<Record<string, unknown>> = []) => ({
  version: 1,
  members: [{ name: 'alice', sshKeys: [aliceKey] }, { name: 'bob', sshKeys: [bobKey] }, ...extra],
});

async function passwd(machine: TestMachine) {
  return (await readFile(join(machine.root, 'etc/passwd'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':'));
}

async function userEntry(machine: TestMachine, name: string) {
  const fields = (await passwd(machine)).find((f) => f[0] === name);
  assert.ok(fields, `user ${name} exists`);
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: join(machine.root, fields[5]) };
}

async function state(machine: TestMachine) {
  return AgentStateSchema.parse(
    JSON.parse(await readFile(join(machine.root, 'var/lib/dsvm-pool/state.json'), 'utf8')),
  );
}

async function heartbeat(machine: TestMachine) {
  return AgentHeartbeatSchema.parse(
    JSON.parse(await readFile(join(machine.share, '.pool/status/vm-test-0.json'), 'utf8')),
  );
}

const apply = (machine: TestMachine, waitMs = 5000) => runApply(machine.system, { waitMs });

describe('apply (bind share, temporary root)', () => {
  let machine: TestMachine;
  beforeEach(async () => {
    machine = await makeMachine();
  });
  afterEach(() => machine.cleanup());

  it('mounts, writes fstab, creates members with keys, folders and links, and a heartbeat', async () => {
    await writeRegistry(machine, team());
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 0, outcome.report?.errors.join('\n'));
    const system = machine.system;

    assert.deepEqual(system.callsOf('mount'), [['mount', '--bind', '/srv/share', '/mnt/pool']]);
    const fstab = await readFile(join(machine.root, 'etc/fstab'), 'utf8');
    assert.match(fstab, /^UUID=abcd \/ ext4 errors=remount-ro 0 1$/m, 'other lines kept');
    assert.match(fstab, /^\/srv\/share \/mnt\/pool none bind,nofail 0 0$/m);
    assert.deepEqual(await readdir(join(machine.share, '.pool/probe')), [], 'probe removed');

    const useradds = system.callsOf('useradd');
    assert.equal(useradds.length, 2);
    assert.deepEqual(useradds[0].slice(0, -3), [
      'useradd',
      '--create-home',
      '--shell',
      '/bin/bash',
      '--user-group',
      '--key',
      'HOME_MODE=0750',
      '--comment',
      'dsvm-pool member',
    ]);
    assert.deepEqual(useradds[0].slice(-3, -1)[0], '--uid');
    assert.ok(
      !system.calls.some((argv) => argv.includes('--password') || argv.includes('-p')),
      'no password',
    );

    for (const [name, key] of [
      ['alice', aliceKey],
      ['bob', bobKey],
    ] as const) {
      const user = await userEntry(machine, name);
      assert.ok(user.uid >= 20000 && user.uid < 60000, `derived uid ${user.uid}`);
      const ssh = await lstat(join(user.home, '.ssh'));
      assert.ok(ssh.isDirectory());
      assert.equal(ssh.mode & 0o777, 0o700);
      const keysPath = join(user.home, '.ssh/authorized_keys');
      const keys = await readFile(keysPath, 'utf8');
      assert.deepEqual(
        keys.split('\n').filter((l) => !l.startsWith('#') && l),
        [key],
      );
      assert.equal((await stat(keysPath)).mode & 0o777, 0o600);
      assert.equal(
        await readlink(join(user.home, 'notebooks/remote')),
        `/mnt/pool/notebooks/${name}`,
      );
      const folder = await stat(join(machine.share, 'notebooks', name));
      assert.equal(folder.mode & 0o777, 0o700);
      if (isRoot) {
        assert.equal(folder.uid, user.uid);
        assert.equal(folder.gid, user.gid);
        assert.equal((await stat(keysPath)).uid, user.uid);
        assert.equal(ssh.uid, user.uid);
      }
    }
    assert.equal((await stat(join(machine.share, 'notebooks'))).mode & 0o777, 0o711);
    // The admin: the article's share link and their own notebooks link, but no account change.
    const adminHome = join(machine.root, 'home/azureuser');
    assert.equal(await readlink(join(adminHome, 'pool')), '/mnt/pool');
    assert.equal(
      await readlink(join(adminHome, 'notebooks/remote')),
      '/mnt/pool/notebooks/azureuser',
    );
    if (isRoot)
      assert.equal((await stat(join(machine.share, 'notebooks/azureuser'))).uid, ADMIN_UID);
    assert.ok(!system.calls.some((argv) => argv.includes('azureuser') && argv[0] !== 'getent'));

    const saved = await state(machine);
    assert.deepEqual(Object.keys(saved.managedUsers).sort(), ['alice', 'bob']);
    assert.equal(saved.lastApply?.ok, true);
    assert.deepEqual(saved.lastApply?.applied, ['alice', 'bob']);
    assert.equal(saved.lastApply?.registry.source, 'share');

    const beat = await heartbeat(machine);
    assert.equal(beat.computerName, 'vm-test-0');
    assert.equal(beat.mount?.mounted, true);
    assert.equal(beat.mount?.healthy, true);
    assert.deepEqual(beat.users.applied, ['alice', 'bob']);
    assert.deepEqual(beat.load, { avg1: 0.5, avg5: 0.25, avg15: 0.125, cpus: 4 });
    assert.equal(beat.lastApply?.ok, true);
    assert.ok(typeof beat.agentVersion === 'string' && beat.time === system.now().toISOString());
    assert.deepEqual(
      (await readdir(join(machine.share, '.pool/status'))).sort(),
      ['vm-test-0.json'],
      'no temp file left next to the heartbeat',
    );
    const cache = await stat(join(machine.root, 'var/lib/dsvm-pool/users.last-good.json'));
    assert.equal(cache.mode & 0o777, 0o600);
  });

  it('is idempotent: a second run changes nothing, nests no link, adds no fstab line', async () => {
    await writeRegistry(machine, team());
    await apply(machine);
    const before = machine.system.calls.length;
    const asUserBefore = machine.system.asUserCalls.length;
    const fstab = await readFile(join(machine.root, 'etc/fstab'), 'utf8');
    const second = await apply(machine);
    assert.equal(second.exitCode, 0);
    assert.deepEqual(second.report?.changes, []);
    const calls = machine.system.calls.slice(before).map((argv) => argv[0]);
    assert.deepEqual([...new Set(calls)], ['getent'], 'only lookups');
    assert.equal(machine.system.asUserCalls.length, asUserBefore, 'no process started as a user');
    assert.equal(await readFile(join(machine.root, 'etc/fstab'), 'utf8'), fstab);
    assert.equal(fstab.split(FSTAB_BEGIN).length, 2);
    const alice = await userEntry(machine, 'alice');
    assert.deepEqual(await readdir(join(alice.home, 'notebooks')), ['remote']);
    // The seed's `ln -s` nested a link inside the linked folder on the second run.
    assert.deepEqual(await readdir(join(machine.share, 'notebooks/alice')), []);
  });

  it('reboot: an unmounted share is mounted again', async () => {
    await writeRegistry(machine, team());
    await apply(machine);
    await machine.system.run(['umount', '/mnt/pool']);
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 0);
    assert.equal(machine.system.callsOf('mount').length, 2);
    assert.ok(outcome.report?.changes.some((c) => /^mounted \/srv\/share on \/mnt\/pool$/.test(c)));
  });

  it('replaces authorized_keys (never appends) and a wrong link; moves a real folder aside', async () => {
    await writeRegistry(machine, team());
    await apply(machine);
    const alice = await userEntry(machine, 'alice');
    const bob = await userEntry(machine, 'bob');
    await appendFile(join(alice.home, '.ssh/authorized_keys'), `${ed25519Line('eve@elsewhere')}\n`);
    await chmod(join(alice.home, '.ssh/authorized_keys'), 0o644);
    // A wrong link, and (for bob) a real folder with work in it where the link goes.
    await writeFile(join(alice.home, 'notebooks/tmp'), '');
    await symlink('/mnt/pool/notebooks/bob', join(alice.home, 'notebooks/remote.new'));
    const { rename, rm } = await import('node:fs/promises');
    await rename(join(alice.home, 'notebooks/remote.new'), join(alice.home, 'notebooks/remote'));
    await rm(join(alice.home, 'notebooks/tmp'));
    await rm(join(bob.home, 'notebooks/remote'));
    await mkdir(join(bob.home, 'notebooks/remote'));
    await writeFile(join(bob.home, 'notebooks/remote/work.ipynb'), '{"cells":[]}');

    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 0, outcome.report?.errors.join('\n'));
    const keys = await readFile(join(alice.home, '.ssh/authorized_keys'), 'utf8');
    assert.ok(!keys.includes('eve@elsewhere'), 'replaced, not appended');
    assert.equal(keys.split('\n').filter((l) => l.startsWith('ssh-')).length, 1);
    assert.equal((await stat(join(alice.home, '.ssh/authorized_keys'))).mode & 0o777, 0o600);
    assert.equal(await readlink(join(alice.home, 'notebooks/remote')), '/mnt/pool/notebooks/alice');
    assert.equal(await readlink(join(bob.home, 'notebooks/remote')), '/mnt/pool/notebooks/bob');
    const moved = (await readdir(join(bob.home, 'notebooks'))).filter((n) =>
      n.startsWith('remote.moved-'),
    );
    assert.deepEqual(moved, ['remote.moved-20261128T100000Z']);
    assert.equal(
      await readFile(join(bob.home, 'notebooks', moved[0], 'work.ipynb'), 'utf8'),
      '{"cells":[]}',
    );
  });

  it('never writes through a ~/.ssh symlink planted by the user', async () => {
    await writeRegistry(machine, team());
    await apply(machine);
    const alice = await userEntry(machine, 'alice');
    const victim = join(machine.root, 'root/.ssh');
    await mkdir(victim, { recursive: true });
    const { rm } = await import('node:fs/promises');
    await rm(join(alice.home, '.ssh'), { recursive: true });
    await symlink(victim, join(alice.home, '.ssh'));
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 0, outcome.report?.errors.join('\n'));
    assert.deepEqual(await readdir(victim), [], 'nothing written where the link pointed');
    const ssh = await lstat(join(alice.home, '.ssh'));
    assert.ok(ssh.isDirectory() && !ssh.isSymbolicLink());
    const aside = (await readdir(alice.home)).filter((n) => n.startsWith('.ssh.moved-'));
    assert.equal(aside.length, 1);
    assert.equal(await readlink(join(alice.home, aside[0])), victim, 'the link kept, moved aside');
  });

  it('locks a removed member, removes their keys, keeps home and share data; unlocks on return', async () => {
    await writeRegistry(machine, team());
    await apply(machine);
    const bob = await userEntry(machine, 'bob');
    await writeFile(join(machine.share, 'notebooks/bob/analysis.ipynb'), 'data');
    await writeRegistry(machine, { version: 1, members: [{ name: 'alice', sshKeys: [aliceKey] }] });
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 0, outcome.report?.errors.join('\n'));
    assert.deepEqual(machine.system.callsOf('usermod'), [
      ['usermod', '--lock', '--expiredate', '1', 'bob'],
    ]);
    const shadow = await readFile(join(machine.root, 'etc/shadow'), 'utf8');
    assert.match(shadow, /^bob:!:\d+:0:99999:7::1:$/m, 'locked and expired');
    await assert.rejects(lstat(join(bob.home, '.ssh/authorized_keys')), { code: 'ENOENT' });
    assert.ok((await stat(bob.home)).isDirectory(), 'home kept');
    assert.equal(
      await readFile(join(machine.share, 'notebooks/bob/analysis.ipynb'), 'utf8'),
      'data',
    );
    assert.deepEqual(outcome.report?.locked, ['bob']);
    assert.ok((await state(machine)).managedUsers.bob.lockedAt);
    assert.deepEqual((await heartbeat(machine)).users.locked, ['bob']);
    // A second run does not lock again.
    await apply(machine);
    assert.equal(machine.system.callsOf('usermod').length, 1);
    // Back in the registry: the expiry is lifted and the keys come back.
    await writeRegistry(machine, team());
    const back = await apply(machine);
    assert.equal(back.exitCode, 0);
    assert.deepEqual(machine.system.callsOf('usermod').at(-1), [
      'usermod',
      '--expiredate',
      '',
      'bob',
    ]);
    assert.match(await readFile(join(bob.home, '.ssh/authorized_keys'), 'utf8'), /bob@desktop/);
    assert.equal((await state(machine)).managedUsers.bob.lockedAt, undefined);
  });

  it('never touches accounts it did not create (admin, system users, pre-existing users)', async () => {
    await appendFile(
      join(machine.root, 'etc/passwd'),
      'carol:x:1500:1500::/home/carol:/bin/bash\n',
    );
    await writeRegistry(
      machine,
      team([
        { name: 'carol', sshKeys: [aliceKey] },
        { name: 'azureuser', sshKeys: [aliceKey] },
      ]),
    );
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 1);
    assert.ok(
      outcome.report?.errors.some((e) =>
        /"carol" already exists on this VM and was not created by the agent/.test(e),
      ),
    );
    assert.ok(outcome.report?.warnings.some((w) => /azureuser is the VM's admin account/.test(w)));
    assert.ok(
      !machine.system.calls.some(
        (argv) => argv[0] !== 'getent' && (argv.includes('carol') || argv.includes('azureuser')),
      ),
    );
    await assert.rejects(lstat(join(machine.root, 'home/azureuser/.ssh')), { code: 'ENOENT' });
    // Removing them from the registry locks nobody: the agent did not create them.
    await writeRegistry(machine, { version: 1, members: [] });
    await apply(machine);
    assert.deepEqual(
      machine.system
        .callsOf('usermod')
        .map((argv) => argv.at(-1))
        .sort(),
      ['alice', 'bob'],
    );
  });

  it('keeps the last good registry when the share copy is corrupt, and says so', async () => {
    await writeRegistry(machine, team());
    await apply(machine);
    await writeRegistry(machine, '{"version": 1, "members": [');
    const corrupt = await apply(machine);
    assert.equal(corrupt.exitCode, 1);
    assert.match(
      corrupt.report?.errors[0] ?? '',
      /users\.json is invalid: not valid JSON.*using the last good copy \(2 members\)/,
    );
    assert.equal(corrupt.report?.registry.source, 'last-good');
    assert.deepEqual(corrupt.report?.applied, ['alice', 'bob']);
    assert.equal(machine.system.callsOf('usermod').length, 0, 'nobody locked');
    // An invalid member (a bad key) also keeps the last good copy, with the member's path.
    await writeRegistry(machine, {
      version: 1,
      members: [{ name: 'alice', sshKeys: ['ssh-ed25519 AAAA'] }],
    });
    const invalid = await apply(machine);
    assert.match(invalid.report?.errors[0] ?? '', /members\[0\]\.sshKeys\[0\]: /);
    assert.equal(
      machine.system.callsOf('usermod').length,
      0,
      'bob not locked by a broken registry',
    );
    const beat = await heartbeat(machine);
    assert.equal(beat.lastApply?.ok, false);
    assert.equal(beat.lastApply?.registry.source, 'last-good');
  });

  it('with no registry and no cache, creates and locks nobody', async () => {
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 0);
    assert.ok(outcome.report?.warnings.some((w) => /no team registry yet/.test(w)));
    assert.equal(machine.system.callsOf('useradd').length, 0);
  });

  it('registry admins join the admin group, and leave it', async () => {
    await writeRegistry(machine, team([{ name: 'dana', sshKeys: [], admin: true }]));
    await apply(machine);
    assert.deepEqual(machine.system.callsOf('usermod'), [
      ['usermod', '--append', '--groups', 'sudo', 'dana'],
    ]);
    await apply(machine);
    assert.equal(machine.system.callsOf('usermod').length, 1, 'not added twice');
    await writeRegistry(machine, team([{ name: 'dana', sshKeys: [] }]));
    await apply(machine);
    assert.deepEqual(machine.system.callsOf('gpasswd'), [['gpasswd', '--delete', 'dana', 'sudo']]);
  });

  it('reports a failed mount as a failure, with a hint, and writes no heartbeat', async () => {
    machine.system.failMount = 'mount: /mnt/pool: special device /srv/share does not exist.';
    await writeRegistry(machine, team());
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 1);
    assert.match(
      outcome.report?.errors[0] ?? '',
      /^mount failed \(exit 32\): mount: \/mnt\/pool: special device/,
    );
    const saved = await state(machine);
    assert.equal(saved.lastApply?.ok, false);
    assert.equal(saved.lastMount?.mounted, false);
    await assert.rejects(stat(join(machine.share, '.pool/status/vm-test-0.json')), {
      code: 'ENOENT',
    });
    assert.equal(machine.system.callsOf('useradd').length, 0, 'no registry, no members');
  });

  it('reports a mounted share that does not take writes', async () => {
    await writeRegistry(machine, team());
    await writeFile(join(machine.share, '.pool/probe'), 'a file where the probe folder goes');
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 1);
    assert.match(outcome.report?.errors[0] ?? '', /the share is mounted but does not work/);
    assert.equal((await state(machine)).lastMount?.healthy, false);
  });

  it('a bad agent.json fails with exit 2 and says which field', async () => {
    await writeFile(
      join(machine.root, 'etc/dsvm-pool/agent.json'),
      JSON.stringify({
        version: 1,
        share: { protocol: 'bind', source: 'relative' },
        shareName: 'x',
        adminUser: 'azureuser',
      }),
    );
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 2);
    assert.match(
      outcome.report?.errors[0] ?? '',
      /agent\.json is not a valid agent configuration: share\.source: must be an absolute path/,
    );
    assert.equal((await state(machine)).lastApply?.ok, false);
  });

  it('two applies at once: one holds the lock, the other waits, the result is the same', async () => {
    await writeRegistry(machine, team());
    const [a, b] = await Promise.all([apply(machine), apply(machine)]);
    assert.equal(a.exitCode, 0);
    assert.equal(b.exitCode, 0);
    assert.equal(machine.system.callsOf('useradd').length, 2, 'each user created once');
    assert.equal(machine.system.callsOf('mount').length, 1);
    const changes = [a.report?.changes.length ?? 0, b.report?.changes.length ?? 0].sort();
    assert.equal(changes[0], 0, 'the second run found nothing to do');
    await assert.rejects(lstat(join(machine.root, 'run/dsvm-pool-agent/apply.lock')), {
      code: 'ENOENT',
    });
  });

  it('with --wait 0 the second apply stops at once (exit 0); a stale lock is broken', async () => {
    await writeRegistry(machine, team());
    const [a, b] = await Promise.all([apply(machine, 0), apply(machine, 0)]);
    assert.deepEqual([a.exitCode, b.exitCode], [0, 0]);
    assert.equal([a, b].filter((o) => o.skipped !== undefined).length, 1);
    const lock = join(machine.root, 'run/dsvm-pool-agent/apply.lock');
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 7, start: '1', at: 'then', nonce: 'x' }));
    const after = await apply(machine, 0);
    assert.equal(after.skipped, undefined);
    assert.equal(after.exitCode, 0);
  });
});

describe('apply (SMB share, temporary root)', () => {
  let machine: TestMachine;
  const smbConfig = {
    share: {
      protocol: 'smb',
      source: '//acct1.file.core.windows.net/share',
      mountPoint: '/mnt/pool',
    },
  };
  beforeEach(async () => {
    machine = await makeMachine(smbConfig);
  });
  afterEach(() => machine.cleanup());

  it('refuses to mount without the credentials file', async () => {
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 1);
    assert.match(outcome.report?.errors[0] ?? '', /\/etc\/smbcredentials\/acct1\.cred is missing/);
    assert.equal(machine.system.callsOf('mount').length, 0);
  });

  it('mounts with credentials=, tightens a 0644 credentials file, mounts each member privately', async () => {
    const key = 'S'.repeat(86) + '==';
    await mkdir(join(machine.root, 'etc/smbcredentials'), { recursive: true, mode: 0o755 });
    await writeFile(
      join(machine.root, 'etc/smbcredentials/acct1.cred'),
      `username=acct1\npassword=${key}\n`,
      { mode: 0o644 },
    );
    await writeRegistry(machine, team());
    const outcome = await apply(machine);
    assert.equal(outcome.exitCode, 0, outcome.report?.errors.join('\n'));
    assert.ok(outcome.report?.warnings.some((w) => /had mode 644; made it 0600/.test(w)));
    assert.equal(
      (await stat(join(machine.root, 'etc/smbcredentials/acct1.cred'))).mode & 0o777,
      0o600,
    );
    assert.equal((await stat(join(machine.root, 'etc/smbcredentials'))).mode & 0o777, 0o700);
    const mounts = machine.system.callsOf('mount');
    assert.equal(mounts[0][3], '//acct1.file.core.windows.net/share');
    assert.match(
      mounts[0][6],
      /^vers=3\.1\.1,credentials=\/etc\/smbcredentials\/acct1\.cred,.*,uid=0,gid=1000,dir_mode=0751,file_mode=0640$/,
    );
    const alice = await userEntry(machine, 'alice');
    assert.deepEqual(
      mounts.slice(1).map((argv) => [argv[3], argv[4]]),
      [
        ['//acct1.file.core.windows.net/share/notebooks/alice', '/mnt/pool/notebooks/alice'],
        ['//acct1.file.core.windows.net/share/notebooks/bob', '/mnt/pool/notebooks/bob'],
        // The admin's folder last, after the members.
        [
          '//acct1.file.core.windows.net/share/notebooks/azureuser',
          '/mnt/pool/notebooks/azureuser',
        ],
      ],
    );
    assert.match(
      mounts[1][6],
      new RegExp(`uid=${alice.uid},gid=${alice.gid},dir_mode=0700,file_mode=0600`),
    );
    const everything = JSON.stringify([
      machine.system.calls,
      machine.system.stdinOf,
      machine.system.logs,
    ]);
    assert.ok(!everything.includes(key), 'the key is in no argv, stdin or log');
    // Idempotent: nothing mounted twice.
    await apply(machine);
    assert.equal(machine.system.callsOf('mount').length, mounts.length);
    // A former member's private mount is taken down.
    await writeRegistry(machine, { version: 1, members: [{ name: 'alice', sshKeys: [aliceKey] }] });
    await apply(machine);
    assert.deepEqual(machine.system.callsOf('umount'), [['umount', '/mnt/pool/notebooks/bob']]);
  });
});

describe('mkdirUnlessPresent (agents of several VMs on one share)', () => {
  let machine: TestMachine;
  beforeEach(async () => {
    machine = await makeMachine();
  });
  afterEach(() => machine.cleanup());

  it('answers false when another VM made the folder first, and still throws for other errors', async () => {
    const folder = join(machine.root, 'made-elsewhere');
    assert.equal(await mkdirUnlessPresent(folder, 0o700), true);
    assert.equal((await stat(folder)).mode & 0o777, 0o700);
    assert.equal(await mkdirUnlessPresent(folder, 0o700), false);
    await assert.rejects(mkdirUnlessPresent(join(machine.root, 'no/such/parent'), 0o700), {
      code: 'ENOENT',
    });
  });

  it('two VMs applying the same new member at once both succeed', async () => {
    await writeRegistry(machine, team());
    const other = await makeMachine({}, { hostname: 'vm-test-1' });
    try {
      // The second VM's /mnt is the first one's: one share, seen from two machines.
      await rm(join(other.root, 'mnt'), { recursive: true, force: true });
      await symlink(join(machine.root, 'mnt'), join(other.root, 'mnt'));
      const [a, b] = await Promise.all([apply(machine), apply(other)]);
      assert.equal(a.exitCode, 0, a.report?.errors.join('\n'));
      assert.equal(b.exitCode, 0, b.report?.errors.join('\n'));
      assert.ok((await stat(join(machine.share, 'notebooks/alice'))).isDirectory());
    } finally {
      await other.cleanup();
    }
  });
});
