// The agent installer's pure parts and its failure sentences, against a scripted connection: the
// agent's Node.js (the app's runtime for the machine's arch, uploaded only when the machine lacks
// it; the machine's own only for an arch the app has none for), sudo refusals, a missing SFTP subsystem (the temp folder still goes), the az
// equivalent of Repair agent (no secret), the ssh-hosts share setting's rules, secret prompts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sshPoolShareSchema } from '../../../../src/common/contract';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import { azRepairAgent } from '../../../../src/core/agent-install/agent-install-az';
import { shareNameOf } from '../../../../src/core/agent-install/agent-install-service';
import {
  installAgent,
  type InstallerConnection,
} from '../../../../src/core/agent-install/agent-installer';
import { sudoProblem } from '../../../../src/core/agent-install/sudo-problem';
import {
  agentRuntimePackage,
  runtimeArchOf,
  type AgentRuntime,
} from '../../../../src/core/agent-runtime';
import { smbHost } from '../../../../src/core/azure/admin/index';
import { PromptService } from '../../../../src/core/prompts/prompt-service';
import type { ExecResult } from '../../../../src/core/ssh/ssh-connection';

const config = {
  version: 1 as const,
  share: { protocol: 'bind' as const, source: '/srv/team', mountPoint: '/mnt/dsvm-pool' },
  shareName: 'team',
  adminUser: 'admin',
};

/** A connection that answers each command with the first matching rule, and writes them down. */
function scripted(
  rules: Array<[RegExp, Partial<ExecResult>]>,
  sftp: () => Promise<never> = () => Promise.reject(new Error('no sftp in this test')),
): InstallerConnection & { commands: string[] } {
  const commands: string[] = [];
  return {
    where: 'host:22',
    commands,
    exec: (command) => {
      commands.push(command);
      const rule = rules.find(([re]) => re.test(command));
      return Promise.resolve({ code: 0, stdout: '', stderr: '', ...rule?.[1] });
    },
    sftp,
  };
}

const rejectsWith =
  (code: ErrorCode, ...patterns: RegExp[]) =>
  (err: unknown) => {
    assert.ok(isRpcError(err), String(err));
    assert.equal(err.code, code, err.message);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  };

/** The app's x64 runtime as a test stand-in (no file is read: the SFTP below is scripted too). */
const x64: AgentRuntime = {
  ...agentRuntimePackage('x64'),
  path: '/build/runtime.tgz',
  size: 42_000_000,
};

/** An SFTP session that accepts every upload and records it. */
function fakeSftp(uploads: string[]) {
  return {
    writeFile: (path: string, _data: unknown, _o: unknown, cb: (e?: Error) => void) => {
      uploads.push(path);
      cb();
    },
    chmod: (_p: string, _m: number, cb: (e?: Error) => void) => cb(),
    fastPut: (_l: string, remote: string, _o: unknown, cb: (e?: Error) => void) => {
      uploads.push(remote);
      cb();
    },
    end: () => {},
  } as never;
}

