// OpenSSH and VS Code from the connection's toolbar: the copied ssh command works in a real
// terminal (OpenSSH, with the host key the app trusted); Open in VS Code offers the Include line
// (never adds it by itself) and the line comes out again; a changed host key is refused and can be
// replaced after the user confirms its fingerprint.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { expect, startHost, stop, test, type RunningApp } from './fixtures';
import type { ChildProcess } from 'node:child_process';

/** Runs OpenSSH with the command the app gave, BatchMode: it never asks, it only passes or fails. */
function runSsh(command: string): Promise<{ code: number; stderr: string }> {
  const m = /^ssh -F ('(?:[^']|'\\'')*'|\S+) (\S+)$/.exec(command);
  if (!m) throw new Error(`not an ssh command: ${command}`);
  const file = m[1]!.startsWith("'") ? m[1]!.slice(1, -1).replace(/'\\''/g, "'") : m[1]!;
  return new Promise((resolve) => {
    execFile(
      'ssh',
      ['-F', file, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', m[2]!, 'true'],
      { timeout: 30_000 },
      (err, _out, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
    );
  });
}

let home: string;
let app: RunningApp;
let child: ChildProcess;
const USER_CONFIG_TEXT = '# my own\nHost work\n  User me\n';

test.beforeAll(async () => {
  // The user's ~/.ssh/config of this test only: HOME points at a folder of its own.
  home = await mkdtemp(join(tmpdir(), 'dsvm-pool-e2e-home-'));
  await mkdir(join(home, '.ssh'), { mode: 0o700 });
  await writeFile(join(home, '.ssh', 'config'), USER_CONFIG_TEXT, { mode: 0o600 });
  ({ app, child } = await startHost({ HOME: home }));
});

test.afterAll(async () => {
  await stop(child);
  await rm(app.dataDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

test('Copy ssh command works in a terminal; Open in VS Code offers the Include line', async ({
  page,
}) => {
  await page.goto(app.url);
  await page.getByTestId('connect-local').click();
  await page.getByTestId('host-key-trust').click();
  const toolbar = page.locator('[data-testid^="connection-toolbar-"]');
  await expect(toolbar).toBeVisible();

  await page.locator('[data-testid^="connection-menu-"]').click();
  await page.locator('[data-testid^="ssh-command-"]').click();
  const dialog = page.getByTestId('openssh-dialog');
  const command = (await dialog.getByTestId('openssh-command').textContent())!;
  expect(command).toMatch(/^ssh -F \S+ssh\/config'? dsvm-local-sandbox-local-\d$/);
  await expect(dialog.getByTestId('openssh-include-state')).toContainText('Not included');
  await page.screenshot({ path: 'test-results/screenshots/openssh-ssh-command.png' });
  // The real OpenSSH client, with the app's key and the key the user just trusted.
  const result = await runSsh(command);
  expect(result.code, result.stderr).toBe(0);
  await dialog.getByTestId('openssh-close').click();

  await page.locator('[data-testid^="vscode-open-"]').click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('openssh-vscode-url')).toHaveText(
    /^vscode:\/\/vscode-remote\/ssh-remote\+dsvm-local-sandbox-local-\d\/.+\/notebooks$/,
  );
  // Nothing was written to the user's file by asking.
  expect(await readFile(join(home, '.ssh', 'config'), 'utf8')).toBe(USER_CONFIG_TEXT);
  const line = (await dialog.getByTestId('openssh-include-line').textContent())!;
  expect(line).toBe(`Include "${join(app.dataDir, 'ssh', 'config')}"`);
  await dialog.getByTestId('openssh-add-include').click();
  await expect(dialog.getByTestId('openssh-include-state')).toContainText('Included');
  expect(await readFile(join(home, '.ssh', 'config'), 'utf8')).toBe(`${line}\n${USER_CONFIG_TEXT}`);
  await expect(dialog.getByTestId('openssh-open-vscode')).toHaveText('Open in VS Code');
  await page.screenshot({ path: 'test-results/screenshots/openssh-vscode.png' });
  await dialog.getByTestId('openssh-remove-include').click();
  await expect(dialog.getByTestId('openssh-include-state')).toContainText('Not included');
  expect(await readFile(join(home, '.ssh', 'config'), 'utf8')).toBe(USER_CONFIG_TEXT);
  await dialog.getByTestId('openssh-close').click();
});

test('a changed host key is refused, and replaced only after confirming its fingerprint', async ({
  page,
}) => {
  // As if the instances' keys changed: the app trusts another key for both sandbox instances
  // (so whichever Connect picks, its key is refused as changed, never asked about).
  const file = join(app.dataDir, 'known-hosts.json');
  const store = JSON.parse(await readFile(file, 'utf8'));
  const other = ssh2.utils.parseKey(ssh2.utils.generateKeyPairSync('ed25519').public);
  if (other instanceof Error || Array.isArray(other)) throw new Error('test key');
  for (const id of ['local-0', 'local-1']) {
    store.pools.local[`instance/${id}`] = {
      algorithm: 'ssh-ed25519',
      key: other.getPublicSSH().toString('base64'),
      fingerprint: 'SHA256:the-old-key-fingerprint',
      addedAt: new Date().toISOString(),
    };
  }
  await writeFile(file, JSON.stringify(store));

  await page.goto(app.url);
  const tabs = page.getByRole('tablist', { name: 'Terminals' }).getByRole('tab');
  // The first test's terminal, unless its connection closed meanwhile (no window for 30 s).
  // The page and its restored tabs may take a while on a busy machine.
  await expect(page.getByTestId('pool-card-local')).toBeVisible({ timeout: 30_000 });
  // Restored tabs, or "No terminal open": either way the page is done taking terminals over.
  await expect(tabs.first().or(page.getByTestId('empty-terminals'))).toBeVisible({
    timeout: 30_000,
  });
  const tabsBefore = await tabs.count();
  await page.getByTestId('connect-local').click();
  const error = page.getByTestId('error-local');
  await expect(error).toContainText(/changed .* same machine/);
  await expect(page.getByTestId('host-key-dialog')).toBeHidden();
  await error.getByTestId('replace-key-local').click();

  const replace = page.getByTestId('replace-key-dialog');
  await expect(replace.getByTestId('replace-key-old')).toHaveText('SHA256:the-old-key-fingerprint');
  await expect(replace.getByTestId('replace-key-new')).toContainText(/ssh-ed25519 SHA256:\S{43}/);
  await expect(replace.getByTestId('replace-key-cancel')).toBeFocused();
  await expect(replace.getByTestId('replace-key-confirm')).toBeDisabled();
  await page.screenshot({ path: 'test-results/screenshots/replace-host-key.png' });
  await replace.getByTestId('replace-key-check').click();
  await replace.getByTestId('replace-key-confirm').click();

  await expect(replace).toBeHidden();
  // Connected again, to a new tab, with the key the instance really has.
  await expect(tabs).toHaveCount(tabsBefore + 1);
  await expect(page.getByTestId('error-local')).toBeHidden();
  const trusted = JSON.parse(await readFile(file, 'utf8'));
  const keys = Object.values(trusted.pools.local) as { key: string }[];
  expect(keys.some((k) => k.key !== other.getPublicSSH().toString('base64'))).toBe(true);
  await expect(page.getByTestId('host-key-dialog')).toBeHidden();
});
