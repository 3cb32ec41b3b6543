// Install agent / Repair agent on instances of a pool, as one tracked operation (the operations
// panel shows it like any Azure action): for an Azure pool the share is the scale set's (SMB, the
// key from ARM listKeys) and a valid agent.json the instance has is kept; for an ssh-hosts pool the
// share is the pool's setting, and an SMB share's key is asked for once (a `secret` prompt), never
// stored. Each instance is reached over SSH as the pool's admin (installAgent).
import { ErrorCode, RpcError } from '../../common/errors';
import type { AgentConfigInput, AgentHeartbeat } from '../../common/agent-protocol';
import type { InstanceInfo, SshPoolShare } from '../../common/models';
import { readAgentBundle } from '../agent-bundle';
import type { AzureAdmin } from '../azure/admin/index';
import type { OperationHandle, OperationTracker, TrackedOperation } from '../azure/pools/index';
import type { PoolTarget } from '../azure/az/index';
import type { PromptService } from '../prompts/prompt-service';
import type { PoolProvider } from '../providers/pool-provider';
import { SshHostsProvider } from '../providers/ssh-hosts/ssh-hosts-provider';
import type { ConnectionService } from '../sessions/connection-service';
import { azRepairAgent } from './agent-install-az';
import { applyProblem, describeStatus, installAgent } from './agent-installer';
import type { RuntimeLookup } from './agent-node';
import { borrowConnection } from './pool-connection';

export interface AgentInstallServiceDeps {
  tracker: OperationTracker;
  connections: ConnectionService;
  azure: Pick<AzureAdmin, 'provider' | 'agentShare'>;
  prompts: PromptService;
  log: (line: string) => void;
  /** The agent bundle (default: readAgentBundle()). */
  readBundle?: () => Promise<string>;
  /** The agent's Node.js runtime per arch (default: the checkout's out/agent/runtime, checked). */
  runtime?: RuntimeLookup;
  /** Instances worked on at once (default 4). */
  concurrency?: number;
}

/** How one instance came out. */
export interface AgentInstallOutcome {
  instanceId: string;
  name: string;
  ok: boolean;
  /** One sentence: the agent's state, or what went wrong. */
  message: string;
  status?: AgentHeartbeat;
}

/** The mount point the template and the agent use by default. */
export const DEFAULT_MOUNT_POINT = '/mnt/dsvm-pool';
/** How long an SMB key question may stay open before the operation gives up. */
const SECRET_WAIT_MS = 10 * 60_000;

export class AgentInstallService {
  constructor(private readonly deps: AgentInstallServiceDeps) {}

  /**
   * Installs (repairs) the agent on `instanceIds`, default every instance of the pool. Bad
   * requests are refused at once; the rest happens in the returned operation, which fails when
   * any instance did not end with a working agent (and says which, and why).
   */
  install(
    poolId: string,
    instanceIds?: readonly string[],
  ): TrackedOperation<AgentInstallOutcome[]> {
    const provider = this.deps.connections.provider(poolId);
    if (provider.kind === 'local') {
      throw new RpcError(
        ErrorCode.BadInput,
        'The local sandbox runs no agent: its share is a folder on this computer.',
      );
    }
    const instances = this.pick(provider, instanceIds);
    const what = describeInstances(instances, provider.kind === 'azure' ? 'instance' : 'host');
    if (provider.kind === 'azure') {
      const pool = this.deps.azure.provider(poolId).pool;
      const target: PoolTarget = {
        subscription: pool.subscriptionId,
        resourceGroup: pool.resourceGroup,
        poolName: pool.poolName,
      };
      return this.deps.tracker.run(
        {
          title: `Repair the agent on ${what} of pool ${pool.poolName}`,
          az: azRepairAgent(
            target,
            instances.map((i) => i.id),
          ),
          pool,
        },
        (op) => this.repairAzure(op, poolId, instances),
      );
    }
    if (!(provider instanceof SshHostsProvider)) {
      throw new RpcError(ErrorCode.BadInput, `Pools of kind ${provider.kind} have no agent.`);
    }
    const share = provider.settings().share;
    if (!share) {
      throw new RpcError(
        ErrorCode.BadInput,
        `${provider.name} has no shared storage set, so there is nothing for the agent to mount. Edit the pool (Shared storage), then install the agent.`,
      );
    }
    return this.deps.tracker.run(
      { title: `Install the agent on ${what} of ${provider.name}`, az: [] },
      (op) => this.installSshHosts(op, poolId, provider, share, instances),
    );
  }

