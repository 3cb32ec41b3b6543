// Updates in the UI: the headless host says the desktop app handles them; with the desktop
// shell's engine on a loopback feed, the banner offers 0.2.0, downloads it with progress and
// offers Restart to update. Keyboard only, as a user without a mouse would.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, stop, test } from './fixtures';

test('the headless host reports updates as handled by the desktop app', async ({ app, page }) => {
  await page.goto(app.url);
  const button = page.getByTestId('updates-menu');
  await expect(button).toBeVisible();
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('updates-status')).toContainText(
    'Updates are handled by the desktop app',
  );
  await expect(page.getByRole('menuitem', { name: 'Check for updates' })).toBeDisabled();
  await expect(page.getByRole('menuitemcheckbox', { name: 'Automatic updates' })).toBeDisabled();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('update-banner')).toHaveCount(0);
});

async function startUpdateHost(): Promise<{
  url: string;
  child: ChildProcess;
  output: () => string;
}> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/update-host.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/dsvm-[a-z0-9]+\.localhost:\d+\/\?token=[\w-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
  });
  return { url, child, output: () => output };
}

test('check, download with progress, and restart to update from a generic feed', async ({
  page,
}) => {
  const host = await startUpdateHost();
  try {
    await page.goto(host.url);
    const button = page.getByTestId('updates-menu');
    await button.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('updates-status')).toContainText('dsvm-pool 0.1.0');
    await expect(page.getByRole('menuitemcheckbox', { name: 'Automatic updates' })).toHaveAttribute(
      'aria-checked',
      'true',
    );
    await page.getByRole('menuitem', { name: 'Check for updates' }).press('Enter');

    const banner = page.getByTestId('update-banner');
    await expect(banner).toContainText('Update available');
    await expect(banner).toContainText('dsvm-pool 0.2.0 is available (you have 0.1.0).');
    await expect(page.getByTestId('update-notes')).toContainText(
      '• Connect remembers your last instance',
    );
    await expect(button).toHaveAccessibleName('Updates (an update is available)');
    await page.screenshot({ path: 'docs/screenshots/update-available.png' });

    await banner.getByRole('button', { name: 'Download' }).press('Enter');
    await expect(banner).toContainText('Update ready', { timeout: 30_000 });
    await expect(banner).toContainText('dsvm-pool 0.2.0 is downloaded and verified.');
    await page.screenshot({ path: 'docs/screenshots/update-ready.png' });

    await banner.getByRole('button', { name: 'Restart to update' }).press('Enter');
    await expect.poll(() => host.output()).toContain('restart-to-update');
  } finally {
    await stop(host.child);
  }
});

test('"Automatic updates" turns updates off and on, kept across a reload', async ({ page }) => {
  const host = await startUpdateHost();
  try {
    await page.goto(host.url);
    await page.getByTestId('updates-menu').click();
    const setting = page.getByRole('menuitemcheckbox', { name: 'Automatic updates' });
    // A checkbox item leaves the menu open: the status above it follows at once.
    await setting.click();
    await expect(page.getByTestId('updates-status')).toContainText('Updates are turned off');
    await expect(setting).toHaveAttribute('aria-checked', 'false');
    await expect(page.getByRole('menuitem', { name: 'Check for updates' })).toBeDisabled();
    await page.keyboard.press('Escape');

    // settings.json has it: a new page (or the next start) shows it off.
    await page.reload();
    await page.getByTestId('updates-menu').click();
    await expect(setting).toHaveAttribute('aria-checked', 'false');
    await setting.press('Space');
    await expect(setting).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByRole('menuitem', { name: 'Check for updates' })).toBeEnabled();
  } finally {
    await stop(host.child);
  }
});
