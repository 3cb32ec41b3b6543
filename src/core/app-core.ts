// The composition root of the Node side: builds every service once and serves the contract.
// Both shells (Electron main, headless host) call createAppCore and connect their transports.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DisposableStore, Emitter, type Disposable, type Event } from '../common/event';
import { demoLabel } from '../common/demo-label';
import type {
  AppInfo,
  AzureSignInStatus,
  ConnectionInfo,
  DemoInfo,
  PoolInfo,
} from '../common/models';
import type { AppNotification, AppTarget } from '../common/notification-models';
import { RpcServer } from '../common/rpc';
import { readAgentBundle } from './agent-bundle';
import { AgentInstallService } from './agent-install/agent-install-service';
import { createHandlers } from './app-handlers';
import { DiagnosticsService } from './diagnostics/diagnostics-service';
import { AzureAdmin, readAllowedSources } from './azure/admin/index';
import type { TokenCacheProtector } from './azure/identity/index';
import { AzurePoolProvider } from './providers/azure/azure-pool-provider';
import { JupyterOpener } from './jupyter/jupyter-opener';
import { NotificationService } from './notifications/notification-service';
import { JupyterService } from './jupyter/jupyter-service';
import { ensureAppKey } from './keys/app-key';
import { PrivateKeyLoader } from './keys/private-key-loader';
import { createAppLogger, type AppLogger } from './logging/app-logger';
import { OpenSshService } from './openssh/openssh-service';
import { PromptService } from './prompts/prompt-service';
import { LocalSandboxProvider } from './providers/local/local-provider';
import type { PoolProvider } from './providers/pool-provider';
import { findAgentRuntime } from './agent-runtime';
import { resourcePaths, type ResourcePaths } from './resource-paths';
import { readSshHostsActivity } from './providers/ssh-hosts/ssh-hosts-activity';
import { SshHostsPools } from './providers/ssh-hosts/ssh-hosts-pools';
import { SshHostsProvider } from './providers/ssh-hosts/ssh-hosts-provider';
import { ConnectionService } from './sessions/connection-service';
import type { ConnectionTimings } from './sessions/connection-timings';
import { SettingsStore } from './settings/settings-store';
import { terminalSettingsOf } from './settings/terminal-settings';
import { ForwardService } from './ssh/forward-service';
import { KnownHostsStore } from './ssh/known-hosts-store';
import { RefusedHostKeys } from './ssh/refused-host-keys';
import { TerminalService } from './ssh/terminal-service';
import type { UpdateEngine } from './updates/update-engine';
import { UpdateController, type UpdateService } from './updates/update-service';

export interface AppCoreOptions {
  /** Where keys, trusted host keys, settings and the local sandbox live. */
  dataDir: string;
  shell: 'electron' | 'headless';
  version: string;
  /**
   * The app's logger (`<dataDir>/logs/main.log`, redacted), shared with the shell. Without it
   * (and without `log`) the core makes one that also writes to stderr.
   */
  logger?: AppLogger;
  /** Diagnostic lines instead of a logger (tests): no file, no redaction. */
  log?: (line: string) => void;
  /**
   * Encrypts the Azure token cache with the OS keyring (Electron's safeStorage). Without one the
   * cache is kept in owner-only (0600) files in the data folder, not encrypted, with a warning.
   */
  tokenProtector?: TokenCacheProtector;
  /** Instances in the local sandbox pool (default 2). */
  localInstances?: number;
  /** How long connections outlive the last UI (window or browser tab) before they close. */
  orphanGraceMs?: number;
  /** Keepalive and reconnect timings (tests shorten them). */
  timings?: Partial<ConnectionTimings>;
  /** Azure deployment and long-running operation poll interval (tests shorten it). */
  azurePollIntervalMs?: number;
  /** How often the agents' heartbeats are read from Azure pools' shares (default 60 s). */
  heartbeatIntervalMs?: number;
  /**
   * Where the agent bundle, the template and the icons are: the shell computes it with
   * resourcePaths() (packaged: its resources folder). Default: the checkout's out/ and resources/.
   */
  resources?: ResourcePaths;
  /**
   * The desktop shell's updater (src/main: electron-updater). Absent in the headless host, which
   * reports updates as handled by the desktop app.
   */
  updateEngine?: UpdateEngine;
  /** Where DSVM_POOL_DISABLE_UPDATES is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The user's OpenSSH config that Settings may add an Include to (default ~/.ssh/config). */
  userSshConfig?: string;
  /**
   * Only `npm run demo` (through demoFromEnv): the app talks to the Azure emulator, and the UI,
   * window title and tray say so with its address.
   */
  demo?: DemoInfo;
}

