// The agent installer's pure parts and its failure sentences, against a scripted connection: Node
// discovery, sudo refusals, a missing SFTP subsystem (the temp folder still goes), the az
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

describe('installAgent failures (scripted connection)', () => {
  it('without Node.js 18+ says what to install, naming what it found', async () => {
    const conn = scripted([
      [/^id -un$/, { stdout: 'admin\n' }],
      [/command -v node/, { stdout: '/usr/bin/node\tv16.20.2\n/usr/local/bin/node\t\n' }],
    ]);
    await assert.rejects(
      installAgent(conn, { config, bundle: 'x' }),
      rejectsWith(
        ErrorCode.NotFound,
        /Node\.js 18 or later/,
        /v16\.20\.2 at \/usr\/bin\/node/,
        /apt-get install nodejs/,
      ),
    );
    assert.ok(!conn.commands.some((c) => c.includes('mktemp')), 'stopped before any change');
  });

  it('a host without SFTP gets a sentence about the subsystem, and the temp folder is removed', async () => {
    const conn = scripted(
      [
        [/^id -un$/, { stdout: 'admin\n' }],
        [/command -v node/, { stdout: '/usr/bin/node\tv20.11.1\n' }],
        [/mktemp -d/, { stdout: '/home/admin/.dsvm-pool-install.AbCd1234\n' }],
      ],
      () =>
        Promise.reject(
          new Error('The SSH server at host:22 offers no SFTP (Unable to start subsystem: sftp).'),
        ),
    );
    await assert.rejects(installAgent(conn, { config, bundle: 'x' }), /offers no SFTP/);
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
