// What the Electron shell needs of the core, wherever the core runs: in Electron's utility process
// (the app: src/main/utility-core.ts) or in main itself (tests, and anything that hands the shell
// an AppCore: inProcessCore).
import type { Event } from '../common/event';
import type { MessagePortLike } from '../common/transports/message-port-main';
import { MessagePortMainTransport } from '../common/transports/message-port-main';
import type { AppCore } from '../core/app-core';
import type { UpdateService } from '../core/updates/update-service';

export interface ShellCore extends Omit<AppCore, 'rpc' | 'updates'> {
  /** Serves the contract on a page's port; `close` drops that page (a reload got a new port). */
  serve(port: MessagePortLike): { close(): void };
  /** The tray's "Check for updates". */
  readonly updates: Pick<UpdateService, 'check'>;
  /** The core stopped unexpectedly and runs again: pages must reload to reach it. */
  readonly onDidRestart: Event<RestartInfo>;
  /** The core kept stopping and is not started again; the sentence tells the user what to do. */
  readonly onDidGiveUp: Event<string>;
}

export interface RestartInfo {
  /** The exit code of the process that stopped (null: ended by a signal). */
  code: number | null;
}

/** A core running in main's own process. */
export function inProcessCore(core: AppCore): ShellCore {
  return {
    listPools: () => core.listPools(),
    onDidChangePools: core.onDidChangePools,
    connectedCount: () => core.connectedCount(),
    troubledCount: () => core.troubledCount(),
    onDidChangeConnections: core.onDidChangeConnections,
    listConnections: () => core.listConnections(),
    requestConnect: (poolId) => core.requestConnect(poolId),
    requestOpen: (target) => core.requestOpen(target),
    onDidNotify: core.onDidNotify,
    azureSignIn: () => core.azureSignIn(),
    onDidChangeAzureSignIn: core.onDidChangeAzureSignIn,
    updates: core.updates,
    openssh: core.openssh,
    get demo() {
      return core.demo;
    },
    dispose: () => core.dispose(),
    serve(port) {
      const transport = new MessagePortMainTransport(port);
      core.rpc.connect(transport);
      return { close: () => transport.close() };
    },
    // It cannot stop without main stopping too.
    onDidRestart: () => ({ dispose() {} }),
    onDidGiveUp: () => ({ dispose() {} }),
  };
}
