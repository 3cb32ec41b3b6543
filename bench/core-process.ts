// Benchmark (not a test): main's event-loop delay while a terminal floods, with the core in main
// (before issue #14) vs the core in the utility process (after; a worker-thread stand-in of it).
// In both modes the page runs in its own worker thread, as in the app it runs in another process,
// and drives the real core over the contract through a MessageChannel: connect to a pool, trust
// the host key, open a terminal, run `head -c <flood> /dev/zero | base64`, ack every chunk, and
// time until a marker printed after it. The pool (--pool): `sshd` (default), an ssh-hosts pool of
// one real OpenSSH server on 127.0.0.1 (test/helpers/openssh-server.ts; the terminal runs in tmux
// there, as on a VM), so the core does only the client side, as with a VM; or `local`, the local
// sandbox pool, whose SSH server (ssh2's, in the core) then runs in the core's thread too.
// Run: node --import tsx bench/core-process.ts [--runs 3] [--flood 100M] [--pool sshd|local]
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  MessageChannel,
  Worker,
  isMainThread,
  parentPort,
  type MessagePort,
} from 'node:worker_threads';

/** Main thread ↔ page worker. */
type ToPage =
  | { kind: 'port'; port: MessagePort; flood: number; target: Target }
  | { kind: 'go' }
  | { kind: 'bye' };
/** What the page connects to: the local sandbox pool, or an ssh-hosts pool of one sshd. */
type Target = { kind: 'local' } | { kind: 'sshd'; port: number; user: string; keyPath: string };
type FromPage = { kind: 'ready' } | { kind: 'done'; ms: number; chars: number };

/**
 * The shell prints this after the flood; the typed command (echoed back) holds `$((6*7))` where
 * the output has 42, so only the shell's answer matches. base64 of zeros is all `A`s.
 */
const MARKER = 'FLOOD-42-DONE';
const floodCommand = (bytes: number) =>
  `head -c ${bytes} /dev/zero | base64; echo FLOOD-$((6*7))-DONE\n`;

// --- the page (a worker thread) ------------------------------------------------------------------

