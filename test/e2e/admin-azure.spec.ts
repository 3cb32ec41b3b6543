// The admin's half against the Azure emulator (real SDK clients, real SSH servers behind the NAT
// ports): sign in, create a pool of 2 from the wizard and watch it deploy, see 2 running
// instances with their NAT ports, scale to 3, open a terminal on one instance and run a command,
// deallocate that instance and see its state change, and delete the pool. On the way: an autoscale
// schedule saved from the editor.
import { expect, screenText, shownTerminal, test } from './fixtures';

// Wide enough for the admin view's three columns (the screenshot goes in the README).
test.use({ viewport: { width: 1400, height: 900 } });

test('admin: wizard → pool of 2 → scale to 3 → terminal → deallocate → delete', async ({
  azureApp: app,
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto(app.url);
  await page.getByTestId('view-admin').click();
  await expect(page.getByTestId('create-pool-open')).toBeDisabled();
  await page.getByTestId('azure-signin-environment').click();
  await expect(page.getByTestId('azure-account')).toBeVisible();

  // --- The wizard ------------------------------------------------------------------------------
  await page.getByTestId('create-pool-open').click();
  const wizard = page.getByTestId('create-pool-dialog');
  await expect(wizard).toBeVisible();
  const current = (step: string) =>
    expect(wizard.getByTestId(`wizard-step-${step}`)).toHaveAttribute('aria-current', 'step');

  // Azure's naming rule speaks at the step the name belongs to.
  await wizard.getByTestId('wizard-poolName').fill('e2e pool!');
  await wizard.getByTestId('wizard-next').click();
  await expect(wizard).toContainText(/may hold only letters, digits/i);
  await current('basics');
  await wizard.getByTestId('wizard-poolName').fill('e2epool');
  await wizard.getByTestId('wizard-next').click();

  await current('machines');
  await expect(wizard.getByTestId('wizard-instanceCount')).toHaveValue('2');
  await wizard.getByTestId('wizard-maxInstances').fill('4');
  // The terminate notice (5–15 minutes): 12 minutes reaches the deployment as PT12M.
  await expect(wizard.getByTestId('wizard-terminateNotice')).toHaveText('10 minutes');
  await wizard.getByTestId('wizard-terminateNotice').click();
  await page.getByRole('option', { name: '12 minutes' }).click();
  await expect(wizard.getByTestId('wizard-terminateNotice')).toHaveText('12 minutes');
  await page.screenshot({ path: 'test-results/screenshots/create-pool-machines.png' });
  await wizard.getByTestId('wizard-next').click();

  await current('access');
  // The app's own key is the default admin key, so Connect works on the new pool at once.
  await expect(wizard.getByTestId('wizard-sshPublicKey')).toHaveValue(/^ssh-ed25519 \S+/);
  await wizard.getByTestId('wizard-next').click();
  await expect(wizard).toContainText(/address ranges allowed to reach SSH/i);
  await current('access');
  // Two wrong ranges: the step counts two, and both messages show, in the wizard's words.
  await wizard.getByTestId('wizard-allowedSourceCidrs').fill('0.0.0.0/0\n10.0.0.5/24');
  await wizard.getByTestId('wizard-next').click();
  await expect(wizard.getByTestId('wizard-step-access')).toContainText('(2 to fix)');
  await expect(wizard).toContainText('Line 1: "0.0.0.0/0" opens SSH to the whole internet');
  await expect(wizard).toContainText('tick "I accept 0.0.0.0/0" to accept the risk');
  await expect(wizard).toContainText('Line 2: "10.0.0.5/24" has host bits set');
  await expect(wizard).not.toContainText(/allowInternetSsh|allowedSourceCidrs/);
  await page.screenshot({ path: 'test-results/screenshots/create-pool-two-to-fix.png' });
  await wizard.getByTestId('wizard-allowedSourceCidrs').fill('203.0.113.0/24');
  const natStart = 20_000 + Math.floor(Math.random() * 40) * 100;
  await wizard.getByTestId('wizard-natFrontendPortStart').fill(String(natStart));
  await wizard.getByTestId('wizard-next').click();

  await current('storage');
  await wizard.getByTestId('wizard-next').click();

  await current('review');
  const az = wizard.getByTestId('wizard-az');
  await expect(az).toContainText('az group create --name e2epool-rg');
  await expect(az).toContainText('az deployment group create');
  await expect(az).toContainText('terminateNotBeforeTimeout=PT12M');
  await expect(wizard.getByTestId('wizard-summary')).toContainText('2 × Standard_D4s_v5');
  await page.screenshot({ path: 'test-results/screenshots/create-pool-wizard.png' });
  await wizard.getByTestId('wizard-create').click();

  // The deployment's progress, resource by resource, until it succeeds.
  const operation = wizard.getByTestId('wizard-operation');
  await expect(operation).toBeVisible();
  await expect(operation).toContainText(/e2epool/);
  await expect(operation).toHaveAttribute('data-status', 'succeeded', { timeout: 90_000 });
  await expect(operation).toContainText('Microsoft.Compute/virtualMachineScaleSets');
  await wizard.getByTestId('wizard-close').click();
  await expect(wizard).toBeHidden();

  // --- 2 running instances with their NAT ports --------------------------------------------------
  const card = page.locator('[data-testid^="admin-pool-azure"]');
  await expect(card).toHaveCount(1);
  const rows = card.locator('[data-testid^="admin-instance-"]');
  await expect(rows).toHaveCount(2, { timeout: 30_000 });
  await expect(card.locator('[data-testid^="admin-instance-"][data-state="running"]')).toHaveCount(
    2,
    { timeout: 30_000 },
  );
  for (const row of await rows.all()) {
    // A port comes after its row: the table asks Azure for the rows on screen.
    await expect(row.getByTestId('admin-nat-port')).toHaveText(/^\d+$/, { timeout: 30_000 });
    const port = Number(await row.getByTestId('admin-nat-port').textContent());
    expect(port).toBeGreaterThanOrEqual(natStart);
    expect(port).toBeLessThan(natStart + 100);
  }

  // --- A second Create of the same pool fails; Done keeps the draft to fix and retry -------------
  await page.getByTestId('create-pool-open').click();
  await wizard.getByTestId('wizard-poolName').fill('e2epool');
  await wizard.getByTestId('wizard-next').click();
  await current('machines');
  await wizard.getByTestId('wizard-next').click();
  await current('access');
  await wizard.getByTestId('wizard-allowedSourceCidrs').fill('198.51.100.0/24');
  await wizard.getByTestId('wizard-natFrontendPortStart').fill(String(natStart + 5_000));
  await wizard.getByTestId('wizard-next').click();
  await current('storage');
  await wizard.getByTestId('wizard-next').click();
  await current('review');
  await expect(wizard.getByTestId('wizard-create')).toBeEnabled();
  await wizard.getByTestId('wizard-create').click();
  await expect(operation).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  await wizard.getByTestId('wizard-close').click();
  await expect(wizard).toBeHidden();
  await page.getByTestId('create-pool-open').click();
  await current('review');
  await expect(wizard.getByTestId('wizard-summary')).toContainText('e2epool');
  await expect(wizard.getByTestId('wizard-summary')).toContainText('198.51.100.0/24');
  await page.screenshot({ path: 'test-results/screenshots/create-pool-kept-draft.png' });
  await wizard.getByTestId('wizard-cancel').click();
  await expect(wizard).toBeHidden();

  // --- Scale: beyond what the pool holds refused, above autoscale's maximum asked, then 3 --------
  await card.getByTestId('admin-scale').click();
  // One placement group holds 100: the dialog says so and sends nothing (500 too).
  const scaleDialog = page.getByTestId('admin-scale-dialog');
  await page.getByTestId('admin-scale-input').fill('500');
  await expect(scaleDialog).toContainText(
    'At most 100: a scale set in a single placement group holds at most 100 instances.',
  );
  await expect(page.getByTestId('admin-scale-submit')).toBeDisabled();
  await page.screenshot({ path: 'test-results/screenshots/admin-scale-limit.png' });
  // Above autoscale's maximum (4): asked first, since autoscale would scale it back down.
  await page.getByTestId('admin-scale-input').fill('10');
  await expect(page.getByTestId('admin-scale-warning')).toContainText(
    'Autoscale keeps this pool between 0 and 4 instances',
  );
  await expect(page.getByTestId('admin-scale-submit')).toBeDisabled();
  await page.screenshot({ path: 'test-results/screenshots/scale-autoscale-warning.png' });
  await page.getByTestId('admin-scale-anyway').click();
  await expect(page.getByTestId('admin-scale-submit')).toBeEnabled();
  await page.getByTestId('admin-scale-input').fill('3');
  await expect(page.getByTestId('admin-scale-warning')).toHaveCount(0);
  await page.getByTestId('admin-scale-submit').click();
  await expect(card.locator('[data-testid^="admin-instance-"][data-state="running"]')).toHaveCount(
    3,
    { timeout: 60_000 },
  );

  // --- Autoscale: weekdays 08–19 at least 2, else 0 ---------------------------------------------
  await card.getByTestId('autoscale-open').click();
  const autoscale = page.getByTestId('autoscale-dialog');
  await expect(autoscale.getByTestId('autoscale-default-min')).toBeVisible({ timeout: 30_000 });
  // A minimum of 0 with CPU rules only: nothing but Connect wakes the pool; a schedule is offered.
  const wake = autoscale.getByTestId('autoscale-zero-note');
  await expect(wake).toContainText('Only Connect (the app starts an instance) or a schedule');
  await page.screenshot({ path: 'test-results/screenshots/autoscale-editor.png' });
  await wake.getByTestId('autoscale-warning-add-schedule').click();
  await expect(autoscale.getByTestId('autoscale-schedule-0-summary')).toContainText(/08:00/);
  await expect(wake).toContainText('Schedule "Weekdays" wakes it');
  await expect(wake.getByTestId('autoscale-warning-add-schedule')).toHaveCount(0);
  await expect(autoscale.getByTestId('autoscale-az')).toContainText('az rest --method patch');
  await autoscale.getByTestId('autoscale-save').click();
  await expect(autoscale).toBeHidden({ timeout: 30_000 });
  await expect(
    page
      .locator('[data-testid^="operation-"][data-status="succeeded"]', { hasText: /autoscale/i })
      .filter({ hasNotText: 'Create pool' }),
  ).toHaveCount(1);

  // --- A terminal on one chosen instance -------------------------------------------------------
  const rowId = (await rows.first().getAttribute('data-testid'))!;
  const instanceId = rowId.replace('admin-instance-', '');
  const instanceName = (await rows.first().getByTestId('admin-name-cell').textContent())!;
  await page.getByTestId('view-user').click();
  const poolCard = page.locator('[data-testid^="pool-card-azure"]');
  await expect(poolCard).toContainText('e2epool');
  await poolCard
    .getByTestId(`instance-${instanceId}`)
    .getByRole('button', { name: 'Connect to this instance' })
    .click();
  await expect(page.getByTestId('host-key-dialog')).toContainText(/SHA256:/);
  await page.getByTestId('host-key-trust').click();
  const terminal = shownTerminal(page);
  await expect(terminal).toBeVisible({ timeout: 30_000 });
  const terminalId = (await terminal.getAttribute('data-testid'))!.replace('terminal-', '');
  await expect(page.getByTestId('status-bar')).toContainText(instanceName);
  await terminal.click();
  await page.keyboard.type('echo on-azure-$((6*7))\n');
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^on-azure-42\s*$/m);

  // --- Deallocate that instance and see its state change ----------------------------------------
  await page.getByTestId('view-admin').click();
  const row = card.getByTestId(rowId);
  await row.getByRole('checkbox').check();
  await card.getByTestId('admin-action-deallocate').click();
  const confirm = page.getByTestId('admin-confirm-dialog');
  await expect(confirm).toContainText(instanceName);
  await expect(confirm.getByTestId('az-preview')).toContainText('az vmss deallocate');
  await page.getByTestId('admin-confirm').click();
  await expect(row).toHaveAttribute('data-state', 'stopped', { timeout: 60_000 });
  await expect(row).toContainText(/deallocated/i);
  await page.screenshot({ path: 'test-results/screenshots/admin-azure.png' });

  // The operations panel folds away for a wider table, and comes back.
  await page.getByTestId('operations-collapse').click();
  await expect(page.getByRole('region', { name: 'Operations' })).toHaveCount(0);
  await expect(card.getByTestId('admin-nat-port').first()).toBeVisible();
  await page.getByTestId('operations-expand').click();
  await expect(page.getByRole('region', { name: 'Operations' })).toBeVisible();

  // --- Delete the pool (typed confirmation) --------------------------------------------------------
  await card.getByTestId('admin-delete-pool').click();
  await expect(page.getByTestId('admin-delete-confirm')).toBeDisabled();
  await page.getByTestId('admin-delete-confirm-input').fill('e2epool');
  await page.getByTestId('admin-delete-confirm').click();
  await expect(card).toHaveCount(0, { timeout: 90_000 });
  await expect(
    page.locator('[data-testid^="operation-"][data-status="succeeded"]', { hasText: /Delete/ }),
  ).toHaveCount(1);
});
