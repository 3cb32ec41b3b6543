// The ssh-hosts provider against a real OpenSSH server on loopback: reachability states, and every
// way it authenticates (encrypted key file + passphrase question, pool key, app key, ssh-agent).
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Prompt, SshHostEntry } from '../../../../src/common/models';
import { ensureAppKey, type AppKey } from '../../../../src/core/keys/app-key';
import { ensurePoolKey, type PoolKey } from '../../../../src/core/keys/pool-key';
import { PrivateKeyLoader } from '../../../../src/core/keys/private-key-loader';
import type { ConnectTarget } from '../../../../src/core/providers/pool-provider';
import { SshHostsProvider } from '../../../../src/core/providers/ssh-hosts/ssh-hosts-provider';
import { PromptService } from '../../../../src/core/prompts/prompt-service';
import { SshConnection } from '../../../../src/core/ssh/ssh-connection';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';
import { makeTestKey, type TestKey } from '../../../unit/core/keys/make-test-key';

const run = promisify(execFile);
const PASSPHRASE = 'a long and secret passphrase';

/** A port nothing listens on (bound, read, closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `ssh-agent -D` on its own socket; stopped by its pid. */
async function startAgent(sock: string): Promise<ChildProcess> {
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  const deadline = Date.now() + 5_000;
  while (!(await stat(sock).catch(() => undefined))) {
    if (Date.now() > deadline) throw new Error('ssh-agent did not create its socket');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return agent;
}

/** ssh-add, with an askpass script reading the passphrase from the environment (never argv). */
async function sshAdd(sock: string, key: TestKey, dir: string, passphrase = ''): Promise<void> {
  const askpass = join(dir, 'askpass.sh');
  await writeFile(askpass, '#!/bin/sh\nprintf "%s\\n" "$TEST_KEY_PASSPHRASE"\n', { mode: 0o700 });
  await run('ssh-add', ['-q', key.path], {
    env: {
      PATH: process.env.PATH,
      SSH_AUTH_SOCK: sock,
      SSH_ASKPASS: askpass,
      SSH_ASKPASS_REQUIRE: 'force',
      DISPLAY: 'none',
      TEST_KEY_PASSPHRASE: passphrase,
    },
  });
}

async function connectAndWhoami(target: ConnectTarget): Promise<string> {
  const connection = await SshConnection.open({ target, verifyHostKey: async () => {} });
  try {
    return (await connection.exec('id -un')).stdout.trim();
  } finally {
    connection.dispose();
  }
}

describe('SshHostsProvider against OpenSSH', () => {
  let dir: string;
  let dataDir: string;
  let server: OpenSshServer;
  let agent: ChildProcess;
  let agentSock: string;
  let encrypted: TestKey;
  let agentOnly: TestKey;
  let encryptedInAgent: TestKey;
  let poolKey: PoolKey;
  let appKey: AppKey;
  const providers: SshHostsProvider[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsvm-pool-sshhosts-'));
    // sshd reads authorized_keys as the (non-root) test user.
    await chmod(dir, 0o755);
    dataDir = join(dir, 'data');
    encrypted = await makeTestKey(dir, 'encrypted_ed25519', 'ed25519', PASSPHRASE);
    agentOnly = await makeTestKey(dir, 'agent_rsa', 'rsa', '');
    encryptedInAgent = await makeTestKey(dir, 'agent_ecdsa', 'ecdsa', PASSPHRASE);
    poolKey = await ensurePoolKey(dataDir, 'ssh-lab');
    appKey = await ensureAppKey(dataDir);
    const authorized = join(dir, 'authorized_keys');
    await writeFile(
      authorized,
      [encrypted, agentOnly, encryptedInAgent]
        .map((k) => k.publicKey)
        .concat(poolKey.publicKey, appKey.publicKey)
        .join('\n') + '\n',
      { mode: 0o644 },
    );
    await chmod(authorized, 0o644);
    server = await startOpenSshServer({
      extraConfig: ['Match all', `AuthorizedKeysFile ${authorized}`],
    });
    agentSock = join(dir, 'agent.sock');
    agent = await startAgent(agentSock);
    await sshAdd(agentSock, agentOnly, dir);
    await sshAdd(agentSock, encryptedInAgent, dir, PASSPHRASE);
  });

  after(async () => {
    for (const provider of providers) provider.dispose();
    if (agent?.exitCode === null) {
      const exited = new Promise((resolve) => agent.once('exit', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function makeProvider(poolId: string, hosts: SshHostEntry[], prompts = new PromptService()) {
    const provider = new SshHostsProvider({
      pool: { id: poolId, name: `pool ${poolId}`, hosts },
      dataDir,
      keys: new PrivateKeyLoader(prompts),
      appPrivateKey: appKey.privateKey,
      agent: () => agentSock,
      probeTimeoutMs: 1_000,
    });
    providers.push(provider);
    return provider;
  }

  const sshd = (extra: Partial<SshHostEntry> = {}): SshHostEntry => ({
    name: 'sshd',
    address: server.host,
    port: server.port,
    user: server.username,
    useAgent: false,
    ...extra,
  });

  test('a reachable host is running, a closed port refuses connections (not stopped); a probe brings it back', async () => {
    const port = await closedPort();
    const provider = makeProvider('ssh-states', [
      sshd(),
      { name: 'Closed Port', address: '127.0.0.1', port, user: server.username, useAgent: false },
    ]);
    let changes = 0;
    provider.onDidChangeInstances(() => changes++);
    await provider.start();
    await provider.refresh();
    assert.deepEqual(
      provider
        .listInstances()
        .map(({ id, state, detail, host, port: p }) => ({ id, state, detail, host, port: p })),
      [
        { id: 'sshd', state: 'running', detail: undefined, host: '127.0.0.1', port: server.port },
        {
          id: 'closed-port',
          state: 'failed',
          detail: `refuses connections on port ${port} (the machine answers, but no SSH server accepts there)`,
          host: '127.0.0.1',
          port,
        },
      ],
    );
    assert.ok(changes >= 1);

    // Something starts listening there: the next probe (on demand here) sees it.
    const listener = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
    try {
      await provider.refresh();
      assert.equal(provider.listInstances()[1].state, 'running');
      assert.equal(provider.listInstances()[1].detail, undefined);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  test('an encrypted key file: the passphrase is asked (wrong, then right) and the login works', async () => {
    const prompts = new PromptService();
    const asked: Prompt[] = [];
    const answers = ['not it', PASSPHRASE];
    prompts.onDidOpen((p) => {
      asked.push(p);
      setTimeout(() => prompts.answer(p.id, true, answers.shift()), 1);
    });
    const provider = makeProvider('ssh-enc', [sshd({ keyPath: encrypted.path })], prompts);
    const target = await provider.connectTarget('sshd');
    assert.deepEqual(
      asked.map(
        (p) => p.kind === 'passphrase' && { poolId: p.poolId, keyPath: p.keyPath, retry: p.retry },
      ),
      [
        { poolId: 'ssh-enc', keyPath: encrypted.path, retry: false },
        { poolId: 'ssh-enc', keyPath: encrypted.path, retry: true },
      ],
    );
    assert.equal(target.privateKey, await readFile(encrypted.path, 'utf8'));
    assert.equal(target.passphrase, PASSPHRASE);
    assert.equal(target.agent, undefined, 'useAgent is off');
    assert.equal(await connectAndWhoami(target), server.username);

    // Remembered: connecting again asks nothing.
    assert.equal(await connectAndWhoami(await provider.connectTarget('sshd')), server.username);
    assert.equal(asked.length, 2);
  });

  test('no key file: the pool key when one was generated, else the app key', async () => {
    const withPoolKey = makeProvider('ssh-lab', [sshd()]);
    const target = await withPoolKey.connectTarget('sshd');
    assert.equal(target.privateKey, poolKey.privateKey);
    assert.equal(await connectAndWhoami(target), server.username);

    const withoutPoolKey = makeProvider('ssh-nokey', [sshd()]);
    const fallback = await withoutPoolKey.connectTarget('sshd');
    assert.equal(fallback.privateKey, appKey.privateKey);
    assert.equal(await connectAndWhoami(fallback), server.username);
  });

  test('the ssh-agent alone signs in (no key file, no app key)', async () => {
    const provider = new SshHostsProvider({
      pool: { id: 'ssh-agent', name: 'agent only', hosts: [sshd({ useAgent: true })] },
      dataDir,
      keys: new PrivateKeyLoader(new PromptService()),
      agent: () => agentSock,
    });
    providers.push(provider);
    const target = await provider.connectTarget('sshd');
    assert.deepEqual(target, {
      host: server.host,
      port: server.port,
      username: server.username,
      agent: agentSock,
    });
    assert.equal(await connectAndWhoami(target), server.username);
  });

  test('an encrypted key the agent holds is used through the agent, with no question', async () => {
    const prompts = new PromptService();
    const asked: Prompt[] = [];
    // Declined, so a question the agent should have spared makes connectTarget fail.
    prompts.onDidOpen((p) => {
      asked.push(p);
      setTimeout(() => prompts.answer(p.id, false), 1);
    });
    const provider = makeProvider(
      'ssh-agent-enc',
      [sshd({ keyPath: encryptedInAgent.path, useAgent: true })],
      prompts,
    );
    const target = await provider.connectTarget('sshd');
    assert.equal(target.privateKey, undefined);
    assert.equal(target.passphrase, undefined);
    assert.equal(target.agent, agentSock);
    assert.equal(await connectAndWhoami(target), server.username);
    assert.deepEqual(asked, []);
  });

  test('an unknown instance id is NotFound, naming the hosts there are', async () => {
    const provider = makeProvider('ssh-nf', [sshd()]);
    await assert.rejects(provider.connectTarget('nope'), /has no host "nope" \(it has sshd\)/);
  });
});
