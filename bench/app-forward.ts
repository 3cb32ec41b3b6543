// What bench/tunnel.ts and bench/read-buffer.ts share: ssh2 kept on Node's crypto, as in the
// shipped app, the app's ForwardService over one fixed connection, and the load process.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { SshConnection } from '../src/core/ssh/ssh-connection';
import type { ForwardService } from '../src/core/ssh/forward-service';
import type { LoadRequest } from './tunnel-load';

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

/** bench/tunnel-load.ts in its own process: its two target ports, requests to it, its end. */
export interface LoadProcess {
  bulkPort: number;
  webPort: number;
  ask<T>(req: LoadRequest): Promise<T>;
  stop(): void;
}

export async function startLoad(): Promise<LoadProcess> {
  const load = fork(fileURLToPath(new URL('./tunnel-load.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
  });
  const { bulkPort, webPort } = await new Promise<{ bulkPort: number; webPort: number }>(
    (resolve) => load.once('message', resolve as (m: unknown) => void),
  );
  return {
    bulkPort,
    webPort,
    ask: <T>(req: LoadRequest) =>
      new Promise<T>((resolve) => {
        load.once('message', resolve as (m: unknown) => void);
        load.send(req);
      }),
    stop: () => load.disconnect(),
  };
}
