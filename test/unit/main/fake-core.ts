// A tiny AppCore for shell tests: the real RpcServer with a few handlers, and controllable state.
import { Emitter } from '../../../src/common/event';
import type {
  AzureSignInStatus,
  ConnectionInfo,
  DemoInfo,
  PoolInfo,
} from '../../../src/common/models';
import type { AppNotification, AppTarget } from '../../../src/common/notification-models';
import { RpcServer } from '../../../src/common/rpc';
import type { AppCore } from '../../../src/core/app-core';
import type { UpdateEngine } from '../../../src/core/updates/update-engine';
import { UpdateController } from '../../../src/core/updates/update-service';
import { MemorySettings } from '../../helpers/memory-settings';
import { simpleHandlers } from '../../helpers/simple-handlers';

export function pool(id: string, name: string): PoolInfo {
  return { id, name, kind: 'local', description: `${name} pool`, user: 'me', instances: [] };
}

export class FakeCore implements AppCore {
  readonly rpc: RpcServer;
  readonly connectRequests: string[] = [];
  /** What the shell asked the UI to bring forward. */
  readonly openRequests: AppTarget[] = [];
  private connectionList: ConnectionInfo[] = [];
  private readonly notifyEmitter = new Emitter<AppNotification>();
  readonly onDidNotify = this.notifyEmitter.event;
  /** Set by a test to stand for `npm run demo`. */
  demo?: DemoInfo;
  disposeCount = 0;
  private connections = 0;
  private troubled = { reconnecting: 0, lost: 0 };
  private readonly poolsEmitter = new Emitter<PoolInfo[]>();
  private readonly connectionsEmitter = new Emitter<void>();
  private readonly azureEmitter = new Emitter<AzureSignInStatus>();
  private azure: AzureSignInStatus = { signedIn: false, persistentCache: false };
  readonly onDidChangeAzureSignIn = this.azureEmitter.event;
  readonly onDidChangePools = this.poolsEmitter.event;
  readonly onDidChangeConnections = this.connectionsEmitter.event;
  /** The real update service, on the engine the shell handed over (none: off, as headless). */
  readonly updates: UpdateController;
  /** What the tray asked of the OpenSSH side (connection ids), and made-up answers. */
  readonly opensshCalls: string[] = [];
  readonly openssh: AppCore['openssh'] = {
    sshCommand: (connectionId) => {
      this.opensshCalls.push(`ssh ${connectionId}`);
      const alias = `dsvm-test-${connectionId}`;
      return Promise.resolve({
        alias,
        command: `ssh -F /t/ssh/config ${alias}`,
        configPath: '/t/ssh/config',
      });
    },
    vsCodeLink: (connectionId) => {
      this.opensshCalls.push(`vscode ${connectionId}`);
      const alias = `dsvm-test-${connectionId}`;
      return Promise.resolve({
        url: `vscode://vscode-remote/ssh-remote+${alias}/home/me/notebooks`,
        alias,
        folder: '/home/me/notebooks',
        included: true,
        configPath: '/t/ssh/config',
      });
    },
  };

  constructor(
    readonly dataDir: string,
    private pools: PoolInfo[] = [],
    updateEngine?: UpdateEngine,
  ) {
    this.updates = new UpdateController({
      currentVersion: '0.0.0-test',
      engine: updateEngine,
      settings: new MemorySettings(),
      env: {},
    });
    const handlers = simpleHandlers({
      'app.info': () => ({
        version: '0.0.0-test',
        shell: 'electron',
        platform: process.platform,
        dataDir: this.dataDir,
      }),
      'pools.list': () => this.pools,
    });
    this.rpc = new RpcServer(handlers);
  }

  listPools(): PoolInfo[] {
    return this.pools;
  }

  listConnections(): ConnectionInfo[] {
    return this.connectionList;
  }

  requestOpen(target: AppTarget): void {
    this.openRequests.push(target);
    this.rpc.emit('app.onDidRequestOpen', target);
  }

  connectedCount(): number {
    return this.connections;
  }

  troubledCount(): { reconnecting: number; lost: number } {
    return this.troubled;
  }

  azureSignIn(): AzureSignInStatus {
    return this.azure;
  }

  requestConnect(poolId: string): void {
    this.connectRequests.push(poolId);
    this.rpc.emit('app.onDidRequestConnect', { poolId });
  }

  async dispose(): Promise<void> {
    this.disposeCount++;
    this.updates.dispose();
    this.rpc.dispose();
  }

  // --- test helpers ---

  setTroubled(troubled: { reconnecting: number; lost: number }): void {
    this.troubled = troubled;
    this.connectionsEmitter.fire();
  }

  setPools(pools: PoolInfo[]): void {
    this.pools = pools;
    this.poolsEmitter.fire(pools);
  }

  setAzureSignIn(status: AzureSignInStatus): void {
    this.azure = status;
    this.azureEmitter.fire(status);
  }

  /** Shows a notification as the core's service would. */
  notify(notification: AppNotification): void {
    this.notifyEmitter.fire(notification);
  }

  setConnectionList(list: ConnectionInfo[]): void {
    this.connectionList = list;
    this.connections = list.filter((c) => c.state === 'connected').length;
    this.connectionsEmitter.fire();
  }

  setConnections(count: number): void {
    this.connections = count;
    this.connectionsEmitter.fire();
  }
}
