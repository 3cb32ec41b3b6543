// Fault suite, the share under the agent (root, a throwaway VM in a private mount namespace): the
// share unmounted, and the share's folder removed and put back under its bind mount. `apply` and
// `status` end in time and say the mount is unhealthy and why; the next apply mounts it again;
// no member's home, link or file is damaged.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AgentHeartbeatSchema, type AgentHeartbeat } from '../../../src/common/agent-protocol';
import { ed25519Line } from '../../helpers/ssh-keys';
import { makeTestVm, type TestVm } from './namespace';

const run = promisify(execFile);
const repo = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');
const bundle = join(repo, 'out/agent/dsvm-pool-agent.js');

/** Shell helpers for the scripts: `step <name> <command…>` records exit code and milliseconds. */
const STEP = `
step() { name=$1; shift; t0=$(date +%s%N); "$@" > "$VM_DIR/$name.out" 2> "$VM_DIR/$name.err"; code=$?;
  echo "$name $code $(( ($(date +%s%N) - t0) / 1000000 ))" >> "$VM_DIR/steps"; }
homes() { find /home -printf '%p %y %l %U %G %m\\n' | sort > "$VM_DIR/$1"; }
`;

describe('share fault suite: the share vanishing under the agent (root, mount namespace)', () => {
  let vm: TestVm;
  let share: string;
  let mountPoint: string;
  const heals: string[] = [];

  /** Each step's exit code and duration, by name, from the last script. */
  async function steps(): Promise<Map<string, { code: number; ms: number }>> {
    const lines = (await readFile(join(vm.dir, 'steps'), 'utf8')).trim().split('\n');
    await writeFile(join(vm.dir, 'steps'), '');
    return new Map(
      lines.map((line) => {
        const [name, code, ms] = line.split(' ');
        return [name!, { code: Number(code), ms: Number(ms) }];
      }),
    );
  }
  const out = (name: string) => readFile(join(vm.dir, `${name}.out`), 'utf8');
  const heartbeat = async (name: string): Promise<AgentHeartbeat> =>
    AgentHeartbeatSchema.parse(JSON.parse(await out(name)));
  const ok = (result: { code: number; stdout: string; stderr: string }, what: string) =>
    assert.equal(result.code, 0, `${what}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);

  before(async () => {
    await run(process.execPath, [join(repo, 'scripts/build-agent.mjs')], { cwd: repo });
    vm = await makeTestVm();
    share = join(vm.dir, 'share');
    mountPoint = join(vm.dir, 'mnt/pool');
    await mkdir(join(share, '.pool'), { recursive: true });
    await writeFile(
      join(vm.dir, 'agent.json'),
      JSON.stringify({
        version: 1,
        share: { protocol: 'bind', source: share, mountPoint },
        shareName: 'pool',
        adminUser: 'ftadmin',
        computerName: 'ft-vm-1',
      }),
    );
    await writeFile(
      join(share, '.pool/users.json'),
      JSON.stringify({
        version: 1,
        members: [
          { name: 'ftalice', sshKeys: [ed25519Line('ftalice@laptop')] },
          { name: 'ftbob', sshKeys: [ed25519Line('ftbob@laptop')] },
        ],
      }),
    );
    await writeFile(join(vm.dir, 'steps'), '');
    const installed = await vm.run(
      `useradd --create-home --shell /bin/bash ftadmin && node ${bundle} install --config ${vm.dir}/agent.json`,
    );
    ok(installed, 'install');
  });
  after(async () => {
    console.log(`# share fault: ${heals.join('; ')}`);
    await vm?.cleanup();
  });

  it('fault: the share unmounted under the agent is reported, then mounted again; homes intact', async () => {
    const result = await vm.run(`${STEP}
      step apply0 dsvm-pool-agent apply
      echo kept > ${mountPoint}/notebooks/ftalice/kept.txt
      homes homes-before
      umount ${mountPoint}
      step status1 dsvm-pool-agent status --json
      step apply1 dsvm-pool-agent apply
      step status2 dsvm-pool-agent status --json
      homes homes-after
      cat ${mountPoint}/notebooks/ftalice/kept.txt`);
    ok(result, 'the script');
    const took = await steps();
    assert.equal(took.get('apply0')?.code, 0, await out('apply0'));

    const gone = await heartbeat('status1');
    assert.equal(gone.mount?.mounted, false);
    assert.equal(gone.mount?.healthy, false);
    assert.equal(gone.mount?.detail, 'not mounted');

    assert.equal(took.get('apply1')?.code, 0, 'the apply that found it unmounted heals it');
    const back = await heartbeat('status2');
    assert.equal(back.mount?.mounted, true);
    assert.equal(back.mount?.healthy, true);
    assert.equal(back.lastApply?.ok, true);
    assert.ok(back.lastApply?.changes.some((c) => c.startsWith(`mounted ${share} on`)));

    assert.equal(
      await readFile(join(vm.dir, 'homes-after'), 'utf8'),
      await readFile(join(vm.dir, 'homes-before'), 'utf8'),
      'every home, link, owner and mode as before',
    );
    assert.equal(result.stdout.trim(), 'kept');
    heals.push(
      `unmounted: status ${took.get('status1')!.ms} ms, remounting apply ${took.get('apply1')!.ms} ms`,
    );
  });

  it('fault: the share removed under its bind mount, then back: unhealthy with the reason, then remounted', async () => {
    const result = await vm.run(`${STEP}
      step apply0 dsvm-pool-agent apply
      homes homes-before
      # The share goes away (its folder removed, the bind mount left behind).
      cp -a ${share} ${share}.saved && rm -rf ${share}
      step status1 dsvm-pool-agent status --json
      step apply1 dsvm-pool-agent apply
      step status2 dsvm-pool-agent status --json
      homes homes-during
      # It comes back, and the agent's next run mounts it again.
      mv ${share}.saved ${share}
      step apply2 dsvm-pool-agent apply
      step status3 dsvm-pool-agent status --json
      # Replaced under a live mount (gone and back between two runs): the next run remounts.
      cp -a ${share} ${share}.saved && rm -rf ${share} && mv ${share}.saved ${share}
      step status4 dsvm-pool-agent status --json
      step apply3 dsvm-pool-agent apply
      step status5 dsvm-pool-agent status --json
      homes homes-after
      cat ${mountPoint}/notebooks/ftalice/kept.txt`);
    ok(result, 'the script');
    const took = await steps();
    assert.equal(took.get('apply0')?.code, 0, await out('apply0'));

    const gone = await heartbeat('status1');
    assert.equal(gone.mount?.mounted, true);
    assert.equal(gone.mount?.healthy, false);
    assert.match(
      gone.mount?.detail ?? '',
      /^the share is mounted but its folders are gone \(ENOENT: the share it mounted was removed or replaced\); the next apply mounts it again$/,
    );
    // While it is gone: the apply tries to mount it again, fails in time and says why.
    assert.equal(took.get('apply1')?.code, 1);
    const failed = await heartbeat('status2');
    assert.equal(failed.mount?.healthy, false);
    assert.match(failed.lastApply?.errors.join('\n') ?? '', /mount failed \(exit 32\)/);
    assert.equal(
      await readFile(join(vm.dir, 'homes-during'), 'utf8'),
      await readFile(join(vm.dir, 'homes-before'), 'utf8'),
      'a failing apply touches no home',
    );

    assert.equal(took.get('apply2')?.code, 0, await out('apply2'));
    const back = await heartbeat('status3');
    assert.equal(back.mount?.healthy, true);

    const stale = await heartbeat('status4');
    assert.equal(stale.mount?.healthy, false, 'the old mount leads to the removed folder');
    assert.equal(took.get('apply3')?.code, 0);
    const healed = await heartbeat('status5');
    assert.equal(healed.mount?.healthy, true);
    assert.ok(
      healed.lastApply?.changes.some((c) =>
        c.startsWith(`remounted ${share} on ${mountPoint}: the old mount its folders are gone`),
      ),
      String(healed.lastApply?.changes),
    );
    assert.equal(
      await readFile(join(vm.dir, 'homes-after'), 'utf8'),
      await readFile(join(vm.dir, 'homes-before'), 'utf8'),
      'every home, link, owner and mode as before',
    );
    assert.equal(result.stdout.trim(), 'kept', 'the share’s data is there again');
    heals.push(
      `removed: status ${took.get('status1')!.ms} ms, failing apply ${took.get('apply1')!.ms} ms, ` +
        `apply after it came back ${took.get('apply2')!.ms} ms; replaced under the mount: ` +
        `remounting apply ${took.get('apply3')!.ms} ms`,
    );
  });
  it('fault: a share that hangs (frozen) fails the probe in time, says so, and heals when it thaws', async () => {
    // The share on a filesystem of its own that can be frozen: writes then block in the kernel
    // (reads still answer), as on a network share whose server stopped answering.
    const image = join(vm.dir, 'share.img');
    await run('truncate', ['-s', '32M', image]);
    await run('mkfs.ext4', ['-q', '-F', image]);
    const state = '/var/lib/dsvm-pool/state.json';
    const result = await vm.run(
      `${STEP}
      cp -a ${share} ${vm.dir}/share.copy
      mount -o loop,noatime ${image} ${share} || exit 20
      trap 'fsfreeze -u ${share} 2>/dev/null; umount -l ${mountPoint} ${share} 2>/dev/null' EXIT
      cp -a ${vm.dir}/share.copy/. ${share}/ && rm -rf ${vm.dir}/share.copy
      step apply0 dsvm-pool-agent apply
      homes homes-before
      fsfreeze -f ${share} || exit 21
      before=$(stat -c %Y ${state})
      t0=$(date +%s%N)
      # The apply's report is saved once the probe gave up (a thread stuck in the frozen write
      # keeps the process from exiting until the thaw, so it runs in the background).
      dsvm-pool-agent apply > ${vm.dir}/apply1.out 2> ${vm.dir}/apply1.err &
      pid=$!
      i=0
      while [ "$(stat -c %Y ${state})" = "$before" ] || grep -q '"ok":true' ${state}; do
        i=$((i+1)); [ $i -gt 900 ] && break; sleep 0.1
      done
      echo "reported 0 $(( ($(date +%s%N) - t0) / 1000000 ))" >> ${vm.dir}/steps
      step status1 timeout 30 dsvm-pool-agent status --json
      fsfreeze -u ${share}
      wait $pid; echo "apply1 $? 0" >> ${vm.dir}/steps
      step apply2 dsvm-pool-agent apply
      step status2 dsvm-pool-agent status --json
      homes homes-after`,
      120_000,
    );
    ok(result, 'the script');
    const took = await steps();
    assert.equal(took.get('apply0')?.code, 0, await out('apply0'));
    const reported = took.get('reported')!;
    // The probe's own limit is 20 s; the run's deadline (4 min) is far beyond.
    assert.ok(reported.ms < 60_000, `the frozen apply reported after ${reported.ms} ms`);
    const frozen = await heartbeat('status1');
    assert.equal(took.get('status1')?.code === 124, false, 'status answered while frozen');
    assert.equal(frozen.mount?.healthy, false);
    assert.equal(
      frozen.mount?.detail,
      'the share is mounted but does not work: the share did not answer within 20 s',
    );
    assert.equal(frozen.lastApply?.ok, false);
    assert.equal(took.get('apply1')?.code, 1, 'the frozen apply failed');
    assert.equal(took.get('apply2')?.code, 0, await out('apply2'));
    const thawed = await heartbeat('status2');
    assert.equal(thawed.mount?.healthy, true);
    assert.equal(
      await readFile(join(vm.dir, 'homes-after'), 'utf8'),
      await readFile(join(vm.dir, 'homes-before'), 'utf8'),
      'every home, link, owner and mode as before',
    );
    heals.push(
      `frozen: the apply reported unhealthy after ${reported.ms} ms, status took ` +
        `${took.get('status1')!.ms} ms, thawed apply ${took.get('apply2')!.ms} ms`,
    );
  });
});
