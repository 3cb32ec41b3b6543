// `scaling.history` for a tracked Azure pool: its instances as the admin view has them (Azure's
// facts and the agents' activity), its share when it can be opened, and the scaling room's read.
import { RpcError } from '../../../common/errors';
import type { ScalingHistory } from '../../../common/scaling-models';
import { AzureScaling } from '../scaling/index';
import type { AzureAdmin } from './azure-admin';

export async function poolScalingHistory(
  admin: AzureAdmin,
  poolId: string,
  hours: number,
): Promise<ScalingHistory> {
  const provider = admin.provider(poolId);
  const { pool } = provider;
  const share = await admin.share(poolId).then(
    (s) => ({ files: s.files, account: s.account, share: s.share }),
    (err: unknown) => ({ problem: RpcError.from(err).message }),
  );
  return new AzureScaling(admin.credential.clientsFor(pool.subscriptionId), pool).history({
    poolId,
    hours,
    instances: admin.instances(provider),
    share,
  });
}
