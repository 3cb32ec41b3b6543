// What may leave the app through shell.openExternal: web pages, and VS Code's remote folder
// address only (vscode: / vscode-insiders:), never another scheme or another VS Code command.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isAllowedExternalUrl,
  openExternalSafely,
} from '../../../../src/main/security/external-url';

describe('external URL allow-list', () => {
  it('lets out http(s) and the VS Code Remote - SSH address, with a folder or without', () => {
    for (const url of [
      'https://learn.microsoft.com/azure/',
      'http://127.0.0.1:8888/lab?token=abc',
      'vscode://vscode-remote/ssh-remote+dsvm-team-pool-teampool000003/home/ana/notebooks',
      'vscode://vscode-remote/ssh-remote+dsvm-a-b',
      'vscode-insiders://vscode-remote/ssh-remote+dsvm-a-b/home/ana/my%20work',
    ]) {
      assert.equal(isAllowedExternalUrl(url), true, url);
    }
  });

  it('keeps every other scheme and every other VS Code address in', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ms-msdt:/id PCWDiagnostic',
      'search-ms:query=x',
      'vscode:extension/evil.publisher',
      'vscode://vscode.git/clone?url=https://evil.example/x',
      'vscode://vscode-remote/wsl+Ubuntu/home',
      'vscode://vscode-remote/ssh-remote+a b/home',
      'vscode://vscode-remote/ssh-remote+host/home?windowId=_blank',
      'vscode://user:pw@vscode-remote/ssh-remote+host/home',
      'vscode-remote://ssh-remote+host/home',
      'code://vscode-remote/ssh-remote+host/home',
      '',
      'not a url',
    ]) {
      assert.equal(isAllowedExternalUrl(url), false, url);
    }
  });

  it('opens only what is allowed, and logs a refusal without the path', async () => {
    const opened: string[] = [];
    const log: string[] = [];
    const open = async (url: string) => {
      opened.push(url);
    };
    const good = 'vscode://vscode-remote/ssh-remote+dsvm-a-b/home/ana';
    assert.equal(await openExternalSafely(open, good, (l) => log.push(l)), true);
    assert.equal(
      await openExternalSafely(open, 'file:///home/ana/secret', (l) => log.push(l)),
      false,
    );
    assert.deepEqual(opened, [good]);
    assert.equal(log.length, 1);
    assert.match(log[0]!, /refused to open a file: URL/);
    assert.doesNotMatch(log[0]!, /secret/);
  });
});