describe("installAgent: the agent's Node.js", () => {
  const tmp = '/home/admin/.dsvm-pool-install.AbCd1234';
  const base: Array<[RegExp, Partial<ExecResult>]> = [
    [/^id -un$/, { stdout: 'admin\n' }],
    [/mktemp -d/, { stdout: `${tmp}\n` }],
  ];

  it("uploads the app's runtime for the machine's arch, unpacks it as root, and installs with it", async () => {
    const uploads: string[] = [];
    const conn = scripted([[/^uname -m/, { stdout: 'x86_64\nnone\nnone\n' }], ...base], () =>
      Promise.resolve(fakeSftp(uploads)),
    );
    const progress: string[] = [];
    const result = await installAgent(conn, {
      config,
      bundle: 'x',
      runtime: async (arch) => (arch === 'x64' ? x64 : undefined),
      onProgress: (t) => progress.push(t),
    });
    assert.deepEqual(result.node, {
      path: '/usr/local/lib/dsvm-pool/node/bin/node',
      version: `v${x64.version}`,
      source: 'bundled',
    });
    assert.ok(uploads.includes(`${tmp}/${x64.fileName}`), uploads.join(', '));
    assert.ok(!conn.commands.some((c) => c.includes('command -v node')), 'no look for node');
    const unpack = conn.commands.find((c) => c.startsWith('sudo -n sh -c '));
    assert.ok(unpack, conn.commands.join('\n'));
    assert.ok(unpack.includes('sha512sum'), 'checked on the machine');
    assert.ok(unpack.endsWith(` '${tmp}/${x64.fileName}' ${x64.sha512} ${x64.version}`), unpack);
    const install = conn.commands.find((c) => / install --config /.test(c));
    assert.match(install!, /^sudo -n '\/usr\/local\/lib\/dsvm-pool\/node\/bin\/node' /);
    assert.ok(conn.commands.indexOf(unpack) < conn.commands.indexOf(install!));
    assert.match(
      progress.join('\n'),
      /Uploading the agent's Node\.js 20\.\d+\.\d+ for x64 \(40\.1 MB\)/,
    );
    assert.equal(conn.commands.at(-3), `rm -rf -- '${tmp}'`);
  });

  it('skips the upload when the machine has that runtime already', async () => {
    const uploads: string[] = [];
    const conn = scripted(
      [[/^uname -m/, { stdout: `x86_64\n${x64.sha512}\nv${x64.version}\n` }], ...base],
      () => Promise.resolve(fakeSftp(uploads)),
    );
    const progress: string[] = [];
    const result = await installAgent(conn, {
      config,
      bundle: 'x',
      runtime: async () => x64,
      onProgress: (t) => progress.push(t),
    });
    assert.equal(result.node.source, 'bundled');
    assert.ok(!uploads.some((u) => u.endsWith('.tgz')), uploads.join(', '));
    assert.ok(!conn.commands.some((c) => c.startsWith('sudo -n sh -c ')));
    assert.match(progress.join('\n'), /own Node\.js 20\.\d+\.\d+ \(x64\) is there already/);
  });

  it('a runtime whose sha512 the machine refuses stops the install, saying why', async () => {
    const conn = scripted(
      [
        [/^uname -m/, { stdout: 'x86_64\nnone\nnone\n' }],
        [
          /^sudo -n sh -c /,
          {
            code: 4,
            stderr:
              "the Node.js runtime's sha512 is 00ff, not the pinned abcd: refusing to unpack it\n",
          },
        ],
        ...base,
      ],
      () => Promise.resolve(fakeSftp([])),
    );
    await assert.rejects(
      installAgent(conn, { config, bundle: 'x', runtime: async () => x64 }),
      rejectsWith(
        ErrorCode.Internal,
        /Node\.js runtime on host:22 failed \(exit 4\)/,
        /refusing to unpack/,
      ),
    );
    assert.ok(
      !conn.commands.some((c) => / install --config /.test(c)),
      'the agent was not installed',
    );
    assert.equal(conn.commands.at(-1), `rm -rf -- '${tmp}'`);
  });

  it("an arch the app has no runtime for falls back to the machine's Node.js 18+, and says so", async () => {
    const conn = scripted(
      [
        [/^uname -m/, { stdout: 'armv7l\nnone\nnone\n' }],
        [/command -v node/, { stdout: '/usr/bin/node\tv20.11.1\n' }],
        ...base,
      ],
      () => Promise.resolve(fakeSftp([])),
    );
    const progress: string[] = [];
    const result = await installAgent(conn, {
      config,
      bundle: 'x',
      runtime: async () => x64,
      onProgress: (t) => progress.push(t),
    });
    assert.deepEqual(result.node, {
      path: '/usr/bin/node',
      version: 'v20.11.1',
      source: 'machine',
    });
    assert.match(progress.join('\n'), /no Node\.js runtime for armv7l's architecture/);
    assert.match(
      conn.commands.find((c) => / install --config /.test(c))!,
      /^sudo -n '\/usr\/bin\/node' /,
    );
  });

  it('maps uname -m to the runtimes it pins', () => {
    assert.equal(runtimeArchOf('x86_64\n'), 'x64');
    assert.equal(runtimeArchOf('aarch64'), 'arm64');
    assert.equal(runtimeArchOf('armv7l'), undefined);
    assert.match(x64.sha512, /^[0-9a-f]{128}$/);
    assert.equal(Buffer.from(x64.sha512, 'hex').toString('base64'), x64.integrity.slice(7));
  });
});

describe('installAgent failures (scripted connection)', () => {
  it('without a runtime for its arch nor Node.js 18+, says what to install, naming what it found', async () => {
    const conn = scripted([
      [/^id -un$/, { stdout: 'admin\n' }],
      [/^uname -m/, { stdout: 'ppc64le\nnone\nnone\n' }],
      [/command -v node/, { stdout: '/usr/bin/node\tv16.20.2\n/usr/local/bin/node\t\n' }],
    ]);
    await assert.rejects(
      installAgent(conn, { config, bundle: 'x' }),
      rejectsWith(
        ErrorCode.NotFound,
        /no Node\.js runtime for ppc64le/,
        /no Node\.js 18 or later/,
        /v16\.20\.2 at \/usr\/bin\/node/,
        /Install Node\.js 18 or later/,
      ),
    );
    assert.ok(!conn.commands.some((c) => c.includes('mktemp')), 'stopped before any change');
  });

  it('a host without SFTP gets a sentence about the subsystem, and the temp folder is removed', async () => {
    const conn = scripted(
      [
        [/^id -un$/, { stdout: 'admin\n' }],
        [/^uname -m/, { stdout: 'x86_64\nnone\nnone\n' }],
        [/mktemp -d/, { stdout: '/home/admin/.dsvm-pool-install.AbCd1234\n' }],
      ],
      () =>
        Promise.reject(
          new Error('The SSH server at host:22 offers no SFTP (Unable to start subsystem: sftp).'),
        ),
    );
    await assert.rejects(
      installAgent(conn, { config, bundle: 'x', runtime: async () => x64 }),
      /offers no SFTP/,
    );
    assert.equal(conn.commands.at(-1), "rm -rf -- '/home/admin/.dsvm-pool-install.AbCd1234'");
  });

  it('refuses a key that is not one, before running anything', async () => {
    const conn = scripted([]);
    await assert.rejects(
      installAgent(conn, { config, bundle: 'x', storageKey: 'not a key' }),
      rejectsWith(ErrorCode.BadInput, /storage account key/),
    );
    assert.deepEqual(conn.commands, []);
  });
});

describe('sudoProblem', () => {
  const ctx = { user: 'admin', where: 'lab-1:22', purpose: 'install the agent' };
  it('a password prompt means: give passwordless sudo (and how)', () => {
    const err = sudoProblem(1, 'sudo: a password is required\n', ctx);
    assert.equal(err?.code, ErrorCode.AuthFailed);
    assert.match(err!.message, /needs passwordless sudo/);
    assert.match(err!.message, /admin ALL=\(ALL\) NOPASSWD:ALL/);
  });
  it('no sudo at all, and not in sudoers', () => {
    assert.match(sudoProblem(127, 'sh: 1: sudo: not found', ctx)!.message, /sudo is not installed/);
    assert.match(
      sudoProblem(1, 'admin is not in the sudoers file.', ctx)!.message,
      /may not use sudo/,
    );
  });
  it('the command’s own failure is not sudo’s', () => {
    assert.equal(sudoProblem(1, 'mount: /mnt/dsvm-pool: unknown filesystem type', ctx), undefined);
    assert.equal(sudoProblem(0, '', ctx), undefined);
  });
});

describe('azRepairAgent', () => {
  it("re-applies the agent's extension from a protected-settings file, then updates the instances", () => {
    const az = azRepairAgent(
      { subscription: 'sub-1', resourceGroup: 'team-rg', poolName: 'team' },
      ['3', '7', '3'],
    );
    assert.equal(az.length, 2);
    assert.deepEqual(az[0]!.args.slice(0, 4), ['az', 'vmss', 'extension', 'set']);
    assert.match(
      az[0]!.shell,
      /--name CustomScript --publisher Microsoft\.Azure\.Extensions --version 2\.1 --extension-instance-name dsvm-pool-agent --protected-settings @dsvm-pool-agent-protected\.json --force-update/,
    );
    assert.match(az[0]!.shell, /--subscription sub-1/);
    assert.equal(
      az[1]!.shell,
      'az vmss update-instances --resource-group team-rg --subscription sub-1 --name team --instance-ids 3 7',
    );
    assert.doesNotMatch(JSON.stringify(az), /password|[A-Za-z0-9+/]{80,}={0,2}/);
  });
});

describe('ssh-hosts share setting', () => {
  it('takes what agent.json takes, by field', () => {
    assert.ok(
      sshPoolShareSchema.safeParse({ protocol: 'nfs', source: 'nas.lab:/export/team' }).success,
    );
    assert.ok(
      sshPoolShareSchema.safeParse({
        protocol: 'bind',
        source: '/srv/team',
        mountPoint: '/data/pool',
      }).success,
    );
    const bad = sshPoolShareSchema.safeParse({
      protocol: 'bind',
      source: 'srv team',
      mountPoint: '/home',
    });
    assert.ok(!bad.success);
    assert.deepEqual(bad.error.issues.map((i) => i.path.join('.')).sort(), [
      'mountPoint',
      'source',
    ]);
    const account = sshPoolShareSchema.safeParse({
      protocol: 'nfs',
      source: 'nas:/x',
      account: 'acct',
    });
    assert.equal(account.error?.issues[0]?.path[0], 'account');
  });

  it('names the admin’s link after the share, never "notebooks"', () => {
    assert.equal(
      shareNameOf({ protocol: 'smb', source: '//acct.file.core.windows.net/team' }),
      'team',
    );
    assert.equal(shareNameOf({ protocol: 'nfs', source: 'nas:/export/lab-data' }), 'lab-data');
    assert.equal(shareNameOf({ protocol: 'bind', source: '/srv/notebooks' }), 'share');
  });

  it('SMB hosts come from the account’s file endpoint (any cloud), else the public cloud', () => {
    assert.equal(
      smbHost('acct', 'https://acct.file.core.chinacloudapi.cn/'),
      'acct.file.core.chinacloudapi.cn',
    );
    assert.equal(smbHost('acct', 'https://127.0.0.1:4443/acct/'), 'acct.file.core.windows.net');
    assert.equal(smbHost('acct', undefined), 'acct.file.core.windows.net');
  });
});

describe('PromptService secret prompts', () => {
  it('asks, refuses an empty answer, and gives the value to the asker only', async () => {
    const prompts = new PromptService();
    const seen: unknown[] = [];
    prompts.onDidOpen((p) => seen.push(p));
    const asked = prompts.askSecret({
      poolId: 'p',
      title: 'Storage account key',
      label: 'Key',
      detail: 'why',
    });
    const open = prompts.list()[0]!;
    assert.equal(open.kind, 'secret');
    assert.throws(() => prompts.answer(open.id, true, ''), /asks for a secret/);
    prompts.answer(open.id, true, 'the-secret-value');
    assert.equal(await asked, 'the-secret-value');
    assert.ok(!JSON.stringify(seen).includes('the-secret-value'));
    const declined = prompts.askSecret({ poolId: 'p', title: 't', label: 'l', detail: 'd' });
    prompts.answer(prompts.list()[0]!.id, false);
    assert.equal(await declined, undefined);
    prompts.dispose();
  });
});

describe('applyProblem', () => {
  it("picks the apply's error lines over its warnings and summary", async () => {
    const { applyProblem } = await import('../../../../src/core/agent-install/agent-installer');
    const output = [
      'dsvm-pool-agent: warning: there is no team registry yet',
      "dsvm-pool-agent: error: mounting /mnt/dsvm-pool failed: unknown filesystem type 'cifs'",
      'dsvm-pool-agent: apply failed with 1 error(s)',
    ].join('\n');
    assert.equal(
      applyProblem(output),
      "dsvm-pool-agent: error: mounting /mnt/dsvm-pool failed: unknown filesystem type 'cifs'",
    );
    assert.equal(applyProblem('a\nb\nc\nd'), 'b c d');
  });
});
