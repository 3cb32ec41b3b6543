// The `az` commands that read what "why did / didn't the pool scale" shows: the autoscale
// events of the Activity Log, each instance's scale-in protection, the autoscale setting, and
// the agents' event logs on the share. Pure; no secret on any command line (az reads the
// storage account key itself, with the same sign-in).
import type { AzCommand } from '../../../common/models';
import { checkTarget, command, scope } from '../az/index';
import { poolResourceNames } from '../template/index';
import type { AzurePoolRef } from '../arm/index';

export interface ScalingAzInput {
  pool: AzurePoolRef;
  hours: number;
  /** The autoscale setting, when the pool has one. */
  setting?: { id: string; resourceGroup: string; name: string };
  /** The share and the event files read from it. */
  share?: { account: string; share: string; files: string[] };
}

export function scalingAz({ pool, hours, setting, share }: ScalingAzInput): AzCommand[] {
  const target = {
    resourceGroup: pool.resourceGroup,
    poolName: pool.poolName,
    subscription: pool.subscriptionId,
  };
  checkTarget(target);
  const sub = ['--subscription', pool.subscriptionId];
  const az: AzCommand[] = [];
  const offset = hours % 24 === 0 ? `${hours / 24}d` : `${hours}h`;
  if (setting) {
    az.push(
      command(
        [
          'az',
          'monitor',
          'activity-log',
          'list',
          '--resource-id',
          setting.id,
          '--offset',
          offset,
          ...sub,
        ],
        `The autoscale setting's Activity Log events of the last ${hours === 24 ? 'day' : `${hours} hours`}`,
      ),
    );
  }
  az.push(
    command(
      [
        'az',
        'vmss',
        'list-instances',
        ...scope(target),
        '--name',
        poolResourceNames(pool.poolName).vmss,
        '--query',
        '[].{id:instanceId, protect:protectionPolicy.protectFromScaleIn}',
      ],
      "Each instance's scale-in protection",
    ),
  );
  if (setting) {
    az.push(
      command(
        [
          'az',
          'monitor',
          'autoscale',
          'show',
          '--resource-group',
          setting.resourceGroup,
          '--name',
          setting.name,
          ...sub,
        ],
        'The autoscale setting: its profiles, rules and cooldowns',
      ),
    );
  }
  for (const file of share?.files ?? []) {
    az.push(
      command(
        [
          'az',
          'storage',
          'file',
          'download',
          '--account-name',
          share!.account,
          '--share-name',
          share!.share,
          '--path',
          file,
          '--dest',
          file.split('/').pop()!,
          ...sub,
        ],
        `The agent's activity events (${file})`,
      ),
    );
  }
  return az;
}
