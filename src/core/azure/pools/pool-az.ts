// The `az` CLI equivalent of each pool admin action (create, instance actions, scale, stop,
// delete, NAT ports, the share), as argv and as a copy-pasteable shell line. Pure: nothing runs
// here. No builder ever puts a secret on the command line.
import { ErrorCode, RpcError } from '../../../common/errors';
import type { AzCommand } from '../../../common/models';
import { agentRuntimePackages } from '../../agent-runtime';
import { type PoolTarget, bad, checkCount, checkTarget, command, scope } from '../az/index';
import {
  type ArmParameterValues,
  type PoolParameters,
  buildDeploymentParameters,
  buildRedeployParameters,
  parseCidr,
  looksLikeSecretUrl,
  poolResourceNames,
  redactDeploymentParameters,
} from '../template/index';
import type { CreatePoolRequest } from './pool-create';

function instanceIds(ids: readonly string[]): string[] {
  if (ids.length === 0) bad('instanceIds needs at least one instance id.');
  const wrong = ids.filter((id) => !/^\d{1,10}$/.test(id));
  if (wrong.length) {
    bad(`instanceIds must be the scale set's numeric instance ids; not: ${wrong.join(', ')}.`);
  }
  return [...new Set(ids)];
}

/** `az group create`, tagged with the pool so the group is recognisably the pool's. */
export function azCreateResourceGroup(target: PoolTarget & { location: string }): AzCommand {
  checkTarget(target);
  const args = [
    'az',
    'group',
    'create',
    '--name',
    target.resourceGroup,
    '--location',
    target.location,
  ];
  args.push('--tags', `dsvm-pool=${target.poolName}`);
  if (target.subscription !== undefined) args.push('--subscription', target.subscription);
  return command(args, `Create resource group ${target.resourceGroup} in ${target.location}`);
}

/** Parameter names that would be secrets; a deployment never carries one (see pool.json). */
const SECRET_NAME = /password|secret|token|sas|connectionstring|accountkey|privatekey/i;

/** `KEY=VALUE` as `az deployment … --parameters` reads it: arrays and objects as JSON. */
function parameterArg(name: string, value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : String(value);
  return `${name}=${text}`;
}

/**
 * Refuses parameters that look like secrets — by name, or by value (a SAS URL or a URL with a
 * password) — so a future template change cannot leak one.
 */
export function assertNoSecretParameters(parameters: ArmParameterValues): void {
  const secret = Object.entries(parameters)
    .filter(([name, { value }]) => SECRET_NAME.test(name) || looksLikeSecretUrl(value))
    .map(([name]) => name);
  if (secret.length) {
    throw new RpcError(
      ErrorCode.Internal,
      `Refusing to put secret parameters on a command line: ${secret.join(', ')}.`,
    );
  }
}

/**
 * `az deployment group create --template-file <pool.json> --parameters k=v …`: the same
 * deployment the app makes. Every value shown is public (the SSH key is the public half); a
 * secret parameter (the agent bundle's SAS URL) shows as a placeholder to fill in, e.g.
 * `agentBundleUri=<SAS URL of the agent bundle>`.
 */
export function azDeployPool(
  target: Omit<PoolTarget, 'poolName'> & {
    params: PoolParameters;
    /** Path of pool.json as the admin has it; default `pool.json`. */
    templateFile?: string;
    /** Default `dsvm-pool-<poolName>` (64 characters at most). */
    deploymentName?: string;
    /** A redeployment: `deployAutoscale=false` keeps the autoscale setting as it is. */
    redeploy?: boolean;
  },
): AzCommand {
  const params = target.params;
  checkTarget({ ...target, poolName: params.poolName });
  const deploymentName = target.deploymentName ?? `dsvm-pool-${params.poolName}`.slice(0, 64);
  if (!/^[-\w.()]{1,64}$/.test(deploymentName)) {
    bad('deploymentName must be 1 to 64 letters, digits, "-", "_", ".", "(" or ")".');
  }
  const parameters = redactDeploymentParameters(
    target.redeploy ? buildRedeployParameters(params) : buildDeploymentParameters(params),
  );
  assertNoSecretParameters(parameters);
  // prettier-ignore
  const args = [
    'az', 'deployment', 'group', 'create',
    ...scope(target),
    '--name', deploymentName,
    '--template-file', target.templateFile ?? 'pool.json',
    '--parameters',
    ...Object.entries(parameters).map(([name, { value }]) => parameterArg(name, value)),
  ];
  return command(
    args,
    target.redeploy
      ? `Redeploy pool ${params.poolName} (template pool.json), keeping its autoscale setting and ${params.instanceCount} instances`
      : `Deploy pool ${params.poolName} (template pool.json)`,
  );
}

