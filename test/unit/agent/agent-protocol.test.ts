// The agent's schemas: agent.json, the team registry (names, keys, traversal) and uids.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  AgentConfigSchema,
  TeamRegistrySchema,
  formatSchemaIssues,
  memberUids,
  parseAuthorizedKey,
} from '../../../src/common/agent-protocol';
import { parseRegistry } from '../../../src/agent/registry';
import { AGENT_VERSION } from '../../../src/agent/version';
import {
  RSA_1024_LINE,
  RSA_2048_LINE,
  ecdsaLine,
  ed25519Line,
  mismatchedLine,
  skEd25519Line,
} from '../../helpers/ssh-keys';

const problems = (result: ReturnType<typeof parseRegistry>) => (result.ok ? [] : result.problems);

describe('SSH public keys', () => {
  it('accepts ed25519, RSA ≥ 2048, ECDSA P-256/384/521 and sk- keys, normalized', () => {
    for (const line of [
      ed25519Line(),
      RSA_2048_LINE,
      ecdsaLine('P-256'),
      ecdsaLine('P-384'),
      ecdsaLine('P-521'),
      skEd25519Line(),
    ]) {
      const parsed = parseAuthorizedKey(`  ${line.replace(' ', '\t')}  `);
      assert.equal(parsed.ok, true, `${line.split(' ')[0]}: ${parsed.ok ? '' : parsed.reason}`);
      if (parsed.ok) assert.equal(parsed.line, line);
    }
    const noComment = ed25519Line('');
    assert.deepEqual(parseAuthorizedKey(noComment), {
      ok: true,
      type: 'ssh-ed25519',
      bits: 256,
      comment: '',
      line: noComment,
    });
  });

  it('rejects malformed keys with a reason a person can act on', () => {
    const [type, blob] = ed25519Line().split(' ');
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      [RSA_1024_LINE, /1024-bit RSA key; at least 2048/],
      [mismatchedLine(), /says ssh-rsa in front but holds a ssh-ed25519 key/],
      [`${type} ${blob.slice(0, -4)}`, /not a valid ssh-ed25519 key|damaged/],
      [`${type} ${blob}x==`, /damaged base64/],
      [`${type} !!!${blob}`, /damaged base64/],
      [`command="rm -rf /" ${type} ${blob}`, /options, which are not allowed/],
      [`no-pty ${type} ${blob}`, /options, which are not allowed/],
      [`${type} ${blob} alice\nssh-ed25519 ${blob} eve`, /single line/],
      [`${type} ${blob} alice\rbob`, /single line/],
      ['ssh-dss AAAAB3NzaC1kc3MAAACBAP== x', /DSA/],
      ['-----BEGIN OPENSSH PRIVATE KEY----- abc', /PRIVATE key/],
      ['ssh-foo AAAA', /unknown key type/],
    ];
    for (const [line, reason] of cases) {
      const parsed = parseAuthorizedKey(line);
      assert.equal(parsed.ok, false, `accepted: ${JSON.stringify(line)}`);
      if (!parsed.ok) assert.match(parsed.reason, reason, JSON.stringify(line));
    }
  });
});

