// The core in Electron's utility process (VS Code's pty host is the model): SSH, terminals,
// forwards and the pools run here, so tunnel traffic never competes with the tray and the window
// in main, and a crash of the core does not take the tray down (main starts it again).
// Main starts it with `start`, hands it each page's MessagePort with `serve` (the page then talks
// to the core directly, main is not on the path), and reads the tray's state from `state`
// messages. Electron-only services (safeStorage, electron-updater) stay in main and are called
// over the same channel. The protocol: src/common/core-process-protocol.ts.
import {
  CallTable,
  replyTo,
  type CallMessage,
  type CoreCalls,
  type CoreSnapshot,
  type CoreStartOptions,
  type FromCoreMessage,
  type MainCalls,
  type ToCoreMessage,
  type UpdaterCheckAnswer,
} from '../common/core-process-protocol';
import {
  MessagePortMainTransport,
  type MessagePortLike,
} from '../common/transports/message-port-main';
import { createAppCore, type AppCore, type AppCoreOptions } from '../core/app-core';
import type { TokenCacheProtector } from '../core/azure/identity/index';
import { createForwardingLogger } from '../core/logging/forwarding-logger';
import type { ResourcePaths } from '../core/resource-paths';
import type { UpdateEngine } from '../core/updates/update-engine';

/** Electron's `process.parentPort` in a utility process, as far as the core uses it. */
export interface ParentPortLike {
  on(
    event: 'message',
    listener: (event: { data: unknown; ports: readonly MessagePortLike[] }) => void,
  ): unknown;
  postMessage(message: unknown): void;
}

export interface CoreProcessDeps {
  /** Builds the core (default createAppCore); tests pass their own. */
  createCore?: (options: AppCoreOptions) => Promise<AppCore>;
  /** Ends the process once the core is disposed or could not start (default process.exit). */
  exit?: (code: number) => void;
}

/** Serves main on `parent` until main says dispose. */
export function runCoreProcess(parent: ParentPortLike, deps: CoreProcessDeps = {}): void {
  const post = (message: FromCoreMessage) => parent.postMessage(message);
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const calls = new CallTable();
  const callMain = <M extends keyof MainCalls, T>(
    method: M,
    args: MainCalls[M],
    onProgress?: (progress: unknown) => void,
  ): Promise<T> => {
    const { id, answer } = calls.open<T>(onProgress);
    post({ kind: 'call', id, method, args } as CallMessage<MainCalls>);
    return answer;
  };
  let core: Promise<AppCore> | undefined;
  const peers = new Map<number, MessagePortMainTransport>();

  parent.on('message', ({ data, ports }) => {
    const message = data as ToCoreMessage;
    switch (message.kind) {
      case 'start':
        if (core) return; // main starts each process once
        core = start(message.options);
        // A core that could not start said so in `failed`; nothing else waits for it yet.
        core.catch(() => {});
        return;
      case 'serve': {
        const port = ports[0];
        if (!port || !core) return;
        // The port starts (in the transport) once the core exists; until then MessagePortMain
        // queues what the page sends.
        void core.then(
          (c) => {
            const transport = new MessagePortMainTransport(port);
            peers.set(message.peer, transport);
            transport.onClose(() => {
              if (peers.get(message.peer) === transport) peers.delete(message.peer);
            });
            c.rpc.connect(transport);
          },
          () => port.close(),
        );
        return;
      }
      case 'unserve':
        peers.get(message.peer)?.close();
        return;
      case 'reply':
        calls.settle(message);
        return;
      case 'progress':
        calls.progress(message.id, message.progress);
        return;
      case 'call':
        void answer(message);
        return;
    }
  });

  async function answer(message: CallMessage<CoreCalls>): Promise<void> {
    if (!core) {
      post({ kind: 'reply', id: message.id, ok: false, message: 'The core has not started.' });
      return;
    }
    const c = await core.catch(() => undefined);
    if (!c) {
      post({ kind: 'reply', id: message.id, ok: false, message: 'The core could not start.' });
      return;
    }
    post(await replyTo(message.id, () => run(c, message)));
    // A moment for the reply to leave (Electron sends it from another thread); main waits for
    // the exit either way.
    if (message.method === 'dispose') setTimeout(() => exit(0), 50);
  }

  function run(c: AppCore, message: CallMessage<CoreCalls>): unknown {
    switch (message.method) {
      case 'requestConnect':
        return c.requestConnect(...message.args);
      case 'requestOpen':
        return c.requestOpen(...message.args);
      case 'updates.check':
        return c.updates.check(...message.args);
      case 'openssh.sshCommand':
        return c.openssh.sshCommand(...message.args);
      case 'openssh.vsCodeLink':
        return c.openssh.vsCodeLink(...message.args);
      case 'dispose':
        for (const peer of peers.values()) peer.close();
        return c.dispose();
    }
  }

  async function start(options: CoreStartOptions): Promise<AppCore> {
    const logger = createForwardingLogger(
      (level, line) => post({ kind: 'log', level, line }),
      options.logFile,
    );
    const tokenProtector: TokenCacheProtector | undefined = options.tokenProtector
      ? {
          encrypt: async (plain) =>
            Buffer.from(
              await callMain<'protector.encrypt', Uint8Array>('protector.encrypt', [plain]),
            ),
          decrypt: (data) => callMain('protector.decrypt', [new Uint8Array(data)]),
        }
      : undefined;
    const updates = options.updates;
    const updateEngine: UpdateEngine | undefined = updates
      ? {
          unavailable: () => updates.unavailable,
          check: () => callMain<'updater.check', UpdaterCheckAnswer>('updater.check', []),
          download: (onProgress) =>
            callMain('updater.download', [], (p) =>
              onProgress(p as Parameters<typeof onProgress>[0]),
            ),
          restart: () => callMain('updater.restart', []),
        }
      : undefined;
    try {
      const c = await (deps.createCore ?? createAppCore)({
        dataDir: options.dataDir,
        shell: 'electron',
        version: options.version,
        resources: options.resources as unknown as ResourcePaths,
        logger,
        ...(tokenProtector ? { tokenProtector } : {}),
        ...(updateEngine ? { updateEngine } : {}),
        ...(options.demo ? { demo: options.demo } : {}),
      });
      reportState(c);
      return c;
    } catch (err) {
      post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
      // Main answers a core that could not start: the first time the app says why and quits,
      // later it counts as a crash (and starts a new process).
      setTimeout(() => exit(1), 50);
      throw err;
    }
  }

  /** Sends the tray's state now, then again (once per tick) whenever a part of it changes. */
  function reportState(c: AppCore): void {
    const snapshot = (): CoreSnapshot => ({
      pools: c.listPools(),
      connections: c.listConnections(),
      connectedCount: c.connectedCount(),
      troubled: c.troubledCount(),
      azure: c.azureSignIn(),
    });
    const changed = new Set<'pools' | 'connections' | 'azure'>();
    const mark = (part: 'pools' | 'connections' | 'azure') => {
      if (changed.size === 0) {
        queueMicrotask(() => {
          const parts = [...changed];
          changed.clear();
          post({ kind: 'state', snapshot: snapshot(), changed: parts });
        });
      }
      changed.add(part);
    };
    c.onDidChangePools(() => mark('pools'));
    c.onDidChangeConnections(() => mark('connections'));
    c.onDidChangeAzureSignIn(() => mark('azure'));
    c.onDidNotify((notification) => post({ kind: 'notify', notification }));
    post({ kind: 'ready', snapshot: snapshot() });
  }
}
