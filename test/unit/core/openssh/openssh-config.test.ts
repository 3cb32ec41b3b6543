// The app's OpenSSH files as text: aliases from odd names, quoting of paths, known_hosts lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import {
  aliasFor,
  pathValue,
  renderKnownHosts,
  renderSshConfig,
  uniqueAliases,
} from '../../../../src/core/openssh/openssh-config';

describe('OpenSSH config rendering', () => {
  it('makes aliases OpenSSH patterns and shells take literally, from any pool and instance name', () => {
    assert.equal(aliasFor('Team pool', 'teampool000003'), 'dsvm-team-pool-teampool000003');
    assert.equal(aliasFor('Équipe *GPU*, nuit!', 'vm?1'), 'dsvm-equipe-gpu-nuit-vm-1');
    assert.equal(aliasFor('日本', '--'), 'dsvm-x-x');
    assert.match(aliasFor('a'.repeat(100), 'b'), /^dsvm-a{40}-b$/);
    assert.deepEqual(
      uniqueAliases([
        { poolName: 'Team', instanceName: 'vm 1' },
        { poolName: 'team', instanceName: 'VM-1' },
        { poolName: 'Lab', instanceName: 'gpu' },
      ]),
      ['dsvm-team-vm-1', 'dsvm-team-vm-1-2', 'dsvm-lab-gpu'],
    );
  });

  it('writes a Host per instance with pinned host-key checking', () => {
    const text = renderSshConfig(
      [
        {
          alias: 'dsvm-team-teampool000003',
          poolName: 'Team',
          instanceName: 'teampool000003',
          host: '20.1.2.3',
          port: 50003,
          user: 'azureuser',
          identityFile: '/home/ana/.config/dsvm pool/keys/id_ed25519',
        },
        {
          alias: 'dsvm-lab-gpu',
          poolName: 'Lab\nInjected yes',
          instanceName: 'gpu',
          host: 'fe80::1',
          port: 22,
          user: 'ana',
        },
      ],
      { knownHostsPath: '/home/ana/.config/dsvm pool/ssh/known_hosts' },
    );
    assert.match(text, /^# Written by dsvm-pool/);
    assert.ok(
      text.includes(
        [
          'Host dsvm-team-teampool000003',
          '  HostName 20.1.2.3',
          '  Port 50003',
          '  User azureuser',
          '  IdentityFile "/home/ana/.config/dsvm pool/keys/id_ed25519"',
          '  IdentitiesOnly yes',
          '  HostKeyAlias dsvm-team-teampool000003',
          '  UserKnownHostsFile "/home/ana/.config/dsvm pool/ssh/known_hosts"',
          '  StrictHostKeyChecking yes',
          '  CheckHostIP no',
          '  UpdateHostKeys no',
        ].join('\n'),
      ),
      text,
    );
    // No key file (the agent's keys): no IdentitiesOnly either, or the agent would be ignored.
    const lab = text.slice(text.indexOf('Host dsvm-lab-gpu'));
    assert.ok(!lab.includes('IdentityFile') && !lab.includes('IdentitiesOnly'));
    assert.ok(lab.includes('  HostName fe80::1'));
    // A newline in a name never starts a directive.
    assert.ok(!/^Injected/m.test(text));
    assert.ok(text.includes('# Lab Injected yes: gpu'));
  });

  it('quotes paths as OpenSSH reads them: spaces, quotes, backslashes and %-tokens', () => {
    assert.equal(pathValue('/a b/c'), '"/a b/c"');
    assert.equal(pathValue('/a"b'), '"/a\\"b"');
    assert.equal(pathValue('C:\\Users\\ana'), '"C:\\\\Users\\\\ana"');
    assert.equal(pathValue('/data/100%/key'), '"/data/100%%/key"');
    assert.throws(
      () => pathValue('/a\nIdentityFile /evil'),
      (err) => isRpcError(err, ErrorCode.BadInput) && /control character/.test(err.message),
    );
  });

  it('refuses a host or user that could break out of its line', () => {
    assert.throws(
      () =>
        renderSshConfig(
          [
            {
              alias: 'dsvm-x-y',
              poolName: 'x',
              instanceName: 'y',
              host: 'h',
              port: 22,
              user: 'a b',
            },
          ],
          { knownHostsPath: '/k' },
        ),
      (err) => isRpcError(err, ErrorCode.BadInput) && /user name/.test(err.message),
    );
  });

  it('writes one known_hosts line per alias, without a port (HostKeyAlias has none)', () => {
    assert.equal(
      renderKnownHosts([
        { alias: 'dsvm-a-b', algorithm: 'ssh-ed25519', key: 'AAAAC3NzaC1lZDI1NTE5AAAAIA==' },
        { alias: 'dsvm-a-c', algorithm: 'ecdsa-sha2-nistp256', key: 'AAAA' },
      ]),
      'dsvm-a-b ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\ndsvm-a-c ecdsa-sha2-nistp256 AAAA\n',
    );
    assert.equal(renderKnownHosts([]), '');
    assert.throws(() => renderKnownHosts([{ alias: 'x', algorithm: 'ssh-ed25519', key: 'a b' }]));
  });
});