async function pageRole(): Promise<void> {
  const { RpcClient } = await import('../src/common/rpc');
  const { MessagePortMainTransport } = await import('../src/common/transports/message-port-main');
  const { portLike } = await import('../test/helpers/utility-stand-in');
  const control = parentPort!;
  const next = <K extends ToPage['kind']>(kind: K) =>
    new Promise<Extract<ToPage, { kind: K }>>((resolve, reject) =>
      control.once('message', (m: ToPage) =>
        m.kind === kind
          ? resolve(m as Extract<ToPage, { kind: K }>)
          : reject(new Error(`page: ${m.kind}?`)),
      ),
    );
  const tell = (m: FromPage) => control.postMessage(m);

  const { port, flood, target } = await next('port');
  const ui = new RpcClient(new MessagePortMainTransport(portLike(port)));
  // What the user does at the host-key question of a fresh data folder: trust it.
  ui.on('prompts.onDidOpen', (p) => {
    if (p.kind === 'host-key')
      ui.call('prompts.answer', { promptId: p.id, accept: true }).catch(() => {});
  });
  let chars = 0;
  /** The end of what came so far (a marker may straddle two chunks), and whether it came. */
  let tail = '';
  let seen = false;
  let onChunk: () => void = () => {};
  ui.on('terminals.onData', (e) => {
    // The UI acks once xterm.js has rendered; here as soon as the chunk arrives.
    ui.call('terminals.ack', { terminalId: e.terminalId, chars: e.data.length }).catch(() => {});
    chars += e.data.length;
    // Anywhere in a chunk: behind a flood, tmux's catch-up redraws the screen, the marker on
    // a line above the prompt and cursor moves after it.
    const text = tail + e.data;
    seen ||= text.includes(MARKER);
    tail = text.slice(-64);
    onChunk();
  });
  const until = (test: () => boolean) =>
    new Promise<void>((resolve) => {
      onChunk = () => {
        if (!test()) return;
        onChunk = () => {};
        resolve();
      };
    });

  let poolId = 'local';
  if (target.kind === 'sshd') {
    const pool = await ui.call('pools.saveSshHosts', {
      name: 'Bench sshd',
      hosts: [
        {
          name: 'sshd',
          address: '127.0.0.1',
          port: target.port,
          user: target.user,
          keyPath: target.keyPath,
          useAgent: false,
        },
      ],
    });
    poolId = pool.id;
    // The pool's first probe tells whether its host answers; Connect needs it running.
    for (let i = 0; ; i++) {
      const pools = await ui.call('pools.list', {});
      const state = pools.find((p) => p.id === poolId)?.instances[0]?.state;
      if (state === 'running') break;
      if (i > 500) throw new Error(`the bench's sshd is ${state ?? 'not listed'}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const connection = await ui.call('connections.connect', { poolId });
  const prompt = until(() => chars > 0);
  const terminal = await ui.call('terminals.open', {
    connectionId: connection.id,
    cols: 120,
    rows: 40,
  });
  await prompt;
  tell({ kind: 'ready' });
  await next('go');

  const marker = until(() => seen);
  chars = 0;
  tail = '';
  seen = false;
  const started = performance.now();
  await ui.call('terminals.write', { terminalId: terminal.id, data: floodCommand(flood) });
  await marker;
  tell({ kind: 'done', ms: performance.now() - started, chars });
  await next('bye');
  ui.dispose();
}

// --- main's thread ---------------------------------------------------------------------------------

type Mode = 'core in main' | 'utility';

interface Sample {
  ms: number;
  /** Main's event-loop delay during the flood, ms. */
  p50: number;
  p99: number;
  max: number;
  /** CPU time of main's own thread during the flood, ms. */
  cpu: number;
  chars: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function parseSize(text: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) throw new Error(`Cannot read the size "${text}" (e.g. 100M)`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase()]!;
  return Number(m[1]) * unit;
}

/**
 * utime + stime of main's thread alone (its task in /proc has the process id), in ms;
 * process.cpuUsage() would add the workers' threads (the core's, in the utility mode).
 */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // USER_HZ is 100 on every Linux build that matters here (`getconf CLK_TCK`).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Starts this file again in a worker thread as the page (tsx registered first, as in Node 20 a
 * worker's entry runs before the parent's --import hooks reach it). */
function startPage(): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot =
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); ` +
    `return import(${JSON.stringify(import.meta.url)}); });`;
  return new Worker(boot, { eval: true });
}

async function mainRole(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      flood: { type: 'string', default: '100M' },
      pool: { type: 'string', default: 'sshd' },
    },
  });
  if (values.pool !== 'sshd' && values.pool !== 'local') {
    throw new Error(`--pool is sshd or local, not "${values.pool}"`);
  }
  const runs = Number(values.runs);
  const flood = parseSize(values.flood);
  const { createAppCore } = await import('../src/core/app-core');
  const { resourcePaths } = await import('../src/core/resource-paths');
  const { inProcessCore } = await import('../src/main/shell-core');
  const { UtilityCore } = await import('../src/main/utility-core');
  const { forkStandIn, portLike } = await import('../test/helpers/utility-stand-in');
  const { startOpenSshServer } = await import('../test/helpers/openssh-server');

  // One sshd for every run; the key it accepts, in a file the ssh-hosts pool points at.
  const server = values.pool === 'sshd' ? await startOpenSshServer() : undefined;
  const keyDir = await mkdtemp(join(os.tmpdir(), 'bench-core-process-key-'));
  let target: Target = { kind: 'local' };
  if (server) {
    const keyPath = join(keyDir, 'id_ed25519');
    await writeFile(keyPath, server.privateKey, { mode: 0o600 });
    target = { kind: 'sshd', port: server.port, user: server.username, keyPath };
  }

  const quiet = {
    info: () => {},
    warn: () => {},
    error: (line: string) => console.error(line),
  };
  const startCore = (mode: Mode, dataDir: string) =>
    mode === 'core in main'
      ? createAppCore({ dataDir, shell: 'electron', version: 'bench', log: () => {} }).then(
          inProcessCore,
        )
      : UtilityCore.start({
          fork: () => forkStandIn({ core: 'real' }),
          start: { dataDir, version: 'bench', resources: { ...resourcePaths() } },
          logger: quiet,
        });

  async function once(mode: Mode): Promise<Sample> {
    const dataDir = await mkdtemp(join(os.tmpdir(), 'bench-core-process-'));
    const core = await startCore(mode, dataDir);
    const page = startPage();
    let leaving = false;
    const exited = new Promise<void>((resolve) => page.once('exit', () => resolve()));
    // A page that throws ends with 'error'; one that ends before its bye is a failure too.
    const failed = new Promise<never>((_, reject) => {
      page.once('error', reject);
      page.once('exit', (code) => {
        if (!leaving) reject(new Error(`the page ended early (exit code ${code})`));
      });
    });
    failed.catch(() => {});
    const next = <K extends FromPage['kind']>(kind: K) =>
      Promise.race([
        failed,
        new Promise<Extract<FromPage, { kind: K }>>((resolve) =>
          page.once('message', (m: FromPage) => {
            if (m.kind === kind) resolve(m as Extract<FromPage, { kind: K }>);
          }),
        ),
      ]);
    try {
      // Main keeps one end (wrapped as Electron's MessagePortMain) and serves the core on it;
      // the page gets the other end. In the utility mode the core's process takes main's end.
      const { port1, port2 } = new MessageChannel();
      core.serve(portLike(port1));
      page.postMessage({ kind: 'port', port: port2, flood, target } satisfies ToPage, [port2]);
      await next('ready');

      const delay = monitorEventLoopDelay({ resolution: 1 });
      const cpuBefore = mainThreadCpuMs();
      delay.enable();
      page.postMessage({ kind: 'go' } satisfies ToPage);
      const done = await next('done');
      delay.disable();
      const cpu = mainThreadCpuMs() - cpuBefore;
      leaving = true;
      page.postMessage({ kind: 'bye' } satisfies ToPage);
      await exited;
      return {
        ms: done.ms,
        p50: delay.percentile(50) / 1e6,
        p99: delay.percentile(99) / 1e6,
        max: delay.max / 1e6,
        cpu,
        chars: done.chars,
      };
    } finally {
      // A page that failed is ended here; one that said bye has ended already.
      await page.terminate();
      await core.dispose();
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  console.log(
    `core-process benchmark: node ${process.version}, ${os.availableParallelism()} cores, ` +
      `load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}, ${new Date().toISOString()}`,
  );
  const modes: Mode[] = ['core in main', 'utility'];
  const samples = new Map<Mode, Sample[]>(modes.map((m) => [m, []]));
  try {
    for (let i = 0; i < runs; i++) {
      for (const mode of modes) samples.get(mode)!.push(await once(mode));
    }
  } finally {
    await server?.stop();
    await rm(keyDir, { recursive: true, force: true });
  }

  const before = samples.get('core in main')!;
  const after = samples.get('utility')!;
  console.log(
    `\nterminal flood (${values.flood} of zeros through base64, ${median(after.map((s) => s.chars))} ` +
      `characters to the page, pool: ${values.pool === 'sshd' ? 'one OpenSSH server, tmux' : 'the local sandbox, its SSH server in the core'}), ` +
      `main's event loop, median of ${runs}, modes alternating:`,
  );
  const rows: [string, (s: Sample) => number, number][] = [
    ['flood time (ms)', (s) => s.ms, 0],
    ['event-loop delay p50 (ms)', (s) => s.p50, 2],
    ['event-loop delay p99 (ms)', (s) => s.p99, 2],
    ['event-loop delay max (ms)', (s) => s.max, 1],
    ["main thread's CPU (ms)", (s) => s.cpu, 0],
  ];
  console.log(
    `  ${''.padEnd(27)}${'core in main'.padStart(14)}${'utility'.padStart(12)}   after/before` +
      '   (runs: before | after)',
  );
  for (const [name, of, digits] of rows) {
    const xs = before.map(of);
    const ys = after.map(of);
    // Per run pair (run back to back), then the median: drift on a shared machine mostly cancels.
    const ratio = median(ys.map((y, i) => y / xs[i]!));
    const list = (vs: number[]) => vs.map((v) => v.toFixed(digits)).join(', ');
    console.log(
      `  ${name.padEnd(27)}${median(xs).toFixed(digits).padStart(14)}${median(ys).toFixed(digits).padStart(12)}` +
        `   ×${ratio.toFixed(2).padEnd(10)}   (${list(xs)} | ${list(ys)})`,
    );
  }
  console.log(
    "  (delay: monitorEventLoopDelay, 1 ms resolution, from the flood's command to its marker; " +
      "CPU: main's thread only, /proc/self/task/<pid>/stat)",
  );
}

if (isMainThread) {
  mainRole().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  // A rejection here ends the worker with an 'error' event, which main reports.
  await pageRole();
}
