// Benchmark (not a test): the app's port forward and terminal against OpenSSH, side by side in one
// run, same sshd, same cipher: bulk throughput (app forward vs `ssh -N -L` vs direct), sequential
// small HTTP GETs (p50/p99), and a terminal flood (core TerminalService with acks vs `ssh -tt`).
// Run: node --import tsx bench/tunnel.ts [--bytes 1073741824] [--runs 3] [--gets 1000]
//      [--flood 100M] [--native-crypto] [--only bulk,gets,flood] [--rtt 0] [--warm-up 2000]
//      [--cipher aes128-ctr]
// Without --native-crypto, ssh2's optional native binding is kept from loading, as in the shipped
// app (allowScripts denies building it for Electron), so ssh2 uses Node's own crypto. Without
// --cipher the app offers its own list (src/core/ssh/ssh-algorithms.ts) and OpenSSH is pinned to
// the cipher the app negotiated, so both sides always run the same one.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import type { CipherAlgorithm } from 'ssh2';
import { benchForwardSpec, forwardsOver, keepNativeCryptoOff, startLoad } from './app-forward';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    /** Pins one cipher on both sides (and sshd); the app's own preference otherwise. */
    cipher: { type: 'string' },
    bytes: { type: 'string', default: String(1024 ** 3) },
    runs: { type: 'string', default: '3' },
    gets: { type: 'string', default: '1000' },
    /** Untimed GETs per route before the timed ones. */
    'warm-up': { type: 'string', default: '2000' },
    flood: { type: 'string', default: '100M' },
    /** Round trip added between the SSH clients and sshd (a WAN link), in ms; 0 = loopback. */
    rtt: { type: 'string', default: '0' },
    'native-crypto': { type: 'boolean', default: false },
    /** Comma list of parts to run: bulk, gets, flood (default all). */
    only: { type: 'string', default: 'bulk,gets,flood' },
  },
});

// --- the main process ------------------------------------------------------------------------------

/** CPU time so far, in ms: in user space (the app's JavaScript and crypto) and in the kernel. */
interface CpuMs {
  user: number;
  system: number;
}

