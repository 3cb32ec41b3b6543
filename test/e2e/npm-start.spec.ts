// The README's first command as a new user runs it where Electron cannot be installed:
// `npm start` builds the app and its agent, says in one line that Electron is missing, and serves
// the app at the tokened address it prints.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

test('npm start falls back to the headless host and prints the address to open', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const dataDir = await mkdtemp(join(tmpdir(), 'dsvm-pool-start-'));
  // As after a fresh clone: no agent built. npm start must build it (Create pool, Repair agent
  // and Install agent upload it).
  const agentDir = join(import.meta.dirname, '../../out/agent');
  await rm(agentDir, { recursive: true, force: true });
  const child = spawn('npm', ['start'], {
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', DSVM_POOL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the whole npm → node tree stops together
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  try {
    await expect
      .poll(() => output, { timeout: 90_000 })
      .toMatch(/http:\/\/dsvm-[a-z0-9]+\.localhost:\d+\/\?token=/);
    const notice = output.split('\n').filter((line) => /Electron is not available/.test(line));
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatch(/runs headless: open the address below/);
    const url = /(http:\/\/dsvm-[a-z0-9]+\.localhost:\d+\/\?token=[\w-]+)/.exec(output)![1]!;
    await page.goto(url);
    await expect(page.getByTestId('pool-card-local')).toContainText(/local sandbox/i);
    expect(existsSync(join(agentDir, 'dsvm-pool-agent.js'))).toBe(true);
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
});
