// Implements every method of the contract on top of the services; the compiler checks that none
// is missing (see `Handlers` in src/common/rpc.ts).
import { ErrorCode, RpcError } from '../common/errors';
import type { AppInfo, PoolInfo } from '../common/models';
import type { Handlers } from '../common/rpc';
import { poolKeyId, type AzureAdmin, type PoolShare } from './azure/azure-admin';
import { importArticleParameters } from './azure/article-import';
import { createPoolAz } from './azure/azure-pools';
import { poolParameterWarnings, validatePoolParameters } from './azure/pool-template';
import { resourceGroupProblem } from './azure/pool-template-names';
import type { JupyterOpener } from './jupyter/jupyter-opener';
import { ensureAppKey } from './keys/app-key';
import { ensurePoolKey } from './keys/pool-key';
import type { PromptService } from './prompts/prompt-service';
import type { LocalSandboxProvider } from './providers/local/local-provider';
import type { PoolProvider } from './providers/pool-provider';
import type { SshHostsPools } from './providers/ssh-hosts/ssh-hosts-pools';
import type { ConnectionService } from './sessions/connection-service';
import { listSshConfigHosts } from './ssh-config/ssh-config-hosts';
import type { ForwardService } from './ssh/forward-service';
import type { TerminalService } from './ssh/terminal-service';
import { checkShare, fixShare } from './storage/share-check';
import { TeamRegistryService } from './storage/team-registry';

export interface HandlerServices {
  appInfo: AppInfo;
  dataDir: string;
  listPools: () => PoolInfo[];
  poolInfo: (provider: PoolProvider) => PoolInfo;
  connections: ConnectionService;
  terminals: TerminalService;
  forwards: ForwardService;
  jupyter: JupyterOpener;
  prompts: PromptService;
  sshPools: SshHostsPools;
  sandbox: LocalSandboxProvider;
  azure: AzureAdmin;
  log: (line: string) => void;
}

export function createHandlers(s: HandlerServices): Handlers {
  return {
    'app.info': () => s.appInfo,
    'pools.list': () => s.listPools(),
    'connections.connect': ({ poolId, instanceId }, { signal }) =>
      s.connections.connect(poolId, instanceId, signal),
    'connections.list': () => s.connections.list(),
    'connections.close': ({ connectionId }) => s.connections.close(connectionId),
    'terminals.open': ({ connectionId, cols, rows }) => {
      const { info, connection } = s.connections.get(connectionId);
      return s.terminals.open(
        connection,
        {
          connectionId,
          poolId: info.poolId,
          instanceId: info.instanceId,
          instanceName: info.instanceName,
        },
        { cols, rows },
      );
    },
    'terminals.list': () => s.terminals.list(),
    'terminals.write': ({ terminalId, data }) => s.terminals.write(terminalId, data),
    'terminals.resize': ({ terminalId, cols, rows }) => s.terminals.resize(terminalId, cols, rows),
    'terminals.ack': ({ terminalId, chars }) => s.terminals.ack(terminalId, chars),
    'terminals.close': ({ terminalId }) => s.terminals.close(terminalId),
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
      // Its connections go with it: nothing could place or reconnect them any more.
      await Promise.all(
        s.connections
          .list()
          .filter((c) => c.poolId === poolId)
          .map((c) => s.connections.close(c.id).catch(() => {})),
      );
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
    'azure.setScaleInProtection': ({ poolId, instanceId, protect }) =>
      s.azure.service.setScaleInProtection(s.azure.provider(poolId).pool, instanceId, protect)
        .operation,
    'azure.scale': ({ poolId, capacity }) =>
      s.azure.service.scale(s.azure.provider(poolId).pool, capacity).operation,
    'azure.previewAz': ({ poolId, action, instanceIds, capacity, protect }) => {
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
    'azure.deletePool': ({ poolId, confirmName }) => {
      const tracked = s.azure.service.deletePool(s.azure.provider(poolId).pool, { confirmName });
      tracked.result.then(
        () => s.azure.remove(poolId),
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
    'team.list': async ({ poolId }) => {
      const { files } = await azureShare(s, poolId);
      return { share: files.label, members: await new TeamRegistryService(files).list() };
    },
    'team.add': async ({ poolId, name, sshKeys, admin, replace }) => {
      const { files } = await azureShare(s, poolId);
      const members = await new TeamRegistryService(files).add(
        { name, sshKeys, ...(admin !== undefined ? { admin } : {}) },
        { replace },
      );
      s.log(`team: ${replace ? 'updated' : 'added'} ${name} on ${files.label}`);
      return { share: files.label, members };
    },
    'team.remove': async ({ poolId, name }) => {
      const { files } = await azureShare(s, poolId);
      const members = await new TeamRegistryService(files).remove(name);
      s.log(`team: removed ${name} from ${files.label}`);
      return { share: files.label, members };
    },
    'share.check': ({ connectionId }, { signal }) =>
      checkShare(s.connections.get(connectionId).connection, signal),
    'share.fix': async ({ connectionId }, { signal }) => {
      const { info, connection } = s.connections.get(connectionId);
      const result = await fixShare(connection, signal);
      s.log(`share: fix on ${info.instanceName}: ${result.state}`);
      return result;
    },
    'storage.info': async ({ poolId }) => storageInfo(await azureShare(s, poolId)),
    'storage.setQuota': async ({ poolId, quotaGiB }) => {
      const share = await azureShare(s, poolId);
      await share.files.setQuota(quotaGiB);
      return storageInfo(share);
    },
    'operations.list': () => s.azure.service.tracker.list(),
    'operations.dismiss': ({ operationId }) => s.azure.service.tracker.dismiss(operationId),
  };
}

/** The share of an Azure pool; other kinds say what they lack. */
function azureShare(s: HandlerServices, poolId: string): Promise<PoolShare> {
  const provider = s.connections.provider(poolId);
  if (provider.kind !== 'azure') {
    throw new RpcError(
      ErrorCode.BadInput,
      provider.kind === 'local'
        ? 'The local sandbox has one user (you); the team and its share are for Azure pools.'
        : 'The team and storage of SSH-host pools are managed on the hosts themselves for now; this view covers Azure pools.',
    );
  }
  return s.azure.share(poolId);
}

async function storageInfo(share: PoolShare) {
  const usage = await share.files.usage();
  return { share: share.files.label, account: share.account, ...usage };
}
