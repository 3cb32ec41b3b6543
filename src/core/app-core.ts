// The composition root of the Node side: builds every service once and serves the contract.
// Both shells (Electron main, headless host) call createAppCore and connect their transports.
import type { Disposable, Event } from '../common/event';
import type { PoolInfo } from '../common/models';
import type { RpcServer } from '../common/rpc';

export interface AppCoreOptions {
  /** Where keys, trusted host keys, settings and the local sandbox live. */
  dataDir: string;
  shell: 'electron' | 'headless';
  version: string;
  /** Diagnostic lines (never secrets). Defaults to stderr. */
  log?: (line: string) => void;
  /** Instances in the local sandbox pool (default 2). */
  localInstances?: number;
}

export interface AppCore extends Disposable {
  /** Serve the contract over a transport: `core.rpc.connect(transport)`. */
  readonly rpc: RpcServer;
  listPools(): PoolInfo[];
  readonly onDidChangePools: Event<PoolInfo[]>;
  /** How many SSH connections are open (the tray shows it). */
  connectedCount(): number;
  readonly onDidChangeConnections: Event<void>;
  /** Asks the UI (every connected window/tab) to run its Connect flow for a pool. */
  requestConnect(poolId: string): void;
  /** Stops the local sandbox, closes connections and terminals. */
  dispose(): Promise<void>;
}

export async function createAppCore(_options: AppCoreOptions): Promise<AppCore> {
  throw new Error('createAppCore is being written');
}