describe('team registry (users.json)', () => {
  const key = ed25519Line();

  it('parses a good registry and normalizes keys', () => {
    const result = parseRegistry(
      JSON.stringify({
        version: 1,
        members: [
          { name: 'alice', sshKeys: [` ${key} `], admin: true },
          { name: '_svc-1', sshKeys: [] },
        ],
      }),
    );
    assert.equal(result.ok, true);
    if (result.ok) assert.equal(result.registry.members[0].sshKeys[0], key);
  });

  it('fuzz finding: problems in plain words, not zod\'s ("Invalid input: expected array, received null")', () => {
    const lines = problems(
      parseRegistry(
        JSON.stringify({
          version: 1,
          members: [{ name: 'alice', sshKeys: null, uid: 5, ['\u202eevil']: 1 }],
        }),
      ),
    );
    assert.deepEqual(lines, [
      'members[0].sshKeys: must be a list',
      'members[0].uid: must be at least 1,000',
    ]);
  });

  it('rejects bad user names, path traversal and reserved names with the member path', () => {
    for (const name of [
      'Alice',
      '../etc',
      'a/b',
      '-x',
      '.',
      'a'.repeat(33),
      '',
      'bob smith',
      'root',
      'daemon',
      'ali\u0000ce',
    ]) {
      const found = problems(
        parseRegistry(JSON.stringify({ version: 1, members: [{ name, sshKeys: [] }] })),
      );
      assert.ok(found.length > 0, `accepted ${JSON.stringify(name)}`);
      assert.match(found[0], /^members\[0\]\.name: /);
    }
  });

  it('rejects malformed keys, duplicates, wrong versions and non-JSON', () => {
    const bad = problems(
      parseRegistry(
        JSON.stringify({
          version: 1,
          members: [{ name: 'alice', sshKeys: [key, RSA_1024_LINE] }],
        }),
      ),
    );
    assert.ok(
      bad.some((p) => /^members\[0\]\.sshKeys\[1\]: is a 1024-bit RSA key/.test(p)),
      bad.join('\n'),
    );
    const twice = problems(
      parseRegistry(
        JSON.stringify({
          version: 1,
          members: [
            { name: 'alice', sshKeys: [key] },
            { name: 'alice', sshKeys: [] },
          ],
        }),
      ),
    );
    assert.ok(
      twice.some((p) => /^members\[1\]\.name: "alice" is listed twice/.test(p)),
      twice.join('\n'),
    );
    assert.match(problems(parseRegistry('{"version":2,"members":[]}'))[0], /^version: /);
    assert.match(problems(parseRegistry('{"version":1,'))[0], /not valid JSON/);
    assert.match(
      problems(
        parseRegistry(
          JSON.stringify({ version: 1, members: [{ name: 'x', sshKeys: [], uid: 5 }] }),
        ),
      )[0],
      /^members\[0\]\.uid: /,
    );
  });

  it('derives the same uids on every VM, in [20000, 60000), explicit ones kept', () => {
    const registry = TeamRegistrySchema.parse({
      version: 1,
      members: [
        { name: 'bob', sshKeys: [] },
        { name: 'alice', sshKeys: [] },
        { name: 'carol', sshKeys: [], uid: 1500 },
      ],
    });
    const first = memberUids(registry.members);
    const second = memberUids([...registry.members].reverse());
    assert.deepEqual([...first].sort(), [...second].sort());
    assert.equal(first.get('carol'), 1500);
    for (const name of ['alice', 'bob']) {
      const uid = first.get(name) as number;
      assert.ok(uid >= 20000 && uid < 60000, `${name}: ${uid}`);
    }
    assert.notEqual(first.get('alice'), first.get('bob'));
  });
});

describe('agent.json', () => {
  const base = { version: 1, shareName: 'share', adminUser: 'azureuser' };
  const smb = {
    protocol: 'smb',
    source: '//acct1.file.core.windows.net/share',
    mountPoint: '/mnt/dsvm-pool',
  };

  it('accepts smb, nfs and bind shares with defaults filled in', () => {
    const config = AgentConfigSchema.parse({ ...base, share: smb });
    assert.equal(config.adminGroup, 'sudo');
    assert.equal(config.share.mountPoint, '/mnt/dsvm-pool');
    AgentConfigSchema.parse({
      ...base,
      share: { protocol: 'nfs', source: 'acct1.file.core.windows.net:/acct1/share' },
    });
    AgentConfigSchema.parse({ ...base, share: { protocol: 'bind', source: '/srv/share' } });
  });

  it('rejects secrets and 0777 in options, traversal and system folders, unknown fields', () => {
    const issues = (value: unknown) => {
      const parsed = AgentConfigSchema.safeParse(value);
      return parsed.success ? [] : formatSchemaIssues(parsed.error);
    };
    const cases: Array<[unknown, RegExp]> = [
      [
        { ...base, share: { ...smb, options: ['password=abc'] } },
        /share\.options\[0\]: "password=abc" is not allowed: the storage key/,
      ],
      [{ ...base, share: { ...smb, options: ['file_mode=0777'] } }, /never 0777/],
      [{ ...base, share: { ...smb, options: ['noperm'] } }, /noperm/],
      [{ ...base, share: { ...smb, options: ['a,b'] } }, /one option/],
      [
        { ...base, share: { ...smb, mountPoint: '/mnt/../etc' } },
        /share\.mountPoint: must be an absolute path/,
      ],
      [{ ...base, share: { ...smb, mountPoint: 'mnt/pool' } }, /share\.mountPoint/],
      [{ ...base, share: { ...smb, mountPoint: '/home' } }, /system folder/],
      [
        { ...base, share: { ...smb, source: '//acct1.file.core.windows.net/share/../x' } },
        /share\.source/,
      ],
      [{ ...base, share: { protocol: 'bind', source: '/srv/a b' } }, /share\.source/],
      [{ ...base, share: smb, extra: 1 }, /Unrecognized key/i],
      [{ ...base, adminUser: 'Admin', share: smb }, /adminUser: must be/],
      [{ ...base, shareName: '../x', share: smb }, /shareName/],
      [{ ...base, shareName: 'notebooks', share: smb }, /shareName: must not be "notebooks"/],
      [
        { ...base, share: { ...smb, source: '//my-host.example.com/share' } },
        /share\.account: is needed/,
      ],
    ];
    for (const [value, expected] of cases) {
      const found = issues(value);
      assert.ok(
        found.some((issue) => expected.test(issue)),
        `${JSON.stringify(value)} → ${found.join(' | ')}`,
      );
    }
  });
});

it('the agent version is the package version', () => {
  const pkg = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  ) as {
    version: string;
  };
  assert.equal(AGENT_VERSION, pkg.version);
});
