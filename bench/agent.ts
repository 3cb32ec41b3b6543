// Benchmark (not a test): the on-VM agent with a pool of 50 registry users — `apply` with nothing
// to do (what the timer runs every minute) and `status --json`, median times.
//   1. in-process against a temporary root (fake machine: no process starts, no real users);
//   2. as root, the bundled CLI on a throwaway VM (mount namespace with overlay /etc, /var,
//      /usr/local and a temp /home; real getent/useradd/mount), process start included.
// Run: node --import tsx bench/agent.ts [--users 50] [--runs 15]
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { runApply } from '../src/agent/apply';
import { runCli } from '../src/agent/run-cli';
import { makeMachine, writeRegistry } from '../test/unit/agent/fake-system';
import { ed25519Line } from '../test/helpers/ssh-keys';
import { makeTestVm } from '../test/integration/agent/namespace';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '50' },
    runs: { type: 'string', default: '15' },
  },
});
const USERS = Number(values.users);
const RUNS = Number(values.runs);
const repo = fileURLToPath(new URL('..', import.meta.url));

const median = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

function registry(prefix: string) {
  return {
    version: 1,
    members: Array.from({ length: USERS }, (_, i) => ({
      name: `${prefix}${String(i).padStart(2, '0')}`,
      sshKeys: [ed25519Line(`${prefix}${i}@laptop`)],
    })),
  };
}

async function inProcess(): Promise<void> {
  const machine = await makeMachine();
  try {
    await writeRegistry(machine, registry('user'));
    const first = performance.now();
    const initial = await runApply(machine.system, { waitMs: 0 });
    const firstMs = performance.now() - first;
    if (initial.exitCode !== 0) throw new Error(initial.report?.errors.join('\n'));
    const apply: number[] = [];
    const status: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      const outcome = await runApply(machine.system, { waitMs: 0 });
      apply.push(performance.now() - t);
      if (outcome.report?.changes.length) throw new Error('apply had something to do');
      t = performance.now();
      await runCli(['status', '--json'], { system: machine.system, write: () => undefined });
      status.push(performance.now() - t);
    }
    console.log(`in-process, temp root, ${USERS} users (fake machine):`);
    console.log(`  first apply (creates everything)   ${ms(firstMs)}`);
    console.log(`  apply, nothing to do      median  ${ms(median(apply))}`);
    console.log(`  status --json             median  ${ms(median(status))}`);
  } finally {
    await machine.cleanup();
  }
}

async function bundled(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('bundled CLI on a throwaway VM: skipped (needs root for mount namespaces)');
    return;
  }
  await promisify(execFile)(process.execPath, [join(repo, 'scripts/build-agent.mjs')], {
    cwd: repo,
  });
  const vm = await makeTestVm();
  try {
    const share = join(vm.dir, 'share');
    await mkdir(join(share, '.pool'), { recursive: true });
    await writeFile(join(share, '.pool/users.json'), JSON.stringify(registry('bench')));
    await writeFile(
      join(vm.dir, 'agent.json'),
      JSON.stringify({
        version: 1,
        share: { protocol: 'bind', source: share, mountPoint: join(vm.dir, 'mnt/pool') },
        shareName: 'pool',
        adminUser: 'benchadmin',
        computerName: 'bench-vm',
      }),
    );
    const bundle = join(repo, 'out/agent/dsvm-pool-agent.js');
    // One namespace for the whole run: install, the first apply, then timed runs (ns clock).
    const script = `
      useradd --create-home benchadmin
      node ${bundle} install --config ${vm.dir}/agent.json 2>/dev/null || exit 20
      t0=$(date +%s%N); dsvm-pool-agent apply 2>/dev/null || exit 21; t1=$(date +%s%N)
      echo "first $(( (t1 - t0) / 1000 ))"
      i=0
      while [ $i -lt ${RUNS} ]; do
        t0=$(date +%s%N); dsvm-pool-agent apply 2>/dev/null || exit 22; t1=$(date +%s%N)
        dsvm-pool-agent status --json >/dev/null 2>&1 || exit 23; t2=$(date +%s%N)
        echo "apply $(( (t1 - t0) / 1000 ))"; echo "status $(( (t2 - t1) / 1000 ))"
        i=$((i + 1))
      done
      t0=$(date +%s%N); node ${bundle} version >/dev/null; t1=$(date +%s%N)
      echo "version $(( (t1 - t0) / 1000 ))"
    `;
    const result = await vm.run(script, 600_000);
    if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
    const samples = (name: string) =>
      result.stdout
        .split('\n')
        .filter((line) => line.startsWith(`${name} `))
        .map((line) => Number(line.split(' ')[1]) / 1000);
    console.log(`bundled CLI (process start included), throwaway VM, ${USERS} users, real getent:`);
    console.log(`  first apply (useradd ×${USERS}, keys, links)  ${ms(samples('first')[0])}`);
    console.log(`  apply, nothing to do      median  ${ms(median(samples('apply')))}`);
    console.log(`  status --json             median  ${ms(median(samples('status')))}`);
    console.log(`  (node + bundle, \`version\`:        ${ms(samples('version')[0])})`);
  } finally {
    await vm.cleanup();
  }
}

console.log(
  `dsvm-pool-agent bench: ${USERS} users, ${RUNS} runs each, load average ${(
    await import('node:os')
  )
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
await inProcess();
await bundled();
