// Benchmark (not a test): the app's port forward and terminal against OpenSSH, side by side in one
// run, same sshd, same cipher: bulk throughput (app forward vs `ssh -N -L` vs direct), sequential
// small HTTP GETs (p50/p99), and a terminal flood (core TerminalService with acks vs `ssh -tt`).
// Run: node --import tsx bench/tunnel.ts [--bytes 1073741824] [--runs 3] [--gets 1000]
//      [--flood 100M] [--native-crypto] [--only bulk,gets,flood] [--rtt 0] [--warm-up 2000]
// Without --native-crypto, ssh2's optional native binding is kept from loading, as in the shipped
// app (allowScripts denies building it for Electron), so ssh2 uses Node's own crypto.
import { execFile, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const CIPHER = 'aes128-gcm@openssh.com';
const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
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

// --- the load process: target servers and the clients that measure them -------------------------
// A separate process, so the app's tunnel (in the main process, as in the app's core) does not
// share its event loop with the traffic's source and sink.

type LoadRequest =
  | { cmd: 'download'; port: number; bytes: number }
  | { cmd: 'gets'; port: number; count: number; keepAlive: boolean }
  | { cmd: 'delay'; port: number; rttMs: number };

async function loadRole(): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  const bulk = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.once('data', (line: Buffer) => {
      let left = Number(line.toString('latin1').trim());
      const pump = () => {
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= piece.length;
          if (!socket.write(piece)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
  });
  const web = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end('ok\n');
  });
  await Promise.all(
    [bulk, web].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))),
  );
  const port = (s: net.Server) => (s.address() as net.AddressInfo).port;
  process.send!({ bulkPort: port(bulk), webPort: port(web) });

  process.on('message', (req: LoadRequest) => {
    const reply = (result: unknown) => process.send!(result);
    if (req.cmd === 'download') void download(req.port, req.bytes).then(reply);
    else if (req.cmd === 'gets') void gets(req.port, req.count, req.keepAlive).then(reply);
    else void delayProxy(req.port, req.rttMs).then(reply);
  });
  process.on('disconnect', () => process.exit(0));
}

/**
 * A relay to `port` that holds every byte for half the round trip each way and buffers without
 * limit: a long fat link where only the SSH channel windows limit what is in flight.
 */
async function delayProxy(port: number, rttMs: number): Promise<{ port: number }> {
  const relay = (from: net.Socket, to: net.Socket) => {
    const queue: { at: number; data: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const now = performance.now();
      while (queue.length && queue[0]!.at <= now) to.write(queue.shift()!.data);
      if (queue.length) timer = setTimeout(flush, queue[0]!.at - now);
    };
    from.on('data', (data: Buffer) => {
      queue.push({ at: performance.now() + rttMs / 2, data });
      timer ??= setTimeout(flush, rttMs / 2);
    });
    from.on('close', () => setTimeout(() => to.destroy(), rttMs));
    from.on('error', () => {});
  };
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: '127.0.0.1', port }, () => upstream.setNoDelay(true));
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port };
}

function download(port: number, bytes: number): Promise<{ ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(`${bytes}\n`));
    let received = 0;
    socket.on('data', (data: Buffer) => (received += data.length));
    socket.on('error', reject);
    socket.on('close', () => {
      if (received !== bytes) reject(new Error(`received ${received} of ${bytes} bytes`));
      else resolve({ ms: performance.now() - started });
    });
  });
}

async function gets(port: number, count: number, keepAlive: boolean): Promise<{ ms: number[] }> {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: `/${i}`, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
    ms.push(performance.now() - started);
  }
  if (agent) agent.destroy();
  return { ms };
}

// --- the main process ------------------------------------------------------------------------------

