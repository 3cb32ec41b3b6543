// Benchmark (not a test): the app's SSH socket read into one reused buffer (`onread`, the default)
// against a new buffer per read (a plain socket), through the app's port forward to a real sshd,
// in one process, modes alternating so drift on the machine affects both alike. Per mode: CPU
// time of this process per GiB of bulk download and throughput, V8's major (mark-compact) and
// minor collections per GiB, and CPU per request and p50/p99 of kept-alive GETs. The traffic's
// source and sink run in bench/tunnel-load.ts's process, as in bench/tunnel.ts.
// Run: node --import tsx bench/read-buffer.ts [--bytes 512M] [--rounds 8] [--gets 2000]
//      [--native-crypto]
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchForwardSpec, forwardsOver, keepNativeCryptoOff, startLoad } from './app-forward';

const { values } = parseArgs({
  options: {
    bytes: { type: 'string', default: '512M' },
    rounds: { type: 'string', default: '8' },
    gets: { type: 'string', default: '2000' },
    'native-crypto': { type: 'boolean', default: false },
  },
});

function parseSize(text: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) throw new Error(`Cannot read the size "${text}" (e.g. 512M)`);
  return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase()]!;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const median = (xs: number[]) => percentile(xs, 50);

/** Collections V8 has reported so far: major (mark-compact) and minor (scavenge). */
const gcCounts = { major: 0, minor: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcCounts.major++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcCounts.minor++;
  }
}).observe({ entryTypes: ['gc'] });

async function main(): Promise<void> {
  if (!values['native-crypto']) keepNativeCryptoOff();
  // Loaded after the hook above, so ssh2 sees it.
  const { SshConnection } = await import('../src/core/ssh/ssh-connection');
  const { startOpenSshServer } = await import('../test/helpers/openssh-server');

  const bytes = parseSize(values.bytes);
  const rounds = Number(values.rounds);
  const getCount = Number(values.gets);
  const server = await startOpenSshServer();
  const load = await startLoad();
  const { bulkPort, webPort, ask } = load;
  const cleanups: (() => unknown)[] = [];
  try {
    const modes = [
      { name: 'one reused buffer', reuseReadBuffer: true },
      { name: 'buffer per read', reuseReadBuffer: false },
    ].map((mode) => ({
      ...mode,
      bulk: 0,
      web: 0,
      cpuPerGiB: [] as number[],
      mibps: [] as number[],
      majorPerGiB: [] as number[],
      minorPerGiB: [] as number[],
      getUs: [] as number[],
      getMs: [] as number[],
    }));
    let cipher = '';
    for (const mode of modes) {
      const connection = await SshConnection.open({
        target: {
          host: server.host,
          port: server.port,
          username: server.username,
          privateKey: server.privateKey,
        },
        verifyHostKey: async (key) => {
          if (!key.equals(server.hostKeyPublic)) throw new Error('host key changed');
        },
        reuseReadBuffer: mode.reuseReadBuffer,
      });
      cipher = connection.cipher ?? '?';
      cleanups.push(() => connection.dispose());
      const forwards = await forwardsOver(connection);
      cleanups.push(() => forwards.dispose());
      const spec = benchForwardSpec(mode.name);
      mode.bulk = (await forwards.add({ ...spec, remotePort: bulkPort, label: 'bulk' })).localPort;
      mode.web = (await forwards.add({ ...spec, remotePort: webPort, label: 'web' })).localPort;
    }
    console.log(
      `read-buffer benchmark: sshd ${server.host}:${server.port}, node ${process.version}, ${cipher}`,
    );

    // Warm-up (JIT, heap growth, windows), not counted.
    for (const mode of modes) {
      await ask({ cmd: 'download', port: mode.bulk, bytes: 1 << 27 });
      await ask({ cmd: 'gets', port: mode.web, count: 1000, keepAlive: true });
    }
    const gib = bytes / 1024 ** 3;
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 ? [...modes].reverse() : modes) {
        const gcBefore = { ...gcCounts };
        const cpuBefore = process.cpuUsage();
        const { ms } = await ask<{ ms: number }>({ cmd: 'download', port: mode.bulk, bytes });
        const cpu = process.cpuUsage(cpuBefore);
        mode.cpuPerGiB.push((cpu.user + cpu.system) / 1000 / gib);
        mode.mibps.push(bytes / 1024 ** 2 / (ms / 1000));
        mode.majorPerGiB.push((gcCounts.major - gcBefore.major) / gib);
        mode.minorPerGiB.push((gcCounts.minor - gcBefore.minor) / gib);
      }
    }
    for (let round = 0; round < Math.min(rounds, 4); round++) {
      for (const mode of round % 2 ? [...modes].reverse() : modes) {
        const cpuBefore = process.cpuUsage();
        const count = Math.ceil(getCount / 4);
        const { ms } = await ask<{ ms: number[] }>({
          cmd: 'gets',
          port: mode.web,
          count,
          keepAlive: true,
        });
        const cpu = process.cpuUsage(cpuBefore);
        mode.getUs.push((cpu.user + cpu.system) / count);
        mode.getMs.push(...ms);
      }
    }

    const [reused, fresh] = modes as [(typeof modes)[0], (typeof modes)[0]];
    // Ratios per round (the two modes ran back to back), then the median.
    const ratio = (xs: number[], ys: number[]) => median(xs.map((x, i) => x / ys[i]!));
    console.log(
      `\nbulk download of ${(bytes / 1024 ** 2).toFixed(0)} MiB through the forward, median of ${rounds}:`,
    );
    for (const mode of modes) {
      console.log(
        `  ${mode.name.padEnd(18)} ${median(mode.cpuPerGiB).toFixed(0).padStart(5)} ms CPU/GiB` +
          `  ${median(mode.mibps).toFixed(0).padStart(4)} MiB/s` +
          `  mark-compacts ${median(mode.majorPerGiB).toFixed(1).padStart(5)}/GiB` +
          `  scavenges ${median(mode.minorPerGiB).toFixed(1).padStart(5)}/GiB` +
          `   (CPU runs: ${mode.cpuPerGiB.map((x) => x.toFixed(0)).join(', ')})`,
      );
    }
    console.log(
      `  reused ÷ per read: CPU per GiB ×${ratio(reused.cpuPerGiB, fresh.cpuPerGiB).toFixed(2)},` +
        ` throughput ×${ratio(reused.mibps, fresh.mibps).toFixed(2)}`,
    );
    console.log(`\n${getCount} kept-alive GETs per mode (in blocks, alternating):`);
    for (const mode of modes) {
      console.log(
        `  ${mode.name.padEnd(18)} p50 ${percentile(mode.getMs, 50).toFixed(3)} ms` +
          `  p99 ${percentile(mode.getMs, 99).toFixed(3)} ms  CPU ${median(mode.getUs).toFixed(0)} µs/GET`,
      );
    }
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
    load.stop();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
