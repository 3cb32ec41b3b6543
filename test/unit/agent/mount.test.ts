// The exact mount argv and fstab lines per protocol (no cifs/nfs kernel module needed), the
// fstab block editing and mountinfo parsing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AgentConfigSchema } from '../../../src/common/agent-protocol';
import { FSTAB_BEGIN, FSTAB_END, updateFstab } from '../../../src/agent/fstab';
import {
  memberMountArgv,
  mountErrorHint,
  parseMountInfo,
  shareFstabLine,
  shareMountArgv,
} from '../../../src/agent/mount';

const config = (share: Record<string, unknown>) =>
  AgentConfigSchema.parse({ version: 1, shareName: 'share', adminUser: 'azureuser', share });

const smb = config({
  protocol: 'smb',
  source: '//acct1.file.core.windows.net/share',
  mountPoint: '/mnt/dsvm-pool',
});
const nfs = config({
  protocol: 'nfs',
  source: 'acct1.file.core.windows.net:/acct1/share',
  mountPoint: '/mnt/dsvm-pool',
});
const bind = config({ protocol: 'bind', source: '/srv/share', mountPoint: '/mnt/dsvm-pool' });

describe('mount argv', () => {
  it('SMB 3.1.1 with the credentials file, private modes, never the key', () => {
    assert.deepEqual(shareMountArgv(smb, { adminGid: 1000 }), [
      'mount',
      '-t',
      'cifs',
      '//acct1.file.core.windows.net/share',
      '/mnt/dsvm-pool',
      '-o',
      'vers=3.1.1,credentials=/etc/smbcredentials/acct1.cred,serverino,nosharesock,actimeo=30,mfsymlinks,uid=0,gid=1000,dir_mode=0751,file_mode=0640',
    ]);
    assert.equal(
      shareFstabLine(smb, { adminGid: 1000 }),
      '//acct1.file.core.windows.net/share /mnt/dsvm-pool cifs _netdev,nofail,vers=3.1.1,credentials=/etc/smbcredentials/acct1.cred,serverino,nosharesock,actimeo=30,mfsymlinks,uid=0,gid=1000,dir_mode=0751,file_mode=0640 0 0',
    );
  });

  it("SMB: each member's folder mounted for them alone", () => {
    assert.deepEqual(memberMountArgv(smb, { name: 'alice', uid: 23456, gid: 23456 }), [
      'mount',
      '-t',
      'cifs',
      '//acct1.file.core.windows.net/share/notebooks/alice',
      '/mnt/dsvm-pool/notebooks/alice',
      '-o',
      'vers=3.1.1,credentials=/etc/smbcredentials/acct1.cred,serverino,actimeo=30,mfsymlinks,uid=23456,gid=23456,dir_mode=0700,file_mode=0600',
    ]);
    assert.throws(() => memberMountArgv(nfs, { name: 'alice', uid: 1, gid: 1 }), /SMB/);
  });

  it('NFS 4.1 and bind', () => {
    assert.deepEqual(shareMountArgv(nfs, { adminGid: 0 }), [
      'mount',
      '-t',
      'nfs',
      'acct1.file.core.windows.net:/acct1/share',
      '/mnt/dsvm-pool',
      '-o',
      'vers=4,minorversion=1,sec=sys,nconnect=4',
    ]);
    assert.equal(
      shareFstabLine(nfs, { adminGid: 0 }),
      'acct1.file.core.windows.net:/acct1/share /mnt/dsvm-pool nfs _netdev,nofail,vers=4,minorversion=1,sec=sys,nconnect=4 0 0',
    );
    assert.deepEqual(shareMountArgv(bind, { adminGid: 0 }), [
      'mount',
      '--bind',
      '/srv/share',
      '/mnt/dsvm-pool',
    ]);
    assert.equal(
      shareFstabLine(bind, { adminGid: 0 }),
      '/srv/share /mnt/dsvm-pool none bind,nofail 0 0',
    );
  });

  it('extra options and an explicit account', () => {
    const withOptions = config({
      protocol: 'smb',
      source: '//private-ep.example.net/share',
      account: 'acct2',
      options: ['cache=strict', 'echo_interval=30'],
    });
    const argv = shareMountArgv(withOptions, { adminGid: 0 });
    assert.match(argv[6], /credentials=\/etc\/smbcredentials\/acct2\.cred/);
    assert.match(argv[6], /,cache=strict,echo_interval=30$/);
  });

  it('hints at the usual causes of a failed mount', () => {
    assert.match(mountErrorHint('smb', 'mount error(13): Permission denied'), /storage key/);
    assert.match(mountErrorHint('smb', "mount: unknown filesystem type 'cifs'"), /cifs-utils/);
    assert.match(
      mountErrorHint('nfs', 'mount: wrong fs type, bad option; the mount.nfs helper'),
      /nfs-common/,
    );
    assert.match(mountErrorHint('smb', 'mount error(115): Operation now in progress'), /445/);
    assert.equal(mountErrorHint('bind', 'something else'), '');
  });
});