/** utime + stime of a process from /proc/<pid>/stat, in ms. */
async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime/stime are 14/15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
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
  const nativeCrypto = values['native-crypto'];
  if (!nativeCrypto) {
    // Make ssh2's `require('./crypto/build/Release/sshcrypto.node')` fail, as when it is not built.
    const Module = createRequire(import.meta.url)('node:module') as {
      prototype: { require: (this: unknown, id: string) => unknown };
    };
    const original = Module.prototype.require;
    Module.prototype.require = function (this: unknown, id: string) {
      if (id.endsWith('sshcrypto.node')) throw new Error('native crypto disabled for the bench');
      return original.call(this, id);
    };
  }
  // Loaded after the hook above, so ssh2 sees it.
  const { SshConnection } = await import('../src/core/ssh/ssh-connection');
  const { ForwardService } = await import('../src/core/ssh/forward-service');
  const { TerminalService } = await import('../src/core/ssh/terminal-service');
  const { startOpenSshServer } = await import('../test/helpers/openssh-server');
  const sshCrypto = createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as {
    bindingAvailable: boolean;
  };

  const bytes = parseSize(values.bytes);
  const runs = Number(values.runs);
  const getCount = Number(values.gets);
  const warmUps = Number(values['warm-up']);
  const flood = parseSize(values.flood);

  const server = await startOpenSshServer({ extraConfig: [`Ciphers ${CIPHER}`] });
  const dir = await mkdtemp(join(tmpdir(), 'bench-tunnel-'));
  const load = fork(fileURLToPath(import.meta.url), ['--role', 'load'], {
    execArgv: ['--import', 'tsx'],
  });
  const cleanups: (() => unknown)[] = [];
  try {
    const { bulkPort, webPort } = await new Promise<{ bulkPort: number; webPort: number }>(
      (resolve) => load.once('message', resolve as (m: unknown) => void),
    );
    const ask = <T>(req: LoadRequest) =>
      new Promise<T>((resolve) => {
        load.once('message', resolve as (m: unknown) => void);
        load.send(req);
      });

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
    const sshArgs = [
      '-p',
      String(sshPort),
      '-i',
      keyFile,
      '-c',
      CIPHER,
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
      algorithms: { cipher: [CIPHER] },
    });
    cleanups.push(() => connection.dispose());
    const link = {
      state: () => 'connected' as const,
      current: () => connection,
      waitForLink: async () => connection,
      onDidChange: () => ({ dispose() {} }),
    };
    const forwards = new ForwardService({ links: link });
    cleanups.push(() => forwards.dispose());
    const spec = {
      connectionId: 'bench',
      poolId: 'bench',
      instanceName: 'sshd',
      remoteHost: '127.0.0.1',
      kind: 'custom' as const,
    };
    const appBulk = await forwards.add({ ...spec, remotePort: bulkPort, label: 'bulk' });
    const appWeb = await forwards.add({ ...spec, remotePort: webPort, label: 'web' });

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
    const appCpuMs = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
    const sshCpuMs = () => processCpuMs(tunnel.pid!);
    const routes = [
      { name: 'app forward', bulk: appBulk.localPort, web: appWeb.localPort, cpuMs: appCpuMs },
      { name: 'ssh -N -L', bulk: sshBulkPort, web: sshWebPort, cpuMs: sshCpuMs },
      { name: 'direct', bulk: bulkPort, web: webPort, cpuMs: undefined },
    ];

    console.log(
      `tunnel benchmark: sshd ${server.host}:${server.port}${rttMs ? ` behind a ${rttMs} ms RTT relay` : ''}, cipher ${CIPHER}, ` +
        `ssh2 native crypto ${sshCrypto.bindingAvailable ? 'on' : 'off'}, node ${process.version}`,
    );

    const parts = new Set(values.only.split(','));

    // Bulk throughput, interleaved so drift on the machine affects every route alike.
    if (parts.has('bulk')) {
      const throughput = new Map(routes.map((r) => [r.name, [] as number[]]));
      const cpuPerGiB = new Map(routes.map((r) => [r.name, [] as number[]]));
      // Warm-up (JIT, heap growth, windows): 128 MiB per route, not counted.
      for (const route of routes) await ask({ cmd: 'download', port: route.bulk, bytes: 1 << 27 });
      for (let i = 0; i < runs; i++) {
        for (const route of routes) {
          const cpuBefore = await route.cpuMs?.();
          const { ms } = await ask<{ ms: number }>({ cmd: 'download', port: route.bulk, bytes });
          throughput.get(route.name)!.push(bytes / 1024 ** 2 / (ms / 1000));
          if (cpuBefore !== undefined)
            cpuPerGiB
              .get(route.name)!
              .push(((await route.cpuMs!()) - cpuBefore) / (bytes / 1024 ** 3));
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
      const sshCpu = median(cpuPerGiB.get('ssh -N -L')!);
      console.log('  CPU time of the tunnel process per GiB (median):');
      for (const route of routes.filter((r) => r.cpuMs)) {
        const cpu = median(cpuPerGiB.get(route.name)!);
        console.log(
          `  ${route.name.padEnd(12)} ${cpu.toFixed(0).padStart(6)} ms/GiB   ×${(cpu / sshCpu).toFixed(2)} of OpenSSH`,
        );
      }
    }

    // Sequential small GETs: a new TCP connection (and tunnel channel) per request, and one kept
    // alive (what a browser does with Jupyter).
    for (const keepAlive of parts.has('gets') ? [false, true] : []) {
      const results = new Map<string, number[]>();
      for (const route of routes) {
        // Warm-up: the load process's own HTTP client and server take ~1000 requests to get up to
        // speed, which would otherwise count against whichever route runs first; the app's
        // tunnel code (JIT tiers) shows outliers over its first ~1500.
        await ask({ cmd: 'gets', port: route.web, count: warmUps, keepAlive });
        const { ms } = await ask<{ ms: number[] }>({
          cmd: 'gets',
          port: route.web,
          count: getCount,
          keepAlive,
        });
        results.set(route.name, ms);
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
    }

    // Terminal flood: the same command in a pty, core with acks as the UI sends them vs ssh -tt.
    const command = `head -c ${flood} /dev/zero | base64; exit\n`;
    const terminals = new TerminalService();
    cleanups.push(() => terminals.dispose());
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
      const started = performance.now();
      terminals.write(id, command);
      await exited;
      data.dispose();
      return performance.now() - started;
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
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
    load.disconnect();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

(values.role === 'load' ? loadRole() : mainRole()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
