// The first thing a user does: open the app, Connect to the local sandbox pool, trust the host
// key, type into a real shell, and resize the window to see the pty follow.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, screenText, shownTerminal, test } from './fixtures';

test('refuses the page without its token, or with a wrong one', async ({ app, page }) => {
  // Through the browser: Node does not resolve the host's `*.localhost` name, Chromium does.
  const missing = await page.goto(`${app.origin}/`);
  expect(missing!.status()).toBe(401);
  expect(await missing!.text()).toContain('needs the address printed by `npm start`');
  const wrong = await page.goto(`${app.origin}/?token=not-the-token`);
  expect(wrong!.status()).toBe(403);
  const port = new URL(app.origin).port;
  const byAddress = await page.goto(`http://127.0.0.1:${port}/?token=${app.token}`);
  expect(byAddress!.status()).toBe(403);
});

test('the session cookie stays on this launch’s name: other local ports never see it', async ({
  app,
  page,
}) => {
  // A local service on another port, as a forwarded remote service or Jupyter would be.
  const seen: string[] = [];
  const other = createServer((req, res) => {
    seen.push(req.headers.cookie ?? '');
    res.end('other service');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const otherPort = (other.address() as AddressInfo).port;
  try {
    await page.goto(app.url);
    await expect(page.getByTestId('pool-card-local')).toBeVisible();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'dsvm_pool_session');
    expect(session?.domain).toBe(new URL(app.origin).hostname);
    expect(session?.httpOnly).toBe(true);
    expect(session?.value).not.toBe(app.token);
    for (const name of ['127.0.0.1', 'localhost']) {
      await page.goto(`http://${name}:${otherPort}/`);
      await expect(page.locator('body')).toHaveText('other service');
    }
    expect(seen.length).toBeGreaterThanOrEqual(2); // the pages (and their favicon requests)
    for (const header of seen) expect(header).not.toContain('dsvm_pool_session');
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
});

test('connect to the local pool, type in the terminal, resize it', async ({ app, page }) => {
  await page.goto(app.url);
  // The token leaves the address bar once the page has it.
  await expect(page).not.toHaveURL(/token=/);

  const pool = page.getByTestId('pool-card-local');
  await expect(pool).toContainText(/local sandbox/i);
  await expect(pool.locator('[data-testid^="instance-"][data-state="running"]')).toHaveCount(2);

  await page.getByTestId('connect-local').click();
  const dialog = page.getByTestId('host-key-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(/SHA256:/);
  await page.getByTestId('host-key-trust').click();

  const terminal = shownTerminal(page);
  await expect(terminal).toBeVisible();
  const terminalId = (await terminal.getAttribute('data-testid'))!.replace('terminal-', '');
  await expect(page.getByTestId('status-bar')).toContainText(/local-\d/);

  await terminal.click();
  await page.keyboard.type('echo e2e-$RANDOM\n');
  // The command line shows "$RANDOM"; only the shell's answer is e2e-<digits> on its own line.
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^e2e-\d+\s*$/m);

  const before = {
    cols: Number(await terminal.getAttribute('data-cols')),
    rows: Number(await terminal.getAttribute('data-rows')),
  };
  await page.setViewportSize({ width: 1400, height: 900 });
  await expect
    .poll(async () => Number(await terminal.getAttribute('data-cols')))
    .toBeGreaterThan(before.cols);
  await expect
    .poll(async () => Number(await terminal.getAttribute('data-rows')))
    .toBeGreaterThan(before.rows);
  const cols = Number(await terminal.getAttribute('data-cols'));
  const rows = Number(await terminal.getAttribute('data-rows'));

  await page.keyboard.type('clear; stty size\n');
  await expect
    .poll(() => screenText(page, terminalId))
    .toMatch(new RegExp(`^${rows} ${cols}\\s*$`, 'm'));
  await page.screenshot({ path: 'test-results/screenshots/connect-terminal.png' });

  // A reload (browser refresh, Ctrl+R in the window) takes the same terminal over: its earlier
  // output is back, and it still types into the same shell.
  await page.keyboard.type('MARK=kept-$((6*7)); echo $MARK\n');
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^kept-42\s*$/m);
  const tabs = page.getByRole('tablist', { name: 'Terminals' }).getByRole('tab');
  const tabCount = await tabs.count();
  await page.reload();
  const again = page.getByTestId(`terminal-${terminalId}`);
  await expect(again).toBeVisible();
  await expect(tabs).toHaveCount(tabCount);
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^kept-42\s*$/m);
  await again.click();
  await page.keyboard.type('echo again-$MARK\n');
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^again-kept-42\s*$/m);
  await page.screenshot({ path: 'test-results/screenshots/terminal-after-reload.png' });

  // Closing the tab ends the terminal in the app too: another reload does not bring it back.
  await page.getByTestId(`close-tab-${terminalId}`).click();
  await expect(page.getByTestId(`terminal-tab-${terminalId}`)).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('pool-card-local')).toBeVisible();
  await expect(page.getByTestId('empty-terminals')).toBeVisible();
  await expect(tabs).toHaveCount(tabCount - 1);
});
