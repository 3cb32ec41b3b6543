// A pool's redeployment: the wizard's parameters back from its last deployment's ARM parameters,
// and the deployment parameters that keep what the admin set since (the autoscale setting as it
// is, the scale set's current capacity).
import {
  type ArmParameterValues,
  type PoolParameters,
  buildDeploymentParameters,
} from './pool-template';

type Values = Record<string, { value?: unknown } | undefined>;

/**
 * The wizard input (`validatePoolParameters`' shape) a deployment's parameters came from. Secure
 * parameters (`agentBundleUri`) are not returned by ARM, so they are not here either; template
 * defaults (empty storage names) are left out.
 */
export function poolInputFromDeployment(parameters: Values): Record<string, unknown> {
  const v = (name: string): unknown => parameters[name]?.value;
  const text = (name: string) =>
    typeof v(name) === 'string' && v(name) !== '' ? v(name) : undefined;
  const plan = v('imagePlan');
  const hasPlan = !!plan && typeof plan === 'object' && Object.keys(plan).length > 0;
  const cidrs = Array.isArray(v('allowedSourceCidrs')) ? (v('allowedSourceCidrs') as string[]) : [];
  const input: Record<string, unknown> = {
    poolName: v('poolName'),
    location: v('location'),
    vmSize: v('vmSize'),
    image: {
      publisher: v('imagePublisher'),
      offer: v('imageOffer'),
      sku: v('imageSku'),
      version: v('imageVersion'),
      ...(hasPlan ? { plan } : {}),
    },
    instanceCount: v('instanceCount'),
    minInstances: v('minInstances'),
    maxInstances: v('maxInstances'),
    singlePlacementGroup: v('singlePlacementGroup'),
    computerNamePrefix: v('computerNamePrefix'),
    adminUsername: v('adminUsername'),
    sshPublicKey: v('sshPublicKey'),
    allowedSourceCidrs: cidrs,
    // Accepted when the pool was created; the range is still there.
    allowInternetSsh: cidrs.some((c) => /^0\.0\.0\.0\/0$/.test(c.trim())),
    dnsLabel: v('dnsLabel'),
    natFrontendPortStart: v('natFrontendPortStart'),
    osDiskType: v('osDiskType'),
    autoscaleEnabled: v('autoscaleEnabled'),
    // Absent from deployments of templates before 1.3.0: the default applies.
    terminateNotBeforeTimeout: v('terminateNotBeforeTimeout'),
  };
  const account = text('storageAccountName');
  const share = text('fileShareName');
  if (account && share) {
    input.storageAccountName = account;
    input.fileShareName = share;
    input.createStorage = v('createStorage') !== false;
    if (input.createStorage) {
      input.storageSku = v('storageSku');
      input.shareQuotaGiB = v('shareQuotaGiB');
    } else if (text('storageResourceGroup')) {
      input.storageResourceGroup = text('storageResourceGroup');
    }
  }
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  return input;
}

/**
 * The parameters of a redeployment: `deployAutoscale: false`, so the template leaves the
 * autoscale setting exactly as it is (the deployment is incremental), and `instanceCount` as the
 * caller sets it: the scale set's current capacity, so no instance is added or removed.
 */
export function buildRedeployParameters(params: PoolParameters): ArmParameterValues {
  return { ...buildDeploymentParameters(params), deployAutoscale: { value: false } };
}
