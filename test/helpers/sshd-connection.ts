// The app's SshConnection to a test sshd (test/helpers/openssh-server.ts) as its test user, with
// the server's own host key the only one accepted.
import assert from 'node:assert/strict';
import { SshConnection, type SshConnectionOptions } from '../../src/core/ssh/ssh-connection';
import type { OpenSshServer } from './openssh-server';

export function connectToSshd(
  sshd: OpenSshServer,
  options: Omit<SshConnectionOptions, 'target' | 'verifyHostKey'> = {},
): Promise<SshConnection> {
  return SshConnection.open({
    ...options,
    target: {
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
    },
    verifyHostKey: async (key) => assert.ok(key.equals(sshd.hostKeyPublic), 'unexpected host key'),
  });
}
