// Fast output is kept line for line up to the scrollback limit: a 50,000-line flood in the local
// sandbox (its shell runs in tmux), searched with the terminal's Find before and after a reload;
// then the limit changed in Terminal settings, with a clear refusal of a bad value first.
import type { Page } from '@playwright/test';
import { expect, screenText, shownTerminal, test } from './fixtures';

/** Searches the shown terminal with its Find box; resolves with the box's count text. */
async function find(page: Page, text: string): Promise<string> {
  const box = page.getByTestId('find-box');
  if (!(await box.isVisible())) {
    await shownTerminal(page).click();
    await page.keyboard.press('Control+Shift+F');
  }
  const input = box.getByRole('textbox', { name: 'Find in terminal' });
  await input.fill(text);
  const count = box.locator('[aria-live="polite"]');
  await expect(count).not.toHaveText('');
  return (await count.textContent()) ?? '';
}

test('scrollback keeps every line of a flood up to the limit, across a reload', async ({
  app,
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto(app.url);
  await page.getByTestId('connect-local').click();
  // A host that an earlier test of this app trusted does not ask again.
  const question = page.getByTestId('host-key-dialog');
  await expect(question.or(shownTerminal(page))).toBeVisible();
  if (await question.isVisible()) await page.getByTestId('host-key-trust').click();
  const terminal = shownTerminal(page);
  await expect(terminal).toBeVisible();
  const terminalId = (await terminal.getAttribute('data-testid'))!.replace('terminal-', '');

  // 50,000 lines as fast as seq prints them; the default limit keeps the newest 10,000 (and a
  // screen), so 40001 is in and 39000 is out.
  await terminal.click();
  await page.keyboard.type('seq 1 50000; echo flood-$((2*3))-done\n');
  await expect
    .poll(() => screenText(page, terminalId), { timeout: 60_000 })
    .toMatch(/^flood-6-done\s*$/m);

  const expectKept = async () => {
    expect(await find(page, '40001')).toBe('1 of 1');
    expect(await find(page, '45678')).toBe('1 of 1');
    expect(await find(page, '49999')).toBe('1 of 1');
    expect(await find(page, '39000')).toBe('No results');
  };
  await expectKept();
  await page.screenshot({ path: 'test-results/screenshots/terminal-scrollback-find.png' });
  await page.keyboard.press('Escape');

  // A reloaded page takes the terminal over with its scrollback, not just its last screen.
  await page.reload();
  const again = page.getByTestId(`terminal-${terminalId}`);
  // Every open terminal of this app is taken over first; on a busy machine that takes a while.
  await expect(again).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^flood-6-done\s*$/m);
  await expectKept();
  await page.keyboard.press('Escape');

  // The limit is a setting: a bad value is refused in the field's words and stays to be fixed.
  await page.getByTestId(/^connection-menu-/).click();
  await page.getByTestId('terminal-settings').click();
  const dialog = page.getByTestId('terminal-settings-dialog');
  const field = dialog.getByTestId('terminal-scrollback');
  await expect(field).toHaveValue('10000');
  await field.fill('500');
  await dialog.getByTestId('terminal-settings-save').click();
  await expect(dialog).toContainText(
    'Scrollback must be a whole number of lines from 1,000 to 50,000.',
  );
  await expect(field).toHaveValue('500');
  await page.screenshot({ path: 'test-results/screenshots/terminal-settings.png' });
  await field.fill('20000');
  await dialog.getByTestId('terminal-settings-save').click();
  await expect(dialog).toBeHidden();

  // The open terminal follows at once: a second flood keeps its newest 20,000 lines.
  await again.click();
  await page.keyboard.type('seq 1 50000 | sed s/^/b-/; echo flood-$((3*3))-done\n');
  await expect
    .poll(() => screenText(page, terminalId), { timeout: 60_000 })
    .toMatch(/^flood-9-done\s*$/m);
  expect(await find(page, 'b-30001')).toBe('1 of 1');
  expect(await find(page, 'b-29000')).toBe('No results');
  await page.keyboard.press('Escape');

  // Saved in settings.json: a new page starts with it.
  await page.reload();
  await page.getByTestId(/^connection-menu-/).click();
  await page.getByTestId('terminal-settings').click();
  await expect(page.getByTestId('terminal-scrollback')).toHaveValue('20000');
  await page.keyboard.press('Escape');
  await page.getByTestId(`close-tab-${terminalId}`).click();
});

test('a terminal in tmux answers a program’s query once: tmux does, xterm.js keeps quiet', async ({
  app,
  page,
}) => {
  await page.goto(app.url);
  await page.getByTestId('connect-local').click();
  const question = page.getByTestId('host-key-dialog');
  await expect(question.or(shownTerminal(page))).toBeVisible();
  if (await question.isVisible()) await page.getByTestId('host-key-trust').click();
  const terminal = shownTerminal(page);
  await expect(terminal).toBeVisible();
  const terminalId = (await terminal.getAttribute('data-testid'))!.replace('terminal-', '');
  await expect(page.getByTestId('status-bar')).toContainText('persistent (tmux)');

  // Device attributes: the program reads one answer. A second one (from xterm.js) would be left
  // over as typed text and spoil the next command line. Echo is off before the question: an
  // answer that comes before `read` starts would otherwise be echoed by the tty (`^[[?1;2c`).
  await terminal.click();
  await page.keyboard.type(
    "stty -echo; printf '\\033[c'; read -rs -t 2 -d c answer; stty echo; echo got-${#answer}\n",
  );
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^got-\d+\s*$/m);
  await page.keyboard.type('echo clean-$((1+1))\n');
  await expect.poll(() => screenText(page, terminalId)).toMatch(/^clean-2\s*$/m);
  expect(await screenText(page, terminalId)).not.toMatch(/\?1;2c|\?6c/);
  await page.getByTestId(`close-tab-${terminalId}`).click();
});
