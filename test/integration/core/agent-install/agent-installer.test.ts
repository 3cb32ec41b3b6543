// installAgent against real machinery: a namespace VM (Debian's sshd, useradd, sudo, mount in a
// private mount namespace) with no agent yet, reached with the app's own SshConnection as its
// admin (passwordless sudo, as cloud-init sets it up on Azure). An SMB config exercises the key
// path: the key reaches the root-only credentials file through stdin and is in no command the
// installer sends, no process's argv (every execve under the VM's sshd traced with strace) and no
// text it returns; the VM's mount.cifs stand-in knows no share here, so the first apply must say
// the mount failed. A bind share then installs for real: agent.json, the agent's own Node.js
// runtime (uploaded by SFTP, sha512 checked on the VM), wrapper, units, sudoers rule, a healthy
// heartbeat.
// A real OpenSSH user without sudo gets the sentence about passwordless sudo.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentConfigInput } from '../../../../src/common/agent-protocol';
import { ErrorCode, isRpcError } from '../../../../src/common/errors';
import { readAgentBundle } from '../../../../src/core/agent-bundle';
import { agentRuntimePackage } from '../../../../src/core/agent-runtime';
import {
  installAgent,
  type InstallerConnection,
} from '../../../../src/core/agent-install/agent-installer';
import { ensureAppKey } from '../../../../src/core/keys/app-key';
import { SshConnection } from '../../../../src/core/ssh/ssh-connection';
import { NamespaceVm } from '../../../emulators/vm/namespace-vm';
import { startOpenSshServer } from '../../../helpers/openssh-server';