/** `az vmss list-instances --expand instanceView`: power and provisioning state of each. */
export function azListInstances(target: PoolTarget): AzCommand {
  checkTarget(target);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    ['az', 'vmss', 'list-instances', ...scope(target), '--name', vmss, '--expand', 'instanceView'],
    `List the instances of ${vmss} with their power state`,
  );
}

export type InstanceAction = 'start' | 'deallocate' | 'restart' | 'delete';

const INSTANCE_VERB: Record<InstanceAction, { sub: string; summary: string }> = {
  start: { sub: 'start', summary: 'Start' },
  deallocate: { sub: 'deallocate', summary: 'Stop (deallocate, no compute charges)' },
  restart: { sub: 'restart', summary: 'Restart' },
  delete: { sub: 'delete-instances', summary: 'Delete' },
};

/** `az vmss start|deallocate|restart|delete-instances --instance-ids …`. */
export function azInstanceAction(
  target: PoolTarget,
  action: InstanceAction,
  ids: readonly string[],
): AzCommand {
  checkTarget(target);
  const verb = INSTANCE_VERB[action];
  if (!verb) bad('action must be start, deallocate, restart or delete.');
  const list = instanceIds(ids);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    ['az', 'vmss', verb.sub, ...scope(target), '--name', vmss, '--instance-ids', ...list],
    `${verb.summary} instance${list.length > 1 ? 's' : ''} ${list.join(', ')} of ${vmss}`,
  );
}

/** `az vmss update --instance-id N --protect-from-scale-in true|false`. */
export function azSetScaleInProtection(
  target: PoolTarget,
  id: string,
  protect: boolean,
): AzCommand {
  checkTarget(target);
  const [instance] = instanceIds([id]);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    // prettier-ignore
    [
      'az', 'vmss', 'update', ...scope(target), '--name', vmss,
      '--instance-id', instance, '--protect-from-scale-in', String(protect),
    ],
    `${protect ? 'Protect' : 'Unprotect'} instance ${instance} of ${vmss} from scale-in`,
  );
}

/** `az vmss scale --new-capacity N` (autoscale, when enabled, may change it again). */
export function azScalePool(target: PoolTarget, capacity: number): AzCommand {
  checkTarget(target);
  checkCount('capacity', capacity);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    ['az', 'vmss', 'scale', ...scope(target), '--name', vmss, '--new-capacity', String(capacity)],
    `Scale ${vmss} to ${capacity} instance${capacity === 1 ? '' : 's'}`,
  );
}

/** `az vmss deallocate` without instance ids: every instance stops, none is deleted. */
export function azStopAll(target: PoolTarget): AzCommand {
  checkTarget(target);
  const vmss = poolResourceNames(target.poolName).vmss;
  return command(
    ['az', 'vmss', 'deallocate', ...scope(target), '--name', vmss],
    `Stop (deallocate) every instance of ${vmss}`,
  );
}

/**
 * Deletes what the template created. When the pool owns its resource group, that is one
 * `az group delete` (az asks for confirmation; no `--yes` in a line meant for copying);
 * otherwise each resource by name, dependants first, leaving the group's other resources alone.
 */
export function azDeletePool(target: PoolTarget & { ownsResourceGroup: boolean }): AzCommand[] {
  checkTarget(target);
  if (target.ownsResourceGroup) {
    const args = ['az', 'group', 'delete', '--name', target.resourceGroup];
    if (target.subscription !== undefined) args.push('--subscription', target.subscription);
    return [command(args, `Delete resource group ${target.resourceGroup} and everything in it`)];
  }
  const n = poolResourceNames(target.poolName);
  const s = scope(target);
  // prettier-ignore
  return [
    command(['az', 'monitor', 'autoscale', 'delete', ...s, '--name', n.autoscale], `Delete autoscale setting ${n.autoscale}`),
    command(['az', 'vmss', 'delete', ...s, '--name', n.vmss], `Delete scale set ${n.vmss} and its instances`),
    command(['az', 'network', 'lb', 'delete', ...s, '--name', n.loadBalancer], `Delete load balancer ${n.loadBalancer}`),
    command(['az', 'network', 'public-ip', 'delete', ...s, '--name', n.publicIp], `Delete public IP ${n.publicIp}`),
    command(['az', 'network', 'vnet', 'delete', ...s, '--name', n.vnet], `Delete virtual network ${n.vnet}`),
    command(['az', 'network', 'nsg', 'delete', ...s, '--name', n.nsg], `Delete network security group ${n.nsg}`),
  ];
}

/** `az network lb inbound-nat-rule show`: the SSH rule and its public port range. */
export function azShowNatRule(target: PoolTarget): AzCommand {
  checkTarget(target);
  const n = poolResourceNames(target.poolName);
  return command(
    // prettier-ignore
    [
      'az', 'network', 'lb', 'inbound-nat-rule', 'show', ...scope(target),
      '--lb-name', n.loadBalancer, '--name', n.natRule,
    ],
    `Show the SSH NAT rule (port range) of ${n.loadBalancer}`,
  );
}

