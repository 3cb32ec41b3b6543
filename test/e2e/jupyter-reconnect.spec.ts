// A data scientist's day in the local sandbox: connect, open Jupyter on the same instance,
// lose the network, and find the same shell, the same Jupyter and the same local port after.
import { expect, screenText, shownTerminal, test } from './fixtures';

test('Jupyter over the same connection, and a dropped link heals with the same port and shell', async ({
  app,
  page,
  request,
}) => {
  test.setTimeout(150_000);
  await page.goto(app.url);
  await page.getByTestId('connect-local').click();
  // The host key may already be trusted by an earlier test of this worker.
  const trust = page.getByTestId('host-key-trust');
  const terminal = shownTerminal(page);
  await expect(trust.or(terminal)).toBeVisible();
  if (await trust.isVisible()) await trust.click();
  await expect(terminal).toBeVisible();
  const terminalId = (await terminal.getAttribute('data-testid'))!.replace('terminal-', '');
  const status = page.getByTestId('status-bar');
  await expect(status).toHaveAttribute('data-connection-state', 'connected');
  const instance = /local-\d+/.exec((await status.textContent()) ?? '')![0];

  // A mark in the shell and a job that must outlive the drop.
  const mark = `m${Date.now() % 100000}`;
  await terminal.click();
  await page.keyboard.type(`export MARK=${mark}; sleep 600 & echo "job=$!"\n`);
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^job=\d+\s*$/m);
  const job = /^job=(\d+)\s*$/m.exec(await screenText(page, terminalId))![1];

  // Jupyter: started (or found) on the same instance, forwarded to a local port with its token.
  await page.locator('[data-testid^="jupyter-open-"]').first().click();
  const urlField = page.locator('[data-testid^="jupyter-url-"]').first();
  await expect(urlField).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+\/.*token=/, { timeout: 60_000 });
  const url = await urlField.inputValue();
  const port = new URL(url).port;
  expect((await request.get(url)).status()).toBe(200);
  const api = new URL('api/status', url);
  api.search = new URL(url).search;
  expect((await request.get(api.toString())).status()).toBe(200);

  // The network drops: every SSH link to the instance is cut without a goodbye.
  await page.getByTestId(`drop-${instance}`).click();
  await expect(page.locator(`[data-testid^="reconnected-bar-"]`)).toBeVisible({ timeout: 30_000 });
  await expect(status).toHaveAttribute('data-connection-state', 'connected');
  await expect(status).toContainText(instance);

  // Same local port, Jupyter answers through it again.
  await expect(urlField).toHaveValue(url);
  expect(new URL(await urlField.inputValue()).port).toBe(port);
  await expect.poll(async () => (await request.get(api.toString())).status()).toBe(200);

  // Same shell (tmux): the mark is still set and the job still runs.
  await terminal.click();
  await page.keyboard.type(`clear; echo "mark=$MARK"; kill -0 ${job} && echo job-alive\n`);
  await expect
    .poll(() => screenText(page, terminalId))
    .toMatch(new RegExp(`^mark=${mark}\\s*$`, 'm'));
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^job-alive\s*$/m);
  await page.screenshot({ path: 'test-results/screenshots/jupyter-reconnect.png' });
});