/** utime and stime of a process from /proc/<pid>/stat, in ms. */
async function processCpuMs(pid: number): Promise<CpuMs> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime/stime are 14/15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ms = (ticks: string | undefined) => (Number(ticks) * 1000) / CLOCK_TICKS;
  return { user: ms(fields[11]), system: ms(fields[12]) };
}
/** USER_HZ: 100 on every Linux build that matters here (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

function median(xs: number[]): number {
  return percentile(xs, 50);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

function parseSize(text: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) throw new Error(`Cannot read the size "${text}" (e.g. 100M)`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase()]!;
  return Number(m[1]) * unit;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`ssh exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nothing listens on ${port}`);
}

async function mainRole(): Promise<void> {
  if (!values['native-crypto']) keepNativeCryptoOff();
  // Loaded after the hook above, so ssh2 sees it.
  const { SshConnection } = await import('../src/core/ssh/ssh-connection');
  const { TerminalService } = await import('../src/core/ssh/terminal-service');
  const { startOpenSshServer } = await import('../test/helpers/openssh-server');

  const bytes = parseSize(values.bytes);
  const runs = Number(values.runs);
  const getCount = Number(values.gets);
  const warmUps = Number(values['warm-up']);
  const flood = parseSize(values.flood);

  const pinned = values.cipher;
  const server = await startOpenSshServer({ extraConfig: pinned ? [`Ciphers ${pinned}`] : [] });
  const dir = await mkdtemp(join(tmpdir(), 'bench-tunnel-'));
  const load = await startLoad();
  const { bulkPort, webPort, ask } = load;
  const cleanups: (() => unknown)[] = [];
  try {
    // With --rtt, every SSH client reaches sshd through the delaying relay.
    const rttMs = Number(values.rtt);
    const sshPort =
      rttMs > 0
        ? (await ask<{ port: number }>({ cmd: 'delay', port: server.port, rttMs })).port
        : server.port;

    const keyFile = join(dir, 'id');
    const knownHosts = join(dir, 'known_hosts');
    await writeFile(keyFile, server.privateKey, { mode: 0o600 });
    const { stdout: hostKeyLine } = await run('ssh-keyscan', [
      '-p',
      String(sshPort),
      '-t',
      'ed25519',
      server.host,
    ]);
    await writeFile(knownHosts, hostKeyLine);
    // The app: one SSH connection, its ForwardService, its TerminalService.
    const trusted = server.hostKeyPublic;
    const connection = await SshConnection.open({
      target: {
        host: server.host,
        port: sshPort,
        username: server.username,
        privateKey: server.privateKey,
      },
      verifyHostKey: async (key) => {
        if (!key.equals(trusted)) throw new Error('host key changed during the benchmark');
      },
      ...(pinned ? { algorithms: { cipher: [pinned as CipherAlgorithm] } } : {}),
    });
    // OpenSSH runs the cipher the app negotiated, so the comparison is like for like.
    const cipher = connection.negotiated?.sc.cipher ?? pinned ?? 'aes128-gcm@openssh.com';
    const sshArgs = [
      '-p',
      String(sshPort),
      '-i',
      keyFile,
      '-c',
      cipher,
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
      '-o',
      'Compression=no',
    ];
    const login = `${server.username}@${server.host}`;

    cleanups.push(() => connection.dispose());
    const forwards = await forwardsOver(connection);
    cleanups.push(() => forwards.dispose());
    const spec = benchForwardSpec('bench');
    const appBulk = await forwards.add({ ...spec, remotePort: bulkPort, label: 'bulk' });
    const appWeb = await forwards.add({ ...spec, remotePort: webPort, label: 'web' });

    // What OpenSSH's handshake settles on with these options, from a one-off `ssh -v … true`
    // ("kex: server->client cipher: … MAC: …"); the tunnel itself runs quiet.
    const sshCipher = await run('ssh', [...sshArgs, '-v', login, 'true']).then(
      ({ stderr }) => {
        const match = /server->client cipher: (\S+) MAC: (\S+)/.exec(stderr);
        if (!match) return '?';
        return match[2] === '<implicit>' ? match[1]! : `${match[1]} + ${match[2]}`;
      },
      () => '?',
    );
    // OpenSSH: `ssh -N -L` for the same two ports.
    const [sshBulkPort, sshWebPort] = [await freePort(), await freePort()];
    const tunnel = spawn(
      'ssh',
      [
        ...sshArgs,
        '-N',
        '-o',
        'ExitOnForwardFailure=yes',
        '-L',
        `127.0.0.1:${sshBulkPort}:127.0.0.1:${bulkPort}`,
        '-L',
        `127.0.0.1:${sshWebPort}:127.0.0.1:${webPort}`,
        login,
      ],
      { stdio: 'ignore' },
    );
    cleanups.push(() => tunnel.kill());
    await waitForPort(sshBulkPort, tunnel);
    await waitForPort(sshWebPort, tunnel);

    // CPU time the tunnel itself spends (user + system, ms): this process for the app's forward,
    // the `ssh` process for OpenSSH. Steadier than throughput on a small shared machine.
    const appCpu = async (): Promise<CpuMs> => {
      const { user, system } = process.cpuUsage();
      return { user: user / 1000, system: system / 1000 };
    };
    const sshCpu = () => processCpuMs(tunnel.pid!);
    const routes = [
      { name: 'app forward', bulk: appBulk.localPort, web: appWeb.localPort, cpu: appCpu },
      { name: 'ssh -N -L', bulk: sshBulkPort, web: sshWebPort, cpu: sshCpu },
      { name: 'direct', bulk: bulkPort, web: webPort, cpu: undefined },
    ];

    console.log(
      `tunnel benchmark: sshd ${server.host}:${server.port}${rttMs ? ` behind a ${rttMs} ms RTT relay` : ''}, ` +
        `node ${process.version}\n  cipher: app ${connection.cipher}; OpenSSH ${sshCipher}` +
        `${pinned ? ' (pinned by --cipher)' : ''}`,
    );

    const parts = new Set(values.only.split(','));

    // Bulk throughput, interleaved so drift on the machine affects every route alike.
    if (parts.has('bulk')) {
      const throughput = new Map(routes.map((r) => [r.name, [] as number[]]));
      const cpuPerGiB = new Map(routes.map((r) => [r.name, [] as number[]]));
      const userPerGiB = new Map(routes.map((r) => [r.name, [] as number[]]));
      const systemPerGiB = new Map(routes.map((r) => [r.name, [] as number[]]));
      // Warm-up (JIT, heap growth, windows): 128 MiB per route, not counted.
      for (const route of routes) await ask({ cmd: 'download', port: route.bulk, bytes: 1 << 27 });
      for (let i = 0; i < runs; i++) {
        for (const route of routes) {
          const cpuBefore = await route.cpu?.();
          const { ms } = await ask<{ ms: number }>({ cmd: 'download', port: route.bulk, bytes });
          throughput.get(route.name)!.push(bytes / 1024 ** 2 / (ms / 1000));
          if (cpuBefore !== undefined) {
            const after = await route.cpu!();
            const gib = bytes / 1024 ** 3;
            const user = (after.user - cpuBefore.user) / gib;
            const system = (after.system - cpuBefore.system) / gib;
            cpuPerGiB.get(route.name)!.push(user + system);
            userPerGiB.get(route.name)!.push(user);
            systemPerGiB.get(route.name)!.push(system);
          }
        }
      }
      const ssh = throughput.get('ssh -N -L')!;
      console.log(`\nbulk download of ${(bytes / 1024 ** 2).toFixed(0)} MiB, median of ${runs}:`);
      for (const route of routes) {
        const xs = throughput.get(route.name)!;
        // The ratio is taken per round (the routes ran back to back), then the median: on a busy
        // machine that cancels most of the drift between rounds.
        const ratio = median(xs.map((x, i) => x / ssh[i]!));
        console.log(
          `  ${route.name.padEnd(12)} ${median(xs).toFixed(0).padStart(6)} MiB/s   ×${ratio.toFixed(2)} of OpenSSH` +
            `   (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`,
        );
      }
      const sshCpuPerGiB = median(cpuPerGiB.get('ssh -N -L')!);
      console.log('  CPU time of the tunnel process per GiB (median; user + system):');
      for (const route of routes.filter((r) => r.cpu)) {
        const cpu = median(cpuPerGiB.get(route.name)!);
        const user = median(userPerGiB.get(route.name)!);
        const system = median(systemPerGiB.get(route.name)!);
        console.log(
          `  ${route.name.padEnd(12)} ${cpu.toFixed(0).padStart(6)} ms/GiB   ×${(cpu / sshCpuPerGiB).toFixed(2)} of OpenSSH` +
            `   (user ${user.toFixed(0)}, system ${system.toFixed(0)})`,
        );
      }
    }

    // Sequential small GETs: a new TCP connection (and tunnel channel) per request, and one kept
    // alive (what a browser does with Jupyter).
    for (const keepAlive of parts.has('gets') ? [false, true] : []) {
      const results = new Map<string, number[]>();
      const cpu = new Map<string, number>();
      for (const route of routes) {
        // Warm-up: the load process's own HTTP client and server take ~1000 requests to get up to
        // speed, which would otherwise count against whichever route runs first; the app's
        // tunnel code (JIT tiers) shows outliers over its first ~1500.
        await ask({ cmd: 'gets', port: route.web, count: warmUps, keepAlive });
        const cpuBefore = await route.cpu?.();
        const { ms } = await ask<{ ms: number[] }>({
          cmd: 'gets',
          port: route.web,
          count: getCount,
          keepAlive,
        });
        results.set(route.name, ms);
        if (cpuBefore !== undefined) {
          const after = await route.cpu!();
          cpu.set(route.name, after.user + after.system - cpuBefore.user - cpuBefore.system);
        }
      }
      const base = results.get('ssh -N -L')!;
      console.log(
        `\n${getCount} sequential GETs, ${keepAlive ? 'one kept-alive connection' : 'a new connection each'}:`,
      );
      for (const route of routes) {
        const ms = results.get(route.name)!;
        const p50 = percentile(ms, 50);
        const p99 = percentile(ms, 99);
        console.log(
          `  ${route.name.padEnd(12)} p50 ${p50.toFixed(3).padStart(7)} ms  p99 ${p99.toFixed(3).padStart(7)} ms` +
            `   ×${(p50 / percentile(base, 50)).toFixed(2)} / ×${(p99 / percentile(base, 99)).toFixed(2)} of OpenSSH`,
        );
      }
      // CPU of the tunnel process per request: steadier than latency on a busy machine.
      const sshUs = (cpu.get('ssh -N -L')! * 1000) / getCount;
      for (const [name, ms] of cpu) {
        const us = (ms * 1000) / getCount;
        console.log(
          `  CPU per request, ${name.padEnd(12)} ${us.toFixed(0).padStart(5)} µs   ×${(us / sshUs).toFixed(2)} of OpenSSH`,
        );
      }
    }

    // Terminal flood: the same command in a pty, core with acks as the UI sends them vs ssh -tt.
    const command = `head -c ${flood} /dev/zero | base64; exit\n`;
    const terminals = new TerminalService();
    cleanups.push(() => terminals.dispose());
    // How long the core's event loop stalls while it carries the flood: in the app the same loop
    // (the Electron main process today) also serves the UI, the tray and every other tunnel.
    const floodDelayP99: number[] = [];
    const coreFlood = async (): Promise<number> => {
      const owner = {
        connectionId: 'bench',
        poolId: 'bench',
        instanceId: 'sshd',
        instanceName: 'sshd',
      };
      let firstData: () => void = () => {};
      const prompt = new Promise<void>((resolve) => (firstData = resolve));
      let id = '';
      const data = terminals.onData((e) => {
        if (e.terminalId !== id) return;
        firstData();
        // The UI acks once xterm.js has rendered; here at once (the core's own ceiling).
        setImmediate(() => terminals.ack(e.terminalId, e.data.length));
      });
      const exited = new Promise<void>((resolve) => {
        const sub = terminals.onDidExit((e) => {
          if (e.terminalId !== id) return;
          sub.dispose();
          resolve();
        });
      });
      id = (await terminals.open(connection, owner, { cols: 120, rows: 40 })).id;
      await prompt;
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const started = performance.now();
      terminals.write(id, command);
      await exited;
      const ms = performance.now() - started;
      delay.disable();
      floodDelayP99.push(delay.percentile(99) / 1e6);
      data.dispose();
      return ms;
    };
    const sshFlood = async (): Promise<number> => {
      const child = spawn('ssh', [...sshArgs, '-tt', login], { stdio: ['pipe', 'pipe', 'ignore'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.on('data', () => {});
      const done = new Promise<void>((resolve) => child.once('close', () => resolve()));
      const started = performance.now();
      child.stdin.write(command);
      await done;
      return performance.now() - started;
    };
    const floodTimes = { core: [] as number[], ssh: [] as number[] };
    for (let i = 0; i < (parts.has('flood') ? runs : 0); i++) {
      floodTimes.core.push(await coreFlood());
      floodTimes.ssh.push(await sshFlood());
    }
    if (!parts.has('flood')) return;
    const sshMs = median(floodTimes.ssh);
    const coreMs = median(floodTimes.core);
    const floodRatio = median(floodTimes.core.map((x, i) => x / floodTimes.ssh[i]!));
    console.log(
      `\nterminal flood (${values.flood} of zeros through base64 in a pty), median of ${runs}:`,
    );
    console.log(
      `  core TerminalService ${coreMs.toFixed(0).padStart(6)} ms   ×${floodRatio.toFixed(2)} of OpenSSH's time (lower is better)`,
    );
    console.log(`  ssh -tt              ${sshMs.toFixed(0).padStart(6)} ms`);
    console.log(
      `  event-loop delay p99 during the flood (app core): ${median(floodDelayP99).toFixed(1)} ms` +
        `   (runs: ${floodDelayP99.map((x) => x.toFixed(1)).join(', ')})`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
    load.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

mainRole().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
