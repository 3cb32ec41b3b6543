// "Test connection" in the UI on the local sandbox: from the pool card's menu and an instance row's
// menu, the steps fill in as they run, then Copy as text gives the whole report.
import { expect, test } from './fixtures';

test('Test connection from the pool menu and an instance menu; Copy as text', async ({
  freshApp: app,
  page,
}) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: app.origin,
  });
  await page.goto(app.url);
  const pool = page.getByTestId('pool-card-local');
  await expect(pool.locator('[data-testid^="instance-"][data-state="running"]')).toHaveCount(2);

  // From the pool: the instance Connect would choose. Its host key is not trusted yet.
  await page.getByTestId('pool-menu-local').click();
  await page.getByTestId('pool-test-local').click();
  const dialog = page.getByTestId('diagnostics-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('diagnostics-summary')).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByTestId('diagnostic-tcp')).toHaveAttribute('data-status', 'pass');
  await expect(dialog.getByTestId('diagnostic-banner')).toContainText('SSH-2.0-');
  await expect(dialog.getByTestId('diagnostic-host-key')).toHaveAttribute('data-status', 'warn');
  await expect(dialog.getByTestId('diagnostic-host-key-hint')).toContainText(
    'Connect shows you this fingerprint',
  );
  await expect(dialog.getByTestId('diagnostic-auth')).toHaveAttribute('data-status', 'pass');
  await expect(dialog.getByTestId('diagnostic-heartbeat')).toContainText('no pool agent');
  await dialog.getByTestId('diagnostics-close').click();
  await expect(dialog).toBeHidden();

  // Connect once (trusting the key), then test that very instance from its row's menu.
  await page.getByTestId('connect-local').click();
  await page.getByTestId('host-key-trust').click();
  await expect(page.getByTestId('status-bar')).toContainText(/local-\d/);
  const instanceName = (await page.getByTestId('status-bar').textContent())!.match(/local-\d/)![0];
  await page.getByTestId(`instance-menu-${instanceName}`).click();
  await page.getByTestId(`instance-test-${instanceName}`).click();
  await expect(dialog).toContainText(`Test connection: Local sandbox / ${instanceName}`);
  await expect(dialog.getByTestId('diagnostics-summary')).toContainText('All checks passed', {
    timeout: 30_000,
  });
  await expect(dialog.getByTestId('diagnostic-host-key')).toContainText('the key you trusted');
  await expect(dialog.getByTestId('diagnostic-auth')).toContainText('signed in as');
  await expect(dialog.getByTestId('diagnostic-jupyter')).not.toHaveAttribute(
    'data-status',
    /pending|running/,
  );
  await page.screenshot({ path: 'docs/screenshots/diagnostics.png' });

  await expect(dialog.getByTestId('diagnostics-copy')).toHaveText('Copy as text');
  await dialog.getByTestId('diagnostics-copy').click();
  await expect(dialog.getByTestId('diagnostics-copy')).toContainText('Copied');
  // A string, so this Node-side file needs no DOM types: it runs in the page.
  const text = String(await page.evaluate('navigator.clipboard.readText()'));
  expect(text).toContain(`dsvm-pool connection test: Local sandbox / ${instanceName}`);
  expect(text).toMatch(/\[ OK {2}\] TCP connect \(\d+ ms\): connected to 127\.0\.0\.1:\d+/);
  expect(text).toMatch(/\[SKIP \] Agent heartbeat: not tried: the local sandbox/);
  expect(text).toMatch(/log: .*logs\/main\.log/);

  // Test again runs a new test in place.
  await dialog.getByTestId('diagnostics-again').click();
  await expect(dialog.getByTestId('diagnostics-summary')).toContainText('All checks passed', {
    timeout: 30_000,
  });
});

test('the sign-in card says the headless host keeps the Azure sign-in in owner-only files', async ({
  app,
  page,
}) => {
  await page.goto(app.url);
  await page.getByTestId('view-admin').click();
  const note = page.getByTestId('azure-token-storage');
  await expect(note).toContainText('No OS keyring');
  await expect(note).toContainText('(0600), not encrypted');
  await expect(note).toContainText(`${app.dataDir}/azure`);
  await page.getByTestId('azure-signin-card').screenshot({
    path: 'test-results/screenshots/sign-in-token-storage.png',
  });
});