/** A reload or a briefly closed browser tab comes back within this; a forgotten one does not. */
const ORPHAN_GRACE_MS = 30_000;

export interface AppCore extends Disposable {
  /** Serve the contract over a transport: `core.rpc.connect(transport)`. */
  readonly rpc: RpcServer;
  listPools(): PoolInfo[];
  readonly onDidChangePools: Event<PoolInfo[]>;
  /** How many SSH connections are open (the tray shows it). */
  connectedCount(): number;
  /** How many connections are getting their link back, or have lost it (the tray shows it). */
  troubledCount(): { reconnecting: number; lost: number };
  readonly onDidChangeConnections: Event<void>;
  /** The open connections (the tray lists them under their pool). */
  listConnections(): ConnectionInfo[];
  /** Asks the UI (every connected window/tab) to run its Connect flow for a pool. */
  requestConnect(poolId: string): void;
  /** Asks the UI to bring a place forward (a notification's click, the tray, a link). */
  requestOpen(target: AppTarget): void;
  /** What deserves a notification, once per event (the desktop shell shows them natively). */
  readonly onDidNotify: Event<AppNotification>;
  /** Whether the app is signed in to Azure, and as whom (the tray shows it). */
  azureSignIn(): AzureSignInStatus;
  readonly onDidChangeAzureSignIn: Event<AzureSignInStatus>;
  /** The app's own updates: status, check, download, restart (the tray's "Check for updates"). */
  readonly updates: UpdateService;
  /**
   * A connection's ssh command ("Copy ssh command") and VS Code address ("Open in VS Code"),
   * for the tray; the shell opens the address (vscode: is let out by its security module).
   */
  readonly openssh: Pick<OpenSshService, 'sshCommand' | 'vsCodeLink'>;
  /** Set in the demo (`npm run demo`): the shells label the window and tray with it. */
  readonly demo?: DemoInfo;
  /** Stops the local sandbox, closes connections and terminals. */
  dispose(): Promise<void>;
}