  /** The az commands Repair agent amounts to (the confirmation shows them). */
  previewAz(poolId: string, instanceIds: readonly string[]) {
    const pool = this.deps.azure.provider(poolId).pool;
    return azRepairAgent(
      {
        subscription: pool.subscriptionId,
        resourceGroup: pool.resourceGroup,
        poolName: pool.poolName,
      },
      instanceIds,
    );
  }

  private pick(provider: PoolProvider, instanceIds?: readonly string[]): InstanceInfo[] {
    const all = provider.listInstances();
    if (!instanceIds) {
      if (all.length === 0) {
        throw new RpcError(ErrorCode.NoInstance, `${provider.name} has no instances.`);
      }
      return all;
    }
    const ids = [...new Set(instanceIds)];
    const unknown = ids.filter((id) => !all.some((i) => i.id === id));
    if (unknown.length) {
      throw new RpcError(
        ErrorCode.NotFound,
        `${provider.name} has no instance ${unknown.join(', ')} (any more). Reload and pick again.`,
      );
    }
    return ids.map((id) => all.find((i) => i.id === id)!);
  }

  private async repairAzure(
    op: OperationHandle,
    poolId: string,
    instances: InstanceInfo[],
  ): Promise<AgentInstallOutcome[]> {
    op.progress(
      "The app repairs over SSH as the pool's admin; the az commands are Azure's own way (the extension).",
    );
    op.progress("Reading the pool's share and its key (ARM listKeys)…");
    const share = await this.deps.azure.agentShare(poolId);
    const bundle = await this.bundle();
    const config = (adminUser: string): AgentConfigInput => ({
      version: 1,
      share: {
        protocol: 'smb',
        source: share.source,
        mountPoint: DEFAULT_MOUNT_POINT,
        account: share.account,
      },
      shareName: share.share,
      adminUser,
    });
    return this.runAll(op, poolId, instances, share.key, 'instance', async (instance) => {
      if (instance.state !== 'running') {
        throw new RpcError(
          ErrorCode.NoInstance,
          `${instance.name} is ${instance.state}: start it, then repair its agent.`,
        );
      }
      return { bundle, config, keepExistingConfig: true, storageKey: share.key };
    });
  }

  private async installSshHosts(
    op: OperationHandle,
    poolId: string,
    provider: SshHostsProvider,
    share: SshPoolShare,
    instances: InstanceInfo[],
  ): Promise<AgentInstallOutcome[]> {
    let key: string | undefined;
    if (share.protocol === 'smb') {
      const account = share.account ?? /^\/\/([^./]+)/.exec(share.source)?.[1] ?? 'the account';
      op.progress(`Asking for the key of storage account ${account} (it is not stored)…`);
      key = await this.deps.prompts.askSecret(
        {
          poolId,
          title: 'Storage account key',
          label: `Key of storage account ${account}`,
          detail:
            `The agents mount ${share.source} over SMB with this key, which they keep in a root-only file (/etc/smbcredentials). ` +
            'The app hands it to each host on stdin and does not store it. Skip it to keep the key the hosts already have.',
          declineLabel: "Keep the hosts' key",
        },
        AbortSignal.timeout(SECRET_WAIT_MS),
      );
      op.progress(
        key ? 'Key received.' : 'No key given: the hosts keep the one they have (if any).',
      );
    }
    const bundle = await this.bundle();
    const config = (adminUser: string): AgentConfigInput => ({
      version: 1,
      share: { ...share, mountPoint: share.mountPoint ?? DEFAULT_MOUNT_POINT },
      shareName: shareNameOf(share),
      adminUser,
    });
    return this.runAll(op, poolId, instances, key, 'host', async () => ({
      bundle,
      config,
      keepExistingConfig: false,
      ...(key ? { storageKey: key } : {}),
    }));
  }

