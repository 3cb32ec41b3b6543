// The headless host as `npm run demo` starts it: DSVM_POOL_DEMO_EMULATOR makes it print the demo's
// label with the emulator's address before its own line; pointed at any other Azure it refuses to
// start, saying why, so "nothing is real" never shows over a real subscription.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const CLI = join(import.meta.dirname, '../../../src/host/cli.ts');
const EMULATOR = 'https://127.0.0.1:45123';
const dirs: string[] = [];

after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Runs the host's CLI until `done` says its output is complete, then stops it. */
async function runHost(env: Record<string, string>, done: (output: string) => boolean) {
  const dataDir = await mkdtemp(join(tmpdir(), 'dsvm-pool-host-label-'));
  dirs.push(dataDir);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--data-dir', dataDir, '--instances', '1'],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const exited = once(child, 'exit') as Promise<[number | null]>;
  await new Promise<void>((resolve) => {
    const check = () => {
      if (done(stdout)) resolve();
    };
    child.stdout.on('data', (c: Buffer) => ((stdout += c.toString()), check()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    void exited.then(() => resolve());
  });
  if (child.exitCode === null) child.kill('SIGTERM');
  const [code] = await exited;
  return { stdout, stderr, code };
}

describe('headless host in the demo', () => {
  it('prints the demo label with the emulator address, then its address', async () => {
    const { stdout } = await runHost(
      { DSVM_POOL_DEMO_EMULATOR: EMULATOR, DSVM_POOL_ARM_ENDPOINT: EMULATOR },
      (out) => /Open http/.test(out),
    );
    const lines = stdout.trim().split('\n');
    assert.equal(lines[0], `Demo — Azure emulator at ${EMULATOR}, nothing is real`);
    assert.match(lines[1]!, /^dsvm-pool \(demo\) is running headless\. Open http:\/\/dsvm-/);
  });

  it('says nothing of a demo without the variable', async () => {
    const { stdout } = await runHost({ DSVM_POOL_DEMO_EMULATOR: '' }, (out) =>
      /Open http/.test(out),
    );
    assert.doesNotMatch(stdout, /demo|Demo/);
    assert.match(stdout, /^dsvm-pool is running headless\. Open http/m);
  });

  it('refuses to start labelled a demo while Azure calls would go elsewhere', async () => {
    const { stdout, stderr, code } = await runHost(
      { DSVM_POOL_DEMO_EMULATOR: EMULATOR, DSVM_POOL_ARM_ENDPOINT: 'https://management.azure.com' },
      () => false,
    );
    assert.equal(code, 1);
    assert.doesNotMatch(stdout, /Open http/);
    assert.match(stderr, /DSVM_POOL_DEMO_EMULATOR is set \(https:\/\/127\.0\.0\.1:45123\)/);
    assert.match(stderr, /the demo must talk to its emulator only/);
  });
});
