// Benchmark (not a test): time from Connect to the first shell prompt through the app's core,
// side by side with OpenSSH's `ssh -p <port> host true`, against the same real sshd in one run.
// Run: npm run bench:connect [-- --runs 20]
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { SshConnection } from '../src/core/ssh/ssh-connection';
import { startOpenSshServer } from '../test/helpers/openssh-server';

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const server = await startOpenSshServer();
  const dir = await mkdtemp(join(tmpdir(), 'bench-connect-'));
  const keyFile = join(dir, 'id');
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(keyFile, server.privateKey, { mode: 0o600 });
  const { stdout: hostKeyLine } = await run('ssh-keyscan', [
    '-p',
    String(server.port),
    '-t',
    'ed25519',
    server.host,
  ]);
  await writeFile(knownHosts, hostKeyLine);
  const target = {
    host: server.host,
    port: server.port,
    username: server.username,
    privateKey: server.privateKey,
  };
  const trusted = server.hostKeyPublic;
  const verifyHostKey = async (key: Buffer) => {
    if (!key.equals(trusted)) throw new Error('host key changed during the benchmark');
  };

  /** Core: connect, open a pty shell, wait for its first output (the prompt). */
  const coreToPrompt = () =>
    time(async () => {
      const connection = await SshConnection.open({ target, verifyHostKey });
      const channel = await connection.shell({ cols: 80, rows: 24 });
      await new Promise<void>((resolve) => channel.once('data', () => resolve()));
      connection.dispose();
    });
  /** Core: connect and run `true` (the same work as `ssh host true`). */
  const coreTrue = () =>
    time(async () => {
      const connection = await SshConnection.open({ target, verifyHostKey });
      await connection.exec('true');
      connection.dispose();
    });
  const opensshTrue = () =>
    time(async () => {
      await run('ssh', [
        '-p',
        String(server.port),
        '-i',
        keyFile,
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'ControlMaster=no',
        '-o',
        'ControlPath=none',
        // The app does no GSSAPI; Debian's ssh_config turns it on, which costs lookups.
        '-o',
        'GSSAPIAuthentication=no',
        // Same key exchange as ssh2 negotiates (OpenSSH 9 prefers the costlier sntrup761 hybrid).
        '-o',
        'KexAlgorithms=curve25519-sha256',
        `${server.username}@${server.host}`,
        'true',
      ]);
    });

  const results: Record<string, number[]> = {
    'core: Connect → prompt': [],
    'core: connect + true': [],
    'OpenSSH: ssh host true': [],
  };
  await coreTrue(); // warm-up: module loading and sshd's first fork are not what we measure
  await opensshTrue();
  for (let i = 0; i < runs; i++) {
    // Interleaved so drift on the machine affects all three alike.
    results['core: Connect → prompt']!.push(await coreToPrompt());
    results['core: connect + true']!.push(await coreTrue());
    results['OpenSSH: ssh host true']!.push(await opensshTrue());
  }
  const base = median(results['OpenSSH: ssh host true']!);
  console.log(`connect benchmark, ${runs} runs each, sshd ${server.host}:${server.port}`);
  for (const [name, xs] of Object.entries(results)) {
    const m = median(xs);
    console.log(
      `${name.padEnd(26)} median ${m.toFixed(1).padStart(7)} ms   ×${(m / base).toFixed(2)} of OpenSSH`,
    );
  }
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
