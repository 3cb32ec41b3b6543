// The app's ssh config file used by the real OpenSSH client (ssh -F … <alias>, BatchMode) against
// a real sshd: it signs in with the key the app trusts, refuses a changed key (as the app does),
// refuses a key the app never trusted, and works the same through an Include in ~/.ssh/config.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Emitter } from '../../../../src/common/event';
import type { InstanceInfo } from '../../../../src/common/models';
import { OpenSshService } from '../../../../src/core/openssh/openssh-service';
import type {
  ConnectTarget,
  OpenSshEndpoint,
  PoolProvider,
} from '../../../../src/core/providers/pool-provider';
import { PromptService } from '../../../../src/core/prompts/prompt-service';
import { ConnectionService } from '../../../../src/core/sessions/connection-service';
import { KnownHostsStore } from '../../../../src/core/ssh/known-hosts-store';
import { startOpenSshServer, type OpenSshServer } from '../../../helpers/openssh-server';

interface SshResult {
  code: number;
  stderr: string;
}

/** Runs the real OpenSSH client; BatchMode: it never asks, so a refusal is an exit code. */
function ssh(args: string[]): Promise<SshResult> {
  return new Promise((resolve) => {
    execFile(
      'ssh',
      ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', ...args, 'true'],
      { timeout: 30_000 },
      (err, _stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stderr });
      },
    );
  });
}

/** Splits `ssh -F '<path>' <alias>` as a POSIX shell would (the path is single-quoted if at all). */
function argsOf(command: string): string[] {
  const m = /^ssh -F ('(?:[^']|'\\'')*'|\S+) (\S+)$/.exec(command);
  assert.ok(m, `an ssh command: ${command}`);
  const file = m[1]!.startsWith("'") ? m[1]!.slice(1, -1).replace(/'\\''/g, "'") : m[1]!;
  return ['-F', file, m[2]!];
}

describe('the app ssh config file with the real OpenSSH client', () => {
  let server: OpenSshServer;
  let dir: string;
  let dataDir: string;
  let keyFile: string;
  let knownHosts: KnownHostsStore;
  let connections: ConnectionService;
  let openssh: OpenSshService;
  let prompts: PromptService;

  before(async () => {
    server = await startOpenSshServer();
    dir = await mkdtemp(join(tmpdir(), 'openssh-client-'));
    // A space in the data folder, as on macOS ("Application Support"): quoting must hold.
    dataDir = join(dir, 'data folder');
    await mkdir(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    keyFile = join(dataDir, 'keys', 'id_ed25519');
    await writeFile(keyFile, server.privateKey, { mode: 0o600 });
    await chmod(keyFile, 0o600);

    const instance: InstanceInfo = {
      id: 'i-1',
      name: 'teampool_1',
      state: 'running',
      host: server.host,
      port: server.port,
      sessions: {},
    };
    const endpoint: OpenSshEndpoint = {
      host: server.host,
      port: server.port,
      user: server.username,
      identityFile: keyFile,
      hostKeyId: 'vm/0b5e-test',
    };
    const changed = new Emitter<void>();
    const provider: PoolProvider = {
      id: 'azure:test',
      kind: 'azure',
      name: 'Team pool',
      description: 'a pool of one sshd',
      user: server.username,
      start: async () => {},
      listInstances: () => [instance],
      onDidChangeInstances: changed.event,
      connectTarget: async (): Promise<ConnectTarget> => ({
        host: server.host,
        port: server.port,
        username: server.username,
        privateKey: server.privateKey,
        hostKeyId: 'vm/0b5e-test',
      }),
      openSshEndpoint: () => endpoint,
      dispose: () => changed.dispose(),
    };
    const providers = new Map([[provider.id, provider]]);
    knownHosts = new KnownHostsStore(join(dataDir, 'known-hosts.json'));
    prompts = new PromptService();
    prompts.onDidOpen((p) => setTimeout(() => prompts.answer(p.id, true), 1));
    connections = new ConnectionService({ providers, knownHosts, prompts, log: () => {} });
    openssh = new OpenSshService({
      dataDir,
      providers,
      knownHosts,
      connections,
      log: () => {},
      userConfig: join(dir, 'home', '.ssh', 'config'),
      debounceMs: 10,
    });
    knownHosts.onDidChange(() => openssh.schedule());
  });

  after(async () => {
    openssh?.dispose();
    connections?.dispose();
    prompts?.dispose();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a host the app has not trusted yet (StrictHostKeyChecking, nothing is added)', async () => {
    await openssh.flush();
    const alias = 'dsvm-team-pool-teampool-1';
    const result = await ssh(['-F', openssh.configPath, alias]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Host key verification failed|No .* host key is known/);
    assert.equal(await readFile(openssh.knownHostsPath, 'utf8'), '');
  });

  it('signs in with the key the app trusted, through the copied ssh command and through an Include', async () => {
    const info = await connections.connect('azure:test', 'i-1');
    const { command, alias } = await openssh.sshCommand(info.id);
    assert.equal(alias, 'dsvm-team-pool-teampool-1');
    const knownHostsText = await readFile(openssh.knownHostsPath, 'utf8');
    assert.equal(
      knownHostsText,
      `${alias} ssh-ed25519 ${server.hostKeyPublic.toString('base64')}\n`,
    );
    assert.equal((await stat(openssh.configPath)).mode & 0o777, 0o600);
    assert.equal((await stat(openssh.knownHostsPath)).mode & 0o777, 0o600);

    const viaCommand = await ssh(argsOf(command));
    assert.equal(viaCommand.code, 0, viaCommand.stderr);

    // The user's own config, with our Include added on request: VS Code's way in.
    await mkdir(join(dir, 'home', '.ssh'), { recursive: true, mode: 0o700 });
    await writeFile(openssh.userConfig, 'Host *\n  ServerAliveInterval 30\n', { mode: 0o600 });
    const status = await openssh.addInclude();
    assert.equal(status.included, true);
    assert.equal(status.scoped, false);
    const viaInclude = await ssh(['-F', openssh.userConfig, alias]);
    assert.equal(viaInclude.code, 0, viaInclude.stderr);

    // VS Code's address: the folder made absolute from the instance's $HOME, segments encoded.
    const home = (await connections.get(info.id).connection.exec('printf %s "$HOME"')).stdout;
    const link = await openssh.vsCodeLink(info.id);
    assert.equal(link.folder, `${home}/notebooks`);
    assert.equal(link.url, `vscode://vscode-remote/ssh-remote+${alias}${home}/notebooks`);
    assert.equal(link.included, true);
    const odd = await openssh.vsCodeLink(info.id, { folder: '~/my work/#1', insiders: true });
    assert.equal(
      odd.url,
      `vscode-insiders://vscode-remote/ssh-remote+${alias}${home}/my%20work/%231`,
    );
    await connections.close(info.id);
  });

  it('refuses the server once its key changes, as the app does', async () => {
    await server.restartWithNewHostKey();
    await openssh.flush();
    const result = await ssh(['-F', openssh.configPath, 'dsvm-team-pool-teampool-1']);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/,
    );
    // OpenSSH wrote nothing: the app's known_hosts still holds only the key it trusted.
    const text = await readFile(openssh.knownHostsPath, 'utf8');
    assert.equal(text.trim().split('\n').length, 1);
    assert.ok(!text.includes(server.hostKeyPublic.toString('base64')));
  });
});