const ADMIN = 'azureuser';
/** A well-formed (fake) storage account key: 64 random bytes in base64, like Azure's. */
const KEY = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 73 + 11) & 0xff)).toString(
  'base64',
);
const HAS_STRACE = (() => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The connection, with every command and stdin it is given written down. */
function watched(conn: SshConnection): InstallerConnection & {
  calls: Array<{ command: string; input?: string }>;
} {
  const calls: Array<{ command: string; input?: string }> = [];
  return {
    where: conn.where,
    calls,
    exec: (command, options = {}) => {
      calls.push(
        options.input === undefined ? { command } : { command, input: String(options.input) },
      );
      return conn.exec(command, options);
    },
    sftp: () => conn.sftp(),
  };
}

/** strace on the VM's sshd and all it forks: every execve with its argv and environment. */
async function traceExecs(pid: number, log: string): Promise<ChildProcess> {
  const tracer = spawn(
    'strace',
    ['-f', '-qq', '-v', '-s', '8192', '-e', 'trace=execve', '-o', log, '-p', String(pid)],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 5_000;
  while (!/TracerPid:\s+[1-9]/.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) {
    if (Date.now() > deadline) throw new Error('strace did not attach');
    await new Promise((r) => setTimeout(r, 20));
  }
  return tracer;
}

describe('installAgent on a namespace VM without an agent', { timeout: 90_000 }, () => {
  let vm: NamespaceVm;
  let conn: SshConnection;
  let dir: string;
  let shareDir: string;
  let bundle: string;

  const smbConfig: AgentConfigInput = {
    version: 1,
    share: {
      protocol: 'smb',
      source: '//teamacct.file.core.windows.net/team',
      account: 'teamacct',
      mountPoint: '/mnt/dsvm-pool',
    },
    shareName: 'team',
    adminUser: ADMIN,
  };

  before(async () => {
    if (process.getuid?.() !== 0) throw new Error('this test runs namespace VMs: run it as root');
    dir = await mkdtemp(join(tmpdir(), 'agent-install-'));
    shareDir = join(dir, 'share');
    execFileSync('mkdir', ['-p', '-m', '0755', shareDir]);
    const key = await ensureAppKey(join(dir, 'admin-key'));
    bundle = await readAgentBundle();
    vm = new NamespaceVm({
      dir: join(dir, 'vm'),
      computerName: 'install-vm',
      adminUser: ADMIN,
      adminPublicKeys: key.publicKey,
    });
    await vm.boot();
    conn = await SshConnection.open({
      target: { host: '127.0.0.1', port: vm.port, username: ADMIN, privateKey: key.privateKey },
      verifyHostKey: async () => {},
    });
  });

  after(async () => {
    conn?.dispose();
    await vm?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('SMB: the key goes on stdin to the root-only credentials file, nowhere else; apply says the mount failed', async () => {
    const log = join(dir, 'execve.log');
    // A connection of its own, opened once strace follows the VM's sshd and all it forks.
    const tracer = HAS_STRACE ? await traceExecs(vm.pid!, log) : undefined;
    const traced = await SshConnection.open({
      target: { ...conn.target },
      verifyHostKey: async () => {},
    });
    const progress: string[] = [];
    const w = watched(traced);
    let result;
    try {
      result = await installAgent(w, {
        config: smbConfig,
        storageKey: KEY,
        bundle,
        onProgress: (line) => progress.push(line),
      });
    } finally {
      traced.dispose();
      tracer?.kill('SIGINT');
      if (tracer) await new Promise((r) => tracer.once('exit', r));
    }

    // The key: only in the stdin of the one install command.
    const withKey = w.calls.filter((c) => c.input?.includes(KEY));
    assert.equal(withKey.length, 1);
    assert.match(
      withKey[0]!.command,
      /^sudo -n '\/[^']+node' '[^']+\/dsvm-pool-agent\.js' install --config '[^']+\/agent\.json' --storage-key-stdin$/,
    );
    for (const c of w.calls) assert.ok(!c.command.includes(KEY), `no key in: ${c.command}`);
    assert.ok(!JSON.stringify(result).includes(KEY), 'no key in the result');
    assert.ok(!progress.join('\n').includes(KEY), 'no key in the progress');
    if (HAS_STRACE) {
      const execs = readFileSync(log, 'utf8');
      assert.match(execs, /dsvm-pool-agent\.js", "install"/, 'the trace saw the install');
      assert.ok(!execs.includes(KEY), 'the key is in no execve argv or environment');
    }

    // It reached the credentials file, root-only.
    const cred = await vm.exec(
      'stat -c "%a %U" /etc/smbcredentials /etc/smbcredentials/teamacct.cred && cat /etc/smbcredentials/teamacct.cred',
    );
    assert.equal(cred.stdout, `700 root\n600 root\nusername=teamacct\npassword=${KEY}\n`);
    assert.equal(result.configSource, 'given');
    assert.equal(result.config.share.protocol, 'smb');
    // No share the VM's SMB knows: the first apply fails, and says it is the mount.
    assert.equal(result.apply.ok, false);
    assert.match(result.apply.output, /mount|cifs/i);
    assert.ok(result.status, result.statusError);
    assert.equal(result.status.mount?.healthy, false);
    // The temp folder is gone.
    const left = await vm.exec(`ls -A /home/${ADMIN}`);
    assert.doesNotMatch(left.stdout, /dsvm-pool-install/);
  });

  it('bind: installs the agent for real (agent.json, wrapper, units, sudoers) and a healthy first apply', async () => {
    const progress: string[] = [];
    const result = await installAgent(conn, {
      config: {
        version: 1,
        share: { protocol: 'bind', source: shareDir, mountPoint: '/mnt/dsvm-pool' },
        shareName: 'team',
        adminUser: ADMIN,
      },
      bundle,
      onProgress: (line) => progress.push(line),
    });
    assert.equal(result.apply.ok, true, result.apply.output);
    assert.equal(result.status?.mount?.healthy, true);
    assert.equal(result.status?.computerName, 'install-vm');
    // The agent runs on its own Node.js (this VM's image has one too: it is not needed).
    assert.deepEqual(result.node, {
      path: '/usr/local/lib/dsvm-pool/node/bin/node',
      version: `v${agentRuntimePackage('x64').version}`,
      source: 'bundled',
    });
    assert.match(progress.at(-1)!, /Agent .* on install-vm: share mounted on \/mnt\/dsvm-pool/);

    const onVm = await vm.exec(
      [
        'cat /etc/dsvm-pool/agent.json',
        'stat -c "%n %a %U" /usr/local/bin/dsvm-pool-agent /usr/local/lib/dsvm-pool/dsvm-pool-agent.js /etc/systemd/system/dsvm-pool-agent.service /etc/systemd/system/dsvm-pool-agent.timer /etc/sudoers.d/dsvm-pool-agent',
        'mountpoint -q /mnt/dsvm-pool && echo mounted',
        `readlink /home/${ADMIN}/team`,
      ].join(' && '),
    );
    assert.equal(onVm.code, 0, onVm.stderr);
    const config = JSON.parse(onVm.stdout.slice(0, onVm.stdout.indexOf('\n}\n') + 2)) as {
      share: { protocol: string; source: string };
    };
    assert.deepEqual(config.share.protocol, 'bind');
    assert.equal(config.share.source, shareDir);
    assert.match(onVm.stdout, /\/usr\/local\/bin\/dsvm-pool-agent 755 root/);
    assert.match(onVm.stdout, /dsvm-pool-agent\.js 755 root/);
    assert.match(onVm.stdout, /dsvm-pool-agent\.service 644 root/);
    assert.match(onVm.stdout, /dsvm-pool-agent\.timer 644 root/);
    assert.match(onVm.stdout, /sudoers\.d\/dsvm-pool-agent 440 root/);
    assert.match(onVm.stdout, /\nmounted\n\/mnt\/dsvm-pool\n?$/);
    // The heartbeat landed on the share.
    assert.ok(existsSync(join(shareDir, '.pool/status/install-vm.json')));
  });

  it('repair keeps a valid agent.json the machine has, and installs the given one otherwise', async () => {
    await vm.exec('rm -rf /usr/local/bin/dsvm-pool-agent /usr/local/lib/dsvm-pool');
    const kept = await installAgent(conn, {
      config: smbConfig,
      storageKey: KEY,
      bundle,
      keepExistingConfig: true,
    });
    assert.equal(kept.configSource, 'kept');
    assert.equal(kept.config.share.protocol, 'bind');
    assert.equal(kept.apply.ok, true, kept.apply.output);
    assert.equal((await vm.exec('test -x /usr/local/bin/dsvm-pool-agent')).code, 0);
  });

  it('refuses a config the agent would refuse, before touching the machine', async () => {
    const w = watched(conn);
    await assert.rejects(
      installAgent(w, {
        config: { ...smbConfig, shareName: 'notebooks' },
        bundle,
      }),
      (err: unknown) => isRpcError(err) && err.code === ErrorCode.BadInput,
    );
    assert.equal(w.calls.length, 0);
  });
});

describe('installAgent as a user without sudo (OpenSSH)', () => {
  it('says the user needs passwordless sudo, and leaves no temp folder', async () => {
    // The OpenSSH helper creates its test user, which takes root (as CI runs).
    assert.equal(process.getuid?.(), 0, 'run the integration tests as root, as CI does');
    const server = await startOpenSshServer();
    const conn = await SshConnection.open({
      target: {
        host: server.host,
        port: server.port,
        username: server.username,
        privateKey: server.privateKey,
      },
      verifyHostKey: async () => {},
    });
    try {
      await assert.rejects(
        installAgent(conn, {
          config: {
            version: 1,
            share: { protocol: 'bind', source: '/srv/team', mountPoint: '/mnt/dsvm-pool' },
            shareName: 'team',
            adminUser: server.username,
          },
          bundle: '// not run',
        }),
        (err: unknown) => {
          assert.ok(isRpcError(err));
          assert.equal(err.code, ErrorCode.AuthFailed, err.message);
          assert.match(err.message, /needs passwordless sudo/);
          assert.match(err.message, new RegExp(`${server.username} ALL=\\(ALL\\) NOPASSWD:ALL`));
          return true;
        },
      );
      const left = await conn.exec('ls -A "$HOME"');
      assert.doesNotMatch(left.stdout, /dsvm-pool-install/);
    } finally {
      conn.dispose();
      await server.stop();
    }
  });
});
