// Which ssh-agent the app uses on each platform.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultAgent, WINDOWS_OPENSSH_AGENT_PIPE } from '../../../../src/core/keys/ssh-agent';

describe('defaultAgent', () => {
  test('Unix: SSH_AUTH_SOCK, else none', () => {
    assert.equal(
      defaultAgent({ env: { SSH_AUTH_SOCK: '/tmp/agent.1' }, platform: 'linux' }),
      '/tmp/agent.1',
    );
    assert.equal(defaultAgent({ env: { SSH_AUTH_SOCK: '  ' }, platform: 'darwin' }), undefined);
    assert.equal(defaultAgent({ env: {}, platform: 'linux' }), undefined);
  });

  test('Windows: SSH_AUTH_SOCK, else the OpenSSH agent pipe when it exists, else Pageant', () => {
    const pipeUp = (path: string) => path === WINDOWS_OPENSSH_AGENT_PIPE;
    assert.equal(
      defaultAgent({ env: { SSH_AUTH_SOCK: 'C:\\agent.sock' }, platform: 'win32', exists: pipeUp }),
      'C:\\agent.sock',
    );
    assert.equal(
      defaultAgent({ env: {}, platform: 'win32', exists: pipeUp }),
      '\\\\.\\pipe\\openssh-ssh-agent',
    );
    assert.equal(defaultAgent({ env: {}, platform: 'win32', exists: () => false }), 'pageant');
  });
});
