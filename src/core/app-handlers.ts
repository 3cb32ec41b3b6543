// Implements every method of the contract on top of the services; the compiler checks that none
// is missing (see `Handlers` in src/common/rpc.ts).
import { ErrorCode, RpcError } from '../common/errors';
import type { AppInfo, PoolInfo } from '../common/models';
import type { AppTarget } from '../common/notification-models';
import type { Handlers } from '../common/rpc';
import { keepInstance, readActivityPolicy, writeActivityPolicy } from './activity/activity-policy';
import { azActivityPolicy } from './activity/activity-az';
import type { AgentInstallService } from './agent-install/agent-install-service';
import { borrowConnection } from './agent-install/pool-connection';
import { poolKeyId, poolScalingHistory, type AzureAdmin } from './azure/admin/index';
import {
  importArticleParameters,
  poolParameterWarnings,
  validatePoolParameters,
  resourceGroupProblem,
} from './azure/template/index';
import { createPoolAz } from './azure/pools/index';
import type { DiagnosticsService } from './diagnostics/diagnostics-service';
import type { JupyterOpener } from './jupyter/jupyter-opener';
import { ensureAppKey } from './keys/app-key';
import { ensurePoolKey } from './keys/pool-key';
import type { OpenSshService } from './openssh/openssh-service';
import type { PromptService } from './prompts/prompt-service';
import type { LocalSandboxProvider } from './providers/local/local-provider';
import type { PoolProvider } from './providers/pool-provider';
import type { SshHostsPools } from './providers/ssh-hosts/ssh-hosts-pools';
import { checkResources } from './resource-check';
import type { ResourcePaths } from './resource-paths';
import type { ConnectionService } from './sessions/connection-service';
import { listSshConfigHosts } from './ssh-config/ssh-config-hosts';
import type { SettingsStore } from './settings/settings-store';
import { saveTerminalSettings, terminalSettingsOf } from './settings/terminal-settings';
import type { ForwardService } from './ssh/forward-service';
import type { RefusedHostKeys } from './ssh/refused-host-keys';
import type { TerminalService } from './ssh/terminal-service';
import { checkShare, fixShare } from './storage/share-check';
import type { ShareFiles } from './storage/share-files';
import { SshShareFiles } from './storage/ssh-share-files';
import { TeamRegistryService } from './storage/team-registry';
import type { UpdateService } from './updates/update-service';
import type { NotificationService } from './notifications/notification-service';

export interface HandlerServices {
  appInfo: AppInfo;
  /** Where the agent bundle, the template and the icons are (resource-paths.ts). */
  resources: ResourcePaths;
  dataDir: string;
  listPools: () => PoolInfo[];
  poolInfo: (provider: PoolProvider) => PoolInfo;
  connections: ConnectionService;
  terminals: TerminalService;
  settings: SettingsStore;
  forwards: ForwardService;
  jupyter: JupyterOpener;
  prompts: PromptService;
  sshPools: SshHostsPools;
  sandbox: LocalSandboxProvider;
  azure: AzureAdmin;
  agents: AgentInstallService;
  diagnostics: DiagnosticsService;
  updates: UpdateService;
  openssh: OpenSshService;
  refusedHostKeys: RefusedHostKeys;
  notifications: NotificationService;
  /** A place the shell asked the UI to open before any page listened; taken once. */
  takePendingOpen: () => AppTarget | undefined;
  log: (line: string) => void;
}

