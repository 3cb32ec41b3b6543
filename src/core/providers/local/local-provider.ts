// The local sandbox pool (DESIGN.md §3): SSH servers on 127.0.0.1 that stand in for the pool's
// VMs, each with its own home, a shared "share" folder and a real pty shell.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
// ssh2 is CommonJS whose `utils` Node's ESM loader cannot see as a named export.
import ssh2, { type ParsedKey } from 'ssh2';
import { ErrorCode, RpcError } from '../../../common/errors';
import { Emitter } from '../../../common/event';
import type { InstanceInfo } from '../../../common/models';
import type { ConnectTarget, OpenSshEndpoint, PoolProvider } from '../pool-provider';
import { LocalInstance, SANDBOX_HOST } from './local-instance';
import { ProcessLauncher, type NodePtyModule, type PtyBackend } from './process-launcher';
import { SandboxLayout } from './sandbox-layout';

export type { NodePtyModule, PtyBackend };

export interface LocalSandboxOptions {
  /** The app's data folder; the sandbox lives in `<dataDir>/local-pool`. */
  dataDir: string;
  /** How many instances (default 2). */
  instanceCount?: number;
  /** The only user who may sign in (default: the OS user running the app). */
  user?: string;
  /** The app key's public key line (`ssh-ed25519 AAAA… dsvm-pool`): the only key accepted. */
  authorizedKey: string;
  /** The app key's private key, handed out by `connectTarget`. Never logged. */
  privateKey?: string;
  /** Where that key's file is, for OpenSSH (the app's ssh config file). */
  identityFile?: string;
  /** Diagnostic lines (never secrets). */
  log?: (line: string) => void;
  /** How node-pty is loaded (default: `import('node-pty')`); tests make it fail. */
  loadNodePty?: () => Promise<NodePtyModule>;
}

const { utils } = ssh2;
const MAX_INSTANCES = 16;

/** A pool of SSH servers on this computer, for trying the app without Azure. */
export class LocalSandboxProvider implements PoolProvider {
  readonly id = 'local';
  readonly kind = 'local' as const;
  readonly name = 'Local sandbox';
  readonly description =
    'Local sandbox: SSH servers on this computer, for trying the app without Azure';
  readonly user: string;

  private readonly count: number;
  private readonly authorizedKey: ParsedKey;
  private readonly privateKey?: string;
  private readonly identityFile?: string;
  private readonly log: (line: string) => void;
  private readonly layout: SandboxLayout;
  private readonly launcher: ProcessLauncher;
  private readonly shell = process.env.SHELL || '/bin/bash';
  /**
   * Put in every process's environment with the instance id, so stopping an instance finds
   * and ends what its users left running (nohup'd jobs, tmux, Jupyter), as powering off a VM
   * would. Random per provider, so two apps on one computer never stop each other's.
   */
  private readonly runId = randomBytes(6).toString('hex');
  private readonly instances = new Map<string, LocalInstance>();
  private readonly changed = new Emitter<void>();
  private starting?: Promise<void>;
  private disposing?: Promise<void>;

  readonly onDidChangeInstances = this.changed.event;

