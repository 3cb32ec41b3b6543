// What bench/tunnel.ts and bench/read-buffer.ts share: ssh2 kept on Node's crypto, as in the
// shipped app, and the app's ForwardService over one fixed connection.
import { createRequire } from 'node:module';
import type { SshConnection } from '../src/core/ssh/ssh-connection';
import type { ForwardService } from '../src/core/ssh/forward-service';

/**
 * Makes ssh2's `require('./crypto/build/Release/sshcrypto.node')` fail, as when it is not built
 * (the shipped app: allowScripts denies building it for Electron). Call it before anything
 * imports ssh2.
 */
export function keepNativeCryptoOff(): void {
  const Module = createRequire(import.meta.url)('node:module') as {
    prototype: { require: (this: unknown, id: string) => unknown };
  };
  const original = Module.prototype.require;
  Module.prototype.require = function (this: unknown, id: string) {
    if (id.endsWith('sshcrypto.node')) throw new Error('native crypto disabled for the bench');
    return original.call(this, id);
  };
}

/** The app's port forwards over `connection`, which stays up for the whole bench. */
export async function forwardsOver(connection: SshConnection): Promise<ForwardService> {
  const { ForwardService } = await import('../src/core/ssh/forward-service');
  return new ForwardService({
    links: {
      state: () => 'connected' as const,
      current: () => connection,
      waitForLink: async () => connection,
      onDidChange: () => ({ dispose() {} }),
    },
  });
}

/** A forward's spec apart from its remote port and label. */
export const benchForwardSpec = (connectionId: string) => ({
  connectionId,
  poolId: 'bench',
  instanceName: 'sshd',
  remoteHost: '127.0.0.1',
  kind: 'custom' as const,
});
