// The app's OpenSSH side: keeps <dataDir>/ssh/config and known_hosts in step with the pools and
// the trusted keys (debounced, atomic), the optional Include in ~/.ssh/config, and what the UI and
// the tray hand to other programs: the ssh command of a connection and its VS Code address.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, RpcError } from '../../common/errors';
import type { Disposable } from '../../common/event';
import type { OpenSshStatus, SshCommand, VsCodeLink } from '../../common/models';
import { ensurePrivateDir, replaceFile } from '../keys/key-files';
import type { PoolProvider } from '../providers/pool-provider';
import type { ConnectionService } from '../sessions/connection-service';
import { keyAddress, type KnownHostsStore } from '../ssh/known-hosts-store';
import {
  renderKnownHosts,
  renderSshConfig,
  uniqueAliases,
  type KnownHostLine,
  type OpenSshHost,
} from './openssh-config';
import { addInclude, includeLine, includeState, removeInclude } from './user-include';

export interface OpenSshServiceDeps {
  dataDir: string;
  providers: ReadonlyMap<string, PoolProvider>;
  knownHosts: KnownHostsStore;
  connections: ConnectionService;
  log: (line: string) => void;
  /** The user's ~/.ssh/config (tests use a folder of their own). */
  userConfig?: string;
  /** How long changes are gathered before the files are written (default 200 ms). */
  debounceMs?: number;
}

interface HostRow extends OpenSshHost {
  poolId: string;
  instanceId: string;
  hostKeyId?: string;
}

export class OpenSshService implements Disposable {
  readonly configPath: string;
  readonly knownHostsPath: string;
  readonly userConfig: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastWritten = '';
  private disposed = false;

  constructor(private readonly deps: OpenSshServiceDeps) {
    this.configPath = join(deps.dataDir, 'ssh', 'config');
    this.knownHostsPath = join(deps.dataDir, 'ssh', 'known_hosts');
    this.userConfig = deps.userConfig ?? join(homedir(), '.ssh', 'config');
  }

