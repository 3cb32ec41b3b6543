// SSH connections to pool instances: placement picks the instance, the provider says how to reach
// it, the host key is checked against the pool's trust store, and state changes are announced.
import { ErrorCode, RpcError } from '../../common/errors';
import { Emitter, type Disposable } from '../../common/event';
import type { ConnectionInfo } from '../../common/models';
import { chooseInstance } from '../placement/placement';
import type { PoolProvider } from '../providers/pool-provider';
import type { PromptService } from '../prompts/prompt-service';
import { createHostKeyVerifier } from '../ssh/host-key-verifier';
import type { KnownHostsStore } from '../ssh/known-hosts-store';
import { SshConnection } from '../ssh/ssh-connection';

export interface ConnectionServiceDeps {
  providers: ReadonlyMap<string, PoolProvider>;
  knownHosts: KnownHostsStore;
  prompts: PromptService;
  log: (line: string) => void;
}

interface Entry {
  info: ConnectionInfo;
  connection?: SshConnection;
}

export class ConnectionService implements Disposable {
  private nextId = 1;
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new Emitter<ConnectionInfo>();
  /** Fires on every state change of a connection. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: ConnectionServiceDeps) {}

  provider(poolId: string): PoolProvider {
    const provider = this.deps.providers.get(poolId);
    if (!provider) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No pool with id "${poolId}". Reload the pool list and pick one.`,
      );
    }
    return provider;
  }

  async connect(
    poolId: string,
    instanceId: string | undefined,
    signal?: AbortSignal,
  ): Promise<ConnectionInfo> {
    const provider = this.provider(poolId);
    const { instance } = chooseInstance(provider.listInstances(), provider.user, { instanceId });
    const target = await provider.connectTarget(instance.id);
    const info: ConnectionInfo = {
      id: `conn-${this.nextId++}`,
      poolId,
      instanceId: instance.id,
      instanceName: instance.name,
      host: target.host,
      port: target.port,
      user: target.username,
      state: 'connecting',
    };
    const entry: Entry = { info };
    this.entries.set(info.id, entry);
    this.update(entry, {});
    // Withdraws an open host-key question when the attempt fails or is cancelled.
    const attempt = new AbortController();
    const onAbort = () => attempt.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const connection = await SshConnection.open({
        target,
        signal: attempt.signal,
        verifyHostKey: createHostKeyVerifier({
          store: this.deps.knownHosts,
          prompts: this.deps.prompts,
          poolId,
          instanceName: instance.name,
          host: target.host,
          port: target.port,
          signal: attempt.signal,
        }),
      });
      entry.connection = connection;
      connection.onDidClose(({ reason }) => {
        if (entry.info.state === 'connected')
          this.update(entry, { state: 'closed', detail: reason });
        this.entries.delete(info.id);
      });
      if (connection.closed)
        throw new RpcError(ErrorCode.Unreachable, 'The connection closed as it opened.');
      this.update(entry, { state: 'connected' });
      this.deps.log(
        `connected ${info.id} to ${instance.name} (${target.host}:${target.port}) of ${poolId}`,
      );
      return { ...entry.info };
    } catch (err) {
      attempt.abort();
      const error = RpcError.from(err);
      this.update(entry, { state: 'failed', detail: error.message });
      this.entries.delete(info.id);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  get(connectionId: string): { info: ConnectionInfo; connection: SshConnection } {
    const entry = this.entries.get(connectionId);
    if (!entry?.connection || entry.info.state !== 'connected') {
      throw new RpcError(
        ErrorCode.NotFound,
        `No open connection "${connectionId}". It may have closed; connect again.`,
      );
    }
    return { info: entry.info, connection: entry.connection };
  }

  list(): ConnectionInfo[] {
    return [...this.entries.values()].map((e) => ({ ...e.info }));
  }

  connectedCount(): number {
    return [...this.entries.values()].filter((e) => e.info.state === 'connected').length;
  }

  close(connectionId: string): void {
    const { connection } = this.get(connectionId);
    connection.dispose();
  }

  /** Closes every connection (their terminals end with them). */
  closeAll(): void {
    for (const entry of [...this.entries.values()]) entry.connection?.dispose();
  }

  dispose(): void {
    this.closeAll();
    this.entries.clear();
    this.changed.dispose();
  }

  private update(entry: Entry, patch: Partial<ConnectionInfo>): void {
    entry.info = { ...entry.info, ...patch };
    this.changed.fire({ ...entry.info });
  }
}
