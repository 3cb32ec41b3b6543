// `npm run demo` without its build step (the e2e suite builds first): demo/demo.ts starts the Azure
// emulator, seeds it and starts the headless host signed in to it. In Chromium: the demo badge and
// title with the emulator's address, the admin view already signed in and listing the seeded
// pool with its running instances and its team. Then Ctrl+C (SIGINT to the demo's process group,
// as a terminal sends it) stops everything: the demo exits 0, no process it started is left, and
// its temp folder is gone.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, test } from '@playwright/test';

test.use({ viewport: { width: 1400, height: 900 } });

/** Every process below `pid`, from /proc (the demo's re-run, the host, the VMs' sshd …). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** /proc/<pid>/stat after the command's closing parenthesis: state, then the parent's pid. */
function statOf(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const fields = statOf(pid);
  return fields ? Number(fields[1]) : undefined;
}

/** Running (a zombie has ended; only its entry waits to be reaped). */
function alive(pid: number): boolean {
  const fields = statOf(pid);
  return fields !== undefined && fields[0] !== 'Z';
}

test('npm run demo: the app on the seeded emulator, labelled a demo; Ctrl+C leaves nothing', async ({
  page,
}) => {
  test.setTimeout(420_000);
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/demo.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so SIGINT reaches all of it at once, as Ctrl+C in a terminal does.
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let stopped = false;
  try {
    await expect
      .poll(() => output, { timeout: 300_000, message: 'the demo prints its address' })
      .toMatch(/Open http:\/\/dsvm-[a-z0-9]+\.localhost:\d+\/\?token=[\w-]+/);
    expect(output).not.toMatch(/could not start/);
    const emulatorUrl =
      /Demo — Azure emulator at (https:\/\/127\.0\.0\.1:\d+), nothing is real/.exec(output)?.[1];
    expect(emulatorUrl, 'the printed label names the emulator').toBeTruthy();
    const url = /(http:\/\/dsvm-[a-z0-9]+\.localhost:\d+\/\?token=[\w-]+)/.exec(output)![1]!;
    const dataDir = /the app's data folder: (\S+)/.exec(output)![1]!;

    await page.goto(url);
    await expect(page.getByTestId('demo-badge')).toHaveText(
      'Demo — Azure emulator, nothing is real',
    );
    await expect(page.getByTestId('demo-emulator')).toHaveText(emulatorUrl!);
    await expect(page).toHaveTitle(
      `dsvm-pool — Demo — Azure emulator at ${emulatorUrl}, nothing is real`,
    );

    // Signed in already (the environment credential), the seeded pool and its 2 instances.
    await page.getByTestId('view-admin').click();
    await expect(page.getByTestId('azure-account')).toContainText('dsvm-pool-demo');
    const card = page.locator('[data-testid^="admin-pool-azure"]');
    await expect(card).toHaveCount(1);
    await expect(card).toContainText('demopool');
    await expect(
      card.locator('[data-testid^="admin-instance-"][data-state="running"]'),
    ).toHaveCount(2, { timeout: 30_000 });
    // The share's registry: the two members the demo added.
    await card.getByTestId('admin-team').click();
    const team = page.getByTestId('team-dialog');
    await expect(team.getByTestId('team-member-ada')).toBeVisible({ timeout: 30_000 });
    await expect(team.getByTestId('team-member-grace')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(team).toBeHidden();
    // Room for the whole table: the NAT ports come from Azure's port query, row by row.
    await page.getByTestId('operations-collapse').click();
    await expect(card.getByTestId('admin-nat-port')).toHaveText([/^\d+$/, /^\d+$/], {
      timeout: 30_000,
    });
    // docs/screenshots/demo.png is a copy of this one.
    await page.screenshot({ path: 'test-results/screenshots/demo.png' });

    // Ctrl+C: everything the demo started stops, and its temp folder goes.
    const started = descendants(child.pid!);
    expect(started.length).toBeGreaterThan(0);
    process.kill(-child.pid!, 'SIGINT');
    stopped = true;
    expect(await exited).toBe(0);
    expect(output).toContain('demo: stopped; temp folders removed.');
    await expect
      .poll(() => started.filter(alive), { timeout: 10_000, message: 'processes left' })
      .toEqual([]);
    expect(existsSync(dirname(dataDir))).toBe(false);
  } finally {
    if (!stopped && child.exitCode === null) {
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
  }
});