  /** Pools, instances or trusted keys changed: write the files soon (many changes, one write). */
  schedule(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush().catch(() => {}), this.deps.debounceMs ?? 200);
    this.timer.unref();
  }

  /** Writes both files now (when they changed); resolves once they are on disk. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // One write at a time, in order: the last state always lands last.
    this.writing = this.writing.catch(() => {}).then(() => this.write());
    return this.writing;
  }

  async status(): Promise<OpenSshStatus> {
    await this.flush();
    const state = await includeState(this.userConfig, this.configPath);
    return {
      configPath: this.configPath,
      knownHostsPath: this.knownHostsPath,
      userConfigPath: this.userConfig,
      includeLine: includeLine(this.configPath),
      included: state.included,
      scoped: state.scoped,
      hosts: this.rows().length,
    };
  }

  async addInclude(): Promise<OpenSshStatus> {
    await addInclude(this.userConfig, this.configPath);
    this.deps.log(`openssh: added the Include of ${this.configPath} to ${this.userConfig}`);
    return this.status();
  }

  async removeInclude(): Promise<OpenSshStatus> {
    await removeInclude(this.userConfig, this.configPath);
    this.deps.log(`openssh: removed the Include of ${this.configPath} from ${this.userConfig}`);
    return this.status();
  }

  /** `ssh -F <our config> <alias>`: the same host-key checking as the app, in any terminal. */
  async sshCommand(connectionId: string): Promise<SshCommand> {
    const row = await this.rowOf(connectionId);
    const command = `ssh -F ${shellQuote(this.configPath)} ${row.alias}`;
    return { alias: row.alias, command, configPath: this.configPath };
  }

  /**
   * `vscode://vscode-remote/ssh-remote+<alias>/<folder>` for a connected instance; the folder
   * defaults to the user's ~/notebooks there (its home asked over the connection).
   */
  async vsCodeLink(
    connectionId: string,
    options: { folder?: string; insiders?: boolean; signal?: AbortSignal } = {},
  ): Promise<VsCodeLink> {
    const row = await this.rowOf(connectionId);
    let folder = options.folder;
    if (folder === undefined || !folder.startsWith('/')) {
      const { connection } = this.deps.connections.get(connectionId);
      const result = await connection.exec('printf %s "$HOME"', { signal: options.signal });
      const home = result.stdout.trim();
      if (!home.startsWith('/')) {
        throw new RpcError(
          ErrorCode.Internal,
          `${row.instanceName} did not say where your home folder is, so VS Code cannot be ` +
            'pointed at a folder. Give the folder as an absolute path.',
        );
      }
      const relative = (folder ?? 'notebooks').replace(/^~\/?/, '');
      folder = relative ? `${home.replace(/\/+$/, '')}/${relative}` : home;
    }
    const path = folder
      .split('/')
      .map((segment) => encodeURIComponent(segment))
      .join('/');
    const scheme = options.insiders ? 'vscode-insiders' : 'vscode';
    const state = await includeState(this.userConfig, this.configPath);
    return {
      url: `${scheme}://vscode-remote/ssh-remote+${row.alias}${path}`,
      alias: row.alias,
      folder,
      // VS Code's Remote - SSH reads ~/.ssh/config: without the Include it cannot find the alias.
      included: state.included && !state.scoped,
      configPath: this.configPath,
    };
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  private async rowOf(connectionId: string): Promise<HostRow> {
    const info = this.deps.connections.info(connectionId);
    await this.flush();
    const row = this.rows().find(
      (r) => r.poolId === info.poolId && r.instanceId === info.instanceId,
    );
    if (!row) {
      throw new RpcError(
        ErrorCode.NotFound,
        `${info.instanceName} has no entry in the app's ssh config file yet (its address is not ` +
          'known). Try again once it is running.',
      );
    }
    return row;
  }

  /** Every instance OpenSSH can reach now, in a stable order (by pool id, then instance id). */
  private rows(): HostRow[] {
    const found: Omit<HostRow, 'alias'>[] = [];
    const providers = [...this.deps.providers.values()].sort((a, b) => a.id.localeCompare(b.id));
    for (const provider of providers) {
      if (!provider.openSshEndpoint) continue;
      for (const instance of provider.listInstances()) {
        const endpoint = provider.openSshEndpoint(instance.id);
        if (!endpoint) continue;
        const row: Omit<HostRow, 'alias'> = {
          poolId: provider.id,
          poolName: provider.name,
          instanceId: instance.id,
          instanceName: instance.name,
          host: endpoint.host,
          port: endpoint.port,
          user: endpoint.user,
        };
        if (endpoint.identityFile !== undefined) row.identityFile = endpoint.identityFile;
        if (endpoint.hostKeyId !== undefined) row.hostKeyId = endpoint.hostKeyId;
        found.push(row);
      }
    }
    const aliases = uniqueAliases(found);
    return found.map((row, i) => ({ ...row, alias: aliases[i]! }));
  }

  private async write(): Promise<void> {
    if (this.disposed) return;
    const rows = this.rows();
    const trusted = this.deps.knownHosts.lookupAll(
      rows.map((row) => ({
        poolId: row.poolId,
        identity: row.hostKeyId ?? keyAddress(row.host, row.port),
        host: row.host,
        port: row.port,
      })),
    );
    const lines: KnownHostLine[] = rows.flatMap((row, i) => {
      const key = trusted[i];
      return key ? [{ alias: row.alias, algorithm: key.algorithm, key: key.key }] : [];
    });
    const config = renderSshConfig(rows, { knownHostsPath: this.knownHostsPath });
    const knownHosts = renderKnownHosts(lines);
    if (config + knownHosts === this.lastWritten) return;
    try {
      await ensurePrivateDir(join(this.deps.dataDir, 'ssh'));
      // known_hosts first: a config naming a key that is not written yet would refuse a good host.
      await replaceFile(this.knownHostsPath, knownHosts, 0o600);
      await replaceFile(this.configPath, config, 0o600);
      this.lastWritten = config + knownHosts;
    } catch (err) {
      this.deps.log(`openssh: could not write ${this.configPath}: ${(err as Error).message}`);
      throw new RpcError(
        ErrorCode.Internal,
        `Cannot write the app's ssh config file ${this.configPath} (${(err as Error).message}). ` +
          'Check that the data folder is writable by you.',
      );
    }
  }
}

/** One argument for a POSIX shell, or cmd/PowerShell on Windows (paths there have no `"`). */
function shellQuote(value: string): string {
  if (process.platform === 'win32') return `"${value}"`;
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