  constructor(options: LocalSandboxOptions) {
    this.user = options.user ?? os.userInfo().username;
    // The name becomes a folder under the share: keep it to one plain path segment.
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/.test(this.user)) {
      throw new RpcError(
        ErrorCode.BadInput,
        `"${this.user}" cannot be a sandbox user name; use letters, digits, '.', '_', '-' or '@'.`,
      );
    }
    this.identityFile = options.identityFile;
    this.count = options.instanceCount ?? 2;
    if (!Number.isInteger(this.count) || this.count < 0 || this.count > MAX_INSTANCES) {
      throw new RpcError(
        ErrorCode.BadInput,
        `The local sandbox can run 0 to ${MAX_INSTANCES} instances, not ${this.count}.`,
      );
    }
    const key = utils.parseKey(options.authorizedKey);
    if (key instanceof Error) {
      throw new RpcError(
        ErrorCode.BadInput,
        `The app's public key could not be read (${key.message}); delete the app's keys folder ` +
          'so a new key is made.',
      );
    }
    this.authorizedKey = key;
    this.privateKey = options.privateKey;
    this.log = options.log ?? (() => {});
    this.layout = new SandboxLayout(options.dataDir, this.user, this.log);
    this.launcher = new ProcessLauncher(this.log, options.loadNodePty);
  }

  /** Which pty implementation terminals use; undefined until the first terminal needs one. */
  get ptyBackend(): PtyBackend | undefined {
    return this.launcher.backend;
  }

  start(): Promise<void> {
    if (this.disposing) return Promise.reject(shutDownError());
    this.starting ??= this.startAll();
    return this.starting;
  }

  listInstances(): InstanceInfo[] {
    return [...this.instances.values()].map((instance) => instance.info());
  }

  async connectTarget(instanceId: string): Promise<ConnectTarget> {
    const instance = this.get(instanceId);
    await instance.settled();
    if (instance.state !== 'running') {
      throw new RpcError(
        ErrorCode.NoInstance,
        `Sandbox instance ${instance.id} is ${instance.state}` +
          (instance.detail ? ` (${instance.detail})` : '') +
          '; start it from the pool view, or connect to another one.',
      );
    }
    const target: ConnectTarget = {
      host: SANDBOX_HOST,
      port: instance.port,
      username: this.user,
      // Its key is kept across starts while its port may change: trust follows the instance.
      hostKeyId: `instance/${instance.id}`,
    };
    if (this.privateKey !== undefined) target.privateKey = this.privateKey;
    return target;
  }

  openSshEndpoint(instanceId: string): OpenSshEndpoint | undefined {
    const instance = this.instances.get(instanceId);
    if (!instance || instance.state !== 'running' || !instance.port) return undefined;
    const endpoint: OpenSshEndpoint = {
      host: SANDBOX_HOST,
      port: instance.port,
      user: this.user,
      hostKeyId: `instance/${instance.id}`,
    };
    if (this.identityFile) endpoint.identityFile = this.identityFile;
    return endpoint;
  }

  /** Stops one instance like powering off a VM: its server, connections and processes end. */
  stopInstance(instanceId: string): Promise<void> {
    return this.get(instanceId).stop();
  }

  /** Cuts the instance's client links as a network drop would (see LocalInstance). */
  dropConnections(instanceId: string): number {
    return this.get(instanceId).dropConnections();
  }

  /** Starts a stopped instance again, on its previous port when that is still free. */
  startInstance(instanceId: string): Promise<void> {
    const instance = this.get(instanceId);
    if (this.disposing) return Promise.reject(shutDownError());
    return instance.start();
  }

  /** Closes every server and connection and ends every process; resolves when all are gone. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      await Promise.all([...this.instances.values()].map((instance) => instance.dispose()));
      this.changed.dispose();
    })();
    return this.disposing;
  }

  private async startAll(): Promise<void> {
    for (let i = 0; i < this.count; i++) {
      const id = `local-${i}`;
      const instance = new LocalInstance({
        id,
        user: this.user,
        authorizedKey: this.authorizedKey,
        shell: this.shell,
        runId: this.runId,
        layout: this.layout,
        launcher: this.launcher,
        log: this.log,
        onChange: () => this.changed.fire(),
      });
      this.instances.set(id, instance);
    }
    this.changed.fire();
    await this.layout.prepareShare();
    await Promise.all([...this.instances.values()].map((instance) => instance.start()));
  }

  private get(instanceId: string): LocalInstance {
    const instance = this.instances.get(instanceId);
    if (!instance) {
      throw new RpcError(
        ErrorCode.NotFound,
        `The local sandbox has no instance "${instanceId}"` +
          (this.instances.size ? ` (it has ${[...this.instances.keys()].join(', ')}).` : '.'),
      );
    }
    return instance;
  }
}

function shutDownError(): RpcError {
  return new RpcError(ErrorCode.Closed, 'The local sandbox was shut down.');
}