  /** Every instance, a few at a time; the operation fails when any did not end well. */
  private async runAll(
    op: OperationHandle,
    poolId: string,
    instances: InstanceInfo[],
    secret: string | undefined,
    noun: 'instance' | 'host',
    plan: (instance: InstanceInfo) => Promise<{
      bundle: string;
      config: (adminUser: string) => AgentConfigInput;
      keepExistingConfig: boolean;
      storageKey?: string;
    }>,
  ): Promise<AgentInstallOutcome[]> {
    const scrub = (text: string) => (secret ? text.split(secret).join('…') : text);
    const outcomes: AgentInstallOutcome[] = [];
    const queue = [...instances];
    const one = async (instance: InstanceInfo): Promise<AgentInstallOutcome> => {
      const say = (text: string) => op.progress(scrub(`${instance.name}: ${text}`));
      try {
        const p = await plan(instance);
        say('connecting…');
        const borrowed = await borrowConnection(this.deps.connections, poolId, instance.id);
        try {
          const result = await installAgent(borrowed.connection, {
            config: p.config(borrowed.info.user),
            bundle: p.bundle,
            keepExistingConfig: p.keepExistingConfig,
            user: borrowed.info.user,
            onProgress: say,
            ...(this.deps.runtime ? { runtime: this.deps.runtime } : {}),
            ...(p.storageKey ? { storageKey: p.storageKey } : {}),
          });
          if (!result.apply.ok) {
            const said = applyProblem(result.apply.output);
            return {
              instanceId: instance.id,
              name: instance.name,
              ok: false,
              message: `installed, but its first apply failed: ${said || `exit ${result.apply.code}`}`,
              ...(result.status ? { status: result.status } : {}),
            };
          }
          return {
            instanceId: instance.id,
            name: instance.name,
            ok: true,
            message: result.status ? describeStatus(result.status) : 'installed and applied.',
            ...(result.status ? { status: result.status } : {}),
          };
        } finally {
          await borrowed.release();
        }
      } catch (err) {
        return {
          instanceId: instance.id,
          name: instance.name,
          ok: false,
          message: RpcError.from(err).message,
        };
      }
    };
    const workers = Array.from(
      { length: Math.min(this.deps.concurrency ?? 4, queue.length) },
      async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const outcome = await one(next);
          outcome.message = scrub(outcome.message);
          outcomes.push(outcome);
          // A working agent already said how it is (its status line); a failure says why.
          op.progress(
            outcome.ok ? `${outcome.name}: done.` : `${outcome.name}: FAILED — ${outcome.message}`,
          );
        }
      },
    );
    await Promise.all(workers);
    const order = new Map(instances.map((i, n) => [i.id, n]));
    outcomes.sort((a, b) => order.get(a.instanceId)! - order.get(b.instanceId)!);
    const failed = outcomes.filter((o) => !o.ok);
    this.deps.log(
      `agent: install on ${outcomes.length} instance(s) of ${poolId}: ${outcomes.length - failed.length} ok, ${failed.length} failed`,
    );
    if (failed.length) {
      throw new RpcError(
        ErrorCode.Internal,
        `The agent does not work on ${failed.length} of ${outcomes.length}: ${failed.map((f) => `${f.name}: ${f.message}`).join(' | ')}`,
        { outcomes },
      );
    }
    op.progress(
      `Done: the agent works on ${outcomes.length} ${outcomes.length === 1 ? noun : `${noun}s`}.`,
    );
    return outcomes;
  }

  private bundle(): Promise<string> {
    return (this.deps.readBundle ?? (() => readAgentBundle()))();
  }
}

/** "instance 3" / "instances 0, 1 and 2 more" — short enough for a title. */
function describeInstances(instances: InstanceInfo[], noun: string): string {
  const names = instances.map((i) => i.name);
  const list =
    names.length <= 4
      ? names.join(', ')
      : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return `${noun}${names.length === 1 ? '' : 's'} ${list}`;
}

/**
 * agent.json `shareName` (the admin's `~/<name>` link) for an ssh-hosts share: the share's own
 * name (the last part of its source), else `share`; never `notebooks` (the agent refuses it).
 */
export function shareNameOf(share: SshPoolShare): string {
  const last = share.source.split(/[/:]/).filter(Boolean).pop() ?? '';
  const name = last
    .replace(/[^A-Za-z0-9._-]/g, '')
    .replace(/^[._-]+/, '')
    .slice(0, 63);
  return name && name !== 'notebooks' ? name : 'share';
}