export async function createAppCore(options: AppCoreOptions): Promise<AppCore> {
  const { dataDir } = options;
  const resources = options.resources ?? resourcePaths();
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const logger =
    options.logger ?? (options.log ? undefined : createAppLogger({ dataDir, stderr: true }));
  const log = options.log ?? logger!.log;
  /** Secrets known at run time (typed passphrases, storage keys) never reach the log. */
  const addSecret = (value: string) => logger?.addSecret(value);
  const store = new DisposableStore();

  const appKey = await ensureAppKey(dataDir);
  const local = new LocalSandboxProvider({
    dataDir,
    instanceCount: options.localInstances ?? 2,
    authorizedKey: appKey.publicKey,
    privateKey: appKey.privateKey,
    identityFile: appKey.path,
    log,
  });
  const providers = new Map<string, PoolProvider>([[local.id, local]]);
  const settings = store.add(await SettingsStore.open(dataDir, { log }));
  const prompts = store.add(new PromptService({ onSecret: addSecret }));
  const knownHosts = new KnownHostsStore(join(dataDir, 'known-hosts.json'));
  const refusedHostKeys = new RefusedHostKeys(knownHosts);
  const connections = store.add(
    new ConnectionService({
      providers,
      knownHosts,
      prompts,
      log,
      onRefusedHostKey: refusedHostKeys.remember,
      timings: options.timings,
      // Start on connect, for Azure pools (declared below; only called once the core runs).
      wakeUp: (poolId, signal) => azure.wakeUp(poolId, signal),
    }),
  );
  const terminals = store.add(
    new TerminalService({
      links: connections,
      log,
      scrollback: () => terminalSettingsOf(settings.get()).scrollback,
    }),
  );
  const forwards = store.add(new ForwardService({ links: connections, log }));
  const jupyter = store.add(new JupyterService());
  const sshPools = store.add(
    new SshHostsPools({
      settings,
      providers,
      keys: new PrivateKeyLoader(prompts),
      dataDir,
      appPrivateKey: appKey.privateKey,
      appKeyPath: appKey.path,
      log,
    }),
  );

  const azure = store.add(
    new AzureAdmin({
      dataDir,
      settings,
      providers,
      appPrivateKey: appKey.privateKey,
      log,
      protector: options.tokenProtector,
      onSecret: addSecret,
      pollIntervalMs: options.azurePollIntervalMs,
      interactiveBrowser: options.shell !== 'headless',
      agentBundlePath: resources.agentBundle,
      agentRuntimeDir: resources.agentRuntimeDir,
    }),
  );

  const appInfo: AppInfo = {
    version: options.version,
    shell: options.shell,
    platform: process.platform,
    dataDir,
    ...(options.demo ? { demo: { ...options.demo } } : {}),
  };
  if (options.demo) log(`${demoLabel(options.demo)} (npm run demo)`);
  const diagnostics = store.add(
    new DiagnosticsService({
      providers,
      knownHosts,
      jupyter,
      forwards,
      hasShare: (poolId) => sshPools.get(poolId)?.settings().share !== undefined,
      azure: {
        address: (poolId) => {
          const p = providers.get(poolId);
          return p instanceof AzurePoolProvider ? p.address : undefined;
        },
        allowedSources: (poolId, signal) => {
          const { pool } = azure.provider(poolId);
          return readAllowedSources(azure.credential.clientsFor(pool.subscriptionId), pool, signal);
        },
        shareFiles: async (poolId) => (await azure.share(poolId)).files,
      },
      app: {
        version: appInfo.version,
        shell: appInfo.shell,
        platform: appInfo.platform,
        ...(logger?.filePath ? { logFile: logger.filePath } : {}),
      },
      log,
    }),
  );

  const updates = store.add(
    new UpdateController({
      currentVersion: options.version,
      engine: options.updateEngine,
      settings,
      env: options.env,
      log,
    }),
  );

  const openssh = store.add(
    new OpenSshService({
      dataDir,
      providers,
      knownHosts,
      connections,
      log,
      ...(options.userSshConfig ? { userConfig: options.userSshConfig } : {}),
    }),
  );

  /** Where the shell asked the UI to go while no page listened (the window was still loading). */
  let pendingOpen: AppTarget | undefined;
  const notifications = store.add(
    new NotificationService({
      settings,
      poolName: (poolId) => providers.get(poolId)?.name,
      log,
    }),
  );

  const poolInfo = (p: PoolProvider): PoolInfo => {
    const info: PoolInfo = {
      id: p.id,
      name: p.name,
      kind: p.kind,
      description: p.description,
      user: p.user,
      instances: p.listInstances(),
    };
    if (p instanceof SshHostsProvider) {
      const { hosts, share } = p.settings();
      info.sshHosts = hosts;
      if (share) info.sshShare = share;
    }
    if (p instanceof AzurePoolProvider) {
      info.instances = azure.instances(p);
      info.azure = { ...p.pool };
      if (p.capacityLimit) info.azure.capacityLimit = { ...p.capacityLimit };
      const problem = p.lastError?.message;
      if (problem) info.detail = problem;
      const activity = azure.activity(p.id);
      if (activity) info.activity = activity;
    }
    return info;
  };
  const listPools = (): PoolInfo[] => [...providers.values()].map(poolInfo);

  const rpc = new RpcServer(
    createHandlers({
      appInfo,
      resources,
      dataDir,
      listPools,
      poolInfo,
      connections,
      terminals,
      settings,
      forwards,
      jupyter: new JupyterOpener({ connections, forwards, jupyter, settings }),
      prompts,
      sshPools,
      sandbox: local,
      azure,
      agents: new AgentInstallService({
        tracker: azure.service.tracker,
        connections,
        azure,
        prompts,
        log,
        readBundle: () => readAgentBundle(resources.agentBundle),
        runtime: (arch) => findAgentRuntime(arch, resources.agentRuntimeDir),
      }),
      diagnostics,
      updates,
      openssh,
      refusedHostKeys,
      notifications,
      takePendingOpen: () => {
        const target = pendingOpen;
        pendingOpen = undefined;
        return target;
      },
      log,
    }),
    { log },
  );

  const poolsChanged = store.add(new Emitter<PoolInfo[]>());
  const connectionsChanged = store.add(new Emitter<void>());
  store.add(local.onDidChangeInstances(() => poolsChanged.fire(listPools())));
  store.add(sshPools.onDidChange(() => poolsChanged.fire(listPools())));
  store.add(azure.onDidChange(() => poolsChanged.fire(listPools())));
  store.add(azure.service.tracker.onDidChange((op) => rpc.emit('operations.onDidChange', op)));
  store.add(azure.credential.onDidChange((st) => rpc.emit('azure.onDidChangeSignIn', st)));
  store.add(azure.onDeviceCode((p) => rpc.emit('azure.onDeviceCode', p)));
  store.add(forwards.onDidChange((list) => rpc.emit('forwards.onDidChange', list)));
  store.add(terminals.onDidChangeState((e) => rpc.emit('terminals.onDidChangeState', e)));
  store.add(poolsChanged.event((pools) => rpc.emit('pools.onDidChange', pools)));
  // The app's ssh config and known_hosts follow the instances and the trusted keys.
  store.add(poolsChanged.event(() => openssh.schedule()));
  store.add(knownHosts.onDidChange(() => openssh.schedule()));
  // Notifications: scheduled events arrive with the pools (heartbeats), the rest as they happen.
  store.add(poolsChanged.event((pools) => notifications.poolsChanged(pools, connections.list())));
  store.add(azure.service.tracker.onDidChange((op) => notifications.operationChanged(op)));
  store.add(notifications.onDidShow((n) => rpc.emit('notifications.onDidShow', n)));
  store.add(
    notifications.onDidChangeSettings((n) => rpc.emit('notifications.onDidChangeSettings', n)),
  );
  store.add(
    connections.onDidChange((info) => {
      rpc.emit('connections.onDidChange', info);
      sshPools.updateSessions(connections.list());
      azure.updateSessions(connections.list());
      notifications.connectionChanged(info);
      notifications.poolsChanged(listPools(), connections.list());
      connectionsChanged.fire();
    }),
  );
  store.add(terminals.onData((e) => rpc.emit('terminals.onData', e)));
  let terminalSettings = terminalSettingsOf(settings.get());
  store.add(
    settings.onDidChange((now) => {
      // settings.json holds more than the terminal's settings: tell pages only of these.
      const next = terminalSettingsOf(now);
      if (next.scrollback === terminalSettings.scrollback) return;
      terminalSettings = next;
      rpc.emit('terminals.onDidChangeSettings', next);
    }),
  );
  store.add(terminals.onDidExit((e) => rpc.emit('terminals.onDidExit', e)));
  store.add(terminals.onDidResize((e) => rpc.emit('terminals.onDidResize', e)));
  store.add(prompts.onDidOpen((p) => rpc.emit('prompts.onDidOpen', p)));
  store.add(prompts.onDidClose((p) => rpc.emit('prompts.onDidClose', p)));
  store.add(diagnostics.onDidUpdate((r) => rpc.emit('diagnostics.onDidUpdate', r)));
  store.add(updates.onDidChange((status) => rpc.emit('updates.onDidChange', status)));

  // The agents' heartbeats (everyone's sessions on each VM) feed placement, every agent cycle.
  // ssh-hosts pools: each connected host's heartbeat over the user's connection (its activity).
  const heartbeatTimer = setInterval(() => {
    void azure.readHeartbeats().catch(() => {});
    void readSshHostsActivity(sshPools, connections).catch(() => {});
  }, options.heartbeatIntervalMs ?? 60_000);
  heartbeatTimer.unref();
  store.add({ dispose: () => clearInterval(heartbeatTimer) });

  // Sessions nobody can see any more still count on the VM and hold its resources.
  let orphanTimer: NodeJS.Timeout | undefined;
  store.add(
    rpc.onDidChangePeerCount((count) => {
      clearTimeout(orphanTimer);
      orphanTimer = undefined;
      if (count > 0 || connections.list().length === 0) return;
      orphanTimer = setTimeout(() => {
        log(`no window is open: closing ${connections.list().length} connection(s)`);
        void connections.closeAll();
      }, options.orphanGraceMs ?? ORPHAN_GRACE_MS);
      orphanTimer.unref();
    }),
  );
  store.add({ dispose: () => clearTimeout(orphanTimer) });

  await Promise.all([local.start(), sshPools.start()]);
  azure.start();
  updates.start();
  openssh.schedule();
  if (settings.problem) log(settings.problem);

  let disposed: Promise<void> | undefined;
  return {
    rpc,
    listPools,
    onDidChangePools: poolsChanged.event,
    connectedCount: () => connections.connectedCount(),
    azureSignIn: () => azure.credential.status,
    onDidChangeAzureSignIn: azure.credential.onDidChange,
    updates,
    openssh,
    troubledCount: () => {
      const states = connections.list().map((c) => c.state);
      return {
        reconnecting: states.filter((x) => x === 'reconnecting').length,
        lost: states.filter((x) => x === 'lost').length,
      };
    },
    onDidChangeConnections: connectionsChanged.event,
    listConnections: () => connections.list(),
    requestConnect: (poolId) => {
      if (rpc.hasSubscribers('app.onDidRequestConnect')) {
        rpc.emit('app.onDidRequestConnect', { poolId });
      } else {
        pendingOpen = { view: 'user', poolId, open: 'connect' };
      }
    },
    requestOpen: (target) => {
      if (rpc.hasSubscribers('app.onDidRequestOpen')) rpc.emit('app.onDidRequestOpen', target);
      else pendingOpen = target; // the page asks for it when it starts (app.startView)
    },
    onDidNotify: notifications.onDidShow,
    ...(appInfo.demo ? { demo: appInfo.demo } : {}),
    dispose() {
      disposed ??= (async () => {
        rpc.dispose();
        // Ends the tmux sessions of open terminals on the instances (bounded by closeGraceMs).
        await connections.closeAll();
        store.dispose();
        await local.dispose();
      })();
      return disposed;
    },
  };
}