/**
 * `az network lb list-mapping --request ip=<private ip>`: the public port that the NAT rule
 * maps to port 22 of the instance with that private address (as `list-instances` shows it).
 */
export function azListNatPortMappings(target: PoolTarget, privateIp: string): AzCommand {
  checkTarget(target);
  const parsed = parseCidr(privateIp);
  if (!parsed.ok || parsed.version !== 4 || parsed.prefix !== 32 || privateIp.includes('/')) {
    bad(
      `privateIp must be an instance's private IPv4 address such as 10.20.0.4; not ${privateIp}.`,
    );
  }
  const n = poolResourceNames(target.poolName);
  return command(
    // prettier-ignore
    [
      'az', 'network', 'lb', 'list-mapping', ...scope(target), '--name', n.loadBalancer,
      '--backend-pool-name', n.backendPool, '--request', `ip=${privateIp}`,
    ],
    `Show the public SSH port of the instance at ${privateIp}`,
  );
}

/**
 * What `createPool` does for the share before deploying: the account and share (unless they
 * exist), the agent bundle and its Node.js runtimes uploaded to `.pool/agent/` (az fetches the
 * account key itself).
 */
export function azPrepareShare(target: {
  subscription?: string;
  resourceGroup: string;
  location: string;
  account: string;
  share: string;
  create: boolean;
  quotaGiB: number;
  sku: string;
  uploadAgent: boolean;
}): AzCommand[] {
  const sub = target.subscription !== undefined ? ['--subscription', target.subscription] : [];
  const commands: AzCommand[] = [];
  if (target.create) {
    // prettier-ignore
    commands.push(
      command(
        ['az', 'storage', 'account', 'create', '--resource-group', target.resourceGroup, '--name', target.account,
          '--location', target.location, '--kind', 'StorageV2', '--sku', target.sku, '--min-tls-version', 'TLS1_2',
          '--https-only', 'true', '--allow-blob-public-access', 'false', ...sub],
        `Create storage account ${target.account}`,
      ),
      command(
        ['az', 'storage', 'share-rm', 'create', '--resource-group', target.resourceGroup,
          '--storage-account', target.account, '--name', target.share, '--quota', String(target.quotaGiB), ...sub],
        `Create file share ${target.share} (${target.quotaGiB} GiB)`,
      ),
    );
  }
  if (target.uploadAgent) {
    // prettier-ignore
    commands.push(
      command(
        ['az', 'storage', 'file', 'upload', '--account-name', target.account, '--share-name', target.share,
          '--source', 'out/agent/dsvm-pool-agent.js', '--path', '.pool/agent/dsvm-pool-agent.js', ...sub],
        'Put the pool agent on the share (the instances install it from there)',
      ),
    );
  }
  // The agent's own Node.js per arch: out/agent/runtime/<file> → .pool/agent/<file>.
  for (const runtime of agentRuntimePackages()) {
    // prettier-ignore
    commands.push(
      command(
        ['az', 'storage', 'file', 'upload', '--account-name', target.account, '--share-name', target.share,
          '--source', `out/agent/runtime/${runtime.fileName}`, '--path', `.pool/agent/${runtime.fileName}`, ...sub],
        `Put the agent's Node.js ${runtime.version} for ${runtime.arch} on the share (the installer checks its sha512)`,
      ),
    );
  }
  return commands;
}

/** The `az` commands that create a pool as `createPool` does: the group if asked, then the deployment. */
export function createPoolAz(
  request: Pick<CreatePoolRequest, 'subscriptionId' | 'resourceGroup' | 'createResourceGroup'>,
  params: PoolParameters,
  deploymentName = `dsvm-pool-${params.poolName}`.slice(0, 64),
): AzCommand[] {
  const { resourceGroup } = request;
  // An empty subscription (a preview before one is picked) leaves --subscription out.
  const subscription = request.subscriptionId || undefined;
  const az: AzCommand[] = [];
  if (request.createResourceGroup) {
    az.push(
      azCreateResourceGroup({
        subscription,
        resourceGroup,
        poolName: params.poolName,
        location: params.location,
      }),
    );
  }
  if (params.storageAccountName && params.fileShareName) {
    const create = params.createStorage !== false;
    az.push(
      ...azPrepareShare({
        subscription,
        resourceGroup: create ? resourceGroup : (params.storageResourceGroup ?? resourceGroup),
        location: params.location,
        account: params.storageAccountName,
        share: params.fileShareName,
        create,
        quotaGiB: params.shareQuotaGiB ?? 100,
        sku: params.storageSku ?? 'Standard_LRS',
        uploadAgent: params.agentBundleUri === undefined,
      }),
    );
  }
  az.push(azDeployPool({ subscription, resourceGroup, params, deploymentName }));
  return az;
}
