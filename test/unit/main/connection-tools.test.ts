// The tray's Copy ssh command and Open in VS Code, built on the core's openssh methods.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionToolsOf, type OpenSshTools } from '../../../src/main/connection-tools';

function openssh(included: boolean): OpenSshTools {
  return {
    sshCommand: async (id) => ({ command: `ssh -F '/data/ssh/config' dsvm-team-${id}` }),
    vsCodeLink: async (id) => ({
      url: `vscode://vscode-remote/ssh-remote+dsvm-team-${id}/home/alice/notebooks`,
      included,
      configPath: '/data/ssh/config',
    }),
  };
}

describe('tray connection tools', () => {
  it('gives the ssh command text for the clipboard', async () => {
    const tools = connectionToolsOf(openssh(true), async () => true);
    assert.equal(await tools.sshCommand('c1'), "ssh -F '/data/ssh/config' dsvm-team-c1");
  });

  it('opens VS Code through the allow-list when ~/.ssh/config includes the app config', async () => {
    const opened: string[] = [];
    const tools = connectionToolsOf(openssh(true), async (url) => {
      opened.push(url);
      return true;
    });
    await tools.openInVsCode('c1');
    assert.deepEqual(opened, [
      'vscode://vscode-remote/ssh-remote+dsvm-team-c1/home/alice/notebooks',
    ]);
  });

  it('says where to add the Include instead of opening a VS Code that cannot find the host', async () => {
    const opened: string[] = [];
    const tools = connectionToolsOf(openssh(false), async (url) => {
      opened.push(url);
      return true;
    });
    await assert.rejects(
      tools.openInVsCode('c1'),
      /does not include the app's \/data\/ssh\/config/,
    );
    assert.deepEqual(opened, []);
  });

  it('says so when the link was refused or did not open', async () => {
    const tools = connectionToolsOf(openssh(true), async () => false);
    await assert.rejects(tools.openInVsCode('c1'), /VS Code did not open/);
  });
});
