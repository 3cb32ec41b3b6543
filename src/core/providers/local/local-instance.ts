// One local sandbox instance: an ssh2 server on 127.0.0.1 that starts and stops like a VM.
import { timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
// ssh2 is CommonJS whose `Server` Node's ESM loader cannot see as a named export.
import ssh2, { type AuthContext, type Connection, type ParsedKey } from 'ssh2';
import type { InstanceInfo, InstanceState } from '../../../common/models';
import { endLeftoverProcesses } from './leftover-processes';
import type { ProcessLauncher, SessionProcess } from './process-launcher';
import type { SandboxLayout } from './sandbox-layout';
import { serveSessions, type SessionHost } from './sandbox-session';

const { Server } = ssh2;

/** Where every instance listens. */
export const SANDBOX_HOST = '127.0.0.1';

export interface LocalInstanceOptions {
  id: string;
  /** The only user who may sign in. */
  user: string;
  /** The only key accepted. */
  authorizedKey: ParsedKey;
  /** The login shell. */
  shell: string;
  /** The provider's random run id, part of the tag every process of the instance carries. */
  runId: string;
  layout: SandboxLayout;
  launcher: ProcessLauncher;
  log: (line: string) => void;
  /** Called whenever the state or the number of signed-in connections changes. */
  onChange: () => void;
}

export class LocalInstance {
  readonly id: string;
  private readonly home: string;
  private readonly options: LocalInstanceOptions;
  /** `<runId>:<id>`: the DSVM_POOL_SANDBOX value of its processes, found again on stop. */
  private readonly tag: string;
  private currentState: InstanceState = 'starting';
  private currentDetail?: string;
  private currentPort = 0;
  private hostKey?: string;
  /** TMUX_TMPDIR while running: one tmux server per instance, as on separate VMs. */
  private tmuxDir?: string;
  private server?: net.Server;
  /** Raw sockets of SSH clients and of direct-tcpip forwards, destroyed on stop. */
  private readonly sockets = new Set<net.Socket>();
  /** Signed-in SSH connections; their number is the instance's session count. */
  private readonly connections = new Set<Connection>();
  private readonly processes = new Set<SessionProcess>();
  /** Start and stop run one after the other. */
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly sessionHost: SessionHost;

  constructor(options: LocalInstanceOptions) {
    this.options = options;
    this.id = options.id;
    this.home = options.layout.home(options.id);
    this.tag = `${options.runId}:${options.id}`;
    this.sessionHost = {
      home: this.home,
      shell: options.shell,
      launcher: options.launcher,
      environment: (term) => this.environment(term),
      addProcess: (proc) => {
        this.processes.add(proc);
        void proc.exited.then(() => this.processes.delete(proc));
      },
      addSocket: (socket) => this.addSocket(socket),
      log: (message) => this.log(message),
    };
  }

  get state(): InstanceState {
    return this.currentState;
  }

  /** Why it failed, when it did. */
  get detail(): string | undefined {
    return this.currentDetail;
  }

  get port(): number {
    return this.currentPort;
  }

  info(): InstanceInfo {
    const sessions = this.connections.size;
    const info: InstanceInfo = {
      id: this.id,
      name: this.id,
      state: this.currentState,
      host: SANDBOX_HOST,
      port: this.currentPort,
      sessions: sessions > 0 ? { [this.options.user]: sessions } : {},
    };
    if (this.currentDetail !== undefined) info.detail = this.currentDetail;
    return info;
  }

  /** Settles once the starts and stops asked for so far are done. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** Starts it unless running, on its previous port when that is still free. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      if (this.currentState !== 'running') await this.bringUp();
    });
  }

  /** Stops it like powering off a VM: its server, connections and processes end. */
  stop(): Promise<void> {
    return this.enqueue(() => this.shutDown());
  }

  /** Stops it for good: a start already queued does nothing. */
  dispose(): Promise<void> {
    this.disposed = true;
    return this.stop();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step);
    // The queue itself never rejects, so one failed step does not block the next.
    this.queue = next.catch(() => {});
    return next;
  }

  private setState(state: InstanceState, detail?: string): void {
    this.currentState = state;
    this.currentDetail = detail;
    this.options.onChange();
  }

  /**
   * Cuts every client's TCP link without a goodbye, the way a Wi-Fi change or sleep does, while
   * the instance and its processes (tmux, Jupyter) keep running. Returns how many were cut.
   */
  dropConnections(): number {
    const sockets = [...this.sockets];
    for (const socket of sockets) socket.destroy();
    if (sockets.length) this.log(`cut ${sockets.length} client link(s) to simulate a network drop`);
    return sockets.length;
  }

  private log(message: string): void {
    this.options.log(`local sandbox ${this.id}: ${message}`);
  }

  private addSocket(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private async bringUp(): Promise<void> {
    if (this.disposed) return;
    this.setState('starting');
    try {
      await this.options.layout.prepareInstance(this.id);
      // tmux's socket path must stay short (about 100 bytes), so not under a deep data folder;
      // a fresh random 0700 folder, so no other local user can plant one in /tmp beforehand.
      this.tmuxDir ??= await mkdtemp(join(os.tmpdir(), 'dsvm-pool-tmux-'));
      this.hostKey ??= await this.options.layout.loadHostKey(this.id);
      const ssh = new Server({ hostKeys: [this.hostKey], ident: 'dsvm-pool-sandbox' }, (client) =>
        this.onClient(client),
      );
      ssh.on('error', (err: Error) => this.log(err.message));
      // Our own net.Server feeds sockets into ssh2 (injectSocket) so stopping can destroy them:
      // a client that ignores the SSH disconnect must not keep a "stopped" instance alive.
      const makeServer = () =>
        net.createServer((socket) => {
          this.addSocket(socket);
          socket.setNoDelay(true);
          ssh.injectSocket(socket);
        });
      let server = makeServer();
      try {
        this.currentPort = await listen(server, this.currentPort);
      } catch (err) {
        // The previous port was taken while the instance was stopped: take any free one.
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.currentPort === 0) {
          throw err;
        }
        server = makeServer();
        this.currentPort = await listen(server, 0);
      }
      server.on('error', (err) => this.log(err.message));
      this.server = server;
      this.log(`listening on ${SANDBOX_HOST}:${this.currentPort}`);
      this.setState('running');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log(`could not start: ${message}`);
      this.setState('failed', message);
    }
  }

  private async shutDown(): Promise<void> {
    if (this.currentState === 'stopped') return;
    if (this.currentState !== 'failed') this.setState('stopping');
    const server = this.server;
    this.server = undefined;
    const closed = server
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    // Say goodbye in SSH terms first (the client then reports a clean disconnect), then make
    // sure: a client that ignores it must not keep a "stopped" instance alive.
    for (const connection of this.connections) connection.end();
    for (const socket of this.sockets) socket.destroy();
    await closed;
    const processes = [...this.processes];
    for (const proc of processes) proc.kill();
    await settledWithin(Promise.all(processes.map((p) => p.exited)), 1000);
    // What its users left behind (background jobs, tmux, Jupyter).
    await endLeftoverProcesses(`DSVM_POOL_SANDBOX=${this.tag}`);
    if (this.tmuxDir) {
      await rm(this.tmuxDir, { recursive: true, force: true }).catch(() => {});
      this.tmuxDir = undefined;
    }
    this.connections.clear();
    this.setState('stopped');
  }

  private environment(term: string | undefined): Record<string, string> {
    const { user, shell } = this.options;
    // Built from scratch rather than copied: the app's own environment (tokens, Electron
    // settings) has no business in a sandbox user's shell, just as it would not on a VM.
    const env: Record<string, string> = {
      HOME: this.home,
      USER: user,
      LOGNAME: user,
      SHELL: shell,
      PATH: process.env.PATH || '/usr/local/bin:/usr/bin:/bin',
      LANG: process.env.LANG || 'C.UTF-8',
      PS1: `\\u@${this.id}:\\w\\$ `,
      DSVM_POOL_INSTANCE: this.id,
      DSVM_POOL_SANDBOX: this.tag,
      // One tmux server per instance, as on separate VMs, not the user's own tmux.
      TMUX_TMPDIR: this.tmuxDir ?? os.tmpdir(),
    };
    if (term) env.TERM = term;
    return env;
  }

  private onClient(client: Connection): void {
    client.on('error', (err: NodeJS.ErrnoException) => {
      // A client vanishing (or us destroying it on stop) is not worth a line.
      if (err.code !== 'ECONNRESET' && this.currentState === 'running') {
        this.log(`connection error: ${err.message}`);
      }
    });
    client.on('authentication', (ctx) => this.authenticate(ctx));
    client.on('ready', () => {
      this.connections.add(client);
      this.options.onChange();
      serveSessions(client, this.sessionHost);
    });
    client.on('close', () => {
      if (this.connections.delete(client)) this.options.onChange();
    });
  }

  private authenticate(ctx: AuthContext): void {
    const key = this.options.authorizedKey;
    const ok =
      ctx.method === 'publickey' &&
      ctx.username === this.options.user &&
      ctx.key.algo === key.type &&
      sameBytes(ctx.key.data, key.getPublicSSH()) &&
      // No signature yet: the client only asks whether this key would do (ssh2 then answers
      // PK_OK, not success). With one, it must verify against the authorized key.
      (ctx.signature === undefined ||
        (ctx.blob !== undefined && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true));
    if (ok) {
      ctx.accept();
      return;
    }
    if (ctx.method !== 'none') {
      this.log(`refused ${ctx.method} sign-in as ${JSON.stringify(ctx.username)}`);
    }
    ctx.reject(['publickey']);
  }
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // Loopback only: the sandbox accepts the app key without a password prompt, so it must
    // never be reachable from the network.
    server.listen({ host: SANDBOX_HOST, port, exclusive: true });
  });
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Waits for `promise` but no longer than `ms`, leaving no timer behind either way. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}
