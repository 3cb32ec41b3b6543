// Importing ~/.ssh/config: concrete aliases with their settings resolved as `ssh <alias>` would,
// wildcards skipped, ~ and tokens expanded, Includes followed, and garbage refused clearly.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import { listSshConfigHosts } from '../../../../src/core/ssh-config/ssh-config-hosts';

describe('listSshConfigHosts', () => {
  let home: string;
  let sshDir: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'dsvm-pool-sshconfig-'));
    sshDir = join(home, '.ssh');
    await mkdir(sshDir);
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const list = (extra: Parameters<typeof listSshConfigHosts>[0] = {}) =>
    listSshConfigHosts({ home, localUser: 'me', env: { HOME: home }, ...extra });
  const config = (text: string, file = join(sshDir, 'config')) => writeFile(file, text);
  const key = async (name: string) => {
    const path = join(sshDir, name);
    await writeFile(path, 'not read here');
    return path;
  };

  test('a missing file is an empty list', async () => {
    assert.deepEqual(await list(), { hosts: [], notes: [] });
    assert.deepEqual(await list({ path: join(home, 'nowhere', 'config') }), {
      hosts: [],
      notes: [],
    });
  });

  test('aliases resolve HostName, Port, User and IdentityFile; wildcards only contribute', async () => {
    const gpuKey = await key('gpu_ed25519');
    await config(`
# lab machines
Host gpu1 gpu2
  HostName %h.lab.example.org
  IdentityFile ~/.ssh/gpu_ed25519
  IdentityFile ~/.ssh/missing_key

Host db
  HostName = 10.1.2.3
  Port 2222
  User dbadmin

Host *.lab.example.org web-?
  User wildcard-only

Host gpu* !gpu2
  Port 2201

Host *
  User fallback
  Port 22
`);
    const { hosts, notes } = await list();
    assert.deepEqual(hosts, [
      {
        alias: 'gpu1',
        name: 'gpu1',
        address: 'gpu1.lab.example.org',
        port: 2201,
        user: 'fallback',
        keyPath: gpuKey,
        useAgent: true,
      },
      {
        alias: 'gpu2',
        name: 'gpu2',
        address: 'gpu2.lab.example.org',
        port: 22,
        user: 'fallback',
        keyPath: gpuKey,
        useAgent: true,
      },
      { alias: 'db', name: 'db', address: '10.1.2.3', port: 2222, user: 'dbadmin', useAgent: true },
    ]);
    assert.ok(
      notes.some((n) => /gpu1: only the first existing IdentityFile/.test(n)),
      notes.join('\n'),
    );
  });

  test('first value wins, as in OpenSSH; the local user is the default user', async () => {
    await config(`
Host box
  User first
Host box
  User second
  HostName box.example
Host other
`);
    const { hosts } = await list();
    assert.deepEqual(
      hosts.map(({ alias, address, user }) => ({ alias, address, user })),
      [
        { alias: 'box', address: 'box.example', user: 'first' },
        { alias: 'other', address: 'other', user: 'me' },
      ],
    );
  });

  test('IdentityFile: ~, %d, %u, %h, %r, ${VAR} and relative paths; unknown tokens left out', async () => {
    await mkdir(join(home, 'keys'));
    const byTokens = join(home, 'keys', 'me-h1.example-alice');
    await writeFile(byTokens, 'k');
    const byVar = join(home, 'keys', 'from-var');
    await writeFile(byVar, 'k');
    const relative = join(home, 'rel_key');
    await writeFile(relative, 'k');
    await config(`
Host h1
  HostName h1.example
  User alice
  IdentityFile %d/keys/%u-%h-%r
Host h2
  IdentityFile \${KEYS}/from-var
Host h3
  IdentityFile rel_key
Host h4
  IdentityFile ~/.ssh/%C
`);
    const { hosts, notes } = await list({ env: { KEYS: join(home, 'keys') } });
    assert.deepEqual(
      hosts.map((h) => [h.alias, h.keyPath]),
      [
        ['h1', byTokens],
        ['h2', byVar],
        ['h3', relative],
        ['h4', undefined],
      ],
    );
    assert.ok(
      notes.some((n) => n.startsWith('h4: IdentityFile ~/.ssh/%C uses a token')),
      notes.join('\n'),
    );
  });

  test('without IdentityFile the default keys are used, as ssh would', async () => {
    await key('id_ed25519');
    const rsa = await key('id_rsa');
    await config('Host plain\n');
    assert.equal((await list()).hosts[0].keyPath, rsa);
  });

  test('agent use: IdentityAgent none and IdentitiesOnly with a key turn it off', async () => {
    const k = await key('k1');
    await config(`
Host agent-default
Host agent-none
  IdentityAgent none
Host only-key
  IdentitiesOnly yes
  IdentityFile ${k}
Host only-no-key
  IdentitiesOnly yes
Host custom-agent
  IdentityAgent ~/.1password/agent.sock
`);
    const { hosts, notes } = await list();
    assert.deepEqual(
      hosts.map((h) => [h.alias, h.useAgent]),
      [
        ['agent-default', true],
        ['agent-none', false],
        ['only-key', false],
        ['only-no-key', true],
        ['custom-agent', true],
      ],
    );
    assert.ok(notes.some((n) => n.startsWith('custom-agent: IdentityAgent')));
  });

  test('hosts behind ProxyJump / ProxyCommand are skipped with a note', async () => {
    await config(`
Host inner
  ProxyJump bastion
Host piped
  ProxyCommand ssh -W %h:%p bastion
Host bastion
  ProxyJump none
`);
    const { hosts, notes } = await list();
    assert.deepEqual(
      hosts.map((h) => h.alias),
      ['bastion'],
    );
    assert.ok(notes.some((n) => /^inner was skipped: .*ProxyJump/.test(n)));
    assert.ok(notes.some((n) => /^piped was skipped: .*ProxyCommand/.test(n)));
  });

  test('Match: host/originalhost/user/all apply; exec is never run', async () => {
    const marker = join(home, 'exec-ran');
    await config(`
Host m1
  HostName m1.internal
Match host *.internal
  Port 2200
Match originalhost m2
  User matched
Match all
  User everyone
Match exec "touch ${marker}"
  Port 9999
Host m2
`);
    const { hosts, notes } = await list();
    assert.deepEqual(
      hosts.map(({ alias, port, user }) => ({ alias, port, user })),
      [
        { alias: 'm1', port: 2200, user: 'everyone' },
        { alias: 'm2', port: 22, user: 'matched' },
      ],
    );
    assert.ok(notes.some((n) => /Match exec.*never runs commands/.test(n)));
    await assert.rejects(
      import('node:fs/promises').then((fs) => fs.stat(marker)),
      /ENOENT/,
    );
  });

  test('Include: relative globs from ~/.ssh in order, absolute paths, ~, and conditional includes', async () => {
    await mkdir(join(sshDir, 'config.d'));
    await config('Host b-host\n  HostName b.example\n', join(sshDir, 'config.d', '20-b'));
    await config('Host a-host\n  HostName a.example\n', join(sshDir, 'config.d', '10-a'));
    await config('Host hidden\n', join(sshDir, 'config.d', '.hidden'));
    const abs = join(home, 'elsewhere.conf');
    await config('Host abs-host\n  Port 2022\n', abs);
    await config('  User included-user\n', join(sshDir, 'for-work'));
    await config(`
Include config.d/*
Include ${abs} ~/.ssh/does-not-exist-*
Host work
  HostName work.example
  Include for-work
Host home
`);
    const { hosts, notes } = await list();
    assert.deepEqual(
      hosts.map(({ alias, address, port, user }) => ({ alias, address, port, user })),
      [
        { alias: 'a-host', address: 'a.example', port: 22, user: 'me' },
        { alias: 'b-host', address: 'b.example', port: 22, user: 'me' },
        { alias: 'abs-host', address: 'abs-host', port: 2022, user: 'me' },
        { alias: 'work', address: 'work.example', port: 22, user: 'included-user' },
        { alias: 'home', address: 'home', port: 22, user: 'me' },
      ],
    );
    assert.deepEqual(notes, []);
  });

  test('an Include loop stops with a note instead of hanging', async () => {
    await config('Include config\nHost loop\n');
    const { hosts, notes } = await list();
    assert.deepEqual(
      hosts.map((h) => h.alias),
      ['loop'],
    );
    assert.ok(notes.some((n) => /nest more than 16 deep/.test(n)));
  });

  test('an Include with an unset variable is skipped with a note', async () => {
    await config('Include ${NOT_SET}/x\nHost a\n');
    const { hosts, notes } = await list();
    assert.deepEqual(
      hosts.map((h) => h.alias),
      ['a'],
    );
    assert.ok(notes.some((n) => /NOT_SET.*not set/.test(n)));
  });

  for (const [what, content, why] of [
    ['binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]), /binary file/],
    ['JSON', '{"hosts": ["a", "b"]}\n', /line 1: "\{"hosts":" is not an ssh_config keyword/],
    ['Latin-1', Buffer.from('Host caf\xe9\n', 'latin1'), /not UTF-8/],
    ['an unterminated quote', 'Host "unterminated\n', /not a valid SSH config file/],
  ] as const) {
    test(`a garbage file (${what}) is a clear BadInput error`, async () => {
      await writeFile(join(sshDir, 'config'), content);
      await assert.rejects(list(), (err: unknown) => {
        assert.ok(isRpcError(err, ErrorCode.BadInput), String(err));
        assert.match(err.message, why);
        assert.ok(err.message.includes(join(sshDir, 'config')));
        return true;
      });
    });
  }

  test('garbage in an included file fails the same way, naming that file', async () => {
    const bad = join(sshDir, 'bad.conf');
    await writeFile(bad, Buffer.from([0, 1, 2]));
    await config('Include bad.conf\nHost a\n');
    await assert.rejects(
      list(),
      (err: unknown) => isRpcError(err, ErrorCode.BadInput) && err.message.includes(bad),
    );
  });

  test('a config path that cannot be read is an error, not an empty list', async () => {
    await mkdir(join(sshDir, 'config'));
    await assert.rejects(
      list(),
      (err: unknown) =>
        isRpcError(err, ErrorCode.Internal) && /cannot be read \(EISDIR\)/.test(err.message),
    );
  });
});
