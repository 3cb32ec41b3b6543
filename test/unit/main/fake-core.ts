// A tiny AppCore for shell tests: the real RpcServer with a few handlers, and controllable state.
import { Emitter } from '../../../src/common/event';
import { ErrorCode, RpcError } from '../../../src/common/errors';
import type { PoolInfo } from '../../../src/common/models';
import { RpcServer, type Handlers } from '../../../src/common/rpc';
import type { AppCore } from '../../../src/core/app-core';

export function pool(id: string, name: string): PoolInfo {
  return { id, name, kind: 'local', description: `${name} pool`, user: 'me', instances: [] };
}

const notInFake = (): never => {
  throw new RpcError(ErrorCode.Internal, 'Not implemented in the fake core.');
};

export class FakeCore implements AppCore {
  readonly rpc: RpcServer;
  readonly connectRequests: string[] = [];
  disposeCount = 0;
  private connections = 0;
  private readonly poolsEmitter = new Emitter<PoolInfo[]>();
  private readonly connectionsEmitter = new Emitter<void>();
  readonly onDidChangePools = this.poolsEmitter.event;
  readonly onDidChangeConnections = this.connectionsEmitter.event;

  constructor(
    readonly dataDir: string,
    private pools: PoolInfo[] = [],
  ) {
    const handlers: Handlers = {
      'app.info': () => ({
        version: '0.0.0-test',
        shell: 'electron',
        platform: process.platform,
        dataDir: this.dataDir,
      }),
      'pools.list': () => this.pools,
      'connections.connect': notInFake,
      'connections.list': () => [],
      'connections.close': notInFake,
      'terminals.open': notInFake,
      'terminals.list': () => [],
      'terminals.write': notInFake,
      'terminals.resize': notInFake,
      'terminals.ack': notInFake,
      'terminals.close': notInFake,
      'prompts.list': () => [],
      'prompts.answer': notInFake,
    };
    this.rpc = new RpcServer(handlers);
  }

  listPools(): PoolInfo[] {
    return this.pools;
  }

  connectedCount(): number {
    return this.connections;
  }

  requestConnect(poolId: string): void {
    this.connectRequests.push(poolId);
    this.rpc.emit('app.onDidRequestConnect', { poolId });
  }

  async dispose(): Promise<void> {
    this.disposeCount++;
    this.rpc.dispose();
  }

  // --- test helpers ---

  setPools(pools: PoolInfo[]): void {
    this.pools = pools;
    this.poolsEmitter.fire(pools);
  }

  setConnections(count: number): void {
    this.connections = count;
    this.connectionsEmitter.fire();
  }
}