describe('/etc/fstab block', () => {
  const others =
    '# comment\nUUID=abc / ext4 defaults 0 1\n/dev/sdb1 /data ext4 defaults,nofail 0 2\n';
  const line = shareFstabLine(bind, { adminGid: 0 });

  it('adds the block once, replaces it in place, keeps every other line', () => {
    const once = updateFstab(others, [line]);
    assert.equal(once, `${others}${FSTAB_BEGIN}\n${line}\n${FSTAB_END}\n`);
    assert.equal(updateFstab(once, [line]), once, 'idempotent');
    const moved = once.replace(
      `${FSTAB_END}\n`,
      `${FSTAB_END}\n/dev/sdc1 /more ext4 defaults 0 2\n`,
    );
    const other = shareFstabLine(nfs, { adminGid: 0 });
    const replaced = updateFstab(moved, [other]);
    assert.equal(
      replaced,
      `${others}${FSTAB_BEGIN}\n${other}\n${FSTAB_END}\n/dev/sdc1 /more ext4 defaults 0 2\n`,
    );
    assert.equal(replaced.split(FSTAB_BEGIN).length, 2, 'one block');
    assert.equal(updateFstab('', [line]), `${FSTAB_BEGIN}\n${line}\n${FSTAB_END}\n`);
    assert.equal(
      updateFstab('UUID=abc / ext4 defaults 0 1', [line]).split('\n')[0],
      'UUID=abc / ext4 defaults 0 1',
    );
  });

  it('refuses a broken block or a foreign line for the same mount point', () => {
    assert.throws(() => updateFstab(`${others}${FSTAB_BEGIN}\n${line}\n`, [line]), /without END/);
    assert.throws(() => updateFstab(`${others}${FSTAB_END}\n`, [line]), /without BEGIN/);
    assert.throws(
      () => updateFstab(`${others}//old/share /mnt/dsvm-pool cifs password=x 0 0\n`, [line]),
      /already mounts \/mnt\/dsvm-pool in a line the agent did not write/,
    );
  });
});

it('parses mountinfo, octal escapes included', () => {
  const entries = parseMountInfo(
    [
      '36 35 98:0 /mnt1 /mnt/dsvm-pool rw,noatime master:1 - cifs //acct1.file.core.windows.net/share rw,vers=3.1.1,file_mode=0640',
      '37 35 98:0 / /mnt/with\\040space rw shared:2 - ext4 /dev/sda1 rw',
      'garbage',
    ].join('\n'),
  );
  assert.deepEqual(entries, [
    {
      mountPoint: '/mnt/dsvm-pool',
      fsType: 'cifs',
      source: '//acct1.file.core.windows.net/share',
      superOptions: 'rw,vers=3.1.1,file_mode=0640',
    },
    { mountPoint: '/mnt/with space', fsType: 'ext4', source: '/dev/sda1', superOptions: 'rw' },
  ]);
});