export function createHandlers(s: HandlerServices): Handlers {
  return {
    'app.info': () => s.appInfo,
    'app.resources': () => checkResources(s.resources),
    'app.startView': () => {
      const open = s.takePendingOpen();
      return open
        ? { view: open.view, open }
        : { view: s.settings.get().window?.lastView ?? 'user' };
    },
    'app.setLastView': async ({ view }) => {
      if (s.settings.get().window?.lastView === view) return;
      await s.settings.update((current) => ({
        ...current,
        window: { ...current.window, lastView: view },
      }));
    },
    'pools.list': () => s.listPools(),
    'connections.connect': ({ poolId, instanceId }, { signal }) =>
      s.connections.connect(poolId, instanceId, signal),
    'connections.list': () => s.connections.list(),
    'connections.close': ({ connectionId }) => s.connections.close(connectionId),
    'openssh.status': () => s.openssh.status(),
    'openssh.addInclude': () => s.openssh.addInclude(),
    'openssh.removeInclude': () => s.openssh.removeInclude(),
    'openssh.sshCommand': ({ connectionId }) => s.openssh.sshCommand(connectionId),
    'openssh.vsCodeLink': ({ connectionId, folder, insiders }, { signal }) =>
      s.openssh.vsCodeLink(connectionId, { folder, insiders, signal }),
    'hostKeys.replace': (request) => s.refusedHostKeys.replace(request),
    'terminals.open': ({ connectionId, cols, rows }) => {
      const { info, connection } = s.connections.get(connectionId);
      return s.terminals.open(
        connection,
        {
          connectionId,
          poolId: info.poolId,
          poolName: s.connections.provider(info.poolId).name,
          instanceId: info.instanceId,
          instanceName: info.instanceName,
        },
        { cols, rows },
      );
    },
    'terminals.list': () => s.terminals.list(),
    'terminals.attach': ({ terminalId }) => s.terminals.attachView(terminalId),
    'terminals.write': ({ terminalId, data }) => s.terminals.write(terminalId, data),
    'terminals.resize': ({ terminalId, cols, rows }) => s.terminals.resize(terminalId, cols, rows),
    'terminals.ack': ({ terminalId, chars }) => s.terminals.ack(terminalId, chars),
    'terminals.close': ({ terminalId }) => s.terminals.close(terminalId),
    'terminals.settings': () => terminalSettingsOf(s.settings.get()),
    'terminals.setSettings': ({ scrollback }) => saveTerminalSettings(s.settings, { scrollback }),
    'prompts.list': () => s.prompts.list(),
    'prompts.answer': ({ promptId, accept, value }) => s.prompts.answer(promptId, accept, value),

    'jupyter.open': ({ connectionId, mode }, { signal }) =>
      s.jupyter.open(connectionId, mode, signal),
    'forwards.list': () => s.forwards.list(),
    'forwards.add': ({ connectionId, remoteHost, remotePort, localPort, label }) => {
      // `info`, not `get`: a forward added while reconnecting starts out `waiting`.
      const info = s.connections.info(connectionId);
      return s.forwards.add({
        connectionId,
        poolId: info.poolId,
        instanceName: info.instanceName,
        remoteHost,
        remotePort,
        localPort,
        label: label ?? `Port ${remotePort}`,
        kind: 'custom',
      });
    },
    'forwards.remove': ({ forwardId }) => s.forwards.remove(forwardId),

    'pools.saveSshHosts': async (input) => s.poolInfo(await s.sshPools.save(input)),
    'pools.remove': async ({ poolId }) => {
      await endPoolSessions(s, poolId, 'removed from the app');
      await s.sshPools.remove(poolId);
    },
    'sshConfig.list': async () => {
      const { hosts, notes } = await listSshConfigHosts();
      for (const note of notes) s.log(`~/.ssh/config: ${note}`);
      return hosts;
    },
    'sandbox.dropConnections': ({ instanceId }) => ({
      dropped: s.sandbox.dropConnections(instanceId),
    }),
    'keys.appPublicKey': async () => ({ publicKey: (await ensureAppKey(s.dataDir)).publicKey }),
    'keys.generate': async ({ poolId }) => {
      const provider = s.connections.provider(poolId);
      if (provider.kind === 'local') {
        throw new RpcError(
          ErrorCode.BadInput,
          'The local sandbox signs in with the app key; pool keys are for SSH-host and Azure pools.',
        );
      }
      const { publicKey, path } = await ensurePoolKey(s.dataDir, poolKeyId(poolId));
      return { publicKey, path };
    },

    'azure.status': () => s.azure.credential.status,
    'azure.signIn': async ({ kind, tenantId }, { signal }) => {
      const method =
        kind === 'environment' ? { kind } : tenantId === undefined ? { kind } : { kind, tenantId };
      await s.azure.credential.signIn(method, signal);
      return s.azure.credential.status;
    },
    'azure.signOut': () => s.azure.credential.signOut(),
    'azure.listSubscriptions': async (_input, { signal }) =>
      (await s.azure.credential.listSubscriptions(signal)).map(
        ({ subscriptionId, displayName, state }) => ({ subscriptionId, displayName, state }),
      ),
    'azure.listResourceGroups': async ({ subscriptionId }) =>
      (await s.azure.credential.listResourceGroups(subscriptionId)).map(({ name, location }) => ({
        name,
        location,
      })),
    'azure.listPools': ({ subscriptionId }) => s.azure.service.listPools(subscriptionId),
    'azure.addPool': async (ref) => s.poolInfo(await s.azure.add(ref)),
    'azure.validatePool': ({ parameters, subscriptionId, resourceGroup, createResourceGroup }) => {
      const params = validatePoolParameters(parameters);
      const group = resourceGroup ?? `${params.poolName}-rg`;
      const rgProblem = resourceGroupProblem(group);
      if (rgProblem) {
        throw new RpcError(ErrorCode.BadInput, `resourceGroup ${rgProblem}.`, [
          { path: ['resourceGroup'], message: rgProblem },
        ]);
      }
      return {
        warnings: poolParameterWarnings(params),
        az: createPoolAz(
          { subscriptionId: subscriptionId ?? '', resourceGroup: group, createResourceGroup },
          params,
        ),
      };
    },
    'azure.createPool': ({ subscriptionId, resourceGroup, createResourceGroup, parameters }) =>
      s.azure.service.createPool({ subscriptionId, resourceGroup, createResourceGroup, parameters })
        .operation,
    'azure.instanceAction': ({ poolId, action, instanceIds }) =>
      s.azure.service.instanceAction(s.azure.provider(poolId).pool, action, instanceIds).operation,
    'azure.showInstances': ({ poolId, instanceIds }) => {
      // Answers at once; the ports show as they come (pools.onDidChange).
      void s.azure.provider(poolId).showInstances(instanceIds);
    },
    'azure.setScaleInProtection': ({ poolId, instanceId, protect }) =>
      s.azure.service.setScaleInProtection(s.azure.provider(poolId).pool, instanceId, protect)
        .operation,
    'azure.scale': ({ poolId, capacity }) =>
      s.azure.service.scale(s.azure.provider(poolId).pool, capacity).operation,
    'azure.previewAz': async ({
      poolId,
      action,
      instanceIds,
      capacity,
      protect,
      idleMinutes,
      idleStop,
    }) => {
      const pool = s.azure.provider(poolId).pool;
      const need = <T>(value: T | undefined, what: string): T => {
        if (value === undefined) {
          throw new RpcError(ErrorCode.BadInput, `${action} needs ${what} to preview.`);
        }
        return value;
      };
      switch (action) {
        case 'scale':
          return s.azure.service.previewAz(pool, { action, capacity: need(capacity, 'capacity') });
        case 'protect':
          return s.azure.service.previewAz(pool, {
            action,
            instanceIds: need(instanceIds, 'instanceIds'),
            protect: need(protect, 'protect'),
          });
        case 'stopAll':
        case 'deletePool':
          return s.azure.service.previewAz(pool, { action });
        case 'repairAgent':
          return s.agents.previewAz(poolId, need(instanceIds, 'instanceIds'));
        case 'activityPolicy': {
          const policy = {
            idleMinutes: need(idleMinutes, 'idleMinutes'),
            idleStop: need(idleStop, 'idleStop'),
          };
          const share = await s.azure.share(poolId);
          return azActivityPolicy(
            { subscription: pool.subscriptionId, account: share.account, share: share.share },
            policy,
          );
        }
        default:
          return s.azure.service.previewAz(pool, {
            action,
            instanceIds: need(instanceIds, 'instanceIds'),
          });
      }
    },
    'azure.stopAll': ({ poolId }) =>
      s.azure.service.stopAll(s.azure.provider(poolId).pool).operation,
    'azure.getAutoscale': ({ poolId }) =>
      s.azure.service.getAutoscale(s.azure.provider(poolId).pool),
    'azure.previewAutoscale': ({ poolId, settings }) =>
      s.azure.service.previewAutoscale(s.azure.provider(poolId).pool, settings),
    'azure.setAutoscale': ({ poolId, settings }) =>
      s.azure.service.setAutoscale(s.azure.provider(poolId).pool, settings).operation,
    'scaling.history': ({ poolId, hours }) => poolScalingHistory(s.azure, poolId, hours),
    'azure.deletePool': ({ poolId, confirmName }) => {
      const tracked = s.azure.service.deletePool(s.azure.provider(poolId).pool, { confirmName });
      tracked.result.then(
        () => endPoolSessions(s, poolId, 'deleted').then(() => s.azure.remove(poolId)),
        () => {},
      );
      return tracked.operation;
    },
    'azure.importArticleParameters': ({ json }) => {
      let doc: unknown;
      try {
        doc = JSON.parse(json);
      } catch (err) {
        throw new RpcError(
          ErrorCode.BadInput,
          `The file is not JSON: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      return importArticleParameters(doc) as ReturnType<Handlers['azure.importArticleParameters']>;
    },
    'team.list': ({ poolId }) =>
      withPoolShare(s, poolId, async ({ files }) => {
        const members = await new TeamRegistryService(files).list();
        // After the read: an SSH share names its mount point once it found it.
        return { share: files.label, members, adminAccounts: await adminAccounts(s, poolId) };
      }),
    'team.add': ({ poolId, name, sshKeys, admin, replace }) =>
      withPoolShare(s, poolId, async ({ files }) => {
        const admins = await adminAccounts(s, poolId);
        const members = await new TeamRegistryService(files).add(
          { name, sshKeys, ...(admin !== undefined ? { admin } : {}) },
          { replace, adminAccounts: admins },
        );
        s.log(`team: ${replace ? 'updated' : 'added'} ${name} on ${files.label}`);
        return { share: files.label, members, adminAccounts: admins };
      }),
    'team.remove': ({ poolId, name }) =>
      withPoolShare(s, poolId, async ({ files }) => {
        const members = await new TeamRegistryService(files).remove(name);
        s.log(`team: removed ${name} from ${files.label}`);
        return { share: files.label, members, adminAccounts: await adminAccounts(s, poolId) };
      }),
    'share.check': ({ connectionId }, { signal }) =>
      checkShare(s.connections.get(connectionId).connection, signal),
    'share.fix': async ({ connectionId }, { signal }) => {
      const { info, connection } = s.connections.get(connectionId);
      const result = await fixShare(connection, signal);
      s.log(`share: fix on ${info.instanceName}: ${result.state}`);
      return result;
    },
    'storage.info': ({ poolId }) => withPoolShare(s, poolId, storageInfo),
    'storage.setQuota': ({ poolId, quotaGiB }) =>
      withPoolShare(s, poolId, async (share) => {
        await share.files.setQuota(quotaGiB);
        return storageInfo(share);
      }),
    'agent.install': ({ poolId, instanceIds }) => s.agents.install(poolId, instanceIds).operation,
    'activity.policy': ({ poolId }) =>
      withPoolShare(s, poolId, ({ files }) => readActivityPolicy(files)),
    'activity.setPolicy': ({ poolId, idleMinutes, idleStop }) =>
      withPoolShare(s, poolId, async ({ files }) => {
        const policy = await writeActivityPolicy(files, { idleMinutes, idleStop });
        s.log(
          `activity: policy of ${files.label}: idle after ${idleMinutes} min, idle stop ${idleStop ? 'on' : 'off'}`,
        );
        return policy;
      }),
    'activity.keep': async ({ poolId, instanceId, minutes, reason }, { signal }) => {
      const borrowed = await borrowConnection(s.connections, poolId, instanceId, signal);
      try {
        const kept = await keepInstance(
          borrowed.connection,
          { minutes, instanceName: borrowed.info.instanceName, ...(reason ? { reason } : {}) },
          signal,
        );
        s.log(
          `activity: ${borrowed.info.user} kept ${borrowed.info.instanceName} for ${minutes} min`,
        );
        return kept;
      } finally {
        await borrowed.release();
      }
    },
    'diagnostics.run': ({ poolId, instanceId, runId }, { signal }) =>
      s.diagnostics.run(poolId, instanceId, { runId, signal }),
    'operations.list': () => s.azure.service.tracker.list(),
    'operations.dismiss': ({ operationId }) => s.azure.service.tracker.dismiss(operationId),
    'updates.status': () => s.updates.status(),
    'updates.check': () => s.updates.check({ manual: true }),
    'updates.download': () => s.updates.download(),
    'updates.restart': () => s.updates.restart(),
    'updates.setEnabled': ({ enabled }) => s.updates.setEnabled(enabled),
    'notifications.settings': () => s.notifications.settings(),
    'notifications.setEnabled': ({ kind, enabled }) => s.notifications.setEnabled(kind, enabled),
    'notifications.test': () => s.notifications.test(),
  };
}

/**
 * A pool that goes takes its connections with it (nothing could place or reconnect them any
 * more); its terminals end saying so, with the pool's name, so a tab never offers a Reconnect
 * that cannot work.
 */
async function endPoolSessions(s: HandlerServices, poolId: string, how: string): Promise<void> {
  const connections = s.connections.list().filter((c) => c.poolId === poolId);
  if (connections.length === 0) return;
  // The terminals carry the name they opened with (the provider may be gone already).
  let name = s.terminals.list().find((t) => t.poolId === poolId)?.poolName;
  try {
    name ??= s.connections.provider(poolId).name;
  } catch {
    name ??= poolId;
  }
  for (const c of connections) {
    s.terminals.closeAllFor(
      c.id,
      `The pool ${name} was ${how}: this terminal cannot reconnect. Close the tab.`,
    );
  }
  await Promise.all(connections.map((c) => s.connections.close(c.id).catch(() => {})));
}

/**
 * The pool's admin login(s), which no member may be named: an Azure pool's adminUsername (from
 * the scale set when the instance list has not told it yet), an ssh-hosts pool's host logins.
 */
async function adminAccounts(s: HandlerServices, poolId: string): Promise<string[]> {
  const provider = s.connections.provider(poolId);
  if (provider.kind === 'ssh-hosts') {
    const hosts = s.sshPools.get(poolId)?.settings().hosts ?? [];
    return [...new Set(hosts.map((h) => h.user))];
  }
  if (provider.kind === 'azure') {
    if (provider.user) return [provider.user];
    const summary = await s.azure.service.getPool(s.azure.provider(poolId).pool);
    return summary.adminUsername ? [summary.adminUsername] : [];
  }
  return provider.user ? [provider.user] : [];
}

/** A pool's share, open for one handler's work. */
interface OpenShare {
  files: ShareFiles;
  /** The storage account (Azure, SMB), else the share's source. */
  account: string;
}

/**
 * Runs `fn` on a pool's share: an Azure pool's through Azure Files (kept open), an ssh-hosts
 * pool's through one reachable host that mounts it (SshShareFiles; a connection opened for this
 * is closed after). Other kinds say what they lack.
 */
async function withPoolShare<T>(
  s: HandlerServices,
  poolId: string,
  fn: (share: OpenShare) => Promise<T>,
): Promise<T> {
  const provider = s.connections.provider(poolId);
  if (provider.kind === 'azure') {
    const share = await s.azure.share(poolId);
    return fn({ files: share.files, account: share.account });
  }
  if (provider.kind === 'ssh-hosts') {
    const share = s.sshPools.get(poolId)?.settings().share;
    if (!share) {
      throw new RpcError(
        ErrorCode.BadInput,
        `${provider.name} has no shared storage yet: Edit pool… (Shared storage), then Install agent…, to give the team one.`,
      );
    }
    const borrowed = await borrowConnection(s.connections, poolId);
    try {
      const files = new SshShareFiles(borrowed.connection, {
        hostName: borrowed.info.instanceName,
        user: borrowed.info.user,
      });
      return await fn({ files, account: share.account ?? share.source });
    } finally {
      await borrowed.release();
    }
  }
  throw new RpcError(
    ErrorCode.BadInput,
    'The local sandbox has one user (you); the team and its share are for Azure and SSH-host pools.',
  );
}

async function storageInfo(share: OpenShare) {
  const usage = await share.files.usage();
  return { share: share.files.label, account: share.account, ...usage };
}
